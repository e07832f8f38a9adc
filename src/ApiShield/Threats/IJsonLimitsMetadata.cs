namespace ApiShield.Threats;

/// <summary>
/// Per-endpoint JSON limits, written by <c>[JsonLimits]</c> and <c>.WithJsonLimits()</c>. A <see langword="null"/>
/// value keeps the configured <c>ApiShield:Threats:Json</c> value.
/// </summary>
/// <remarks>
/// When several apply (a route group's and an endpoint's, a controller's and an action's), the one declared closest to
/// the endpoint wins for each value it sets. The presence of this metadata also marks the endpoint as taking JSON.
/// </remarks>
public interface IJsonLimitsMetadata
{
    /// <summary>The largest body, in bytes.</summary>
    long? MaxBodySize { get; }

    /// <summary>The deepest nesting of objects and arrays.</summary>
    int? MaxDepth { get; }

    /// <summary>The most properties in one object.</summary>
    int? MaxObjectEntries { get; }

    /// <summary>The most elements in one array.</summary>
    int? MaxArrayLength { get; }

    /// <summary>The longest property name, in UTF-16 code units.</summary>
    int? MaxPropertyNameLength { get; }

    /// <summary>The longest string value, in UTF-16 code units.</summary>
    int? MaxStringLength { get; }

    /// <summary>The longest number literal, in characters.</summary>
    int? MaxNumberLength { get; }

    /// <summary>Whether repeated property names are refused.</summary>
    bool? RejectDuplicateProperties { get; }
}
