using ApiShield.DependencyInjection;

namespace ApiShield.Https;

/// <summary>HTTPS enforcement and HSTS, bound to <c>ApiShield:Https</c>.</summary>
/// <remarks>
/// A request that did not arrive over HTTPS is refused with <c>403</c> and an <c>https-required</c> problem; it is never
/// redirected, because the client has already sent its credentials in clear text by then. Behind a TLS-terminating
/// proxy, call <c>UseForwardedHeaders</c> with the proxy's address in <c>KnownProxies</c> before <c>UseApiShield</c>:
/// the forwarded scheme then counts only when it comes from that proxy.
/// </remarks>
public sealed class HttpsOptions
{
    /// <summary>Whether requests must arrive over HTTPS.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    /// <remarks>Turning this off is logged as a warning at startup; do it only where TLS ends in front of the host and the proxy does not forward the scheme.</remarks>
    public bool RequireHttps { get; set; } = HttpsDefaults.RequireHttps;

    /// <summary>When plain HTTP from a loopback address is let through.</summary>
    /// <value>The default value is <see cref="LoopbackHttpPolicy.DevelopmentOnly"/>.</value>
    public LoopbackHttpPolicy AllowLoopbackHttp { get; set; } = HttpsDefaults.AllowLoopbackHttp;

    /// <summary>The <c>max-age</c> of the <c>Strict-Transport-Security</c> header sent on HTTPS responses.</summary>
    /// <value>The default value is 365 days. <see cref="TimeSpan.Zero"/> tells browsers to forget the host.</value>
    [ConfigurationRange(typeof(TimeSpan), "00:00:00", "3650.00:00:00", ErrorMessage = "ApiShield:Https:HstsMaxAge must be between 00:00:00 and 3650.00:00:00.")]
    public TimeSpan HstsMaxAge { get; set; } = HttpsDefaults.HstsMaxAge;

    /// <summary>Whether the HSTS header carries <c>includeSubDomains</c>.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool HstsIncludeSubDomains { get; set; } = HttpsDefaults.HstsIncludeSubDomains;

    /// <summary>Whether the HSTS header carries <c>preload</c>.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    /// <remarks>Preload lists require <see cref="HstsIncludeSubDomains"/> and a max-age of at least one year; startup fails otherwise.</remarks>
    public bool HstsPreload { get; set; } = HttpsDefaults.HstsPreload;

    /// <summary>Whether HTTPS responses carry the HSTS header at all.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Hsts { get; set; } = true;
}
