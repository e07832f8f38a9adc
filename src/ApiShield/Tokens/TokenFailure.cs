using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Tokens;

/// <summary>Why a bearer token was refused: a metric tag, and a description that never echoes token content.</summary>
internal sealed class TokenFailure
{
    public static readonly TokenFailure Missing = new("missing", "No access token was sent.");
    public static readonly TokenFailure Malformed = new("malformed", "The Authorization header is not a well-formed Bearer credential.");
    public static readonly TokenFailure Duplicated = new("duplicated", "The access token was sent more than once or more than one way.");
    public static readonly TokenFailure InQuery = new("in_query", "Access tokens are not accepted in the URI query.");
    public static readonly TokenFailure TooLong = new("too_long", "The access token is longer than this API accepts.");
    public static readonly TokenFailure Expired = new("expired", "The access token is expired.");
    public static readonly TokenFailure NotYetValid = new("not_yet_valid", "The access token is not valid yet.");
    public static readonly TokenFailure NoExpiration = new("no_expiration", "The access token has no expiration time.");
    public static readonly TokenFailure Lifetime = new("lifetime", "The access token's lifetime is longer than this API accepts.");
    public static readonly TokenFailure Audience = new("audience", "The access token is not meant for this API.");
    public static readonly TokenFailure Issuer = new("issuer", "The access token's issuer is not trusted.");
    public static readonly TokenFailure Signature = new("signature", "The access token's signature is invalid.");
    public static readonly TokenFailure Algorithm = new("algorithm", "The access token's signing algorithm is not accepted.");
    public static readonly TokenFailure Type = new("type", "The access token's type is not accepted.");
    public static readonly TokenFailure Invalid = new("invalid", "The access token is invalid.");
    public static readonly TokenFailure Unavailable = new("unavailable", "The access token cannot be validated right now.");
    public static readonly TokenFailure Revoked = new("revoked", "The access token has been revoked.");
    public static readonly TokenFailure NoTokenId = new("no_token_id", "The access token has no token identifier (jti).");

    private TokenFailure(string reason, string description)
    {
        Reason = reason;
        Description = description;
    }

    /// <summary>The snake_case metric tag and log value.</summary>
    public string Reason { get; }

    /// <summary>Safe for the <c>error_description</c> of RFC 6750 §3 in every environment.</summary>
    public string Description { get; }

    public static TokenFailure Classify(Exception? exception) => exception switch
    {
        TokenRejectedException rejected => rejected.Failure,
        SecurityTokenExpiredException => Expired,
        SecurityTokenNotYetValidException => NotYetValid,
        SecurityTokenNoExpirationException => NoExpiration,
        SecurityTokenInvalidLifetimeException => Lifetime,
        SecurityTokenInvalidAudienceException => Audience,
        SecurityTokenInvalidIssuerException => Issuer,
        SecurityTokenInvalidAlgorithmException => Algorithm,
        SecurityTokenInvalidTypeException => Type,
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => Signature,
        SecurityTokenException or ArgumentException => Invalid,

        // JwtBearer raises InvalidOperationException (IDX20803 and kin) when OpenID Connect metadata cannot be fetched:
        // the token may be fine, the validator is not.
        InvalidOperationException or HttpRequestException or TaskCanceledException or IOException => Unavailable,
        _ => Invalid,
    };
}
