namespace ApiShield.Filtering;

/// <summary>
/// One configured filtering rule, bound to <c>ApiShield:Filtering:Rules:{index}</c>: either a JSON <see cref="Path"/> or
/// a property-name pattern (<see cref="Name"/>).
/// </summary>
public sealed class SensitiveRuleOptions
{
    /// <summary>
    /// A JSON path: <c>$</c>, <c>.name</c>, <c>['name']</c>, <c>[*]</c>, <c>.*</c> and <c>..</c> (any depth), for example
    /// <c>$..ssn</c> or <c>$.items[*].card.number</c>. Names match exactly.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Path { get; set; }

    /// <summary>
    /// A property-name pattern applied at every depth, with <c>*</c> matching any run of characters, for example
    /// <c>*password*</c>. Matching ignores ASCII case.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Name { get; set; }

    /// <summary>What a caller who may not see the value gets.</summary>
    /// <value>The default value is <see cref="SensitiveAction.Remove"/>.</value>
    public SensitiveAction Action { get; set; } = SensitiveAction.Remove;

    /// <summary>The scope that lets a caller see the value unchanged.</summary>
    /// <value>The default value is <see langword="null"/>: no caller sees it.</value>
    public string? VisibleWithScope { get; set; }

    /// <summary>For <see cref="SensitiveAction.Mask"/>, how many trailing characters of a string stay visible.</summary>
    /// <value>The default value is 0.</value>
    public int KeepLast { get; set; }
}
