using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Tokens;

/// <summary>
/// Refuses, at startup, a <c>Bearer</c> scheme that could not validate anything, and outside Development one that
/// trusts development-only shortcuts.
/// </summary>
internal sealed class JwtBearerGuardrails(
    IOptions<ApiShieldOptions> shieldOptions,
    IHostEnvironment environment) : IValidateOptions<JwtBearerOptions>
{
    private const string Prefix = TokenValidation.ConfigurationPrefix;

    public ValidateOptionsResult Validate(string? name, JwtBearerOptions options)
    {
        if (!string.Equals(name, TokenValidation.SchemeName, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        var tokens = shieldOptions.Value.Tokens;
        var parameters = options.TokenValidationParameters;
        var errors = new List<string>();

        var hasMetadata = !string.IsNullOrEmpty(options.Authority)
            || !string.IsNullOrEmpty(options.MetadataAddress)
            || options.Configuration is not null
            || options.ConfigurationManager is not null;
        var hasKeys = parameters.IssuerSigningKey is not null
            || parameters.IssuerSigningKeys?.Any() == true
            || parameters.IssuerSigningKeyResolver is not null
            || parameters.IssuerSigningKeyResolverUsingConfiguration is not null;

        if (!hasMetadata && !hasKeys)
        {
            errors.Add($"{Prefix}:Authority (or {Prefix}:MetadataAddress, or {Prefix}:SigningKeys) must be set: without it no token can be validated.");
        }

        // RFC 9068 §4: a resource server MUST validate 'aud' (and 'iss'); JwtBearer lets configuration switch both off.
        if (!parameters.ValidateAudience)
        {
            errors.Add($"{Prefix}:ValidateAudience must not be false: an API accepts only tokens issued for it (RFC 9068 §4).");
        }
        else if (parameters.AudienceValidator is null
            && string.IsNullOrEmpty(parameters.ValidAudience)
            && string.IsNullOrEmpty(options.Audience)
            && parameters.ValidAudiences?.Any() != true)
        {
            errors.Add($"{Prefix}:ValidAudiences (or {Prefix}:ValidAudience) must be set: an API accepts only tokens issued for it (RFC 9068 §4).");
        }

        if (!parameters.ValidateIssuer)
        {
            errors.Add($"{Prefix}:ValidateIssuer must not be false: a token is trusted only from its issuer (RFC 9068 §4).");
        }
        else if (!hasMetadata
            && parameters.IssuerValidator is null
            && string.IsNullOrEmpty(parameters.ValidIssuer)
            && parameters.ValidIssuers?.Any() != true)
        {
            errors.Add($"{Prefix}:ValidIssuer (or {Prefix}:Authority) must be set.");
        }

        if (!environment.IsDevelopment())
        {
            if (!tokens.AllowSymmetricKeys && HasSymmetricKey(parameters))
            {
                errors.Add($"{Prefix}:SigningKeys holds a symmetric (shared-secret) key, which lets every holder mint tokens; outside Development set ApiShield:Tokens:AllowSymmetricKeys to true to accept it.");
            }

            if (!tokens.AllowDevelopmentIssuer && TrustsDevelopmentIssuer(parameters))
            {
                errors.Add($"{Prefix}:ValidIssuer is '{TokenDefaults.DevelopmentIssuer}', the issuer of 'dotnet user-jwts'; outside Development set ApiShield:Tokens:AllowDevelopmentIssuer to true to accept it.");
            }

            if (!tokens.AllowInsecureMetadata && UsesInsecureMetadata(options))
            {
                errors.Add($"{Prefix}:RequireHttpsMetadata is false or {Prefix}:Authority/MetadataAddress is not HTTPS, so signing keys could be forged in transit; outside Development set ApiShield:Tokens:AllowInsecureMetadata to true to accept it.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool HasSymmetricKey(TokenValidationParameters parameters) =>
        parameters.IssuerSigningKey is SymmetricSecurityKey
        || parameters.IssuerSigningKeys?.Any(static key => key is SymmetricSecurityKey) == true;

    private static bool TrustsDevelopmentIssuer(TokenValidationParameters parameters) =>
        string.Equals(parameters.ValidIssuer, TokenDefaults.DevelopmentIssuer, StringComparison.Ordinal)
        || parameters.ValidIssuers?.Contains(TokenDefaults.DevelopmentIssuer, StringComparer.Ordinal) == true;

    private static bool UsesInsecureMetadata(JwtBearerOptions options) =>
        !options.RequireHttpsMetadata
        || IsPlainHttp(options.Authority)
        || IsPlainHttp(options.MetadataAddress);

    private static bool IsPlainHttp(string? address) =>
        address is not null && address.StartsWith("http:", StringComparison.OrdinalIgnoreCase);
}
