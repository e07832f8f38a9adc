namespace ApiShield.Threats;

/// <summary>What a request was found to do; each has a problem type, a metric tag and a log text.</summary>
internal enum ThreatKind
{
    None = 0,
    PayloadTooLarge,
    UnsupportedMediaType,
    InvalidEncoding,
    MalformedJson,
    DepthExceeded,
    ObjectEntriesExceeded,
    ArrayLengthExceeded,
    PropertyNameTooLong,
    StringTooLong,
    NumberTooLong,
    DuplicateProperty,
    Injection,
}
