using System.Runtime.CompilerServices;
using ApiShield.DependencyInjection;

namespace ApiShield.Filtering;

/// <summary>Cross-field checks of <see cref="FilteringOptions"/>; every message names its configuration key.</summary>
internal static class FilteringOptionsValidation
{
    public static void Validate(FilteringOptions options, List<string> errors)
    {
        const string Section = "ApiShield:Filtering";
        var hashes = false;
        for (var i = 0; i < options.Rules.Count; i++)
        {
            var rule = options.Rules[i];
            var key = $"{Section}:Rules:{i}";
            if (rule is null)
            {
                errors.Add($"{key} must not be empty.");
                continue;
            }

            if ((rule.Path is null) == (rule.Name is null))
            {
                errors.Add($"{key} must set exactly one of Path and Name.");
            }

            if (rule.Path is not null && !JsonPathParser.TryParse(rule.Path, out _, out var error))
            {
                errors.Add($"{key}:Path '{rule.Path}' is not a supported JSON path: {error}");
            }

            if (rule.Name is not null && (rule.Name.Trim('*').Length == 0 || rule.Name.AsSpan().ContainsAny("\"\\ ")))
            {
                errors.Add($"{key}:Name '{rule.Name}' must be a property name with optional '*' wildcards.");
            }

            if (!Enum.IsDefined(rule.Action))
            {
                errors.Add($"{key}:Action must be Remove, Mask or Hash.");
            }

            ApiShieldOptionsValidator.Range(errors, $"{key}:KeepLast", rule.KeepLast, 0, FilteringDefaults.MaxKeepLast);

            if (rule.VisibleWithScope is { } scope && (scope.Length == 0 || scope.Contains(' ', StringComparison.Ordinal)))
            {
                errors.Add($"{key}:VisibleWithScope must be one scope, without spaces.");
            }

            hashes |= rule.Action == SensitiveAction.Hash;
        }

        if ((options.Detectors & ~SensitiveDataDetectors.All) != 0)
        {
            errors.Add($"{Section}:Detectors holds an unknown detector; use PaymentCard, UsSocialSecurityNumber, Iban, PrivateKey, Jwt, AwsAccessKey, Secrets or All.");
        }

        if (!Enum.IsDefined(options.DetectorAction))
        {
            errors.Add($"{Section}:DetectorAction must be Remove, Mask or Hash.");
        }

        hashes |= options.Detectors != SensitiveDataDetectors.None && options.DetectorAction == SensitiveAction.Hash;
        for (var i = 0; i < options.DetectorPaths.Count; i++)
        {
            if (!JsonPathParser.TryParse(options.DetectorPaths[i], out _, out var error))
            {
                errors.Add($"{Section}:DetectorPaths:{i} '{options.DetectorPaths[i]}' is not a supported JSON path: {error}");
            }
        }

        ApiShieldOptionsValidator.Range(errors, $"{Section}:MaxTokenSize", options.MaxTokenSize, FilteringDefaults.MinTokenSize, FilteringDefaults.MaxTokenSizeLimit);

        if (!Enum.IsDefined(options.FailureMode))
        {
            errors.Add($"{Section}:FailureMode must be FailClosed or FailOpen.");
        }

        if (options.HashKey is { } hashKey)
        {
            if (DecodeHashKey(hashKey) is not { Length: >= FilteringDefaults.MinHashKeyBytes })
            {
                errors.Add($"{Section}:HashKey must be base64 encoding at least {FilteringDefaults.MinHashKeyBytes} random bytes.");
            }
        }
        else if (hashes)
        {
            errors.Add($"{Section}:HashKey is required because a rule hashes values.");
        }
    }

    /// <summary>The check <see cref="SensitiveAttribute.KeepLast"/>, <see cref="SensitivePathAttribute.KeepLast"/> and <c>WithSensitivePath</c> share.</summary>
    public static int ThrowIfKeepLastOutOfRange(int value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value, paramName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, FilteringDefaults.MaxKeepLast, paramName);
        return value;
    }

    public static byte[]? DecodeHashKey(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var buffer = new byte[(value.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(value, buffer, out var written) ? buffer[..written] : null;
    }
}
