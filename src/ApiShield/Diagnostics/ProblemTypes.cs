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
}
