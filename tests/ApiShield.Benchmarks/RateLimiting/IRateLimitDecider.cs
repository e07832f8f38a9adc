namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>One limiter under test, asked about one request of one caller against one of its prepared keys.</summary>
internal interface IRateLimitDecider : IAsyncDisposable
{
    /// <param name="caller">The concurrent caller asking (0 to 63): each owns its buffers.</param>
    /// <param name="key">The index of the partition (client) the request is counted against.</param>
    /// <returns>Whether the request is admitted.</returns>
    ValueTask<bool> DecideAsync(int caller, int key);
}
