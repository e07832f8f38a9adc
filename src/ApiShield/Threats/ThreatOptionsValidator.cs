using ApiShield.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiShield.Threats;

/// <summary>Validates <c>ApiShield:Threats</c>. Every message names its configuration key.</summary>
internal sealed class ThreatOptionsValidator : IValidateOptions<ApiShieldOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiShieldOptions options)
    {
        var threats = options.Threats;
        var errors = new List<string>();
        if (!Enum.IsDefined(threats.Mode))
        {
            errors.Add("ApiShield:Threats:Mode must be Block or ReportOnly.");
        }

        ValidateJson(threats.Json, errors);
        ValidateInjection(threats, errors);
        ValidateHeaders(threats.Headers, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateJson(JsonLimitOptions json, List<string> errors)
    {
        const string Prefix = "ApiShield:Threats:Json:";
        ApiShieldOptionsValidator.Range(errors, Prefix + "MaxBodySize", json.MaxBodySize, 1L, ThreatDefaults.MaxBodySizeCeiling);
        ApiShieldOptionsValidator.Range(errors, Prefix + "MaxDepth", json.MaxDepth, 1, ThreatDefaults.MaxDepthCeiling);
        ApiShieldOptionsValidator.Range(errors, Prefix + "MaxObjectEntries", json.MaxObjectEntries, 1, int.MaxValue);
        ApiShieldOptionsValidator.Range(errors, Prefix + "MaxArrayLength", json.MaxArrayLength, 1, int.MaxValue);
        ApiShieldOptionsValidator.Range(errors, Prefix + "MaxPropertyNameLength", json.MaxPropertyNameLength, 1, int.MaxValue);
        ApiShieldOptionsValidator.Range(errors, Prefix + "MaxStringLength", json.MaxStringLength, 1, int.MaxValue);
        ApiShieldOptionsValidator.Range(errors, Prefix + "MaxNumberLength", json.MaxNumberLength, 1, int.MaxValue);
    }

    private static void ValidateInjection(ThreatOptions threats, List<string> errors)
    {
        var injection = threats.Injection;
        if ((injection.RuleSets & ~(InjectionRuleSets.Sql | InjectionRuleSets.Script)) != 0)
        {
            errors.Add("ApiShield:Threats:Injection:RuleSets must be a combination of None, Sql and Script.");
        }

        if ((injection.Targets & ~InjectionTargets.All) != 0)
        {
            errors.Add("ApiShield:Threats:Injection:Targets must be a combination of Path, Query, Headers and JsonBody.");
        }

        for (var i = 0; i < injection.Patterns.Count; i++)
        {
            var pattern = injection.Patterns[i];
            if (string.IsNullOrWhiteSpace(pattern))
            {
                errors.Add($"ApiShield:Threats:Injection:Patterns:{i} must not be empty.");
                continue;
            }

            try
            {
                InjectionMatcher.Validate(pattern);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                errors.Add($"ApiShield:Threats:Injection:Patterns:{i} is not a pattern RegexOptions.NonBacktracking can run (no backreferences, lookarounds or atomic groups): {ex.Message}");
            }
        }

        for (var i = 0; i < injection.ExcludedHeaders.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(injection.ExcludedHeaders[i]))
            {
                errors.Add($"ApiShield:Threats:Injection:ExcludedHeaders:{i} must not be empty.");
            }
        }

        if (injection.Enabled)
        {
            if (injection.RuleSets == InjectionRuleSets.None && injection.Patterns.Count == 0)
            {
                errors.Add("ApiShield:Threats:Injection:Enabled is true but ApiShield:Threats:Injection:RuleSets is None and ApiShield:Threats:Injection:Patterns is empty: nothing would be matched.");
            }

            if (injection.Targets.HasFlag(InjectionTargets.JsonBody) && !threats.Json.Enabled)
            {
                errors.Add("ApiShield:Threats:Injection:Targets includes JsonBody, which needs ApiShield:Threats:Json:Enabled to be true.");
            }
        }
    }

    private static void ValidateHeaders(SecurityHeaderOptions headers, List<string> errors)
    {
        Check(headers.CacheControl, nameof(headers.CacheControl), errors);
        Check(headers.XContentTypeOptions, nameof(headers.XContentTypeOptions), errors);
        Check(headers.ContentSecurityPolicy, nameof(headers.ContentSecurityPolicy), errors);
        Check(headers.XFrameOptions, nameof(headers.XFrameOptions), errors);
        Check(headers.ReferrerPolicy, nameof(headers.ReferrerPolicy), errors);
    }

    // RFC 9110 §5.5: a field value is visible ASCII, spaces and tabs; anything else could split the response.
    private static void Check(string? value, string key, List<string> errors)
    {
        if (value is null)
        {
            return;
        }

        foreach (var c in value)
        {
            if ((c < 0x20 && c != '\t') || c > 0x7E)
            {
                errors.Add($"ApiShield:Threats:Headers:{key} must contain only visible ASCII characters, spaces and tabs.");
                return;
            }
        }
    }
}
