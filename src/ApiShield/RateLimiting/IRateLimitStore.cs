namespace ApiShield.RateLimiting;

/// <summary>Keeps rate-limit counters; in memory for one node, in Redis for many.</summary>
internal interface IRateLimitStore
{
    /// <summary>
    /// Decides every charge of one request together: it is admitted, and charged against every policy, only if
    /// every policy admits it; a rejected request changes nothing.
    /// </summary>
    /// <param name="charges">The request's policies.</param>
    /// <param name="verdicts">Receives one verdict per charge, in the same order.</param>
    /// <param name="cancellationToken">
    /// Cancels waiting for the store: a shared store must then throw <see cref="OperationCanceledException"/> at once,
    /// whatever its call is doing (the engine's store timeout), and never write into <paramref name="verdicts"/> later.
    /// </param>
    /// <returns>Whether the request is admitted.</returns>
    /// <exception cref="RateLimitStoreUnavailableException">The store did not answer.</exception>
    ValueTask<bool> AcquireAsync(ReadOnlyMemory<RateLimitCharge> charges, Memory<RateLimitVerdict> verdicts, CancellationToken cancellationToken);
}
