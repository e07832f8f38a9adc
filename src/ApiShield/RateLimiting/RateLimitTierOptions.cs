namespace ApiShield.RateLimiting;

/// <summary>The limits a policy applies to callers of one plan or tier, bound to <c>ApiShield:RateLimiting:Policies:&lt;name&gt;:Tiers:&lt;tier&gt;</c>.</summary>
public sealed class RateLimitTierOptions
{
    /// <summary>The number of requests per window for this tier.</summary>
    /// <value>The default value is 0, which is invalid: every tier states its limit.</value>
    public long PermitLimit { get; set; }

    /// <summary>The burst for this tier (<see cref="RateLimitKind.Rate"/> only).</summary>
    /// <value>The default value is <see langword="null"/>: the tier's <see cref="PermitLimit"/>.</value>
    public long? Burst { get; set; }
}
