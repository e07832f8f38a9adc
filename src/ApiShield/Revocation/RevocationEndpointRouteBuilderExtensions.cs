using ApiShield.Revocation;
using ApiShield.Scopes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace ApiShield;

/// <summary>Maps the revocation admin surface.</summary>
public static class RevocationEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the revocation admin endpoints under <paramref name="pattern"/>: <c>GET</c> lists the live entries,
    /// <c>POST</c> revokes (a JSON or form body with <c>kind</c> = <c>token</c>|<c>subject</c>|<c>client</c>,
    /// <c>value</c>, <c>expiresAt</c> or <c>issuedBefore</c>, <c>reason</c>; or, as RFC 7009, <c>token</c> and
    /// <c>reason</c>), <c>DELETE subjects/{subject}</c> and <c>DELETE clients/{clientId}</c> withdraw.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="pattern">The route prefix.</param>
    /// <returns>The route group; protect it with <c>.RequireScope("…")</c> or an authorization policy.</returns>
    /// <remarks>
    /// The host must protect the group: startup fails while it carries neither a scope requirement nor an
    /// authorization policy or role, because any valid token could otherwise revoke everyone else's.
    /// </remarks>
    public static RouteGroupBuilder MapApiShieldRevocations(this IEndpointRouteBuilder endpoints, string pattern = "/admin/revocations")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);

        var group = endpoints.MapGroup(pattern);
        group.MapGet(string.Empty, RevocationEndpoints.ListAsync);
        group.MapPost(string.Empty, RevocationEndpoints.RevokeAsync).DisableAntiforgery();
        group.MapDelete("subjects/{subject}", RevocationEndpoints.UndoSubjectAsync);
        group.MapDelete("clients/{clientId}", RevocationEndpoints.UndoClientAsync);
        ((IEndpointConventionBuilder)group).Finally(static endpoint =>
        {
            var protectedByScope = false;
            foreach (var item in endpoint.Metadata)
            {
                protectedByScope |= item is IScopeRequirementMetadata
                    || (item is IAuthorizeData data && (data.Policy is not null || data.Roles is not null));
            }

            if (!protectedByScope)
            {
                throw new InvalidOperationException(
                    $"The revocation admin endpoint '{endpoint.DisplayName}' is unprotected: call .RequireScope(\"…\") (or RequireAuthorization with a policy or role) on the group MapApiShieldRevocations returns.");
            }
        });
        return group;
    }
}
