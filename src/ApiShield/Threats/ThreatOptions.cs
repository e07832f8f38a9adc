using Microsoft.Extensions.Options;

namespace ApiShield.Threats;

/// <summary>Request threat protection and API response hardening, bound to <c>ApiShield:Threats</c>.</summary>
/// <remarks>
/// JSON limits and security headers are on by default; injection patterns are opt-in. Checks run after token and
/// scope enforcement, so a body is never parsed for a caller who is not allowed in.
/// </remarks>
public sealed class ThreatOptions
{
    /// <summary>Whether findings refuse the request or are only logged and counted.</summary>
    /// <value>The default value is <see cref="ThreatMode.Block"/>.</value>
    public ThreatMode Mode { get; set; } = ThreatDefaults.Mode;

    /// <summary>Whether findings of the startup configuration audit stop the host instead of being logged as warnings.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    /// <remarks>
    /// The audit looks for a Production host listening on plain HTTP, forwarded headers accepted from any sender,
    /// HSTS preload settings that preload lists reject, and ApiShield's middleware missing or out of place.
    /// </remarks>
    public bool StrictConfigurationAudit { get; set; } = ThreatDefaults.StrictConfigurationAudit;

    /// <summary>Limits on JSON request bodies (<c>ApiShield:Threats:Json</c>).</summary>
    public JsonLimitOptions Json { get; set; } = new();

    /// <summary>Injection pattern matching (<c>ApiShield:Threats:Injection</c>).</summary>
    public InjectionOptions Injection { get; set; } = new();

    /// <summary>Security headers on responses (<c>ApiShield:Threats:Headers</c>).</summary>
    public SecurityHeaderOptions Headers { get; set; } = new();
}
