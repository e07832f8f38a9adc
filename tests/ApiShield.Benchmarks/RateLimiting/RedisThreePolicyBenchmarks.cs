using BenchmarkDotNet.Attributes;

namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// An endpoint with three policies (a spike arrest, a per-minute rate, a daily quota) against one local Redis, 64
/// concurrent callers over 1 key and over 1,000 keys: ApiShield decides all three in one script call;
/// RedisRateLimiting 1.2.1 chains three limiters, one script call each. <c>Op/s</c> is requests per second.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ConcurrentRateLimitConfig))]
public class RedisThreePolicyBenchmarks : RedisDeciderBenchmarks
{
    [GlobalSetup(Target = nameof(RedisRateLimiting_ThreeChained))]
    public async Task SetupChainedAsync()
    {
        var admitted = await StartAsync(RedisScenarios.RedisRateLimitingThreePolicies);
        if (admitted != ConcurrentCallers.Decisions)
        {
            throw new InvalidOperationException($"The chained limiters admitted {admitted} of {ConcurrentCallers.Decisions} requests: the benchmark would not measure the admitted path.");
        }
    }

    [GlobalSetup(Target = nameof(ApiShield_ThreePolicies))]
    public async Task SetupApiShieldAsync()
    {
        // The spike arrest admits one request per microsecond of Redis time; two scripts that read the same microsecond
        // (one key, 64 callers) refuse the second. Such refusals are rare; a run where they are not is not worth measuring.
        var admitted = await StartAsync(RedisScenarios.ApiShieldThreePolicies);
        Console.WriteLine($"// ApiShield admitted {admitted} of {ConcurrentCallers.Decisions} requests in setup.");
        if (admitted < ConcurrentCallers.Decisions * 99 / 100)
        {
            throw new InvalidOperationException($"ApiShield admitted {admitted} of {ConcurrentCallers.Decisions} requests: the benchmark would not measure the admitted path.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = ConcurrentCallers.Decisions)]
    public Task<int> RedisRateLimiting_ThreeChained() => DecideAsync();

    [Benchmark(OperationsPerInvoke = ConcurrentCallers.Decisions)]
    public Task<int> ApiShield_ThreePolicies() => DecideAsync();
}
