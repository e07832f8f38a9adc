using BenchmarkDotNet.Attributes;
using StackExchange.Redis;

namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// What the Redis benchmark classes share: a flushed Redis, one limiter under test per benchmark (its setup picks it),
/// and 64 concurrent callers over <see cref="Keys"/> keys per operation.
/// </summary>
public abstract class RedisDeciderBenchmarks
{
    private ConnectionMultiplexer? _redis;
    private IRateLimitDecider? _decider;

    [Params(1, 1_000)]
    public int Keys { get; set; }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_decider is not null)
        {
            await _decider.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    /// <summary>One operation: <see cref="ConcurrentCallers.Decisions"/> decisions.</summary>
    protected Task<int> DecideAsync() => ConcurrentCallers.RunAsync(_decider!, Keys);

    /// <summary>Connects, flushes, builds the limiter and runs one warm-up batch.</summary>
    /// <returns>How many requests the batch after the warm-up admitted, for the setup to check the path it measures.</returns>
    private protected async Task<int> StartAsync(Func<IConnectionMultiplexer, string[], IRateLimitDecider> create)
    {
        _redis = await BenchmarkRedis.ConnectAndFlushAsync();
        _decider = create(_redis, RedisScenarios.Partitions(Keys));
        await ConcurrentCallers.RunAsync(_decider, Keys);
        return await ConcurrentCallers.RunAsync(_decider, Keys);
    }
}
