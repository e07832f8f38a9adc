using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace ApiShield.DependencyInjection;

/// <summary>
/// Told when a valid bearer token was seen over plain HTTP: whoever could read that connection now holds the token.
/// HTTPS enforcement raises it; token revocation burns the token.
/// </summary>
internal interface ITokenExposureListener
{
    ValueTask OnTokenExposedAsync(HttpContext context, ClaimsPrincipal principal);
}
