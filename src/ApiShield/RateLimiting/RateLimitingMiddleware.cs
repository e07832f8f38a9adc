using System.Globalization;
using ApiShield.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ApiShield.RateLimiting;

/// <summary>
/// Decides every policy of the endpoint in one store call, sends the RateLimit header fields on every response of a
/// limited endpoint, and refuses with 429 (or 503 when the store is down and a policy fails closed).
/// </summary>
/// <remarks>
/// It runs after token validation, so policies can partition by client, subject or claim, and before scope checks,
/// so a client hammering an endpoint it may not call is limited too.
/// </remarks>
internal sealed class RateLimitingMiddleware
{
    private readonly RequestDelegate _next;
    private readonly RateLimitPolicySet _policies;
    private readonly RateLimitEngine _engine;
    private readonly RateLimitPartitioner _partitioner;
    private readonly ApiShieldMetrics _metrics;
    private readonly ILogger _logger;
    private readonly bool _emitHeaders;

    public RateLimitingMiddleware(
        RequestDelegate next,
        RateLimitPolicySet policies,
        RateLimitEngine engine,
        RateLimitPartitioner partitioner,
        ApiShieldMetrics metrics,
        IOptions<ApiShieldOptions> options,
        ILogger<RateLimitingMiddleware> logger)
    {
        _next = next;
        _policies = policies;
        _engine = engine;
        _partitioner = partitioner;
        _metrics = metrics;
        _logger = logger;
        _emitHeaders = options.Value.RateLimiting.EmitHeaders;
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (_policies.IsEmpty || context.GetEndpoint() is not { } endpoint)
        {
            return _next(context);
        }

        var limits = _policies.For(endpoint);
        if (limits.Policies.Length == 0)
        {
            return limits.UnknownPolicy is null ? _next(context) : RefuseMisconfiguredAsync(context, endpoint, limits.UnknownPolicy);
        }

        return DecideAsync(context, limits);
    }

    private async Task DecideAsync(HttpContext context, EndpointRateLimits limits)
    {
        var policies = limits.Policies;
        var count = policies.Length;
        var fixedTiers = limits.FixedTiers;
        var tiers = fixedTiers ?? new RateLimitTier[count];
        var charges = new RateLimitCharge[count];
        var verdicts = new RateLimitVerdict[count];
        var user = context.User;
        for (var i = 0; i < count; i++)
        {
            var policy = policies[i];
            var tier = fixedTiers is null ? tiers[i] = policy.SelectTier(user) : fixedTiers[i];

            // Policies that partition alike share one partition value (and one hash).
            var partition = limits.SharesPreviousPartition[i] ? charges[i - 1].Partition : _partitioner.Resolve(policy, context);
            charges[i] = new RateLimitCharge(tier.Rule, partition);
        }

        var outcome = await _engine.DecideAsync(charges, verdicts, context.RequestAborted).ConfigureAwait(false);
        var headers = context.Response.Headers;
        if (_emitHeaders)
        {
            headers[RateLimitHeaders.PolicyField] = RateLimitHeaders.Policy(limits, tiers);
        }

        switch (outcome)
        {
            case RateLimitOutcome.Admitted:
                if (_emitHeaders && RateLimitHeaders.State(tiers, verdicts, violatedOnly: false) is { } state)
                {
                    headers[RateLimitHeaders.StateField] = state;
                }

                await _next(context).ConfigureAwait(false);
                return;
            case RateLimitOutcome.Rejected:
                await RejectAsync(context, tiers, verdicts).ConfigureAwait(false);
                return;
            default:
                await RefuseUnavailableAsync(context, tiers, verdicts).ConfigureAwait(false);
                return;
        }
    }

    private Task RejectAsync(HttpContext context, RateLimitTier[] tiers, RateLimitVerdict[] verdicts)
    {
        var (violated, retryAfter) = Refusals(context, tiers, verdicts);
        foreach (var policy in violated)
        {
            _metrics.RateLimitRejected(policy);
        }

        if (_emitHeaders && RateLimitHeaders.State(tiers, verdicts, violatedOnly: true) is { } state)
        {
            context.Response.Headers[RateLimitHeaders.StateField] = state;
        }

        var names = string.Join(", ", violated);
        RateLimitingLog.RequestRateLimited(_logger, names, retryAfter);
        return ProblemResponseWriter.WriteAsync(
            context,
            ProblemTypes.QuotaExceeded,
            violated.Count == 1
                ? $"The rate-limit policy {names} admits no more requests now; retry after {retryAfter} s."
                : $"The rate-limit policies {names} admit no more requests now; retry after {retryAfter} s.",
            writer =>
            {
                writer.WriteStartArray("violatedPolicies");
                foreach (var name in violated)
                {
                    writer.WriteStringValue(name);
                }

                writer.WriteEndArray();
                writer.WriteNumber("retryAfter", retryAfter);
            });
    }

    private Task RefuseUnavailableAsync(HttpContext context, RateLimitTier[] tiers, RateLimitVerdict[] verdicts)
    {
        var (closed, retryAfter) = Refusals(context, tiers, verdicts);
        RateLimitingLog.RateLimitUnavailable(_logger, string.Join(", ", closed));
        return ProblemResponseWriter.WriteAsync(
            context,
            ProblemTypes.RateLimitUnavailable,
            "The rate-limit store cannot be reached and this endpoint's limits fail closed.",
            writer => writer.WriteNumber("retryAfter", retryAfter));
    }

    /// <summary>
    /// The policies that refused the request (over their limit, or failing closed) and the <c>Retry-After</c> that waits
    /// for all of them, which it also sets.
    /// </summary>
    private static (List<string> Policies, long RetryAfter) Refusals(HttpContext context, RateLimitTier[] tiers, RateLimitVerdict[] verdicts)
    {
        long retryAfterMicros = 0;
        var policies = new List<string>(1);
        for (var i = 0; i < verdicts.Length; i++)
        {
            // Unchecked verdicts (a failure mode let them through) count as admitted.
            if (!verdicts[i].Admitted)
            {
                retryAfterMicros = Math.Max(retryAfterMicros, verdicts[i].RetryAfterMicros);
                policies.Add(tiers[i].Rule.PolicyName);
            }
        }

        // RFC 9110 §10.2.3 takes whole seconds; rounding up keeps a client that obeys it from coming back too early.
        var retryAfter = Math.Max(1, RateLimitClock.CeilingSeconds(retryAfterMicros));
        context.Response.Headers[HeaderNames.RetryAfter] = retryAfter.ToString(CultureInfo.InvariantCulture);
        return (policies, retryAfter);
    }

    private Task RefuseMisconfiguredAsync(HttpContext context, Endpoint endpoint, string policy)
    {
        RateLimitingLog.UnknownPolicy(_logger, endpoint.DisplayName ?? "(unnamed)", policy);
        return ProblemResponseWriter.WriteAsync(context, ProblemTypes.RateLimitUnavailable, "The endpoint's rate limits are misconfigured.");
    }
}
