using System.Globalization;
using System.Text.Json;
using ApiShield.Diagnostics;
using ApiShield.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Revocation;

/// <summary>The admin surface's handlers. Each request makes at most one change, so nothing is ever half-written.</summary>
internal static class RevocationEndpoints
{
    private const int MaxBodyBytes = 64 * 1024;
    private const string RetryAfterSeconds = "5";

    public static async Task ListAsync(HttpContext context)
    {
        var service = context.RequestServices.GetRequiredService<RevocationService>();
        var entries = await service.ListAsync(context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(
            new RevocationListResponse(service.IsLoaded, service.Staleness.TotalSeconds, [.. entries.Select(Describe)]),
            context.RequestAborted).ConfigureAwait(false);
    }

    public static async Task RevokeAsync(HttpContext context)
    {
        var service = context.RequestServices.GetRequiredService<RevocationService>();
        var (fields, error) = await ReadFieldsAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        if (fields is null)
        {
            await InvalidAsync(context, error!).ConfigureAwait(false);
            return;
        }

        fields.TryGetValue("reason", out var reason);
        if (reason is { Length: > RevocationDefaults.ReasonMaxLength })
        {
            await InvalidAsync(context, $"'reason' is longer than {RevocationDefaults.ReasonMaxLength} characters.").ConfigureAwait(false);
            return;
        }

        RevocationEntry entry;
        try
        {
            if (fields.TryGetValue("token", out var token))
            {
                // RFC 7009 §2.1: the token itself; it must validate here, so that no one can revoke by forging a 'jti'.
                var (tokenId, expiresAt, tokenError) = await ReadSubmittedTokenAsync(context, token).ConfigureAwait(false);
                if (tokenError is not null)
                {
                    await InvalidAsync(context, tokenError).ConfigureAwait(false);
                    return;
                }

                entry = await service.RevokeTokenAsync(tokenId!, expiresAt, reason, context.RequestAborted).ConfigureAwait(false);
            }
            else
            {
                fields.TryGetValue("kind", out var kind);
                fields.TryGetValue("value", out var value);
                if (string.IsNullOrEmpty(value) || value.Length > RevocationDefaults.ValueMaxLength)
                {
                    await InvalidAsync(context, $"Send 'token', or 'kind' and a 'value' of 1 to {RevocationDefaults.ValueMaxLength} characters.").ConfigureAwait(false);
                    return;
                }

                switch (kind)
                {
                    case "token":
                        if (!TryReadInstant(fields, "expiresAt", out var expiresAt) || expiresAt is null)
                        {
                            await InvalidAsync(context, "A token revocation by 'value' (its jti) needs 'expiresAt', the token's exp (ISO 8601 or Unix seconds).").ConfigureAwait(false);
                            return;
                        }

                        entry = await service.RevokeTokenAsync(value, expiresAt.Value, reason, context.RequestAborted).ConfigureAwait(false);
                        break;
                    case "subject":
                    case "client":
                        if (!TryReadInstant(fields, "issuedBefore", out var issuedBefore))
                        {
                            await InvalidAsync(context, "'issuedBefore' must be an ISO 8601 instant or Unix seconds.").ConfigureAwait(false);
                            return;
                        }

                        entry = kind == "subject"
                            ? await service.RevokeSubjectAsync(value, issuedBefore, reason, context.RequestAborted).ConfigureAwait(false)
                            : await service.RevokeClientAsync(value, issuedBefore, reason, context.RequestAborted).ConfigureAwait(false);
                        break;
                    default:
                        await InvalidAsync(context, "'kind' must be 'token', 'subject' or 'client'.").ConfigureAwait(false);
                        return;
                }
            }
        }
        catch (RevocationStoreException exception)
        {
            await StoreUnavailableAsync(context, exception).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(new RevocationMadeResponse([Describe(entry)]), context.RequestAborted).ConfigureAwait(false);
    }

    public static Task UndoSubjectAsync(HttpContext context, string subject) => UndoAsync(context, RevocationKind.Subject, subject);

    public static Task UndoClientAsync(HttpContext context, string clientId) => UndoAsync(context, RevocationKind.Client, clientId);

    private static async Task UndoAsync(HttpContext context, RevocationKind kind, string value)
    {
        var service = context.RequestServices.GetRequiredService<RevocationService>();
        if (value.Length > RevocationDefaults.ValueMaxLength)
        {
            await InvalidAsync(context, $"The value is longer than {RevocationDefaults.ValueMaxLength} characters.").ConfigureAwait(false);
            return;
        }

        bool existed;
        try
        {
            existed = kind == RevocationKind.Subject
                ? await service.UndoSubjectAsync(value, context.RequestAborted).ConfigureAwait(false)
                : await service.UndoClientAsync(value, context.RequestAborted).ConfigureAwait(false);
        }
        catch (RevocationStoreException exception)
        {
            await StoreUnavailableAsync(context, exception).ConfigureAwait(false);
            return;
        }

        if (!existed)
        {
            await ProblemResponseWriter.WriteAsync(context, ProblemTypes.RevocationNotFound, $"No {RevocationMetrics.Tag(kind)} revocation matches.").ConfigureAwait(false);
            return;
        }

        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(new RevocationUndoneResponse(RevocationMetrics.Tag(kind), value), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<(Dictionary<string, string>? Fields, string? Error)> ReadFieldsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, $"The body is larger than {MaxBodyBytes} bytes.");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
            foreach (var (key, values) in form)
            {
                if (values.Count != 1)
                {
                    return (null, $"'{Truncate(key)}' must appear once.");
                }

                fields[key] = values[0] ?? string.Empty;
            }

            return (fields, null);
        }

        if (!request.HasJsonContentType())
        {
            return (null, "Send application/json or application/x-www-form-urlencoded.");
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken).ConfigureAwait(false);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, "The body must be a JSON object.");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                fields[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Number => property.Value.GetRawText(),
                    _ => throw new JsonException(),
                };
            }
        }
        catch (JsonException)
        {
            return (null, "The body is not a JSON object of strings and numbers.");
        }

        return (fields, null);
    }

    private static async Task<(string? TokenId, DateTimeOffset ExpiresAt, string? Error)> ReadSubmittedTokenAsync(HttpContext context, string token)
    {
        var shield = context.RequestServices.GetRequiredService<IOptions<ApiShieldOptions>>().Value;
        if (token.Length == 0 || token.Length > shield.Tokens.MaxTokenLength)
        {
            return (null, default, "'token' is empty or longer than this API accepts.");
        }

        var options = context.RequestServices.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(TokenValidation.SchemeName);
        var parameters = options.TokenValidationParameters.Clone();
        if (options.ConfigurationManager is { } manager)
        {
            try
            {
                var configuration = await manager.GetConfigurationAsync(context.RequestAborted).ConfigureAwait(false);
                if (configuration.Issuer is { } issuer)
                {
                    parameters.ValidIssuers = [.. parameters.ValidIssuers ?? [], issuer];
                }

                parameters.IssuerSigningKeys = [.. parameters.IssuerSigningKeys ?? [], .. configuration.SigningKeys];
            }
            catch (Exception exception) when (exception is InvalidOperationException or HttpRequestException or IOException)
            {
                return (null, default, TokenFailure.Unavailable.Description);
            }
        }

        TokenValidationResult? last = null;
        foreach (var handler in options.TokenHandlers)
        {
            last = await handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
            if (last.IsValid)
            {
                break;
            }
        }

        if (last is not { IsValid: true })
        {
            return (null, default, "The submitted token does not validate here: " + TokenFailure.Classify(last?.Exception).Description);
        }

        var (tokenId, exp) = last.SecurityToken is JsonWebToken jwt
            ? (jwt.Id, jwt.ValidTo)
            : (last.Claims.TryGetValue(JwtRegisteredClaimNames.Jti, out var jti) ? jti as string : null, last.SecurityToken.ValidTo);
        if (string.IsNullOrEmpty(tokenId))
        {
            return (null, default, "The submitted token has no 'jti'; revoke its subject or client instead.");
        }

        return (tokenId, new DateTimeOffset(DateTime.SpecifyKind(exp, DateTimeKind.Utc)), null);
    }

    private static bool TryReadInstant(Dictionary<string, string> fields, string name, out DateTimeOffset? value)
    {
        value = null;
        if (!fields.TryGetValue(name, out var text) || text.Length == 0)
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= 253402300799)
        {
            value = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            value = instant;
            return true;
        }

        return false;
    }

    private static Task InvalidAsync(HttpContext context, string detail) =>
        ProblemResponseWriter.WriteAsync(context, ProblemTypes.RevocationRequestInvalid, detail);

    private static Task StoreUnavailableAsync(HttpContext context, RevocationStoreException exception)
    {
        RevocationLog.AdminStoreUnavailable(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RevocationEndpoints).FullName!), exception);
        context.Response.Headers.RetryAfter = RetryAfterSeconds;
        return ProblemResponseWriter.WriteAsync(context, ProblemTypes.RevocationStoreUnavailable, "The revocation was not made: the store could not take it. Retry.");
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64];

    private static RevocationEntryResponse Describe(RevocationEntry entry) =>
        new(RevocationMetrics.Tag(entry.Kind), entry.Value, entry.IssuedBefore, entry.ExpiresAt, entry.Reason);
}

internal sealed record RevocationEntryResponse(string Kind, string Value, DateTimeOffset IssuedBefore, DateTimeOffset ExpiresAt, string? Reason);

internal sealed record RevocationListResponse(bool Loaded, double StalenessSeconds, RevocationEntryResponse[] Entries);

internal sealed record RevocationMadeResponse(RevocationEntryResponse[] Revoked);

internal sealed record RevocationUndoneResponse(string Kind, string Value);
