using System.Diagnostics.Metrics;

namespace ApiShield.Diagnostics;

/// <summary>The <c>ApiShield</c> meter and its instruments.</summary>
internal sealed class ApiShieldMetrics
{
    public const string MeterName = "ApiShield";

    private readonly Counter<long> _httpsRejections;
    private readonly Counter<long> _exposedTokens;
    private readonly Counter<long> _tokenRejections;
    private readonly Counter<long> _scopeRejections;
    private readonly Counter<long> _filteredFields;
    private readonly Counter<long> _detectorHits;
    private readonly Counter<long> _threatRejections;
    private readonly Counter<long> _rateLimitRejections;
    private readonly Counter<long> _rateLimitStoreFailures;

    public ApiShieldMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _httpsRejections = meter.CreateCounter<long>(
            "apishield.https.rejections", unit: "{request}", description: "Requests refused because they did not arrive over HTTPS.");
        _exposedTokens = meter.CreateCounter<long>(
            "apishield.https.exposed_tokens", unit: "{token}", description: "Valid bearer tokens seen over plain HTTP.");
        _tokenRejections = meter.CreateCounter<long>(
            "apishield.tokens.rejections", unit: "{request}", description: "Requests refused for missing, malformed or invalid bearer tokens.");
        _scopeRejections = meter.CreateCounter<long>(
            "apishield.scopes.rejections", unit: "{request}", description: "Requests refused for a missing scope.");
        _filteredFields = meter.CreateCounter<long>(
            "apishield.filtering.fields", unit: "{field}", description: "Sensitive values removed, masked or hashed in responses.");
        _detectorHits = meter.CreateCounter<long>(
            "apishield.filtering.detector_hits", unit: "{value}", description: "Sensitive values found by content detectors.");
        _threatRejections = meter.CreateCounter<long>(
            "apishield.threats.rejections", unit: "{request}", description: "Requests that crossed a threat-protection limit or matched an injection pattern (refused, or let through in report-only mode).");
        _rateLimitRejections = meter.CreateCounter<long>(
            "apishield.rate_limiting.rejections", unit: "{request}", description: "Requests refused by a rate-limit policy, counted once per policy that refused them.");
        _rateLimitStoreFailures = meter.CreateCounter<long>(
            "apishield.rate_limiting.store_failures", unit: "{decision}", description: "Rate-limit policy decisions made by the policy's failure mode because the shared store could not answer.");
    }

    public void HttpsRejected()
    {
        if (_httpsRejections.Enabled)
        {
            _httpsRejections.Add(1);
        }
    }

    public void TokenExposed()
    {
        if (_exposedTokens.Enabled)
        {
            _exposedTokens.Add(1);
        }
    }

    public void TokenRejected(string reason)
    {
        if (_tokenRejections.Enabled)
        {
            _tokenRejections.Add(1, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    public void ScopeRejected()
    {
        if (_scopeRejections.Enabled)
        {
            _scopeRejections.Add(1);
        }
    }

    public void FieldsFiltered(int count, string action, string ruleKind, string? route)
    {
        if (_filteredFields.Enabled)
        {
            _filteredFields.Add(
                count,
                new KeyValuePair<string, object?>("action", action),
                new KeyValuePair<string, object?>("rule_kind", ruleKind),
                new KeyValuePair<string, object?>("http.route", route));
        }
    }

    public void DetectorHits(int count, string detector, string? route)
    {
        if (_detectorHits.Enabled)
        {
            _detectorHits.Add(count, new KeyValuePair<string, object?>("detector", detector), new KeyValuePair<string, object?>("http.route", route));
        }
    }

    /// <summary>Counts a threat-protection finding.</summary>
    /// <param name="limit">The limit crossed, snake_case (<c>json_depth</c>, <c>payload_size</c>, <c>injection</c>...).</param>
    /// <param name="mode"><c>block</c> or <c>report_only</c>.</param>
    public void ThreatRejected(string limit, string mode)
    {
        if (_threatRejections.Enabled)
        {
            _threatRejections.Add(1, new KeyValuePair<string, object?>("limit", limit), new KeyValuePair<string, object?>("mode", mode));
        }
    }

    /// <summary>Counts a request a rate-limit policy refused.</summary>
    /// <param name="policy">The policy's name.</param>
    public void RateLimitRejected(string policy)
    {
        if (_rateLimitRejections.Enabled)
        {
            _rateLimitRejections.Add(1, new KeyValuePair<string, object?>("policy", policy));
        }
    }

    /// <summary>Counts one policy's decision made by its failure mode.</summary>
    /// <param name="failureMode"><c>closed</c>, <c>open</c> or <c>local</c>.</param>
    public void RateLimitStoreFailure(string failureMode)
    {
        if (_rateLimitStoreFailures.Enabled)
        {
            _rateLimitStoreFailures.Add(1, new KeyValuePair<string, object?>("failure_mode", failureMode));
        }
    }
}
