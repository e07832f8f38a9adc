using ApiShield.Benchmarks.Infrastructure;
using ApiShield.Revocation;
using ApiShield.Stores.InMemory;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ApiShield.Benchmarks.Revocation;

/// <summary>
/// The per-request revocation check on a validated token (jti, sub, client_id and iat read from the parsed token,
/// three lookups): against a list of 100,000 live entries, and against an empty list as the baseline.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 15)]
public class RevocationCheckBenchmarks
{
    private const int Entries = 100_000;

    private BenchmarkTokens _tokens = null!;
    private RevocationService _empty = null!;
    private RevocationService _full = null!;
    private RevocationCheck _emptyCheck = null!;
    private RevocationCheck _fullCheck = null!;
    private JsonWebToken _allowed = null!;
    private JsonWebToken _revoked = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _tokens = new BenchmarkTokens();
        _allowed = Token("live-token");
        _revoked = Token("jti-4242");

        _empty = await CreateServiceAsync(0);
        _full = await CreateServiceAsync(Entries);
        _emptyCheck = new RevocationCheck(_empty, requireTokenId: true);
        _fullCheck = new RevocationCheck(_full, requireTokenId: true);

        if (_fullCheck.Check(_allowed, null) != RevocationVerdict.Allowed
            || _fullCheck.Check(_revoked, null) != RevocationVerdict.RevokedToken
            || _emptyCheck.Check(_allowed, null) != RevocationVerdict.Allowed)
        {
            throw new InvalidOperationException("The benchmark would not measure the path it names.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _empty.Dispose();
        _full.Dispose();
        _tokens.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int Check_EmptyList() => (int)_emptyCheck.Check(_allowed, null);

    [Benchmark]
    public int Check_100kEntries_NotRevoked() => (int)_fullCheck.Check(_allowed, null);

    [Benchmark]
    public int Check_100kEntries_Revoked() => (int)_fullCheck.Check(_revoked, null);

    private JsonWebToken Token(string jti)
    {
        var token = new JsonWebToken(_tokens.Create(new Dictionary<string, object>
        {
            ["sub"] = "user-7",
            ["client_id"] = "client-7",
            ["jti"] = jti,
        }));

        // JwtBearer hands the check a token whose claims were read during validation.
        _ = token.Id;
        _ = token.Subject;
        _ = token.IssuedAt;
        return token;
    }

    private static async Task<RevocationService> CreateServiceAsync(int entries)
    {
        var options = Options.Create(new ApiShieldOptions());
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var service = new RevocationService(
            new InMemoryRevocationStore(TimeProvider.System),
            options,
            TimeProvider.System,
            new RevocationMetrics(meters),
            NullLogger<RevocationService>.Instance);
        await service.SyncAsync(CancellationToken.None);

        // Mostly tokens, as a busy API accumulates them, plus subjects and clients.
        var now = TimeProvider.System.GetUtcNow();
        for (var i = 0; i < entries; i++)
        {
            var kind = (i % 10) switch { 0 => RevocationKind.Subject, 1 => RevocationKind.Client, _ => RevocationKind.Token };
            var value = kind switch { RevocationKind.Subject => "user-" + i, RevocationKind.Client => "client-" + i, _ => "jti-" + i };
            service.Replica.Apply(new RevocationChange(new RevocationEntry(kind, value, now, now.AddHours(1), null), isUndo: false), now);
        }

        return service;
    }
}
