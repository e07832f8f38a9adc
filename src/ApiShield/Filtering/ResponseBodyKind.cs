namespace ApiShield.Filtering;

internal enum ResponseBodyKind
{
    /// <summary>Not JSON: passes untouched.</summary>
    Other,

    Json,

    /// <summary>NDJSON / JSON Lines: one JSON value per line.</summary>
    JsonLines,

    /// <summary>Server-sent events: <c>data:</c> lines are filtered one by one.</summary>
    EventStream,

    /// <summary>A JSON media type in a charset or content coding the filter cannot read.</summary>
    Unreadable,
}
