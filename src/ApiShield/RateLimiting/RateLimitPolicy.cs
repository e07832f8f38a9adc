using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace ApiShield.RateLimiting;

/// <summary>One named policy, compiled once: its rules per tier, its partitioning and its header items.</summary>
internal sealed class RateLimitPolicy
{
    private readonly Dictionary<string, RateLimitTier>? _tiers;
    private readonly string? _tierClaim;

    public RateLimitPolicy(string name, RateLimitPolicyOptions options)
    {
        Name = name;
        Partition = options.Partition;
        PartitionClaim = options.PartitionClaim;
        PartitionBy = options.PartitionBy;
        Default = new RateLimitTier(RateLimitRule.Create(name, options, options.PermitLimit, options.Burst));
        if (options.TierClaim is { } tierClaim && options.Tiers.Count > 0)
        {
            _tierClaim = tierClaim;
            _tiers = new Dictionary<string, RateLimitTier>(StringComparer.Ordinal);
            foreach (var (tier, limits) in options.Tiers)
            {
                _tiers[tier] = new RateLimitTier(RateLimitRule.Create(name, options, limits.PermitLimit, limits.Burst));
            }
        }
    }

    public string Name { get; }

    public RateLimitPartitionKind Partition { get; }

    public string? PartitionClaim { get; }

    public Func<HttpContext, string?>? PartitionBy { get; }

    public RateLimitTier Default { get; }

    public bool HasTiers => _tiers is not null;

    /// <summary>The caller's tier: the one its tier claim names, else the policy's own limits.</summary>
    /// <remarks>A tier claim carried more than once (a JSON array) names no tier: its order must not buy a higher one.</remarks>
    public RateLimitTier SelectTier(ClaimsPrincipal user)
    {
        if (_tiers is not null && RateLimitClaims.SingleValue(user, _tierClaim!) is { } tier && _tiers.TryGetValue(tier, out var selected))
        {
            return selected;
        }

        return Default;
    }
}
