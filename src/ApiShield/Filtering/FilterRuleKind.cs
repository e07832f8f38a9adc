namespace ApiShield.Filtering;

/// <summary>Where a rule came from; the <c>rule_kind</c> metric tag.</summary>
internal enum FilterRuleKind
{
    Attribute,
    Path,
    NamePattern,
    Endpoint,
    Detector,
}
