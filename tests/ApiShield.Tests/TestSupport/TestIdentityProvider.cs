using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Tests.TestSupport;

/// <summary>
/// An OpenID Connect provider answering discovery and JWKS over JwtBearer's backchannel, so that tests exercise the
/// real metadata path: keys reach the API only by being published here.
/// </summary>
internal sealed class TestIdentityProvider : HttpMessageHandler
{
    public const string Issuer = "https://idp.test";
    public const string Audience = "api://orders";

    private readonly List<SecurityKey> _published = [];
    private int _discoveryRequests;
    private int _jwksRequests;

    public TestIdentityProvider()
    {
        SigningKey = CreateRsaKey();
        _published.Add(SigningKey);
    }

    /// <summary>The key new tokens are signed with; published in the JWKS.</summary>
    public RsaSecurityKey SigningKey { get; private set; }

    public int DiscoveryRequests => Volatile.Read(ref _discoveryRequests);

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    public bool Unavailable { get; set; }

    public static RsaSecurityKey CreateRsaKey(string? kid = null) =>
        new(RSA.Create(2048)) { KeyId = kid ?? Guid.NewGuid().ToString("N")[..12] };

    public static ECDsaSecurityKey CreateEcKey(string? kid = null) =>
        new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = kid ?? Guid.NewGuid().ToString("N")[..12] };

    /// <summary>Publishes a new key, signs with it from now on, and withdraws the old one.</summary>
    public RsaSecurityKey Rotate()
    {
        var next = CreateRsaKey();
        lock (_published)
        {
            _published.Clear();
            _published.Add(next);
        }

        SigningKey = next;
        return next;
    }

    public void Publish(SecurityKey key)
    {
        lock (_published)
        {
            _published.Add(key);
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Unavailable)
        {
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        }

        var path = request.RequestUri!.AbsolutePath;
        string body;
        if (path == "/.well-known/openid-configuration")
        {
            Interlocked.Increment(ref _discoveryRequests);
            body = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["issuer"] = Issuer,
                ["jwks_uri"] = Issuer + "/jwks",
                ["token_endpoint"] = Issuer + "/token",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256", "ES256" },
            });
        }
        else if (path == "/jwks")
        {
            Interlocked.Increment(ref _jwksRequests);
            body = Jwks();
        }
        else
        {
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
        }

        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        });
    }

    private string Jwks()
    {
        var keys = new List<Dictionary<string, string>>();
        lock (_published)
        {
            foreach (var key in _published)
            {
                keys.Add(PublicJwk(key));
            }
        }

        return JsonSerializer.Serialize(new { keys });
    }

    public static Dictionary<string, string> PublicJwk(SecurityKey key)
    {
        switch (key)
        {
            case RsaSecurityKey rsa:
                var parameters = rsa.Rsa.ExportParameters(includePrivateParameters: false);
                return new()
                {
                    ["kty"] = "RSA",
                    ["use"] = "sig",
                    ["kid"] = rsa.KeyId,
                    ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                    ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                };
            case ECDsaSecurityKey ec:
                var point = ec.ECDsa.ExportParameters(includePrivateParameters: false).Q;
                return new()
                {
                    ["kty"] = "EC",
                    ["use"] = "sig",
                    ["crv"] = "P-256",
                    ["kid"] = ec.KeyId,
                    ["x"] = Base64UrlEncoder.Encode(point.X),
                    ["y"] = Base64UrlEncoder.Encode(point.Y),
                };
            default:
                throw new NotSupportedException(key.GetType().Name);
        }
    }

    /// <summary>Mints a token the way a real provider would, signed with <see cref="SigningKey"/>.</summary>
    public string CreateToken(DateTimeOffset now, Action<TokenSpec>? configure = null)
    {
        var spec = new TokenSpec(now);
        configure?.Invoke(spec);
        return spec.Sign(spec.Key ?? SigningKey);
    }
}

/// <summary>What goes into a test token; every claim can be changed or removed.</summary>
internal sealed class TokenSpec
{
    public TokenSpec(DateTimeOffset now)
    {
        Claims["iss"] = TestIdentityProvider.Issuer;
        Claims["aud"] = TestIdentityProvider.Audience;
        Claims["sub"] = "user-1";
        Claims["client_id"] = "client-1";
        Claims["jti"] = Guid.NewGuid().ToString("N");
        Claims["iat"] = now.ToUnixTimeSeconds();
        Claims["nbf"] = now.ToUnixTimeSeconds();
        Claims["exp"] = now.AddHours(1).ToUnixTimeSeconds();
    }

    public Dictionary<string, object?> Claims { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, object> Header { get; } = new(StringComparer.Ordinal) { ["typ"] = "at+jwt" };

    public SecurityKey? Key { get; set; }

    public string? Algorithm { get; set; }

    public TokenSpec Scope(object? value)
    {
        Claims["scope"] = value;
        return this;
    }

    public string Sign(SecurityKey key)
    {
        var algorithm = Algorithm ?? key switch
        {
            ECDsaSecurityKey => SecurityAlgorithms.EcdsaSha256,
            SymmetricSecurityKey => SecurityAlgorithms.HmacSha256,
            _ => SecurityAlgorithms.RsaSha256,
        };
        var header = new Dictionary<string, object>(Header) { ["alg"] = algorithm };
        if (key.KeyId is not null && !header.ContainsKey("kid"))
        {
            header["kid"] = key.KeyId;
        }

        var payload = Claims.Where(c => c.Value is not null).ToDictionary(c => c.Key, c => c.Value);
        return RawJwt.Encode(header, payload, key, algorithm);
    }
}
