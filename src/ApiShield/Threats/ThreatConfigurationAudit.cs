using System.Text;
using ApiShield.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiShield.Threats;

/// <summary>
/// Looks at the host's configuration once the pipeline is built and before the server listens, for settings that
/// undo what ApiShield enforces. Findings are warnings, or stop the host when
/// <see cref="ThreatOptions.StrictConfigurationAudit"/> is on.
/// </summary>
internal sealed class ThreatConfigurationAudit(
    IOptions<ApiShieldOptions> options,
    IOptions<ForwardedHeadersOptions> forwardedHeaders,
    IOptions<HstsOptions> hsts,
    IHostEnvironment environment,
    IConfiguration configuration,
    ThreatAuditState state,
    ILogger<ThreatConfigurationAudit> logger) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        Audit(app.ServerFeatures.Get<IServerAddressesFeature>()?.Addresses ?? []);
    };

    internal void Audit(ICollection<string> serverAddresses)
    {
        var strict = options.Value.Threats.StrictConfigurationAudit;
        var findings = new StringBuilder();

        if (!state.InPipeline)
        {
            ThreatsLog.ApiShieldNotInPipeline(logger);
            Add(findings, "AddApiShield() was called but UseApiShield() is not in the request pipeline.");
        }
        else if (state.AuthorizationBeforeApiShield)
        {
            // The core has logged this one already (event 1); strict mode makes it fatal.
            Add(findings, "UseAuthorization() runs before UseApiShield(); call UseApiShield() first.");
        }

        if (environment.IsProduction())
        {
            foreach (var address in ListeningAddresses(serverAddresses))
            {
                ThreatsLog.PlainHttpInProduction(logger, address);
                Add(findings, $"The host listens on plain HTTP ({address}) in Production.");
            }
        }

        var forwarded = forwardedHeaders.Value;
        if (forwarded.ForwardedHeaders != ForwardedHeaders.None && forwarded.KnownProxies.Count == 0 && forwarded.KnownIPNetworks.Count == 0)
        {
            var reason = configuration.GetValue<bool>("FORWARDEDHEADERS_ENABLED")
                ? "ASPNETCORE_FORWARDEDHEADERS_ENABLED clears KnownProxies and KnownIPNetworks"
                : "ForwardedHeadersOptions.KnownProxies and KnownIPNetworks are empty";
            ThreatsLog.ForwardedHeadersTrustAnySender(logger, reason);
            Add(findings, $"Forwarded headers are accepted from any sender ({reason}).");
        }

        foreach (var reason in HstsPreloadProblems())
        {
            ThreatsLog.HstsPreloadRejected(logger, reason);
            Add(findings, reason);
        }

        if (strict && findings.Length > 0)
        {
            throw new InvalidOperationException(
                "ApiShield:Threats:StrictConfigurationAudit is on, and the host's configuration undoes what ApiShield enforces:" + findings);
        }
    }

    private IEnumerable<string> ListeningAddresses(ICollection<string> serverAddresses)
    {
        var addresses = new List<string>(serverAddresses);
        if (configuration["urls"] is { } urls)
        {
            addresses.AddRange(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        if (configuration["http_ports"] is { } ports)
        {
            addresses.AddRange(ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(static p => "http://*:" + p));
        }

        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is { } url)
            {
                addresses.Add(url);
            }
        }

        return addresses
            .Where(static a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase);
    }

    // hstspreload.org: max-age of at least one year, includeSubDomains, preload - and the header actually sent.
    private IEnumerable<string> HstsPreloadProblems()
    {
        var https = options.Value.Https;
        if (https.HstsPreload && !https.Hsts)
        {
            yield return "ApiShield:Https:HstsPreload is true but ApiShield:Https:Hsts is false, so no Strict-Transport-Security header is sent.";
        }

        var host = hsts.Value;
        if (host.Preload && !HstsPreloadRequirements.AreMet(host.IncludeSubDomains, host.MaxAge))
        {
            yield return "the host's own HstsOptions (UseHsts) set Preload without IncludeSubDomains and a MaxAge of at least 365 days.";
        }
    }

    private static void Add(StringBuilder findings, string finding) =>
        findings.Append(Environment.NewLine).Append("  ").Append(finding);
}
