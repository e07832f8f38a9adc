using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features.Authentication;

namespace ApiShield.Tokens;

/// <summary>Publishes ApiShield's authentication result to the host's authorization middleware.</summary>
internal sealed class BearerAuthenticationFeature : IAuthenticateResultFeature, IHttpAuthenticationFeature
{
    private AuthenticateResult? _result;

    public AuthenticateResult? AuthenticateResult
    {
        get => _result;
        set
        {
            _result = value;
            User = value?.Principal;
        }
    }

    public ClaimsPrincipal? User { get; set; }
}
