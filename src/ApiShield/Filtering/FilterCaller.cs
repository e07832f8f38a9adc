using System.Security.Claims;
using ApiShield.Scopes;
using Microsoft.Extensions.Logging;

namespace ApiShield.Filtering;

/// <summary>
/// One response's view of the caller and what was filtered: scope answers cached in two masks (each scope evaluated
/// at most once), per-rule-kind counters published once at the end.
/// </summary>
internal sealed class FilterCaller
{
    private const int Actions = 3;
    private const int Kinds = 5;

    private readonly ClaimsPrincipal? _user;
    private readonly ScopeEvaluator _evaluator;
    private readonly ILogger _logger;
    // Allocated on the first hit: most responses filter nothing.
    private int[]? _counts;
    private int[]? _detectorHits;
    private ulong _known;
    private ulong _granted;

    public FilterCaller(ClaimsPrincipal? user, ScopeEvaluator evaluator, byte[]? hashKey, ILogger logger)
    {
        _user = user;
        _evaluator = evaluator;
        HashKey = hashKey;
        _logger = logger;
    }

    public byte[]? HashKey { get; }

    public bool MayView(FilterRule rule)
    {
        if (rule.VisibleWithScope is not { } scope || _user is null)
        {
            return false;
        }

        var index = rule.ScopeIndex;
        if (index < 0)
        {
            return _evaluator.HasScope(_user, scope);
        }

        var bit = 1UL << index;
        if ((_known & bit) == 0)
        {
            if (_evaluator.HasScope(_user, scope))
            {
                _granted |= bit;
            }

            _known |= bit;
        }

        return (_granted & bit) != 0;
    }

    /// <summary>The strictest rule of <paramref name="state"/> the caller may not see past, or <see langword="null"/>.</summary>
    public FilterRule? Effective(FilterState state)
    {
        foreach (var rule in state.Rules)
        {
            if (!MayView(rule))
            {
                return rule;
            }
        }

        return null;
    }

    public void Applied(FilterRule rule, SensitiveAction action)
    {
        (_counts ??= new int[Actions * Kinds])[((int)action * Kinds) + (int)rule.Kind]++;
        FilteringLog.ValueFiltered(_logger, rule.Name, action);
    }

    public void DetectorHit(int bit) => (_detectorHits ??= new int[8])[bit]++;

    public void Publish(Diagnostics.ApiShieldMetrics metrics, string? route)
    {
        var counts = _counts ?? [];
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0)
            {
                metrics.FieldsFiltered(counts[i], ActionTag((SensitiveAction)(i / Kinds)), KindTag((FilterRuleKind)(i % Kinds)), route);
            }
        }

        var detectorHits = _detectorHits ?? [];
        for (var bit = 0; bit < detectorHits.Length; bit++)
        {
            if (detectorHits[bit] > 0)
            {
                metrics.DetectorHits(detectorHits[bit], DetectorTag(bit), route);
            }
        }
    }

    private static string ActionTag(SensitiveAction action) => action switch
    {
        SensitiveAction.Remove => "remove",
        SensitiveAction.Mask => "mask",
        _ => "hash",
    };

    private static string KindTag(FilterRuleKind kind) => kind switch
    {
        FilterRuleKind.Attribute => "attribute",
        FilterRuleKind.Path => "path",
        FilterRuleKind.NamePattern => "name_pattern",
        FilterRuleKind.Endpoint => "endpoint",
        _ => "detector",
    };

    private static string DetectorTag(int bit) => (SensitiveDataDetectors)(1 << bit) switch
    {
        SensitiveDataDetectors.PaymentCard => "payment_card",
        SensitiveDataDetectors.UsSocialSecurityNumber => "us_ssn",
        SensitiveDataDetectors.Iban => "iban",
        SensitiveDataDetectors.PrivateKey => "private_key",
        SensitiveDataDetectors.Jwt => "jwt",
        SensitiveDataDetectors.AwsAccessKey => "aws_access_key",
        _ => "other",
    };
}
