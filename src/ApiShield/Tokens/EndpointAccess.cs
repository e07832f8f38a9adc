using ApiShield.Scopes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace ApiShield.Tokens;

internal static class EndpointAccess
{
    /// <summary>
    /// Whether a request to <paramref name="endpoint"/> must carry a valid token. Anything not explicitly anonymous does,
    /// including requests no endpoint matched, and a scope requirement outranks <c>[AllowAnonymous]</c>.
    /// </summary>
    public static bool RequiresToken(Endpoint? endpoint)
    {
        if (endpoint is null)
        {
            return true;
        }

        var metadata = endpoint.Metadata;
        return metadata.GetMetadata<IScopeRequirementMetadata>() is not null
            || metadata.GetMetadata<IAllowAnonymous>() is null;
    }
}
