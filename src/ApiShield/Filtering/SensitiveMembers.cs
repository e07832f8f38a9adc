using System.Text.Json.Serialization.Metadata;

namespace ApiShield.Filtering;

/// <summary>Finds <see cref="SensitiveAttribute"/> on a serialized member, on the property or on its record parameter.</summary>
internal static class SensitiveMembers
{
    public static SensitiveAttribute? Find(JsonPropertyInfo property)
    {
        if (property.AttributeProvider?.GetCustomAttributes(typeof(SensitiveAttribute), inherit: true) is [SensitiveAttribute attribute, ..])
        {
            return attribute;
        }

        if (property.AssociatedParameter?.AttributeProvider?.GetCustomAttributes(typeof(SensitiveAttribute), inherit: true) is [SensitiveAttribute parameterAttribute, ..])
        {
            return parameterAttribute;
        }

        return null;
    }

    /// <summary>The rule <paramref name="attribute"/> puts on <paramref name="property"/>; both filtering layers build it here.</summary>
    public static FilterRule Rule(JsonPropertyInfo property, SensitiveAttribute attribute, ScopeRegistry scopes) =>
        new(RuleName(property), FilterRuleKind.Attribute, attribute.Otherwise, attribute.VisibleWithScope, scopes.GetIndex(attribute.VisibleWithScope), attribute.KeepLast);

    private static string RuleName(JsonPropertyInfo property) => $"{property.DeclaringType.Name}.{property.AttributeProvider switch
    {
        System.Reflection.MemberInfo member => member.Name,
        _ => property.Name,
    }}";
}
