using Microsoft.AspNetCore.Http;

namespace ApiShield.RateLimiting;

/// <summary>One named rate-limit policy, bound to <c>ApiShield:RateLimiting:Policies:&lt;name&gt;</c>.</summary>
/// <remarks>
/// A request to an endpoint with several policies is admitted only if every one of them admits it, and a rejected
/// request is charged against none of them.
/// </remarks>
public sealed class RateLimitPolicyOptions
{
    /// <summary>The kind of limit.</summary>
    /// <value>The default value is <see cref="RateLimitKind.Rate"/>.</value>
    public RateLimitKind Kind { get; set; } = RateLimitKind.Rate;

    /// <summary>The number of requests admitted per <see cref="Window"/> (or per calendar period for a calendar quota).</summary>
    /// <value>The default value is 0, which is invalid: every policy states its limit.</value>
    public long PermitLimit { get; set; }

    /// <summary>The period <see cref="PermitLimit"/> applies to; for a calendar quota, ignored.</summary>
    /// <value>The default value is one minute.</value>
    public TimeSpan Window { get; set; } = RateLimitingDefaults.Window;

    /// <summary>For <see cref="RateLimitKind.Rate"/>, how many requests may arrive at once after a quiet period.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="PermitLimit"/>.</value>
    public long? Burst { get; set; }

    /// <summary>For <see cref="RateLimitKind.Quota"/>, whether the window is rolling or a calendar period.</summary>
    /// <value>The default value is <see cref="QuotaCalendar.Rolling"/>.</value>
    public QuotaCalendar Calendar { get; set; } = QuotaCalendar.Rolling;

    /// <summary>The IANA or Windows time zone that calendar periods start and end in.</summary>
    /// <value>The default value is <c>UTC</c>.</value>
    public string TimeZone { get; set; } = RateLimitingDefaults.TimeZone;

    /// <summary>For a rolling quota, how many segments the window is counted in.</summary>
    /// <value>The default value is 10.</value>
    /// <remarks>
    /// A request is counted until the whole segment it fell in has left the window, so the limit is never exceeded
    /// over any window-long interval; a request may be refused up to one segment longer than an exact count would.
    /// </remarks>
    public int Segments { get; set; } = RateLimitingDefaults.Segments;

    /// <summary>Whose requests are counted together.</summary>
    /// <value>The default value is <see cref="RateLimitPartitionKind.Client"/>.</value>
    public RateLimitPartitionKind Partition { get; set; } = RateLimitPartitionKind.Client;

    /// <summary>The claim whose value partitions requests when <see cref="Partition"/> is <see cref="RateLimitPartitionKind.Claim"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? PartitionClaim { get; set; }

    /// <summary>
    /// A partition function set in code; when set it replaces <see cref="Partition"/>. Returning <see langword="null"/>
    /// partitions the request by IP address.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    /// <remarks>The value is hashed before it is stored or sent to Redis; it may be a user id or an address.</remarks>
    public Func<HttpContext, string?>? PartitionBy { get; set; }

    /// <summary>The claim naming the caller's plan or tier, looked up in <see cref="Tiers"/>.</summary>
    /// <value>The default value is <see langword="null"/>: every caller gets the policy's own limits.</value>
    public string? TierClaim { get; set; }

    /// <summary>Limits per tier, keyed by the <see cref="TierClaim"/> value (case-sensitive); callers of other tiers get the policy's own limits.</summary>
    /// <value>The default value is empty.</value>
    public IDictionary<string, RateLimitTierOptions> Tiers { get; } = new Dictionary<string, RateLimitTierOptions>(StringComparer.Ordinal);

    /// <summary>What the policy does while Redis cannot answer.</summary>
    /// <value>The default value is <see cref="RateLimitFailureMode.Closed"/>: 503 rather than unchecked requests.</value>
    /// <remarks>The mode of every policy is logged at startup; each request decided by it is counted in <c>apishield.rate_limiting.store_failures</c>.</remarks>
    public RateLimitFailureMode FailureMode { get; set; } = RateLimitFailureMode.Closed;
}
