using ApiShield.DependencyInjection;
using ApiShield.Filtering;
using ApiShield.Https;
using ApiShield.RateLimiting;
using ApiShield.Scopes;
using ApiShield.Threats;
using ApiShield.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiShield;

/// <summary>Adds ApiShield's middleware to the request pipeline.</summary>
public static class ApiShieldApplicationBuilderExtensions
{
    // The property keys ASP.NET Core's own Use* methods set; WebApplication adds routing, authentication and
    // authorization at the start of the pipeline unless they are present.
    private const string EndpointRouteBuilderKey = "__EndpointRouteBuilder";
    private const string AuthenticationSetKey = "__AuthenticationMiddlewareSet";
    private const string AuthorizationSetKey = "__AuthorizationMiddlewareSet";
    private const string ApiShieldSetKey = "__ApiShieldMiddlewareSet";

    /// <summary>
    /// Adds ApiShield's pipeline: HTTPS enforcement and HSTS, routing (unless the host routed already), bearer token
    /// validation, scope enforcement, sensitive-data filtering of JSON responses, and authorization for the host's own policies.
    /// </summary>
    /// <param name="app">The application builder.</param>
    /// <returns>The application builder, for chaining.</returns>
    /// <exception cref="InvalidOperationException"><c>AddApiShield()</c> was not called.</exception>
    /// <remarks>
    /// Call it early: after exception handling, forwarded headers and CORS, before anything that serves content.
    /// The host may also call <c>UseRouting</c>, <c>UseAuthentication</c> and <c>UseAuthorization</c> itself.
    /// </remarks>
    public static IApplicationBuilder UseApiShield(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        if (app.ApplicationServices.GetService<ApiShieldMarkerService>() is null)
        {
            throw new InvalidOperationException(
                "Unable to find the required services. Call 'builder.Services.AddApiShield()' before 'app.UseApiShield()'.");
        }

        if (app.Properties.ContainsKey(ApiShieldSetKey))
        {
            return app;
        }

        app.Properties[ApiShieldSetKey] = true;
        var authorizationBeforeApiShield = app.Properties.ContainsKey(AuthorizationSetKey);
        ReportStartup(app, authorizationBeforeApiShield);

        ThreatPipeline.UseResponseHardening(app, authorizationBeforeApiShield);
        app.UseMiddleware<HttpsEnforcementMiddleware>();
        if (!app.Properties.ContainsKey(EndpointRouteBuilderKey))
        {
            app.UseRouting();
        }

        if (!app.Properties.ContainsKey(AuthenticationSetKey))
        {
            app.UseAuthentication();
        }

        app.UseMiddleware<BearerTokenMiddleware>();

        // After the token (policies partition by client), before scopes (a client hammering a forbidden endpoint counts).
        app.UseMiddleware<RateLimitingMiddleware>();
        app.UseMiddleware<ScopeAuthorizationMiddleware>();

        // Inside compression and after the access checks: it wraps what the endpoint writes.
        app.UseMiddleware<ResponseFilteringMiddleware>();
        if (!authorizationBeforeApiShield)
        {
            app.UseAuthorization();
        }

        ThreatPipeline.UseRequestChecks(app);
        return app;
    }

    private static void ReportStartup(IApplicationBuilder app, bool authorizationBeforeApiShield)
    {
        var services = app.ApplicationServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("ApiShield");
        var environment = services.GetRequiredService<IHostEnvironment>();
        var options = services.GetRequiredService<IOptions<ApiShieldOptions>>().Value;

        if (authorizationBeforeApiShield)
        {
            ApiShieldLog.AuthorizationBeforeApiShield(logger);
        }

        if (!options.Https.RequireHttps)
        {
            HttpsLog.HttpsNotRequired(logger);
        }
        else if (options.Https.AllowLoopbackHttp == LoopbackHttpPolicy.Always
            || (options.Https.AllowLoopbackHttp == LoopbackHttpPolicy.DevelopmentOnly && environment.IsDevelopment()))
        {
            HttpsLog.LoopbackHttpAllowed(logger, options.Https.AllowLoopbackHttp);
        }

        if (!environment.IsDevelopment())
        {
            var tokens = options.Tokens;
            if (tokens.AllowSymmetricKeys)
            {
                TokensLog.GuardrailRelaxed(logger, nameof(tokens.AllowSymmetricKeys), "shared-secret signing keys are accepted.");
            }

            if (tokens.AllowDevelopmentIssuer)
            {
                TokensLog.GuardrailRelaxed(logger, nameof(tokens.AllowDevelopmentIssuer), "tokens minted by dotnet user-jwts are accepted.");
            }

            if (tokens.AllowInsecureMetadata)
            {
                TokensLog.GuardrailRelaxed(logger, nameof(tokens.AllowInsecureMetadata), "signing keys may be fetched over plain HTTP.");
            }
        }
    }
}
