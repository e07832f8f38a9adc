namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// 64 asynchronous loops asking one limiter for decisions at the same time, as 64 requests in flight on an API node
/// would: caller <c>c</c> walks the keys from its own starting point, so with many keys the callers rarely meet.
/// </summary>
internal static class ConcurrentCallers
{
    public const int Callers = 64;

    public const int DecisionsPerCaller = 100;

    /// <summary>The decisions in one benchmark operation batch; the benchmarks' <c>OperationsPerInvoke</c>.</summary>
    public const int Decisions = Callers * DecisionsPerCaller;

    /// <returns>How many of the <see cref="Decisions"/> were admissions.</returns>
    public static async Task<int> RunAsync(IRateLimitDecider decider, int keys)
    {
        var loops = new Task<int>[Callers];
        for (var caller = 0; caller < Callers; caller++)
        {
            loops[caller] = LoopAsync(decider, caller, keys);
        }

        var admitted = 0;
        foreach (var count in await Task.WhenAll(loops).ConfigureAwait(false))
        {
            admitted += count;
        }

        return admitted;
    }

    private static async Task<int> LoopAsync(IRateLimitDecider decider, int caller, int keys)
    {
        var key = caller * keys / Callers;
        var admitted = 0;
        for (var i = 0; i < DecisionsPerCaller; i++)
        {
            if (await decider.DecideAsync(caller, key).ConfigureAwait(false))
            {
                admitted++;
            }

            key = key + 1 == keys ? 0 : key + 1;
        }

        return admitted;
    }
}
