using BenchmarkDotNet.Attributes;
using StackExchange.Redis;

namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// Decisions per second against one local Redis, 64 concurrent callers over 1 key and over 1,000 keys: ApiShield's
/// Redis store behind <c>RateLimitEngine</c> against RedisRateLimiting 1.2.1, for a token bucket (ApiShield's
/// <c>Rate</c>, GCRA) and an hourly fixed window (ApiShield's calendar-hour <c>Quota</c>), plus a token bucket that
/// rejects. One operation is one decision (<c>OperationsPerInvoke</c>): <c>Op/s</c> is decisions per second.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ConcurrentRateLimitConfig))]
public class RedisRateLimiterBenchmarks : RedisDeciderBenchmarks
{
    [GlobalSetup(Target = nameof(RedisRateLimiting_TokenBucket))]
    public Task SetupTokenBucketAsync()
        => SetupAsync((redis, partitions) => RedisScenarios.RedisRateLimitingTokenBucket(redis, partitions, rejecting: false), ConcurrentCallers.Decisions);

    [GlobalSetup(Target = nameof(ApiShield_Rate))]
    public Task SetupRateAsync()
        => SetupAsync((redis, partitions) => RedisScenarios.ApiShieldTokenBucket(redis, partitions, rejecting: false), ConcurrentCallers.Decisions);

    [GlobalSetup(Target = nameof(ApiShield_Rate_StoreOnly))]
    public Task SetupRateStoreOnlyAsync() => SetupAsync(RedisScenarios.ApiShieldTokenBucketStoreOnly, ConcurrentCallers.Decisions);

    [GlobalSetup(Target = nameof(RedisRateLimiting_FixedWindow))]
    public Task SetupFixedWindowAsync() => SetupAsync(RedisScenarios.RedisRateLimitingFixedWindow, ConcurrentCallers.Decisions);

    [GlobalSetup(Target = nameof(ApiShield_QuotaCalendarHour))]
    public Task SetupQuotaAsync() => SetupAsync(RedisScenarios.ApiShieldFixedWindow, ConcurrentCallers.Decisions);

    // The first request per key is admitted; after it, every one is refused.
    [GlobalSetup(Target = nameof(RedisRateLimiting_TokenBucket_Rejecting))]
    public Task SetupTokenBucketRejectingAsync()
        => SetupAsync((redis, partitions) => RedisScenarios.RedisRateLimitingTokenBucket(redis, partitions, rejecting: true), 0);

    [GlobalSetup(Target = nameof(ApiShield_Rate_Rejecting))]
    public Task SetupRateRejectingAsync()
        => SetupAsync((redis, partitions) => RedisScenarios.ApiShieldTokenBucket(redis, partitions, rejecting: true), 0);

    [Benchmark(Baseline = true, OperationsPerInvoke = ConcurrentCallers.Decisions)]
    [BenchmarkCategory("TokenBucket")]
    public Task<int> RedisRateLimiting_TokenBucket() => DecideAsync();

    [Benchmark(OperationsPerInvoke = ConcurrentCallers.Decisions)]
    [BenchmarkCategory("TokenBucket")]
    public Task<int> ApiShield_Rate() => DecideAsync();

    /// <summary>The store without the engine around it (no timeout, no circuit breaker): a diagnostic, not a candidate.</summary>
    [Benchmark(OperationsPerInvoke = ConcurrentCallers.Decisions)]
    [BenchmarkCategory("TokenBucket")]
    public Task<int> ApiShield_Rate_StoreOnly() => DecideAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = ConcurrentCallers.Decisions)]
    [BenchmarkCategory("FixedWindow")]
    public Task<int> RedisRateLimiting_FixedWindow() => DecideAsync();

    [Benchmark(OperationsPerInvoke = ConcurrentCallers.Decisions)]
    [BenchmarkCategory("FixedWindow")]
    public Task<int> ApiShield_QuotaCalendarHour() => DecideAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = ConcurrentCallers.Decisions)]
    [BenchmarkCategory("TokenBucketRejecting")]
    public Task<int> RedisRateLimiting_TokenBucket_Rejecting() => DecideAsync();

    [Benchmark(OperationsPerInvoke = ConcurrentCallers.Decisions)]
    [BenchmarkCategory("TokenBucketRejecting")]
    public Task<int> ApiShield_Rate_Rejecting() => DecideAsync();

    private async Task SetupAsync(Func<IConnectionMultiplexer, string[], IRateLimitDecider> create, int admitted)
    {
        var actual = await StartAsync(create);
        if (actual != admitted)
        {
            throw new InvalidOperationException($"The limiter admitted {actual} of {ConcurrentCallers.Decisions} requests, not {admitted}: the benchmark would not measure the path it names.");
        }
    }
}
