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
    private readonly int[] _counts = new int[Actions * Kinds];
    private readonly int[] _detectorHits = new int[8];
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
        _counts[((int)action * Kinds) + (int)rule.Kind]++;
        FilteringLog.ValueFiltered(_logger, rule.Name, action);
    }

    public void DetectorHit(int bit) => _detectorHits[bit]++;

    public void Publish(Diagnostics.ApiShieldMetrics metrics, string? route)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            if (_counts[i] > 0)
            {
                metrics.FieldsFiltered(_counts[i], ActionTag((SensitiveAction)(i / Kinds)), KindTag((FilterRuleKind)(i % Kinds)), route);
            }
        }

        for (var bit = 0; bit < _detectorHits.Length; bit++)
        {
            if (_detectorHits[bit] > 0)
            {
                metrics.DetectorHits(_detectorHits[bit], DetectorTag(bit), route);
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
