using ApiShield.Tokens;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ApiShield.DependencyInjection;

/// <summary>
/// Validates every ApiShield option when the host starts. Every message names its configuration key, which the
/// source-generated DataAnnotations validator cannot do (it reports the CLR member path and drops custom messages).
/// </summary>
internal sealed class ApiShieldOptionsValidator(IHostEnvironment environment, IServiceProvider services) : IValidateOptions<ApiShieldOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiShieldOptions options)
    {
        var errors = new List<string>();
        ValidateHttps(options, errors);
        ValidateTokens(options, errors);
        ValidateScopes(options, errors);
        ValidateRevocation(options, errors);
        Filtering.FilteringOptionsValidation.Validate(options.Filtering, errors);
        RateLimiting.RateLimitingOptionsValidation.Validate(options.RateLimiting, errors);
        RateLimiting.RateLimitingOptionsValidation.ValidateConfiguration(
            services.GetService(typeof(Microsoft.Extensions.Configuration.IConfiguration)) as Microsoft.Extensions.Configuration.IConfiguration, options.RateLimiting, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateHttps(ApiShieldOptions options, List<string> errors)
    {
        var https = options.Https;
        Range(errors, "ApiShield:Https:HstsMaxAge", https.HstsMaxAge, TimeSpan.Zero, TimeSpan.FromDays(3650));
        if (!Enum.IsDefined(https.AllowLoopbackHttp))
        {
            errors.Add("ApiShield:Https:AllowLoopbackHttp must be DevelopmentOnly, Never or Always.");
        }

        // hstspreload.org's submission requirements: includeSubDomains, preload, and max-age of at least one year.
        if (https.HstsPreload && !HstsPreloadRequirements.AreMet(https.HstsIncludeSubDomains, https.HstsMaxAge))
        {
            errors.Add("ApiShield:Https:HstsPreload needs ApiShield:Https:HstsIncludeSubDomains true and ApiShield:Https:HstsMaxAge of at least 365.00:00:00; preload lists reject anything less.");
        }
    }

    private void ValidateTokens(ApiShieldOptions options, List<string> errors)
    {
        var tokens = options.Tokens;
        Range(errors, "ApiShield:Tokens:ClockSkew", tokens.ClockSkew, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        Range(errors, "ApiShield:Tokens:MaxTokenLifetime", tokens.MaxTokenLifetime, TimeSpan.FromMinutes(1), TimeSpan.FromDays(3650));
        Range(errors, "ApiShield:Tokens:MaxTokenLength", tokens.MaxTokenLength, 512, 1024 * 1024);
        for (var i = 0; i < tokens.ValidAlgorithms.Count; i++)
        {
            var algorithm = tokens.ValidAlgorithms[i];
            var key = $"ApiShield:Tokens:ValidAlgorithms:{i}";
            if (string.Equals(algorithm, "none", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{key} is 'none': unsigned tokens are never accepted (RFC 8725 §3.1).");
            }
            else if (Array.IndexOf(TokenDefaults.SymmetricAlgorithms, algorithm) >= 0)
            {
                if (!environment.IsDevelopment() && !tokens.AllowSymmetricKeys)
                {
                    errors.Add($"{key} is '{algorithm}', a symmetric algorithm; outside Development set ApiShield:Tokens:AllowSymmetricKeys to true to accept it.");
                }
            }
            else if (Array.IndexOf(TokenDefaults.AsymmetricAlgorithms, algorithm) < 0)
            {
                errors.Add($"{key} is '{algorithm}', which is not a JWS algorithm ApiShield accepts (RS256/384/512, PS256/384/512, ES256/384/512, HS256/384/512).");
            }
        }

        if (tokens.Realm is { } realm && !IsQuotedStringSafe(realm))
        {
            errors.Add("ApiShield:Tokens:Realm must be printable ASCII without quotes or backslashes.");
        }
    }

    private static void ValidateScopes(ApiShieldOptions options, List<string> errors)
    {
        var claimTypes = options.Scopes.ClaimTypes;
        for (var i = 0; i < claimTypes.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(claimTypes[i]))
            {
                errors.Add($"ApiShield:Scopes:ClaimTypes:{i} must not be empty.");
            }
        }
    }

    private static void ValidateRevocation(ApiShieldOptions options, List<string> errors)
    {
        var revocation = options.Revocation;
        Range(errors, "ApiShield:Revocation:MaxStaleness", revocation.MaxStaleness, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Range(errors, "ApiShield:Revocation:SyncInterval", revocation.SyncInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        if (revocation.MaxTokenLifetime is { } lifetime)
        {
            Range(errors, "ApiShield:Revocation:MaxTokenLifetime", lifetime, TimeSpan.FromMinutes(1), TimeSpan.FromDays(3650));
        }

        if (!Enum.IsDefined(revocation.StalenessMode))
        {
            errors.Add("ApiShield:Revocation:StalenessMode must be FailClosed or FailOpen.");
        }

        // The instance name goes inside the keys' cluster hash tag.
        if (options.Redis.InstanceName is null || options.Redis.InstanceName.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            errors.Add("ApiShield:Redis:InstanceName must not contain '{' or '}'.");
        }
    }

    internal static void Range<T>(List<string> errors, string key, T value, T min, T max)
        where T : IComparable<T>, IFormattable
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            errors.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{key} must be between {min} and {max} (was {value})."));
        }
    }

    private static bool IsQuotedStringSafe(string value)
    {
        foreach (var c in value)
        {
            if (c < 0x20 || c > 0x7E || c is '"' or '\\')
            {
                return false;
            }
        }

        return true;
    }
}
