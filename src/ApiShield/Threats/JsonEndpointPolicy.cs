namespace ApiShield.Threats;

/// <summary>What threat protection enforces on one endpoint's body, worked out once per endpoint.</summary>
internal sealed class JsonEndpointPolicy(JsonLimits limits, string[] otherMediaTypes)
{
    public JsonLimits Limits { get; } = limits;

    /// <summary>
    /// Non-JSON media types the endpoint also declares (<c>[Consumes("application/xml", ...)]</c>), without parameters;
    /// those bodies are not JSON-checked.
    /// </summary>
    public string[] OtherMediaTypes { get; } = otherMediaTypes;
}
