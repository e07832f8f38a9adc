namespace ApiShield.Threats;

/// <summary>The JSON limits in force for one endpoint: the configured values with its overrides applied.</summary>
internal sealed class JsonLimits
{
    public JsonLimits(JsonLimitOptions options)
    {
        MaxBodySize = options.MaxBodySize;
        MaxDepth = options.MaxDepth;
        MaxObjectEntries = options.MaxObjectEntries;
        MaxArrayLength = options.MaxArrayLength;
        MaxPropertyNameLength = options.MaxPropertyNameLength;
        MaxStringLength = options.MaxStringLength;
        MaxNumberLength = options.MaxNumberLength;
        RejectDuplicateProperties = options.RejectDuplicateProperties;
    }

    private JsonLimits(JsonLimits other) => (MaxBodySize, MaxDepth, MaxObjectEntries, MaxArrayLength, MaxPropertyNameLength, MaxStringLength, MaxNumberLength, RejectDuplicateProperties) =
        (other.MaxBodySize, other.MaxDepth, other.MaxObjectEntries, other.MaxArrayLength, other.MaxPropertyNameLength, other.MaxStringLength, other.MaxNumberLength, other.RejectDuplicateProperties);

    public long MaxBodySize { get; private set; }

    public int MaxDepth { get; private set; }

    public int MaxObjectEntries { get; private set; }

    public int MaxArrayLength { get; private set; }

    public int MaxPropertyNameLength { get; private set; }

    public int MaxStringLength { get; private set; }

    public int MaxNumberLength { get; private set; }

    public bool RejectDuplicateProperties { get; private set; }

    /// <summary>Applies <paramref name="overrides"/> in order, so the one closest to the endpoint wins.</summary>
    public JsonLimits With(IReadOnlyList<IJsonLimitsMetadata> overrides)
    {
        if (overrides.Count == 0)
        {
            return this;
        }

        var limits = new JsonLimits(this);
        foreach (var o in overrides)
        {
            limits.MaxBodySize = o.MaxBodySize ?? limits.MaxBodySize;
            limits.MaxDepth = o.MaxDepth ?? limits.MaxDepth;
            limits.MaxObjectEntries = o.MaxObjectEntries ?? limits.MaxObjectEntries;
            limits.MaxArrayLength = o.MaxArrayLength ?? limits.MaxArrayLength;
            limits.MaxPropertyNameLength = o.MaxPropertyNameLength ?? limits.MaxPropertyNameLength;
            limits.MaxStringLength = o.MaxStringLength ?? limits.MaxStringLength;
            limits.MaxNumberLength = o.MaxNumberLength ?? limits.MaxNumberLength;
            limits.RejectDuplicateProperties = o.RejectDuplicateProperties ?? limits.RejectDuplicateProperties;
        }

        return limits;
    }
}
