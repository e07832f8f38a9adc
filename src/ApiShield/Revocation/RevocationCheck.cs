using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Revocation;

/// <summary>The per-request check: reads <c>jti</c>, <c>sub</c>, <c>client_id</c>/<c>azp</c> and <c>iat</c> and asks the replica.</summary>
/// <remarks>Reads the validated <see cref="JsonWebToken"/>'s parsed payload directly: no claim enumeration, no allocation.</remarks>
internal sealed class RevocationCheck(RevocationService service, bool requireTokenId)
{
    private const string ClientIdClaim = "client_id";
    private const string AuthorizedPartyClaim = "azp";

    public RevocationVerdict Check(SecurityToken? token, ClaimsPrincipal? principal)
    {
        if (!service.IsServing)
        {
            return RevocationVerdict.Unavailable;
        }

        string? tokenId;
        string? subject;
        string? clientId;
        long issuedAt;
        if (token is JsonWebToken jwt)
        {
            tokenId = NullIfEmpty(jwt.Id);
            subject = NullIfEmpty(jwt.Subject);
            if (!jwt.TryGetPayloadValue(ClientIdClaim, out clientId) || string.IsNullOrEmpty(clientId))
            {
                clientId = jwt.TryGetPayloadValue(AuthorizedPartyClaim, out string? azp) ? NullIfEmpty(azp) : null;
            }

            var iat = jwt.IssuedAt;
            issuedAt = iat == DateTime.MinValue ? 0 : iat.Ticks;
        }
        else
        {
            // Hosts that switched JwtBearer back to JwtSecurityTokenHandler: read the claims instead.
            tokenId = NullIfEmpty(principal?.FindFirst(JwtRegisteredClaimNames.Jti)?.Value);
            subject = NullIfEmpty(principal?.FindFirst(JwtRegisteredClaimNames.Sub)?.Value);
            clientId = NullIfEmpty(principal?.FindFirst(ClientIdClaim)?.Value) ?? NullIfEmpty(principal?.FindFirst(AuthorizedPartyClaim)?.Value);
            issuedAt = long.TryParse(principal?.FindFirst(JwtRegisteredClaimNames.Iat)?.Value, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds).UtcTicks
                : 0;
        }

        if (tokenId is null && requireTokenId)
        {
            return RevocationVerdict.MissingTokenId;
        }

        return service.Replica.Check(tokenId, subject, clientId, issuedAt);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
