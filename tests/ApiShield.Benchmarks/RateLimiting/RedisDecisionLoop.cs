using System.Diagnostics;

namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// <c>--loop &lt;limiter&gt; &lt;seconds&gt;</c>: one Redis limiter of the benchmarks deciding for 64 concurrent callers over
/// 1,000 keys until the time is up, then its decisions per second; a process to attach a profiler to
/// (<c>dotnet-trace collect --profile cpu-sampling -- dotnet ApiShield.Benchmarks.dll --loop apishield-rate 20</c>).
/// </summary>
internal static class RedisDecisionLoop
{
    private const int Keys = 1_000;

    public static readonly IReadOnlyDictionary<string, Func<StackExchange.Redis.IConnectionMultiplexer, string[], IRateLimitDecider>> Limiters =
        new Dictionary<string, Func<StackExchange.Redis.IConnectionMultiplexer, string[], IRateLimitDecider>>(StringComparer.Ordinal)
        {
            ["floor"] = (redis, partitions) => new RawScriptDecider(redis, partitions),
            ["floor-shaped"] = (redis, partitions) => new RawScriptDecider(redis, partitions, shaped: true),
            ["apishield-rate"] = (redis, partitions) => RedisScenarios.ApiShieldTokenBucket(redis, partitions, rejecting: false),
            ["apishield-rate-store"] = RedisScenarios.ApiShieldTokenBucketStoreOnly,
            ["apishield-quota"] = RedisScenarios.ApiShieldFixedWindow,
            ["apishield-three"] = RedisScenarios.ApiShieldThreePolicies,
            ["redisratelimiting-tokenbucket"] = (redis, partitions) => RedisScenarios.RedisRateLimitingTokenBucket(redis, partitions, rejecting: false),
            ["redisratelimiting-fixedwindow"] = RedisScenarios.RedisRateLimitingFixedWindow,
            ["redisratelimiting-three"] = RedisScenarios.RedisRateLimitingThreePolicies,
        };

    public static async Task RunAsync(string limiter, int seconds, TextWriter output)
    {
        if (!Limiters.TryGetValue(limiter, out var create))
        {
            await output.WriteLineAsync($"Unknown limiter '{limiter}'; one of: {string.Join(", ", Limiters.Keys)}.");
            return;
        }

        await using var redis = await BenchmarkRedis.ConnectAndFlushAsync();
        await using var decider = create(redis, RedisScenarios.Partitions(Keys));
        await ConcurrentCallers.RunAsync(decider, Keys);
        var server = BenchmarkRedis.Server(redis);
        var serverCpu = await RedisCommandStats.ServerCpuSecondsAsync(server);
        using var process = Process.GetCurrentProcess();
        var clientCpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        long decisions = 0, admitted = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            admitted += await ConcurrentCallers.RunAsync(decider, Keys);
            decisions += ConcurrentCallers.Decisions;
        }

        var elapsed = clock.Elapsed;
        var bytesPerDecision = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)decisions;
        process.Refresh();
        var clientMicros = (process.TotalProcessorTime - clientCpu).TotalMicroseconds / decisions;
        var serverMicros = (await RedisCommandStats.ServerCpuSecondsAsync(server) - serverCpu) * 1e6 / decisions;
        await output.WriteLineAsync(string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"{limiter}: {decisions / elapsed.TotalSeconds:0} decisions/s, {admitted} of {decisions} admitted; CPU per decision: client {clientMicros:0.0} µs, Redis {serverMicros:0.0} µs, together {clientMicros + serverMicros:0.0} µs; {bytesPerDecision:0} B allocated per decision."));
    }
}
