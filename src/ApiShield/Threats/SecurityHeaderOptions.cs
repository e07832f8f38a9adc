namespace ApiShield.Threats;

/// <summary>Security headers on every response that passes through ApiShield, bound to <c>ApiShield:Threats:Headers</c>.</summary>
/// <remarks>
/// Headers are added when the response starts, so ApiShield's own <c>401</c>/<c>403</c> and the host's error responses
/// carry them too. A header the application (or NetEscapades.AspNetCore.SecurityHeaders) has already set is left as it
/// is. Set a header's value to an empty string to leave it out.
/// </remarks>
public sealed class SecurityHeaderOptions
{
    /// <summary>Whether security headers are added at all.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = ThreatDefaults.HeadersEnabled;

    /// <summary>The <c>Cache-Control</c> value.</summary>
    /// <value>The default value is <c>no-store</c>: API responses are per caller and must not be kept by shared caches.</value>
    public string? CacheControl { get; set; } = ThreatDefaults.CacheControl;

    /// <summary>The <c>X-Content-Type-Options</c> value.</summary>
    /// <value>The default value is <c>nosniff</c>.</value>
    public string? XContentTypeOptions { get; set; } = ThreatDefaults.XContentTypeOptions;

    /// <summary>The <c>Content-Security-Policy</c> value.</summary>
    /// <value>The default value is <c>default-src 'none'; frame-ancestors 'none'</c>: a JSON response that a browser renders anyway runs nothing.</value>
    public string? ContentSecurityPolicy { get; set; } = ThreatDefaults.ContentSecurityPolicy;

    /// <summary>The <c>X-Frame-Options</c> value.</summary>
    /// <value>The default value is <c>DENY</c>.</value>
    public string? XFrameOptions { get; set; } = ThreatDefaults.XFrameOptions;

    /// <summary>The <c>Referrer-Policy</c> value.</summary>
    /// <value>The default value is <c>no-referrer</c>.</value>
    public string? ReferrerPolicy { get; set; } = ThreatDefaults.ReferrerPolicy;

    /// <summary>Whether <c>Server</c> and <c>X-Powered-By</c> are removed from responses.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    /// <remarks>
    /// Kestrel writes its <c>Server</c> header below the middleware pipeline; set
    /// <c>KestrelServerOptions.AddServerHeader</c> to <see langword="false"/> to drop that one as well.
    /// </remarks>
    public bool RemoveServerHeaders { get; set; } = ThreatDefaults.RemoveServerHeaders;
}
