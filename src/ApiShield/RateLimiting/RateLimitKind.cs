namespace ApiShield.RateLimiting;

/// <summary>The kinds of limit a rate-limit policy enforces.</summary>
public enum RateLimitKind
{
    /// <summary>
    /// A sustained rate of <see cref="RateLimitPolicyOptions.PermitLimit"/> per <see cref="RateLimitPolicyOptions.Window"/>
    /// with bursts of up to <see cref="RateLimitPolicyOptions.Burst"/> requests (token-bucket semantics, enforced as GCRA).
    /// </summary>
    Rate,

    /// <summary>
    /// Smoothing with Apigee's meaning: <see cref="RateLimitPolicyOptions.PermitLimit"/> per
    /// <see cref="RateLimitPolicyOptions.Window"/> admits one request every <c>Window / PermitLimit</c>, never several at once.
    /// </summary>
    SpikeArrest,

    /// <summary>
    /// <see cref="RateLimitPolicyOptions.PermitLimit"/> requests per calendar period (<see cref="RateLimitPolicyOptions.Calendar"/>
    /// in <see cref="RateLimitPolicyOptions.TimeZone"/>) or per rolling <see cref="RateLimitPolicyOptions.Window"/>.
    /// </summary>
    Quota,
}
