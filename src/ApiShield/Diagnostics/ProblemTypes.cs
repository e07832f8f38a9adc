using Microsoft.AspNetCore.Http;

namespace ApiShield.Diagnostics;

/// <summary>Every problem type ApiShield writes; <c>docs/problems.md</c> lists them for clients.</summary>
internal static class ProblemTypes
{
    public static readonly ProblemType HttpsRequired = new("https-required", "HTTPS is required.", StatusCodes.Status403Forbidden);

    public static readonly ProblemType TokenMissing = new("token-missing", "An access token is required.", StatusCodes.Status401Unauthorized);

    public static readonly ProblemType InvalidRequest = new("invalid-request", "The request's credentials are malformed.", StatusCodes.Status400BadRequest);

    public static readonly ProblemType InvalidToken = new("invalid-token", "The access token is invalid.", StatusCodes.Status401Unauthorized);

    public static readonly ProblemType TokenValidationUnavailable = new("token-validation-unavailable", "Access tokens cannot be validated right now.", StatusCodes.Status503ServiceUnavailable);

    public static readonly ProblemType RevocationRequestInvalid = new("revocation-request-invalid", "The revocation request is invalid.", StatusCodes.Status400BadRequest);

    public static readonly ProblemType RevocationNotFound = new("revocation-not-found", "There is no such revocation.", StatusCodes.Status404NotFound);

    public static readonly ProblemType RevocationStoreUnavailable = new("revocation-store-unavailable", "The revocation store is unavailable.", StatusCodes.Status503ServiceUnavailable);

    public static readonly ProblemType ResponseFilterFailed = new("response-filter-failed", "The response could not be filtered for sensitive data.", StatusCodes.Status500InternalServerError);

    public static readonly ProblemType InsufficientScope = new("insufficient-scope", "The access token lacks a required scope.", StatusCodes.Status403Forbidden);

    public static readonly ProblemType PayloadTooLarge = new("payload-too-large", "The request body is too large.", StatusCodes.Status413PayloadTooLarge);

    public static readonly ProblemType UnsupportedMediaType = new("unsupported-media-type", "The request body's media type is not accepted here.", StatusCodes.Status415UnsupportedMediaType);

    public static readonly ProblemType InvalidEncoding = new("invalid-encoding", "The request body is not valid UTF-8.", StatusCodes.Status400BadRequest);

    public static readonly ProblemType MalformedJson = new("malformed-json", "The request body is not valid JSON.", StatusCodes.Status400BadRequest);

    public static readonly ProblemType JsonDepthExceeded = new("json-depth-exceeded", "The JSON body nests too deeply.", StatusCodes.Status400BadRequest);

    public static readonly ProblemType JsonObjectEntriesExceeded = new("json-object-entries-exceeded", "A JSON object in the body has too many properties.", StatusCodes.Status400BadRequest);

    public static readonly ProblemType JsonArrayLengthExceeded = new("json-array-length-exceeded", "A JSON array in the body has too many elements.", StatusCodes.Status400BadRequest);

    public static readonly ProblemType JsonPropertyNameTooLong = new("json-property-name-too-long", "A JSON property name in the body is too long.", StatusCodes.Status400BadRequest);

    public static readonly ProblemType JsonStringTooLong = new("json-string-too-long", "A JSON string in the body is too long.", StatusCodes.Status400BadRequest);

    public static readonly ProblemType JsonNumberTooLong = new("json-number-too-long", "A JSON number in the body is too long.", StatusCodes.Status400BadRequest);

    public static readonly ProblemType JsonDuplicateProperty = new("json-duplicate-property", "A JSON object in the body repeats a property name.", StatusCodes.Status400BadRequest);

    public static readonly ProblemType InjectionDetected = new("injection-detected", "The request matches an injection pattern.", StatusCodes.Status400BadRequest);

    public static readonly ProblemType QuotaExceeded = new("quota-exceeded", "Too many requests.", StatusCodes.Status429TooManyRequests);

    public static readonly ProblemType RateLimitUnavailable = new("rate-limit-unavailable", "Rate limits cannot be checked right now.", StatusCodes.Status503ServiceUnavailable);
}
