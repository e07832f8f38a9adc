using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ApiShield.Filtering;

/// <summary>
/// Compiles the <see cref="SensitiveAttribute"/> members reachable from a declared response type into automaton nodes,
/// using the host's serializer contract so property names match what is written (naming policies, <c>[JsonPropertyName]</c>).
/// </summary>
internal sealed class TypeRuleWalker(JsonSerializerOptions options, ScopeRegistry scopes)
{
    private readonly Dictionary<Type, PathNode?> _nodes = [];

    public HashSet<Type> CoveredTypes { get; } = [];

    public PathNode? Walk(Type type)
    {
        if (_nodes.TryGetValue(type, out var existing))
        {
            return existing;
        }

        JsonTypeInfo info;
        try
        {
            info = options.GetTypeInfo(type);
        }
        catch (NotSupportedException)
        {
            _nodes[type] = null;
            return null;
        }

        var node = new PathNode();
        _nodes[type] = node;
        var useful = false;
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                CoveredTypes.Add(type);
                foreach (var property in info.Properties)
                {
                    var child = property.PropertyType == type ? node : Walk(property.PropertyType);
                    var attribute = SensitiveMembers.Find(property);
                    if (attribute is not null)
                    {
                        var member = node.GetOrAddChild(property.Name);
                        member.AddRule(SensitiveMembers.Rule(property, attribute, scopes));
                        member.Alias = child;
                        useful = true;
                    }
                    else if (child is not null)
                    {
                        node.SetChild(property.Name, child);
                        useful = true;
                    }
                }

                break;
            case JsonTypeInfoKind.Enumerable:
            case JsonTypeInfoKind.Dictionary:
                if (info.ElementType is { } element && Walk(element) is { } elementNode)
                {
                    node.Any = elementNode;
                    useful = true;
                }

                break;
        }

        if (!useful)
        {
            // A type that only reaches itself has nothing sensitive; cycles through it see an inert node.
            _nodes[type] = null;
            return null;
        }

        return node;
    }
}
