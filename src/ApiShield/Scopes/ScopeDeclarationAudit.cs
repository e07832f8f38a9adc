using System.Text;
using Microsoft.AspNetCore.Authorization;
using ApiShield.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiShield.Scopes;

/// <summary>
/// Inspects every endpoint once the pipeline is built and before the server listens: refuses to start when a scope
/// requirement is malformed or could never run (a short-circuited endpoint), and in strict mode while an endpoint
/// declares neither a scope nor an exemption.
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
        var shortCircuited = new StringBuilder();
        var invalid = new StringBuilder();
        foreach (var endpoint in endpoints)
        {
            var metadata = endpoint.Metadata;
            foreach (var requirement in metadata.GetOrderedMetadata<IScopeRequirementMetadata>())
            {
                // Custom metadata skips the attribute's validation; a bad scope would reach the WWW-Authenticate header.
                if (!ScopeRequirement.IsValid(requirement.Scopes))
                {
                    invalid.Append(Environment.NewLine).Append("  ").Append(EndpointFacts.Describe(endpoint));
                    break;
                }
            }

            var scoped = metadata.GetMetadata<IScopeRequirementMetadata>() is not null;
            var anonymous = metadata.GetMetadata<IAllowAnonymous>() is not null;

            var declaredToken = scoped || metadata.GetMetadata<IAllowAnyScopeMetadata>() is not null;
            if (EndpointFacts.IsShortCircuited(endpoint))
            {
                if (declaredToken)
                {
                    shortCircuited.Append(Environment.NewLine).Append("  ").Append(EndpointFacts.Describe(endpoint));
                }
                else if (!anonymous)
                {
                    // MapShortCircuit() answers junk paths with a bare status code and is legitimate; anything else
                    // short-circuited is served without a token, so say so.
                    ScopesLog.ShortCircuitedEndpoint(logger, EndpointFacts.Describe(endpoint));
                }
            }

            if (scoped && anonymous)
            {
                ScopesLog.AnonymousScopedEndpoint(logger, EndpointFacts.Describe(endpoint));
            }

            if (!scoped && !anonymous && metadata.GetMetadata<IAllowAnyScopeMetadata>() is null)
            {
                undeclared.Append(Environment.NewLine).Append("  ").Append(EndpointFacts.Describe(endpoint));
            }
        }

        if (invalid.Length > 0)
        {
            throw new InvalidOperationException(
                "These endpoints carry a scope requirement with no scopes, or with a scope that is not an RFC 6749 §3.3 scope token:" + invalid);
        }

        // ASP.NET Core refuses [Authorize] on a short-circuited endpoint for the same reason, but only per request.
        if (shortCircuited.Length > 0)
        {
            throw new InvalidOperationException(
                "These endpoints require an access token ([RequireScope]/.RequireScope(), [AllowAnyScope]/.AllowAnyScope()) but are marked "
                + ".ShortCircuit(), which runs them inside routing before ApiShield can check the token; remove .ShortCircuit() from them:" + shortCircuited);
        }

        if (options.Value.Scopes.RequireExplicitScopes && undeclared.Length > 0)
        {
            throw new InvalidOperationException(
                "ApiShield:Scopes:RequireExplicitScopes is on, and these endpoints declare neither a scope ([RequireScope]/.RequireScope()) "
                + "nor an exemption ([AllowAnyScope]/.AllowAnyScope(), [AllowAnonymous]/.AllowAnonymous()):" + undeclared);
        }
    }
}
