using ApiShield.Benchmarks.Infrastructure;
using ApiShield.Revocation;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApiShield.Benchmarks.Revocation;

/// <summary>
/// The authenticated, scope-checked <c>GET</c> of the core benchmark through <c>UseApiShield()</c>, with revocation
/// off (the baseline) and on with 100,000 live entries. Same key, token and request.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SharedMachineConfig))]
public class RevocationRequestBenchmarks
{
    private const string Scope = "orders:read";
    private static readonly PathString Orders = new("/orders");

    private BenchmarkTokens _tokens = null!;
    private InProcessPipeline _off = null!;
    private InProcessPipeline _on = null!;
    private string _authorization = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _tokens = new BenchmarkTokens();
        _authorization = _tokens.CreateAuthorization(Scope);

        _off = Create(enabled: false, out _);
        _on = Create(enabled: true, out var services);

        // The pipeline is never started as a host, so load the list the way the synchronizer does at startup.
        var service = services().GetRequiredService<RevocationService>();
        await service.SyncAsync(CancellationToken.None);
        var now = TimeProvider.System.GetUtcNow();
        for (var i = 0; i < 100_000; i++)
        {
            service.Replica.Apply(new RevocationChange(new RevocationEntry(RevocationKind.Token, "jti-" + i, now, now.AddHours(1), null), isUndo: false), now);
        }

        foreach (var (pipeline, name) in new[] { (_off, nameof(RevocationOff)), (_on, nameof(RevocationOn_100kEntries)) })
        {
            var status = await pipeline.GetAsync(Orders, _authorization);
            if (status != StatusCodes.Status200OK)
            {
                throw new InvalidOperationException($"{name} answered {status}, not 200: the benchmark would measure a rejection.");
            }
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _off.DisposeAsync();
        await _on.DisposeAsync();
        _tokens.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<int> RevocationOff() => _off.GetAsync(Orders, _authorization);

    [Benchmark]
    public Task<int> RevocationOn_100kEntries() => _on.GetAsync(Orders, _authorization);

    private InProcessPipeline Create(bool enabled, out Func<IServiceProvider> services)
    {
        IServiceProvider? provider = null;
        var pipeline = InProcessPipeline.Create(
            builder =>
            {
                builder.Services.AddApiShield(options => options.Revocation.Enabled = enabled);
                builder.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
                {
                    options.TokenValidationParameters.ValidIssuer = BenchmarkTokens.Issuer;
                    options.TokenValidationParameters.ValidAudience = BenchmarkTokens.Audience;
                    options.TokenValidationParameters.IssuerSigningKey = _tokens.SigningKey;
                });
            },
            app =>
            {
                provider = app.ApplicationServices;
                app.UseApiShield();
                app.UseEndpoints(endpoints => endpoints.MapGet("/orders", () => "[]").RequireScope(Scope));
            });
        services = () => provider!;
        return pipeline;
    }
}
