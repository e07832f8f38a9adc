using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Tokens;

/// <summary>
/// Replaces IdentityModel's lifetime check so that it reads the injected <see cref="TimeProvider"/>, requires
/// <c>exp</c>, and bounds the lifetime a token may claim.
/// </summary>
internal sealed class TokenLifetimeValidator(TimeProvider timeProvider, TimeSpan maxLifetime)
{
    public bool Validate(DateTime? notBefore, DateTime? expires, SecurityToken securityToken, TokenValidationParameters parameters)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var skew = parameters.ClockSkew;

        if (expires is not { } exp)
        {
            throw new SecurityTokenNoExpirationException("The token has no 'exp' claim.");
        }

        if (notBefore is { } nbf && nbf > exp)
        {
            throw new SecurityTokenInvalidLifetimeException("The token's 'nbf' is after its 'exp'.") { NotBefore = nbf, Expires = exp };
        }

        if (notBefore is { } start && start > now + skew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = start };
        }

        if (exp < now - skew)
        {
            throw new SecurityTokenExpiredException("The token is expired.") { Expires = exp };
        }

        var issuedAt = securityToken is JsonWebToken jwt && jwt.IssuedAt != DateTime.MinValue ? jwt.IssuedAt : (DateTime?)null;
        var from = issuedAt ?? notBefore ?? now;

        // RFC 8725 §3.10 leaves lifetime policy to the recipient: both the lifetime the token states and the time it
        // has left are bounded, so a missing or back-dated 'iat' cannot stretch it.
        if (exp - from > maxLifetime || exp - now > maxLifetime + skew)
        {
            throw new SecurityTokenInvalidLifetimeException("The token's lifetime exceeds ApiShield:Tokens:MaxTokenLifetime.") { NotBefore = notBefore, Expires = exp };
        }

        return true;
    }
}
