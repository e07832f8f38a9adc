using System.Diagnostics.Metrics;
using ApiShield.Diagnostics;

namespace ApiShield.Revocation;

/// <summary>The revocation instruments of the <c>ApiShield</c> meter.</summary>
internal sealed class RevocationMetrics
{
    private readonly Meter _meter;
    private readonly Counter<long> _revocations;
    private readonly Counter<long> _undos;
    private readonly Counter<long> _hits;
    private readonly Counter<long> _refusals;
    private RevocationService? _service;

    public RevocationMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(ApiShieldMetrics.MeterName);
        _revocations = _meter.CreateCounter<long>(
            "apishield.revocation.revocations", unit: "{revocation}", description: "Revocations made on this node, by kind.");
        _undos = _meter.CreateCounter<long>(
            "apishield.revocation.undos", unit: "{revocation}", description: "Subject and client revocations withdrawn on this node.");
        _hits = _meter.CreateCounter<long>(
            "apishield.revocation.hits", unit: "{request}", description: "Requests refused because their token is revoked, by the kind of entry that matched.");
        _refusals = _meter.CreateCounter<long>(
            "apishield.revocation.refusals", unit: "{request}", description: "Requests refused by the revocation check for another reason: no jti, or the list unavailable.");
    }

    public void Observe(RevocationService service)
    {
        if (Interlocked.Exchange(ref _service, service) is not null)
        {
            return;
        }

        _meter.CreateObservableGauge(
            "apishield.revocation.staleness",
            () => _service?.Staleness.TotalSeconds ?? 0,
            unit: "s",
            description: "How out of date this node's replica of the revocation list may be: zero while the store answers.");
        _meter.CreateObservableGauge(
            "apishield.revocation.entries",
            () => (long)(_service?.Replica.Count ?? 0),
            unit: "{entry}",
            description: "Live revocation entries in this node's replica.");
    }

    public void Revoked(RevocationKind kind)
    {
        if (_revocations.Enabled)
        {
            _revocations.Add(1, new KeyValuePair<string, object?>("kind", Tag(kind)));
        }
    }

    public void Undone(RevocationKind kind)
    {
        if (_undos.Enabled)
        {
            _undos.Add(1, new KeyValuePair<string, object?>("kind", Tag(kind)));
        }
    }

    public void Hit(RevocationKind kind)
    {
        if (_hits.Enabled)
        {
            _hits.Add(1, new KeyValuePair<string, object?>("kind", Tag(kind)));
        }
    }

    public void Refused(string reason)
    {
        if (_refusals.Enabled)
        {
            _refusals.Add(1, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    public static string Tag(RevocationKind kind) => kind switch
    {
        RevocationKind.Token => "token",
        RevocationKind.Subject => "subject",
        RevocationKind.Client => "client",
        _ => "unknown",
    };
}
