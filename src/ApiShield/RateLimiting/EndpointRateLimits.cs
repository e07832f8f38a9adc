namespace ApiShield.RateLimiting;

/// <summary>The policies one endpoint enforces, resolved once per endpoint.</summary>
internal sealed class EndpointRateLimits
{
    public static readonly EndpointRateLimits None = new([], null);

    public EndpointRateLimits(RateLimitPolicy[] policies, string? unknownPolicy)
    {
        Policies = policies;
        UnknownPolicy = unknownPolicy;
        SharesPreviousPartition = new bool[policies.Length];
        for (var i = 1; i < policies.Length; i++)
        {
            SharesPreviousPartition[i] = SamePartitioning(policies[i - 1], policies[i]);
        }

        if (policies.Length > 0 && !policies.Any(static p => p.HasTiers))
        {
            PolicyHeader = string.Join(", ", policies.Select(static p => p.Default.PolicyItem));
            FixedTiers = policies.Select(static p => p.Default).ToArray();
        }
    }

    public RateLimitPolicy[] Policies { get; }

    /// <summary>Per policy, whether it partitions as the one before it does, and so shares its partition value (and hash).</summary>
    public bool[] SharesPreviousPartition { get; }

    /// <summary>A policy the endpoint names that does not exist; such an endpoint refuses every request.</summary>
    public string? UnknownPolicy { get; }

    /// <summary>The <c>RateLimit-Policy</c> value when no policy has tiers (the same for every caller).</summary>
    public string? PolicyHeader { get; }

    /// <summary>Every policy's rule when no policy has tiers: shared by all requests, never written to.</summary>
    public RateLimitTier[]? FixedTiers { get; }

    private static bool SamePartitioning(RateLimitPolicy previous, RateLimitPolicy current)
        => previous.PartitionBy is null && current.PartitionBy is null
            && previous.Partition == current.Partition
            && string.Equals(previous.PartitionClaim, current.PartitionClaim, StringComparison.Ordinal);
}
