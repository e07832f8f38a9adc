using ApiShield.Filtering;
using ApiShield.Https;
using ApiShield.RateLimiting;
using ApiShield.Revocation;
using ApiShield.Scopes;
using ApiShield.Stores.Redis;
using ApiShield.Threats;
using ApiShield.Tokens;

namespace ApiShield;

/// <summary>
/// Root options for ApiShield, bound to the <c>ApiShield</c> configuration section by
/// <see cref="ApiShieldServiceCollectionExtensions.AddApiShield(Microsoft.Extensions.DependencyInjection.IServiceCollection)"/>.
/// </summary>
/// <remarks>
/// Each capability has its own nested options object. Every value is validated when the host starts;
/// an invalid value stops the host with a message naming its configuration key.
/// </remarks>
public sealed class ApiShieldOptions
{
    /// <summary>The configuration section ApiShield binds: <c>ApiShield</c>.</summary>
    public const string SectionName = "ApiShield";

    /// <summary>HTTPS enforcement and HSTS (<c>ApiShield:Https</c>).</summary>
    public HttpsOptions Https { get; set; } = new();

    /// <summary>Bearer token hardening (<c>ApiShield:Tokens</c>).</summary>
    public TokenOptions Tokens { get; set; } = new();

    /// <summary>Scope enforcement (<c>ApiShield:Scopes</c>).</summary>
    public ScopeOptions Scopes { get; set; } = new();

    /// <summary>Token, subject and client revocation (<c>ApiShield:Revocation</c>).</summary>
    public RevocationOptions Revocation { get; set; } = new();

    /// <summary>The Redis server shared stores use (<c>ApiShield:Redis</c>).</summary>
    public RedisOptions Redis { get; set; } = new();

    /// <summary>Sensitive-data filtering of JSON responses (<c>ApiShield:Filtering</c>).</summary>
    public FilteringOptions Filtering { get; set; } = new();

    /// <summary>Rate limits, spike arrests and quotas (<c>ApiShield:RateLimiting</c>).</summary>
    public RateLimitingOptions RateLimiting { get; set; } = new();

    /// <summary>Request threat protection and response hardening (<c>ApiShield:Threats</c>).</summary>
    public ThreatOptions Threats { get; set; } = new();
}
