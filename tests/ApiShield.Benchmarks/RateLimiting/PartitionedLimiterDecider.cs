using System.Threading.RateLimiting;

namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// A <see cref="PartitionedRateLimiter{TResource}"/> (ASP.NET Core's, or RedisRateLimiting's built on it) asked for one
/// permit per request, as a host calls it: <c>AcquireAsync</c> (RedisRateLimiting's <c>AttemptAcquire</c> would block a
/// thread on Redis) or <c>AttemptAcquire</c> (in memory, what ASP.NET Core's middleware tries first).
/// </summary>
internal sealed class PartitionedLimiterDecider<TResource>(PartitionedRateLimiter<TResource> limiter, TResource[] resources) : IRateLimitDecider
{
    public async ValueTask<bool> DecideAsync(int caller, int key)
    {
        using var lease = await limiter.AcquireAsync(resources[key]).ConfigureAwait(false);
        return lease.IsAcquired;
    }

    public bool AttemptAcquire(int key)
    {
        using var lease = limiter.AttemptAcquire(resources[key]);
        return lease.IsAcquired;
    }

    public ValueTask DisposeAsync() => limiter.DisposeAsync();
}
