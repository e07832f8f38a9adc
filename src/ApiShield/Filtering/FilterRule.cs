namespace ApiShield.Filtering;

/// <summary>A compiled rule: what to do with a matched value, and who may see it anyway. <see cref="Name"/> is what logs show.</summary>
internal sealed class FilterRule(string name, FilterRuleKind kind, SensitiveAction action, string? visibleWithScope, int scopeIndex, int keepLast)
{
    public string Name { get; } = name;

    public FilterRuleKind Kind { get; } = kind;

    public SensitiveAction Action { get; } = action;

    public string? VisibleWithScope { get; } = visibleWithScope;

    /// <summary>The scope's index in <see cref="ScopeRegistry"/>, or -1 when the scope has none (too many scopes) or there is no scope.</summary>
    public int ScopeIndex { get; } = scopeIndex;

    public int KeepLast { get; } = keepLast;

    /// <summary>Orders rules when several match one value: the one disclosing least wins.</summary>
    public int Strictness => Action switch
    {
        SensitiveAction.Remove => 1000,
        SensitiveAction.Hash => 900,
        _ => 800 - KeepLast,
    };
}
