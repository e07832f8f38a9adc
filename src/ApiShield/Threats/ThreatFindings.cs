using ApiShield.Diagnostics;

namespace ApiShield.Threats;

/// <summary>Maps a <see cref="ThreatKind"/> to what clients, logs and metrics see. Details name limits, never content.</summary>
internal static class ThreatFindings
{
    public static ProblemType Problem(ThreatKind kind) => kind switch
    {
        ThreatKind.PayloadTooLarge => ProblemTypes.PayloadTooLarge,
        ThreatKind.UnsupportedMediaType => ProblemTypes.UnsupportedMediaType,
        ThreatKind.InvalidEncoding => ProblemTypes.InvalidEncoding,
        ThreatKind.DepthExceeded => ProblemTypes.JsonDepthExceeded,
        ThreatKind.ObjectEntriesExceeded => ProblemTypes.JsonObjectEntriesExceeded,
        ThreatKind.ArrayLengthExceeded => ProblemTypes.JsonArrayLengthExceeded,
        ThreatKind.PropertyNameTooLong => ProblemTypes.JsonPropertyNameTooLong,
        ThreatKind.StringTooLong => ProblemTypes.JsonStringTooLong,
        ThreatKind.NumberTooLong => ProblemTypes.JsonNumberTooLong,
        ThreatKind.DuplicateProperty => ProblemTypes.JsonDuplicateProperty,
        ThreatKind.Injection => ProblemTypes.InjectionDetected,
        _ => ProblemTypes.MalformedJson,
    };

    /// <summary>The snake_case <c>limit</c> tag of <c>apishield.threats.rejections</c>.</summary>
    public static string Tag(ThreatKind kind) => kind switch
    {
        ThreatKind.PayloadTooLarge => "payload_size",
        ThreatKind.UnsupportedMediaType => "media_type",
        ThreatKind.InvalidEncoding => "encoding",
        ThreatKind.DepthExceeded => "json_depth",
        ThreatKind.ObjectEntriesExceeded => "json_object_entries",
        ThreatKind.ArrayLengthExceeded => "json_array_length",
        ThreatKind.PropertyNameTooLong => "json_property_name_length",
        ThreatKind.StringTooLong => "json_string_length",
        ThreatKind.NumberTooLong => "json_number_length",
        ThreatKind.DuplicateProperty => "json_duplicate_property",
        ThreatKind.Injection => "injection",
        _ => "json_syntax",
    };

    public static string Detail(ThreatKind kind, JsonLimits limits) => kind switch
    {
        ThreatKind.PayloadTooLarge => $"The request body must not exceed {limits.MaxBodySize} bytes.",
        ThreatKind.UnsupportedMediaType => "This endpoint accepts application/json (or application/*+json) in UTF-8.",
        ThreatKind.InvalidEncoding => "JSON bodies must be UTF-8 without a byte order mark, and strings must hold valid Unicode.",
        ThreatKind.DepthExceeded => $"Objects and arrays must not nest deeper than {limits.MaxDepth} levels.",
        ThreatKind.ObjectEntriesExceeded => $"An object must not have more than {limits.MaxObjectEntries} properties.",
        ThreatKind.ArrayLengthExceeded => $"An array must not have more than {limits.MaxArrayLength} elements.",
        ThreatKind.PropertyNameTooLong => $"A property name must not be longer than {limits.MaxPropertyNameLength} characters.",
        ThreatKind.StringTooLong => $"A string must not be longer than {limits.MaxStringLength} characters.",
        ThreatKind.NumberTooLong => $"A number must not be longer than {limits.MaxNumberLength} characters.",
        ThreatKind.DuplicateProperty => "An object must not repeat a property name.",
        ThreatKind.Injection => "The request was refused by an injection rule.",
        _ => "The body must be a single JSON value (RFC 8259) without comments or trailing commas.",
    };
}
