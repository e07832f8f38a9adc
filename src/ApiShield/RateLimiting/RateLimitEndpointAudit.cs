using System.Text;
using ApiShield.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApiShield.RateLimiting;

/// <summary>Refuses to start while an endpoint names a rate-limit policy that is not configured.</summary>
internal sealed class RateLimitEndpointAudit(RateLimitPolicySet policies, ILogger<RateLimitEndpointAudit> logger) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        Audit(app.ApplicationServices.GetService<EndpointDataSource>()?.Endpoints ?? []);
    };

    internal void Audit(IReadOnlyList<Endpoint> endpoints)
    {
        var unknown = new StringBuilder();
        foreach (var endpoint in endpoints)
        {
            // Every piece of rate-limit metadata is checked, not only the nearest: a group's policy name is a typo too.
            var named = false;
            foreach (var metadata in endpoint.Metadata.GetOrderedMetadata<IRateLimitsMetadata>())
            {
                foreach (var name in metadata.PolicyNames)
                {
                    named = true;
                    if (!policies.Contains(name))
                    {
                        unknown.Append(Environment.NewLine).Append("  ").Append(EndpointFacts.Describe(endpoint)).Append(": '").Append(name)
                            .Append("' (no ApiShield:RateLimiting:Policies:").Append(name).Append(')');
                    }
                }
            }

            if (named && EndpointFacts.IsShortCircuited(endpoint))
            {
                RateLimitingLog.ShortCircuitedLimitedEndpoint(logger, EndpointFacts.Describe(endpoint));
            }
        }

        if (unknown.Length > 0)
        {
            throw new InvalidOperationException("These endpoints name rate-limit policies that are not configured:" + unknown);
        }
    }
}
