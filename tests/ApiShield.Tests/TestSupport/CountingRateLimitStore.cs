using ApiShield.RateLimiting;

namespace ApiShield.Tests.TestSupport;

/// <summary>Passes every call to a real store and counts them, to prove when the engine does or does not call it.</summary>
internal sealed class CountingRateLimitStore(IRateLimitStore inner) : IRateLimitStore
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<bool> AcquireAsync(ReadOnlyMemory<RateLimitCharge> charges, Memory<RateLimitVerdict> verdicts, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return inner.AcquireAsync(charges, verdicts, cancellationToken);
    }
}
