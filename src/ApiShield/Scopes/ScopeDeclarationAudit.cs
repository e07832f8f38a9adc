using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiShield.Scopes;

/// <summary>
/// Inspects every endpoint once the pipeline is built and before the server listens: strict mode refuses to start
/// while an endpoint declares neither a scope nor an exemption.
/// </summary>
internal sealed class ScopeDeclarationAudit(IOptions<ApiShieldOptions> options, ILogger<ScopeDeclarationAudit> logger) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        Audit(app.ApplicationServices.GetService<EndpointDataSource>()?.Endpoints ?? []);
    };

    internal void Audit(IReadOnlyList<Endpoint> endpoints)
    {
        var undeclared = new StringBuilder();
        foreach (var endpoint in endpoints)
        {
            var metadata = endpoint.Metadata;
            var scoped = metadata.GetMetadata<IScopeRequirementMetadata>() is not null;
            var anonymous = metadata.GetMetadata<IAllowAnonymous>() is not null;
            if (scoped && anonymous)
            {
                ScopesLog.AnonymousScopedEndpoint(logger, Describe(endpoint));
            }

            if (!scoped && !anonymous && metadata.GetMetadata<IAllowAnyScopeMetadata>() is null)
            {
                undeclared.Append(Environment.NewLine).Append("  ").Append(Describe(endpoint));
            }
        }

        if (options.Value.Scopes.RequireExplicitScopes && undeclared.Length > 0)
        {
            throw new InvalidOperationException(
                "ApiShield:Scopes:RequireExplicitScopes is on, and these endpoints declare neither a scope ([RequireScope]/.RequireScope()) "
                + "nor an exemption ([AllowAnyScope]/.AllowAnyScope(), [AllowAnonymous]/.AllowAnonymous()):" + undeclared);
        }
    }

    private static string Describe(Endpoint endpoint)
    {
        var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
        var verb = methods is { Count: > 0 } ? string.Join(',', methods) + " " : string.Empty;
        return endpoint is RouteEndpoint route
            ? verb + "/" + route.RoutePattern.RawText?.TrimStart('/')
            : verb + endpoint.DisplayName;
    }
}
