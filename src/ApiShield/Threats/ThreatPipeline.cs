using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiShield.Threats;

/// <summary>Where threat protection plugs into <c>UseApiShield()</c>.</summary>
internal static class ThreatPipeline
{
    /// <summary>First in ApiShield's pipeline, so every response it produces, refusals included, is hardened.</summary>
    /// <param name="app">The application builder.</param>
    /// <param name="authorizationBeforeApiShield">Whether the host's <c>UseAuthorization()</c> already ran, as <c>UseApiShield()</c> found it.</param>
    public static void UseResponseHardening(IApplicationBuilder app, bool authorizationBeforeApiShield)
    {
        var state = app.ApplicationServices.GetRequiredService<ThreatAuditState>();
        state.InPipeline = true;
        state.AuthorizationBeforeApiShield = authorizationBeforeApiShield;

        if (app.ApplicationServices.GetRequiredService<IOptions<ApiShieldOptions>>().Value.Threats.Headers.Enabled)
        {
            app.UseMiddleware<SecurityHeadersMiddleware>();
        }
    }

    /// <summary>Last in ApiShield's pipeline: bodies are read only for callers who passed token, scope and authorization checks.</summary>
    public static void UseRequestChecks(IApplicationBuilder app)
    {
        var threats = app.ApplicationServices.GetRequiredService<IOptions<ApiShieldOptions>>().Value.Threats;
        if (threats.Json.Enabled || threats.Injection.Enabled)
        {
            app.UseMiddleware<ThreatProtectionMiddleware>();
        }
    }
}
