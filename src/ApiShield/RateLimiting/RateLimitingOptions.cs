namespace ApiShield.RateLimiting;

/// <summary>Rate limits, spike arrests and quotas, bound to <c>ApiShield:RateLimiting</c>.</summary>
/// <remarks>
/// Policies are named here and selected per endpoint with <see cref="ApiShield.RateLimitsAttribute"/> or
/// <c>.WithRateLimits(...)</c>. Counters live in memory (one node) or, when <c>ApiShield:Redis</c> names a
/// connection, in Redis, where every node shares them and one script call decides all of a request's policies.
/// </remarks>
public sealed class RateLimitingOptions
{
    /// <summary>The policies, by name (letters, digits, <c>.</c>, <c>_</c> and <c>-</c>; case-insensitive).</summary>
    /// <value>The default value is empty.</value>
    public IDictionary<string, RateLimitPolicyOptions> Policies { get; } = new Dictionary<string, RateLimitPolicyOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The policies applied to endpoints that name none and are not exempt.</summary>
    /// <value>The default value is empty: such endpoints are not limited.</value>
    public IList<string> DefaultPolicies { get; } = new List<string>();

    /// <summary>Whether the <c>RateLimit-Policy</c> and <c>RateLimit</c> header fields are sent on every response of a limited endpoint.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool EmitHeaders { get; set; } = true;

    /// <summary>How many leading bits of an IPv6 address identify one caller.</summary>
    /// <value>The default value is 64: one customer site usually holds a whole /64.</value>
    public int IPv6PrefixLength { get; set; } = RateLimitingDefaults.IPv6PrefixLength;

    /// <summary>How long a Redis decision may take before the policy's failure mode applies.</summary>
    /// <value>The default value is 250 milliseconds.</value>
    public TimeSpan StoreTimeout { get; set; } = RateLimitingDefaults.StoreTimeout;

    /// <summary>How many consecutive Redis failures open the circuit, so requests stop waiting on a dead server.</summary>
    /// <value>The default value is 3.</value>
    public int FailuresBeforeBreak { get; set; } = RateLimitingDefaults.FailuresBeforeBreak;

    /// <summary>How long the circuit stays open before one request probes Redis again.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan BreakDuration { get; set; } = RateLimitingDefaults.BreakDuration;
}
