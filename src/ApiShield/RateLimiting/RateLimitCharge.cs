namespace ApiShield.RateLimiting;

/// <summary>One policy to check for one request: the compiled rule (at the caller's tier) and the hashed partition.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="Partition">The partition, hashed (32 lower-case hex digits); never a raw IP address or user id.</param>
internal readonly record struct RateLimitCharge(RateLimitRule Rule, string Partition);
