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
    private readonly Counter<long> _threatRejections;

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
        _threatRejections = meter.CreateCounter<long>(
            "apishield.threats.rejections", unit: "{request}", description: "Requests that crossed a threat-protection limit or matched an injection pattern (refused, or let through in report-only mode).");
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

    /// <param name="limit">The limit crossed, snake_case (<c>json_depth</c>, <c>payload_size</c>, <c>injection</c>...).</param>
    /// <param name="mode"><c>block</c> or <c>report_only</c>.</param>
    public void ThreatRejected(string limit, string mode)
    {
        if (_threatRejections.Enabled)
        {
            _threatRejections.Add(1, new KeyValuePair<string, object?>("limit", limit), new KeyValuePair<string, object?>("mode", mode));
        }
    }
}
