using ApiShield.Threats;

namespace ApiShield;

/// <summary>
/// Overrides the configured JSON limits (<c>ApiShield:Threats:Json</c>) for a controller, action or minimal-API
/// handler. Only the properties that are set change; the rest keep the configured values.
/// </summary>
/// <remarks>
/// Named so as not to collide with ASP.NET Core's <c>[RequestSizeLimit]</c>, which sets Kestrel's hard limit on any
/// body; this one also shapes how the JSON inside may look. An action's attribute wins over its controller's.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method | AttributeTargets.Delegate, AllowMultiple = false, Inherited = true)]
public sealed class JsonLimitsAttribute : Attribute, IJsonLimitsMetadata
{
    private readonly JsonLimitOverrides _values = new();

    /// <summary>The largest body, in bytes.</summary>
    /// <value>The default value is 0: the configured limit applies.</value>
    public long MaxBodySize
    {
        get => _values.MaxBodySize ?? 0;
        set => _values.MaxBodySize = Positive(value, ThreatDefaults.MaxBodySizeCeiling);
    }

    /// <summary>The deepest nesting of objects and arrays.</summary>
    /// <value>The default value is 0: the configured limit applies.</value>
    public int MaxDepth
    {
        get => _values.MaxDepth ?? 0;
        set => _values.MaxDepth = (int)Positive(value, ThreatDefaults.MaxDepthCeiling);
    }

    /// <summary>The most properties in one object.</summary>
    /// <value>The default value is 0: the configured limit applies.</value>
    public int MaxObjectEntries
    {
        get => _values.MaxObjectEntries ?? 0;
        set => _values.MaxObjectEntries = (int)Positive(value, int.MaxValue);
    }

    /// <summary>The most elements in one array.</summary>
    /// <value>The default value is 0: the configured limit applies.</value>
    public int MaxArrayLength
    {
        get => _values.MaxArrayLength ?? 0;
        set => _values.MaxArrayLength = (int)Positive(value, int.MaxValue);
    }

    /// <summary>The longest property name, in UTF-16 code units.</summary>
    /// <value>The default value is 0: the configured limit applies.</value>
    public int MaxPropertyNameLength
    {
        get => _values.MaxPropertyNameLength ?? 0;
        set => _values.MaxPropertyNameLength = (int)Positive(value, int.MaxValue);
    }

    /// <summary>The longest string value, in UTF-16 code units.</summary>
    /// <value>The default value is 0: the configured limit applies.</value>
    public int MaxStringLength
    {
        get => _values.MaxStringLength ?? 0;
        set => _values.MaxStringLength = (int)Positive(value, int.MaxValue);
    }

    /// <summary>The longest number literal, in characters.</summary>
    /// <value>The default value is 0: the configured limit applies.</value>
    public int MaxNumberLength
    {
        get => _values.MaxNumberLength ?? 0;
        set => _values.MaxNumberLength = (int)Positive(value, int.MaxValue);
    }

    /// <summary>Whether repeated property names are refused.</summary>
    /// <value>When not set, the configured value applies (<see langword="true"/> by default).</value>
    public bool RejectDuplicateProperties
    {
        get => _values.RejectDuplicateProperties ?? ThreatDefaults.RejectDuplicateProperties;
        set => _values.RejectDuplicateProperties = value;
    }

    long? IJsonLimitsMetadata.MaxBodySize => _values.MaxBodySize;

    int? IJsonLimitsMetadata.MaxDepth => _values.MaxDepth;

    int? IJsonLimitsMetadata.MaxObjectEntries => _values.MaxObjectEntries;

    int? IJsonLimitsMetadata.MaxArrayLength => _values.MaxArrayLength;

    int? IJsonLimitsMetadata.MaxPropertyNameLength => _values.MaxPropertyNameLength;

    int? IJsonLimitsMetadata.MaxStringLength => _values.MaxStringLength;

    int? IJsonLimitsMetadata.MaxNumberLength => _values.MaxNumberLength;

    bool? IJsonLimitsMetadata.RejectDuplicateProperties => _values.RejectDuplicateProperties;

    private static long Positive(long value, long ceiling, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        value > 0 && value <= ceiling
            ? value
            : throw new ArgumentOutOfRangeException(name, $"JSON limit {name} must be between 1 and {ceiling}.");
}
