using ApiShield.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiShield.Revocation;

/// <summary>
/// Hooks the revocation check into the <c>Bearer</c> scheme right after a token validates, so every caller of the
/// scheme (ApiShield's token middleware, the host's own <c>[Authorize]</c>, HTTPS enforcement) sees revoked tokens
/// as invalid, before authorization runs.
/// </summary>
internal sealed class RevocationTokenValidation(
    IOptions<ApiShieldOptions> shieldOptions,
    RevocationService service,
    RevocationMetrics metrics,
    ILogger<RevocationTokenValidation> logger) : IPostConfigureOptions<JwtBearerOptions>
{
    private static readonly TokenRejectedException Unavailable = new(TokenFailure.Unavailable);

    public void PostConfigure(string? name, JwtBearerOptions options)
    {
        var revocation = shieldOptions.Value.Revocation;
        if (!revocation.Enabled || !string.Equals(name, TokenValidation.SchemeName, StringComparison.Ordinal))
        {
            return;
        }

        var check = new RevocationCheck(service, revocation.RequireTokenId);
        var events = options.Events ??= new JwtBearerEvents();
        var inner = events.OnTokenValidated;
        events.OnTokenValidated = context =>
        {
            var pending = inner(context);
            if (!pending.IsCompletedSuccessfully)
            {
                return CheckAfterAsync(pending, context, check);
            }

            Apply(context, check);
            return Task.CompletedTask;
        };
    }

    private async Task CheckAfterAsync(Task pending, TokenValidatedContext context, RevocationCheck check)
    {
        await pending.ConfigureAwait(false);
        Apply(context, check);
    }

    private void Apply(TokenValidatedContext context, RevocationCheck check)
    {
        if (context.Result is not null)
        {
            return;
        }

        var verdict = check.Check(context.SecurityToken, context.Principal);
        switch (verdict)
        {
            case RevocationVerdict.Allowed:
                return;
            case RevocationVerdict.Unavailable:
                RevocationLog.RequestRefusedUnavailable(logger, service.IsLoaded);
                metrics.Refused("unavailable");
                context.Fail(Unavailable);
                return;
            case RevocationVerdict.MissingTokenId:
                RevocationLog.TokenWithoutId(logger);
                metrics.Refused("no_token_id");
                context.Fail(new TokenRejectedException(TokenFailure.NoTokenId));
                return;
            default:
                var kind = verdict switch
                {
                    RevocationVerdict.RevokedSubject => RevocationKind.Subject,
                    RevocationVerdict.RevokedClient => RevocationKind.Client,
                    _ => RevocationKind.Token,
                };
                RevocationLog.RevokedTokenRefused(logger, kind);
                metrics.Hit(kind);
                context.Fail(new TokenRejectedException(TokenFailure.Revoked));
                return;
        }
    }
}
