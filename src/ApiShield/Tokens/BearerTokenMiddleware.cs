using ApiShield.Diagnostics;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiShield.Tokens;

/// <summary>
/// Requires a valid bearer token on every endpoint that is not explicitly anonymous, and answers the way RFC 6750 §3
/// says: 401 without an error code when no token came, 400 <c>invalid_request</c> for malformed credentials,
/// 401 <c>invalid_token</c> for a token that does not validate.
/// </summary>
internal sealed class BearerTokenMiddleware
{
    private const string RetryAfterSeconds = "5";

    private readonly RequestDelegate _next;
    private readonly BearerChallenges _challenges;
    private readonly ApiShieldMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IOptionsMonitor<JwtBearerOptions> _jwtBearerOptions;
    private readonly int _maxTokenLength;
    private readonly bool _showDetails;

    public BearerTokenMiddleware(
        RequestDelegate next,
        IOptions<ApiShieldOptions> options,
        BearerChallenges challenges,
        ApiShieldMetrics metrics,
        IHostEnvironment environment,
        IOptionsMonitor<JwtBearerOptions> jwtBearerOptions,
        ILogger<BearerTokenMiddleware> logger)
    {
        _jwtBearerOptions = jwtBearerOptions;
        _next = next;
        _challenges = challenges;
        _metrics = metrics;
        _logger = logger;
        _maxTokenLength = options.Value.Tokens.MaxTokenLength;
        _showDetails = environment.IsDevelopment();
    }

    public Task InvokeAsync(HttpContext context)
    {
        var required = EndpointAccess.RequiresToken(context.GetEndpoint());
        var credentials = BearerCredentialReader.Read(context.Request, _maxTokenLength);

        if (!required)
        {
            // An anonymous endpoint still learns who a well-authenticated caller is; a bad token there is ignored.
            return credentials == BearerCredentialStatus.Present ? AuthenticateOptionalAsync(context) : _next(context);
        }

        return credentials switch
        {
            BearerCredentialStatus.Present => AuthenticateRequiredAsync(context),
            BearerCredentialStatus.None => RejectAsync(context, ProblemTypes.TokenMissing, _challenges.Missing, TokenFailure.Missing),
            BearerCredentialStatus.TooLong => RejectAsync(context, ProblemTypes.InvalidToken, _challenges.InvalidToken(TokenFailure.TooLong.Description), TokenFailure.TooLong),
            BearerCredentialStatus.Duplicated => RejectAsync(context, ProblemTypes.InvalidRequest, _challenges.InvalidRequest(TokenFailure.Duplicated.Description), TokenFailure.Duplicated),
            BearerCredentialStatus.InQuery => RejectAsync(context, ProblemTypes.InvalidRequest, _challenges.InvalidRequest(TokenFailure.InQuery.Description), TokenFailure.InQuery),
            _ => RejectAsync(context, ProblemTypes.InvalidRequest, _challenges.InvalidRequest(TokenFailure.Malformed.Description), TokenFailure.Malformed),
        };
    }

    private async Task AuthenticateOptionalAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(TokenValidation.SchemeName).ConfigureAwait(false);
        if (result.Succeeded)
        {
            Publish(context, result);
        }

        await _next(context).ConfigureAwait(false);
    }

    private async Task AuthenticateRequiredAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(TokenValidation.SchemeName).ConfigureAwait(false);
        if (result.Succeeded)
        {
            Publish(context, result);
            await _next(context).ConfigureAwait(false);
            return;
        }

        var failure = result.None ? TokenFailure.Missing : TokenFailure.Classify(result.Failure);
        if ((failure == TokenFailure.Issuer || failure == TokenFailure.Signature) && await MetadataUnavailableAsync(context).ConfigureAwait(false))
        {
            failure = TokenFailure.Unavailable;
        }
        TokensLog.TokenInvalid(_logger, failure.Reason, result.Failure?.GetType().Name);

        if (failure == TokenFailure.Unavailable)
        {
            // The token may be fine; the validator is not (metadata unreachable). RFC 9110 §15.6.4.
            TokensLog.ValidationUnavailable(_logger, result.Failure);
            _metrics.TokenRejected(failure.Reason);
            context.Response.Headers.RetryAfter = RetryAfterSeconds;
            await ProblemResponseWriter.WriteAsync(context, ProblemTypes.TokenValidationUnavailable, failure.Description).ConfigureAwait(false);
            return;
        }

        var detail = _showDetails && result.Failure is not null
            ? failure.Description + " " + result.Failure.Message
            : failure.Description;
        _metrics.TokenRejected(failure.Reason);
        await ProblemResponseWriter.WriteChallengeAsync(context, ProblemTypes.InvalidToken, _challenges.InvalidToken(failure.Description), detail).ConfigureAwait(false);
    }

    // Without its provider's metadata, JwtBearer reports every token as having an untrusted issuer or an unknown key.
    // Telling clients their token is invalid would send them to an identity provider that is down to fetch another.
    private async Task<bool> MetadataUnavailableAsync(HttpContext context)
    {
        var configurationManager = _jwtBearerOptions.Get(TokenValidation.SchemeName).ConfigurationManager;
        if (configurationManager is null)
        {
            return false;
        }

        try
        {
            // Served from cache while the provider is reachable; IdentityModel throttles retries while it is not.
            await configurationManager.GetConfigurationAsync(context.RequestAborted).ConfigureAwait(false);
            return false;
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or OperationCanceledException)
        {
            return true;
        }
    }

    private Task RejectAsync(HttpContext context, ProblemType problem, string challenge, TokenFailure failure)
    {
        TokensLog.TokenRejected(_logger, failure.Reason);
        _metrics.TokenRejected(failure.Reason);
        return ProblemResponseWriter.WriteChallengeAsync(context, problem, challenge, failure.Description);
    }

    private static void Publish(HttpContext context, AuthenticateResult result)
    {
        context.User = result.Principal!;
        if (context.Features.Get<IAuthenticateResultFeature>() is { } existing)
        {
            existing.AuthenticateResult = result;
            if (context.Features.Get<IHttpAuthenticationFeature>() is { } http)
            {
                http.User = result.Principal;
            }

            return;
        }

        var feature = new BearerAuthenticationFeature { AuthenticateResult = result };
        context.Features.Set<IAuthenticateResultFeature>(feature);
        context.Features.Set<IHttpAuthenticationFeature>(feature);
    }
}
