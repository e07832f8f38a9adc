using System.Net;
using System.Threading.RateLimiting;
using ApiShield.Benchmarks.Infrastructure;
using ApiShield.RateLimiting;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// One rate-limited <c>GET</c> through the whole in-process pipeline, in memory: an app protected by
/// <c>UseApiShield()</c> with an ApiShield policy (<c>.WithRateLimits(...)</c>) against the same app with ASP.NET
/// Core's limiter (<c>AddRateLimiter</c>, <c>UseRateLimiter()</c>, <c>.RequireRateLimiting(...)</c>), the same token
/// bucket (1,000,000 per second, burst 1,000,000,000: every request admitted). <c>Anonymous</c>: no token,
/// keyed by the client address; <c>Client</c>: an RS256 bearer token, keyed by its <c>client_id</c>.
/// </summary>
/// <remarks>
/// ApiShield also writes the <c>RateLimit-Policy</c> and <c>RateLimit</c> header fields, which ASP.NET Core's limiter
/// does not; <c>ApiShield_*_NoHeaders</c> turns them off (<c>EmitHeaders = false</c>) to compare the limiting alone.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[Config(typeof(SharedMachineConfig))]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
public class RateLimitedRequestBenchmarks
{
    private const string Policy = "per-client";
    private const string Scope = "orders:read";
    private const int Rate = 1_000_000;
    private const int Burst = 1_000_000_000;
    private static readonly PathString Public = new("/public");
    private static readonly PathString Orders = new("/orders");
    private static readonly IPAddress Client = IPAddress.Parse("203.0.113.7");

    private BenchmarkTokens _tokens = null!;
    private string _authorization = null!;
    private InProcessPipeline _aspNetCore = null!;
    private InProcessPipeline _apiShield = null!;
    private InProcessPipeline _apiShieldNoHeaders = null!;
    private int _aspNetCorePartitions;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _tokens = new BenchmarkTokens();
        _authorization = _tokens.CreateAuthorization(Scope);
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = Burst,
            TokensPerPeriod = Rate,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            AutoReplenishment = false,
            QueueLimit = 0,
        };

        _aspNetCore = InProcessPipeline.Create(
            builder =>
            {
                builder.Services.AddApiShield();
                ConfigureValidation(builder);
                builder.Services.AddRateLimiter(options => options.AddPolicy(Policy, context =>
                {
                    _aspNetCorePartitions++;
                    var key = context.User.FindFirst("client_id")?.Value ?? context.Connection.RemoteIpAddress?.ToString() ?? string.Empty;
                    return RateLimitPartition.GetTokenBucketLimiter(key, _ => bucket);
                }));
            },
            app =>
            {
                app.UseApiShield();
                app.UseRateLimiter();
                app.UseEndpoints(endpoints =>
                {
                    endpoints.MapGet("/public", Ok).AllowAnonymous().RequireRateLimiting(Policy);
                    endpoints.MapGet("/orders", Ok).RequireScope(Scope).RequireRateLimiting(Policy);
                });
            });
        _apiShield = CreateApiShield(emitHeaders: true);
        _apiShieldNoHeaders = CreateApiShield(emitHeaders: false);
        _aspNetCore.RemoteIpAddress = _apiShield.RemoteIpAddress = _apiShieldNoHeaders.RemoteIpAddress = Client;

        foreach (var (path, authorization) in new[] { (Public, (string?)null), (Orders, _authorization) })
        {
            var before = _aspNetCorePartitions;
            await ExpectOkAsync(_aspNetCore, path, authorization, expectHeaders: false);
            if (_aspNetCorePartitions == before)
            {
                throw new InvalidOperationException("ASP.NET Core's limiter did not run: the baseline would measure no limiting.");
            }

            await ExpectOkAsync(_apiShield, path, authorization, expectHeaders: true);
            await ExpectOkAsync(_apiShieldNoHeaders, path, authorization, expectHeaders: false);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _aspNetCore.DisposeAsync();
        await _apiShield.DisposeAsync();
        await _apiShieldNoHeaders.DisposeAsync();
        _tokens.Dispose();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Anonymous")]
    public Task<int> AspNetCore_Anonymous() => _aspNetCore.GetAsync(Public, null);

    [Benchmark]
    [BenchmarkCategory("Anonymous")]
    public Task<int> ApiShield_Anonymous() => _apiShield.GetAsync(Public, null);

    [Benchmark]
    [BenchmarkCategory("Anonymous")]
    public Task<int> ApiShield_Anonymous_NoHeaders() => _apiShieldNoHeaders.GetAsync(Public, null);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Client")]
    public Task<int> AspNetCore_Client() => _aspNetCore.GetAsync(Orders, _authorization);

    [Benchmark]
    [BenchmarkCategory("Client")]
    public Task<int> ApiShield_Client() => _apiShield.GetAsync(Orders, _authorization);

    [Benchmark]
    [BenchmarkCategory("Client")]
    public Task<int> ApiShield_Client_NoHeaders() => _apiShieldNoHeaders.GetAsync(Orders, _authorization);

    private static string Ok() => "[]";

    private InProcessPipeline CreateApiShield(bool emitHeaders) => InProcessPipeline.Create(
        builder =>
        {
            builder.Services.AddApiShield(options => options.RateLimiting.EmitHeaders = emitHeaders)
                .AddRateLimitPolicy(Policy, policy =>
                {
                    policy.Kind = RateLimitKind.Rate;
                    policy.PermitLimit = Rate;
                    policy.Window = TimeSpan.FromSeconds(1);
                    policy.Burst = Burst;
                    policy.Partition = RateLimitPartitionKind.Client;
                });
            ConfigureValidation(builder);
        },
        app =>
        {
            app.UseApiShield();
            app.UseEndpoints(endpoints =>
            {
                endpoints.MapGet("/public", Ok).AllowAnonymous().WithRateLimits(Policy);
                endpoints.MapGet("/orders", Ok).RequireScope(Scope).WithRateLimits(Policy);
            });
        });

    private void ConfigureValidation(WebApplicationBuilder builder)
        => builder.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            var parameters = options.TokenValidationParameters;
            parameters.ValidIssuer = BenchmarkTokens.Issuer;
            parameters.ValidAudience = BenchmarkTokens.Audience;
            parameters.IssuerSigningKey = _tokens.SigningKey;
        });

    private static async Task ExpectOkAsync(InProcessPipeline pipeline, PathString path, string? authorization, bool expectHeaders)
    {
        var headers = false;
        var request = pipeline.GetAsync(path, authorization, response => headers = response.Headers.ContainsKey("RateLimit-Policy"));
        if (!request.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException($"GET {path} did not complete synchronously: thread CPU time would not measure all of it.");
        }

        var status = await request;
        if (status != StatusCodes.Status200OK || headers != expectHeaders)
        {
            throw new InvalidOperationException($"GET {path} answered {status} (RateLimit-Policy sent: {headers}), not 200 with the expected headers: the benchmark would measure something else.");
        }
    }
}
