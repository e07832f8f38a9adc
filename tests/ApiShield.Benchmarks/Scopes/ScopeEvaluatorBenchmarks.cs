using System.Security.Claims;
using ApiShield.Benchmarks.Infrastructure;
using ApiShield.Scopes;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Benchmarks.Scopes;

/// <summary>
/// Whether a principal holds <c>orders:read</c>, for the two claim shapes issuers use: one space-delimited
/// <c>scope</c> claim (RFC 8693 §4.2) and a JSON array, which arrives as one claim per scope. The principals are the
/// ones JwtBearer's token handler builds, with inbound claim mapping off.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SharedMachineConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ScopeEvaluatorBenchmarks
{
    private const string Scope = "orders:read";
    private const string SpaceDelimited = "SpaceDelimited";
    private const string Array = "Array";

    private static readonly string[] GrantedScopes = ["openid", "profile", "orders:write", "orders:read"];

    private ScopeEvaluator _evaluator = null!;
    private ClaimsPrincipal _spaceDelimited = null!;
    private ClaimsPrincipal _array = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _evaluator = new ScopeEvaluator(Options.Create(new ApiShieldOptions()));
        using var tokens = new BenchmarkTokens();
        _spaceDelimited = await PrincipalAsync(tokens, string.Join(' ', GrantedScopes));
        _array = await PrincipalAsync(tokens, GrantedScopes);

        if (!HasClaim_SpaceDelimited() || !ApiShield_SpaceDelimited() || !HasClaim_Array() || !ApiShield_Array())
        {
            throw new InvalidOperationException("A scope check missed a scope the token carries.");
        }
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(SpaceDelimited)]
    public bool HasClaim_SpaceDelimited() =>
        _spaceDelimited.HasClaim(c => c.Type == "scope" && c.Value.Split(' ').Contains(Scope));

    [Benchmark]
    [BenchmarkCategory(SpaceDelimited)]
    public bool ApiShield_SpaceDelimited() => _evaluator.HasScope(_spaceDelimited, Scope);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Array)]
    public bool HasClaim_Array() => _array.HasClaim("scope", Scope);

    [Benchmark]
    [BenchmarkCategory(Array)]
    public bool ApiShield_Array() => _evaluator.HasScope(_array, Scope);

    private static async Task<ClaimsPrincipal> PrincipalAsync(BenchmarkTokens tokens, object scope)
    {
        var token = tokens.Create(new Dictionary<string, object> { ["sub"] = "client-1", ["client_id"] = "client-1", ["scope"] = scope });
        var handler = new JsonWebTokenHandler { MapInboundClaims = false };
        var result = await handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = BenchmarkTokens.Issuer,
            ValidAudience = BenchmarkTokens.Audience,
            IssuerSigningKey = tokens.SigningKey,
        });
        return result.IsValid ? new ClaimsPrincipal(result.ClaimsIdentity) : throw new InvalidOperationException("The benchmark token does not validate.", result.Exception);
    }
}
