using ApiShield.DependencyInjection;

namespace ApiShield.Tokens;

/// <summary>
/// Hardening applied to the JwtBearer <c>Bearer</c> scheme, bound to <c>ApiShield:Tokens</c>.
/// </summary>
/// <remarks>
/// The identity provider itself (<c>Authority</c>, <c>Audience</c>/<c>ValidAudiences</c>, <c>ValidIssuer</c>,
/// <c>SigningKeys</c>) stays in the standard <c>Authentication:Schemes:Bearer</c> section that JwtBearer and
/// <c>dotnet user-jwts</c> use. These settings are the ones that section cannot express.
/// </remarks>
public sealed class TokenOptions
{
    /// <summary>The JWS algorithms a token may be signed with.</summary>
    /// <value>
    /// The default (an empty list) is RS256/384/512, PS256/384/512 and ES256/384/512, plus HS256/384/512 in the
    /// Development environment for <c>dotnet user-jwts</c>.
    /// </value>
    /// <remarks><c>none</c> is rejected at startup; HMAC algorithms outside Development need <see cref="AllowSymmetricKeys"/>.</remarks>
    public IList<string> ValidAlgorithms { get; } = new List<string>();

    /// <summary>The tolerance applied to <c>exp</c> and <c>nbf</c>.</summary>
    /// <value>The default value is 30 seconds (JwtBearer's own default is 5 minutes).</value>
    [ConfigurationRange(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "ApiShield:Tokens:ClockSkew must be between 00:00:00 and 00:05:00.")]
    public TimeSpan ClockSkew { get; set; } = TokenDefaults.ClockSkew;

    /// <summary>The longest lifetime a token may have, from <c>iat</c> (or <c>nbf</c>) to <c>exp</c>.</summary>
    /// <value>The default value is 28 hours, the longest lifetime the major providers issue by default.</value>
    /// <remarks><c>dotnet user-jwts</c> issues three-month tokens unless told otherwise: mint with <c>--valid-for 1h</c>, or raise this in Development.</remarks>
    [ConfigurationRange(typeof(TimeSpan), "00:01:00", "3650.00:00:00", ErrorMessage = "ApiShield:Tokens:MaxTokenLifetime must be between 00:01:00 and 3650.00:00:00.")]
    public TimeSpan MaxTokenLifetime { get; set; } = TokenDefaults.MaxTokenLifetime;

    /// <summary>The longest token, in characters, that is parsed at all.</summary>
    /// <value>The default value is 16384.</value>
    [ConfigurationRange(512, 1024 * 1024, ErrorMessage = "ApiShield:Tokens:MaxTokenLength must be between 512 and 1048576.")]
    public int MaxTokenLength { get; set; } = TokenDefaults.MaxTokenLength;

    /// <summary>Whether the JOSE header must carry <c>typ: at+jwt</c> (RFC 9068 §4).</summary>
    /// <value>The default value is <see langword="false"/>, because Microsoft Entra ID and Okta's org server issue <c>typ: JWT</c>.</value>
    public bool RequireAccessTokenType { get; set; }

    /// <summary>Whether symmetric (HMAC) signing keys are accepted outside the Development environment.</summary>
    /// <value>The default value is <see langword="false"/>: a shared secret lets every holder mint tokens.</value>
    public bool AllowSymmetricKeys { get; set; }

    /// <summary>Whether the <c>dotnet-user-jwts</c> issuer is accepted outside the Development environment.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowDevelopmentIssuer { get; set; }

    /// <summary>Whether OpenID Connect metadata may be fetched over plain HTTP outside the Development environment.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowInsecureMetadata { get; set; }

    /// <summary>The <c>realm</c> parameter of <c>WWW-Authenticate</c> challenges (RFC 6750 §3).</summary>
    /// <value>The default value is <see langword="null"/>: no realm.</value>
    public string? Realm { get; set; }
}
