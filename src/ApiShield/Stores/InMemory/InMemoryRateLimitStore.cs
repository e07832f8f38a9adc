using ApiShield.RateLimiting;

namespace ApiShield.Stores.InMemory;

/// <summary>Rate-limit counters in this process (placeholder: implemented on feature/rl-memory).</summary>
internal sealed class InMemoryRateLimitStore(TimeProvider time) : IRateLimitStore
{
    public ValueTask<bool> AcquireAsync(ReadOnlyMemory<RateLimitCharge> charges, Memory<RateLimitVerdict> verdicts, CancellationToken cancellationToken)
    {
        _ = time;
        throw new NotImplementedException();
    }
}
