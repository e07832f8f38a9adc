
namespace ApiShield.Threats;

/// <summary>
/// Limits on JSON request bodies, bound to <c>ApiShield:Threats:Json</c>; endpoints override them with
/// <c>[JsonLimits]</c> or <c>.WithJsonLimits()</c>.
/// </summary>
/// <remarks>
/// They apply to endpoints that take JSON: a minimal-API body parameter, MVC <c>[FromBody]</c> or <c>[Consumes]</c>
/// with a JSON media type, <c>.Accepts()</c> with one, or an explicit override. The body is checked while it streams
/// in, before model binding, and then handed to the endpoint unchanged. Lengths of names and strings count UTF-16
/// code units of the decoded value, as <see cref="string.Length"/> does.
/// </remarks>
public sealed class JsonLimitOptions
{
    /// <summary>Whether JSON bodies are checked at all.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = ThreatDefaults.JsonEnabled;

    /// <summary>The largest body, in bytes.</summary>
    /// <value>The default value is 1048576 (1 MiB).</value>
    /// <remarks>A declared <c>Content-Length</c> over it is refused before the body is read; a chunked body as soon as it crosses it.</remarks>
    public long MaxBodySize { get; set; } = ThreatDefaults.MaxBodySize;

    /// <summary>The deepest nesting of objects and arrays.</summary>
    /// <value>The default value is 32 (System.Text.Json's own default is 64).</value>
    public int MaxDepth { get; set; } = ThreatDefaults.MaxDepth;

    /// <summary>The most properties in one object.</summary>
    /// <value>The default value is 1000.</value>
    public int MaxObjectEntries { get; set; } = ThreatDefaults.MaxObjectEntries;

    /// <summary>The most elements in one array.</summary>
    /// <value>The default value is 10000.</value>
    public int MaxArrayLength { get; set; } = ThreatDefaults.MaxArrayLength;

    /// <summary>The longest property name, in UTF-16 code units after unescaping.</summary>
    /// <value>The default value is 256.</value>
    public int MaxPropertyNameLength { get; set; } = ThreatDefaults.MaxPropertyNameLength;

    /// <summary>The longest string value, in UTF-16 code units after unescaping.</summary>
    /// <value>The default value is 65536.</value>
    public int MaxStringLength { get; set; } = ThreatDefaults.MaxStringLength;

    /// <summary>The longest number literal, in characters.</summary>
    /// <value>The default value is 64.</value>
    public int MaxNumberLength { get; set; } = ThreatDefaults.MaxNumberLength;

    /// <summary>Whether an object that repeats a property name is refused.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    /// <remarks>
    /// System.Text.Json keeps the last of two equal names, other parsers the first: a duplicate is how a payload
    /// means one thing to a gateway and another to the app. Names are compared after unescaping.
    /// </remarks>
    public bool RejectDuplicateProperties { get; set; } = ThreatDefaults.RejectDuplicateProperties;
}
