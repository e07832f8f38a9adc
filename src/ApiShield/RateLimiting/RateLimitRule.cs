namespace ApiShield.RateLimiting;

/// <summary>
/// One policy (at one tier) compiled for the stores: every number in microseconds or permits, nothing to parse per request.
/// </summary>
internal sealed class RateLimitRule
{
    private RateLimitRule(string policyName, RateLimitKind kind, RateLimitAlgorithm algorithm, long permitLimit)
    {
        PolicyName = policyName;
        Kind = kind;
        Algorithm = algorithm;
        PermitLimit = permitLimit;
        KeySuffix = policyName.ToLowerInvariant() + ":" + ((int)algorithm).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The policy's name as configured; reported in headers and problem bodies.</summary>
    public string PolicyName { get; }

    public RateLimitKind Kind { get; }

    public RateLimitAlgorithm Algorithm { get; }

    /// <summary>Requests per window (the <c>q</c> of <c>RateLimit-Policy</c>).</summary>
    public long PermitLimit { get; }

    /// <summary>GCRA: how many requests may arrive at once (1 for spike arrest).</summary>
    public long Capacity { get; private init; }

    /// <summary>GCRA: the emission interval, <c>ceil(Window / PermitLimit)</c>.</summary>
    public long IntervalMicros { get; private init; }

    /// <summary>Sliding window: its length; GCRA: the configured window (for headers).</summary>
    public long WindowMicros { get; private init; }

    /// <summary>Sliding window: the number of segments.</summary>
    public int Segments { get; private init; }

    /// <summary>Sliding window: one segment's length, <c>ceil(WindowMicros / Segments)</c>.</summary>
    public long SegmentMicros { get; private init; }

    /// <summary>Fixed window: the calendar periods.</summary>
    public CalendarPeriods? Calendar { get; private init; }

    public RateLimitFailureMode FailureMode { get; private init; }

    /// <summary>The policy part of a counter's key: the lower-cased policy name and the algorithm, so a changed kind never reads another kind's state.</summary>
    public string KeySuffix { get; }

    /// <summary>The <c>w</c> of <c>RateLimit-Policy</c>, in whole seconds (a calendar period's nominal length).</summary>
    public long HeaderWindowSeconds { get; private init; }

    /// <summary>Compiles a validated policy for the given limit and burst (the policy's own, or a tier's).</summary>
    public static RateLimitRule Create(string policyName, RateLimitPolicyOptions policy, long permitLimit, long? burst)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var window = RateLimitClock.ToMicros(policy.Window);
        switch (policy.Kind)
        {
            case RateLimitKind.Rate:
                return new RateLimitRule(policyName, policy.Kind, RateLimitAlgorithm.Gcra, permitLimit)
                {
                    Capacity = burst ?? permitLimit,
                    IntervalMicros = CeilingDivide(window, permitLimit),
                    WindowMicros = window,
                    FailureMode = policy.FailureMode,
                    HeaderWindowSeconds = HeaderSeconds(window),
                };
            case RateLimitKind.SpikeArrest:
                return new RateLimitRule(policyName, policy.Kind, RateLimitAlgorithm.Gcra, permitLimit)
                {
                    Capacity = 1,
                    IntervalMicros = CeilingDivide(window, permitLimit),
                    WindowMicros = window,
                    FailureMode = policy.FailureMode,
                    HeaderWindowSeconds = HeaderSeconds(window),
                };
            case RateLimitKind.Quota when policy.Calendar == QuotaCalendar.Rolling:
                return new RateLimitRule(policyName, policy.Kind, RateLimitAlgorithm.SlidingWindow, permitLimit)
                {
                    WindowMicros = window,
                    Segments = policy.Segments,
                    SegmentMicros = CeilingDivide(window, policy.Segments),
                    FailureMode = policy.FailureMode,
                    HeaderWindowSeconds = HeaderSeconds(window),
                };
            case RateLimitKind.Quota:
                var calendar = new CalendarPeriods(policy.Calendar, TimeZoneInfo.FindSystemTimeZoneById(policy.TimeZone));
                return new RateLimitRule(policyName, policy.Kind, RateLimitAlgorithm.FixedWindow, permitLimit)
                {
                    Calendar = calendar,
                    FailureMode = policy.FailureMode,
                    HeaderWindowSeconds = calendar.NominalSeconds,
                };
            default:
                throw new ArgumentOutOfRangeException(nameof(policy), policy.Kind, "Unknown rate-limit kind.");
        }
    }

    private static long CeilingDivide(long value, long divisor) => (value + divisor - 1) / divisor;

    // RateLimit-Policy's w is whole seconds, and at least one.
    private static long HeaderSeconds(long micros) => Math.Max(1, RateLimitClock.CeilingSeconds(micros));
}
