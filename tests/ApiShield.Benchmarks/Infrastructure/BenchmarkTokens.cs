using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Benchmarks.Infrastructure;

/// <summary>One RSA signing key and the access tokens it signs, shared by a benchmark and its baseline.</summary>
internal sealed class BenchmarkTokens : IDisposable
{
    public const string Issuer = "https://idp.example.com";
    public const string Audience = "api://orders";

    private readonly RSA _rsa = RSA.Create(2048);

    public BenchmarkTokens()
    {
        SigningKey = new RsaSecurityKey(_rsa) { KeyId = "benchmark-key" };
    }

    public RsaSecurityKey SigningKey { get; }

    /// <summary>An RS256 access token valid for an hour from now, carrying <paramref name="claims"/> besides the registered ones.</summary>
    /// <summary>The <c>Authorization</c> header value every end-to-end benchmark sends: one client, one scope, a jti.</summary>
    public string CreateAuthorization(string scope) => "Bearer " + Create(new Dictionary<string, object>
    {
        ["sub"] = "client-1",
        ["client_id"] = "client-1",
        ["scope"] = scope,
        ["jti"] = "2f1d9c1e-4b7a-4c6e-9f0a-5d3b8e7c6a10",
    });

    public string Create(IDictionary<string, object> claims)
    {
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            Claims = claims,
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public void Dispose() => _rsa.Dispose();
}
