namespace ApiShield.RateLimiting;

/// <summary>How a rule counts; stores implement each one identically (see <c>docs/rate-limiting.md</c>).</summary>
internal enum RateLimitAlgorithm
{
    /// <summary>Generic cell rate algorithm: one timestamp (the theoretical arrival time) per partition.</summary>
    Gcra = 1,

    /// <summary>A counter per calendar period; the node supplies the period boundaries.</summary>
    FixedWindow = 2,

    /// <summary>Counters per segment of a rolling window.</summary>
    SlidingWindow = 3,
}
