using ApiShield.Benchmarks.Infrastructure;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Benchmarks.Tokens;

/// <summary>
/// One authenticated, scope-checked <c>GET</c> through the whole in-process pipeline: an app protected by
/// <c>AddApiShield()</c>/<c>UseApiShield()</c>/<c>.RequireScope()</c> against the same app wired by hand with
/// JwtBearer and an authorization policy. Same key, issuer, audience, token and request.
/// </summary>
/// <remarks>
/// An RS256 signature check dominates a request, so the differences that matter are small next to the noise of a
/// shared machine: read the <c>ThreadCpuTime</c> job there. The request runs synchronously on the benchmark thread
/// (checked in setup), so that clock sees all of it, and the two jobs agree on a quiet machine.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
[Config(typeof(SharedMachineConfig))]
public class AuthenticatedRequestBenchmarks
{
    private const string Scope = "orders:read";
    private static readonly PathString Orders = new("/orders");

    private BenchmarkTokens _tokens = null!;
    private InProcessPipeline _handWired = null!;
    private InProcessPipeline _apiShield = null!;
    private string _authorization = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _tokens = new BenchmarkTokens();
        _authorization = _tokens.CreateAuthorization(Scope);

        _handWired = InProcessPipeline.Create(
            builder =>
            {
                builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
                    .AddJwtBearer(options =>
                    {
                        // The claim names ApiShield keeps, so that the policy reads the same 'scope' claim.
                        options.MapInboundClaims = false;
                        ConfigureValidation(options.TokenValidationParameters);
                    });
                builder.Services.AddAuthorizationBuilder()
                    .AddPolicy(Scope, policy => policy.RequireAuthenticatedUser().RequireClaim("scope", Scope));
            },
            app =>
            {
                app.UseRouting();
                app.UseAuthentication();
                app.UseAuthorization();
                app.UseEndpoints(endpoints => endpoints.MapGet("/orders", ListOrders).RequireAuthorization(Scope));
            });

        _apiShield = InProcessPipeline.Create(
            builder =>
            {
                builder.Services.AddApiShield();
                builder.Services.Configure<JwtBearerOptions>(
                    JwtBearerDefaults.AuthenticationScheme, options => ConfigureValidation(options.TokenValidationParameters));
            },
            app =>
            {
                app.UseApiShield();
                app.UseEndpoints(endpoints => endpoints.MapGet("/orders", ListOrders).RequireScope(Scope));
            });

        await ExpectOkAsync(_handWired, nameof(HandWired_JwtBearerAndPolicy));
        await ExpectOkAsync(_apiShield, nameof(ApiShield_RequireScope));
        ExpectSynchronous(_handWired, nameof(HandWired_JwtBearerAndPolicy));
        ExpectSynchronous(_apiShield, nameof(ApiShield_RequireScope));
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _handWired.DisposeAsync();
        await _apiShield.DisposeAsync();
        _tokens.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<int> HandWired_JwtBearerAndPolicy() => _handWired.GetAsync(Orders, _authorization);

    [Benchmark]
    public Task<int> ApiShield_RequireScope() => _apiShield.GetAsync(Orders, _authorization);

    private static string ListOrders() => "[]";

    private void ConfigureValidation(TokenValidationParameters parameters)
    {
        parameters.ValidIssuer = BenchmarkTokens.Issuer;
        parameters.ValidAudience = BenchmarkTokens.Audience;
        parameters.IssuerSigningKey = _tokens.SigningKey;
    }

    // Work done on another thread would escape the thread CPU-time clock.
    private void ExpectSynchronous(InProcessPipeline pipeline, string name)
    {
        var request = pipeline.GetAsync(Orders, _authorization);
        if (!request.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException($"{name} did not complete synchronously: thread CPU time would not measure all of it.");
        }
    }

    private async Task ExpectOkAsync(InProcessPipeline pipeline, string name)
    {
        var status = await pipeline.GetAsync(Orders, _authorization);
        if (status != StatusCodes.Status200OK)
        {
            throw new InvalidOperationException($"{name} answered {status}, not 200: the benchmark would measure a rejection.");
        }
    }
}
