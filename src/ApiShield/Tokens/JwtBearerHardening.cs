using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using System.Security.Claims;

namespace ApiShield.Tokens;

/// <summary>
/// Applies <see cref="TokenOptions"/> to the <c>Bearer</c> scheme after every other configuration, so whatever the
/// host binds or configures, the hardening holds.
/// </summary>
internal sealed class JwtBearerHardening(
    IOptions<ApiShieldOptions> shieldOptions,
    IHostEnvironment environment,
    TimeProvider timeProvider) : IPostConfigureOptions<JwtBearerOptions>
{
    private const string CriticalHeader = "crit";

    public void PostConfigure(string? name, JwtBearerOptions options)
    {
        if (!string.Equals(name, TokenValidation.SchemeName, StringComparison.Ordinal))
        {
            return;
        }

        var tokens = shieldOptions.Value.Tokens;

        // Claims keep the names the issuer gave them: 'sub', 'scope', 'scp', 'roles' (RFC 9068 §2.2).
        options.MapInboundClaims = false;
        foreach (var handler in options.TokenHandlers)
        {
            if (handler is JsonWebTokenHandler jsonWebTokenHandler)
            {
                jsonWebTokenHandler.MapInboundClaims = false;

                // Checked before any parsing; the handler's own default is 250 kB.
                jsonWebTokenHandler.MaximumTokenSizeInBytes = tokens.MaxTokenLength;
            }
        }

        var parameters = options.TokenValidationParameters;
        parameters.ValidAlgorithms = AllowedAlgorithms(tokens, environment);
        parameters.ClockSkew = tokens.ClockSkew;
        parameters.RequireSignedTokens = true;
        parameters.RequireExpirationTime = true;
        parameters.ValidateLifetime = true;
        parameters.LifetimeValidator = new TokenLifetimeValidator(timeProvider, tokens.MaxTokenLifetime).Validate;
        if (tokens.RequireAccessTokenType)
        {
            parameters.ValidTypes = TokenDefaults.AccessTokenTypes;
        }

        if (parameters.NameClaimType == ClaimsIdentity.DefaultNameClaimType)
        {
            parameters.NameClaimType = "sub";
        }

        if (parameters.RoleClaimType == ClaimsIdentity.DefaultRoleClaimType)
        {
            parameters.RoleClaimType = "roles";
        }

        // IdentityModel otherwise keeps validating with the "last known good" metadata for an hour after a key leaves
        // the provider's JWKS, so an emergency key withdrawal would not take effect. A refresh that fails still keeps
        // the current metadata, so outages are ridden out without it.
        if (options.ConfigurationManager is BaseConfigurationManager configurationManager)
        {
            configurationManager.UseLastKnownGoodConfiguration = false;
        }

        // JwtBearer rethrows what is not a token failure (metadata unreachable): turn it into a failed result, so
        // that every caller of the scheme (the host's own authentication middleware included) gets an answer, not a 500.
        var events = options.Events ??= new JwtBearerEvents();
        var inner = events.OnAuthenticationFailed;
        events.OnAuthenticationFailed = async context =>
        {
            await inner(context).ConfigureAwait(false);
            if (context.Result is null)
            {
                context.Fail(context.Exception);
            }
        };

        // RFC 7515 §4.1.11: a JWS whose 'crit' lists an extension the recipient does not understand MUST be rejected.
        // IdentityModel understands none (not even RFC 7797 'b64') and ignores the parameter, so refuse it here.
        var innerValidated = events.OnTokenValidated;
        events.OnTokenValidated = context =>
        {
            if (context.SecurityToken is JsonWebToken token && token.TryGetHeaderValue<object>(CriticalHeader, out _))
            {
                context.Fail(new SecurityTokenValidationException("The token's 'crit' header lists extensions this API does not understand (RFC 7515 §4.1.11)."));
                return Task.CompletedTask;
            }

            return innerValidated(context);
        };
    }

    internal static string[] AllowedAlgorithms(TokenOptions tokens, IHostEnvironment environment)
    {
        if (tokens.ValidAlgorithms.Count > 0)
        {
            return [.. tokens.ValidAlgorithms];
        }

        return environment.IsDevelopment() || tokens.AllowSymmetricKeys
            ? [.. TokenDefaults.AsymmetricAlgorithms, .. TokenDefaults.SymmetricAlgorithms]
            : TokenDefaults.AsymmetricAlgorithms;
    }
}
