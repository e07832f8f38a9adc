using System.Security.Claims;
using ApiShield.DependencyInjection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiShield.Revocation;

/// <summary>Burns a valid token seen over plain HTTP: whoever could read that connection holds it now.</summary>
internal sealed class RevocationExposureListener(
    RevocationService service,
    IOptions<ApiShieldOptions> options,
    ILogger<RevocationExposureListener> logger) : ITokenExposureListener
{
    private const string Reason = "Seen over plain HTTP.";

    public async ValueTask OnTokenExposedAsync(HttpContext context, ClaimsPrincipal principal)
    {
        var revocation = options.Value.Revocation;
        if (!revocation.Enabled || !revocation.BurnTokensSeenOverHttp)
        {
            return;
        }

        var tokenId = principal.FindFirst("jti")?.Value;
        if (string.IsNullOrEmpty(tokenId) || !long.TryParse(principal.FindFirst("exp")?.Value, out var exp))
        {
            RevocationLog.ExposedTokenBurnFailed(logger, exception: null);
            return;
        }

        try
        {
            await service.RevokeTokenAsync(tokenId, DateTimeOffset.FromUnixTimeSeconds(exp), Reason, context.RequestAborted).ConfigureAwait(false);
            RevocationLog.ExposedTokenBurned(logger);
        }
        catch (Exception exception) when (exception is RevocationStoreException or OperationCanceledException)
        {
            RevocationLog.ExposedTokenBurnFailed(logger, exception);
        }
    }
}
