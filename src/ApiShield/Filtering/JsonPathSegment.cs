namespace ApiShield.Filtering;

/// <summary>One step of a parsed JSON path: a child or any-depth descendant, selecting one name or any member or element.</summary>
internal readonly record struct JsonPathSegment(bool Descendant, string? Name);
