using ApiShield.RateLimiting;

namespace ApiShield.Stores.Redis;

/// <summary>Rate-limit counters in Redis (placeholder: implemented on feature/rl-redis).</summary>
internal sealed class RedisRateLimitStore(RedisConnection connection) : IRateLimitStore
{
    public ValueTask<bool> AcquireAsync(ReadOnlyMemory<RateLimitCharge> charges, Memory<RateLimitVerdict> verdicts, CancellationToken cancellationToken)
    {
        _ = connection;
        throw new NotImplementedException();
    }
}
