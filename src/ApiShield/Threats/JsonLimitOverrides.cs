namespace ApiShield.Threats;

/// <summary>
/// The JSON limits of one endpoint or route group, set through <c>.WithJsonLimits(l => ...)</c>. A value left
/// <see langword="null"/> keeps the configured <c>ApiShield:Threats:Json</c> value.
/// </summary>
public sealed class JsonLimitOverrides : IJsonLimitsMetadata
{
    /// <inheritdoc />
    /// <value>The default value is <see langword="null"/>.</value>
    public long? MaxBodySize { get; set; }

    /// <inheritdoc />
    /// <value>The default value is <see langword="null"/>.</value>
    public int? MaxDepth { get; set; }

    /// <inheritdoc />
    /// <value>The default value is <see langword="null"/>.</value>
    public int? MaxObjectEntries { get; set; }

    /// <inheritdoc />
    /// <value>The default value is <see langword="null"/>.</value>
    public int? MaxArrayLength { get; set; }

    /// <inheritdoc />
    /// <value>The default value is <see langword="null"/>.</value>
    public int? MaxPropertyNameLength { get; set; }

    /// <inheritdoc />
    /// <value>The default value is <see langword="null"/>.</value>
    public int? MaxStringLength { get; set; }

    /// <inheritdoc />
    /// <value>The default value is <see langword="null"/>.</value>
    public int? MaxNumberLength { get; set; }

    /// <inheritdoc />
    /// <value>The default value is <see langword="null"/>.</value>
    public bool? RejectDuplicateProperties { get; set; }

    internal void Validate()
    {
        Check(MaxBodySize is null or (> 0 and <= ThreatDefaults.MaxBodySizeCeiling), nameof(MaxBodySize), "between 1 and 1073741824");
        Check(MaxDepth is null or (> 0 and <= ThreatDefaults.MaxDepthCeiling), nameof(MaxDepth), "between 1 and 1024");
        Check(MaxObjectEntries is null or > 0, nameof(MaxObjectEntries), "greater than 0");
        Check(MaxArrayLength is null or > 0, nameof(MaxArrayLength), "greater than 0");
        Check(MaxPropertyNameLength is null or > 0, nameof(MaxPropertyNameLength), "greater than 0");
        Check(MaxStringLength is null or > 0, nameof(MaxStringLength), "greater than 0");
        Check(MaxNumberLength is null or > 0, nameof(MaxNumberLength), "greater than 0");
    }

    private static void Check(bool valid, string name, string rule)
    {
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(name, $"JSON limit {name} must be {rule}.");
        }
    }
}
