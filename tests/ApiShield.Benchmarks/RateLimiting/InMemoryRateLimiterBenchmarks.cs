using System.Threading.RateLimiting;
using ApiShield.Benchmarks.Infrastructure;
using ApiShield.RateLimiting;
using ApiShield.Stores.InMemory;
using BenchmarkDotNet.Attributes;

namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// One decision in memory on the benchmark thread, over 1 key and over 1,000 keys taken in turn: ApiShield's
/// in-memory store (and <c>RateLimitEngine</c> over it) against ASP.NET Core's token bucket partitioned by the same
/// key (<see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/>, <c>AttemptAcquire</c> as its middleware
/// calls it first), for the same policy: 1,000,000 permits per second with a burst of 1,000,000,000 (the largest ApiShield accepts), so
/// that no run drains a bucket and every decision is an admission.
/// </summary>
/// <remarks>
/// <c>RateLimitPartition.GetTokenBucketLimiter</c> turns automatic replenishment off; the partitioned limiter
/// replenishes its buckets from one 100 ms timer, as in an app.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(SharedMachineConfig))]
public class InMemoryRateLimiterBenchmarks
{
    private const int Rate = 1_000_000;
    private const int Burst = 1_000_000_000;

    private ApiShieldDecider? _apiShield;
    private PartitionedLimiterDecider<string>? _aspNetCore;
    private ApiShieldDecider? _freeClock;
    private int _key;

    [Params(1, 1_000)]
    public int Keys { get; set; }

    [GlobalSetup(Target = nameof(AspNetCore_TokenBucket))]
    public void SetupAspNetCore()
    {
        var options = new TokenBucketRateLimiterOptions
        {
            TokenLimit = Burst,
            TokensPerPeriod = Rate,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            AutoReplenishment = false,
            QueueLimit = 0,
        };
        _aspNetCore = new(
            PartitionedRateLimiter.Create<string, string>(partition => RateLimitPartition.GetTokenBucketLimiter(partition, _ => options)),
            RedisScenarios.Partitions(Keys));
        for (var i = 0; i < Keys; i++)
        {
            if (!_aspNetCore.AttemptAcquire(i))
            {
                throw new InvalidOperationException("ASP.NET Core's limiter refused a request: the benchmark would not measure the admitted path.");
            }
        }
    }

    [GlobalSetup(Targets = [nameof(ApiShield_Store_Rate), nameof(ApiShield_Engine_Rate)])]
    public void SetupApiShield()
    {
        _apiShield = ApiShieldDecider.CreateInMemory(RedisScenarios.Partitions(Keys), RateRule());
        if (_apiShield.Store is not InMemoryRateLimitStore)
        {
            throw new InvalidOperationException($"AddApiShield() registered {_apiShield.Store.GetType().Name}, not the in-memory store.");
        }

        for (var i = 0; i < Keys; i++)
        {
            var store = _apiShield.AcquireAsync(0, i);
            var engine = _apiShield.DecideWithEngineAsync(0, i);
            if (!store.IsCompletedSuccessfully || !store.Result || !engine.IsCompletedSuccessfully || engine.Result != RateLimitOutcome.Admitted)
            {
                throw new InvalidOperationException("ApiShield refused a request or did not decide synchronously: the benchmark would not measure the admitted path on this thread.");
            }
        }
    }

    [GlobalSetup(Target = nameof(Reference_Store_Rate_FreeClock))]
    public void SetupFreeClock()
    {
        var clock = new CountingTimeProvider();
        _freeClock = ApiShieldDecider.CreateInMemory(clock, RedisScenarios.Partitions(Keys), RateRule());
        var before = clock.GetUtcNow();
        if (!Synchronous(_freeClock.AcquireAsync(0, 0)) || clock.GetUtcNow() - before <= TimeSpan.FromMicroseconds(1))
        {
            throw new InvalidOperationException("The store refused a request or did not read the benchmark's clock: the row would not measure the store on a free clock.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_apiShield is not null)
        {
            await _apiShield.DisposeAsync();
        }

        if (_aspNetCore is not null)
        {
            await _aspNetCore.DisposeAsync();
        }

        if (_freeClock is not null)
        {
            await _freeClock.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true)]
    public bool AspNetCore_TokenBucket() => _aspNetCore!.AttemptAcquire(NextKey());

    /// <summary>
    /// Reference row: one read of the clock the store reads per decision (<see cref="TimeProvider.System"/>), alone.
    /// ASP.NET Core's bucket reads no clock when it decides; this row says how much of the difference is that read.
    /// </summary>
    [Benchmark]
    public long Reference_ClockRead() => TimeProvider.System.GetUtcNow().UtcTicks;

    /// <summary>
    /// Reference row: the same store and decision as <see cref="ApiShield_Store_Rate"/> on a clock that costs nothing
    /// (a counter that moves 1 µs per read), so the row is the store's own work without the clock read.
    /// </summary>
    [Benchmark]
    public bool Reference_Store_Rate_FreeClock() => Synchronous(_freeClock!.AcquireAsync(0, NextKey()));

    [Benchmark]
    public bool ApiShield_Store_Rate() => Synchronous(_apiShield!.AcquireAsync(0, NextKey()));

    [Benchmark]
    public bool ApiShield_Engine_Rate() => Synchronous(_apiShield!.DecideWithEngineAsync(0, NextKey())) == RateLimitOutcome.Admitted;

    private static RateLimitRule RateRule() => RedisScenarios.Rule("rate", RateLimitKind.Rate, Rate, TimeSpan.FromSeconds(1), burst: Burst);

    private static T Synchronous<T>(ValueTask<T> decision)
        => decision.IsCompletedSuccessfully ? decision.Result : decision.AsTask().GetAwaiter().GetResult();

    private int NextKey()
    {
        var key = _key;
        _key = key + 1 == Keys ? 0 : key + 1;
        return key;
    }

    /// <summary>A clock that moves forward 1 µs each time it is read and does no other work.</summary>
    private sealed class CountingTimeProvider : TimeProvider
    {
        private long _ticks = TimeProvider.System.GetUtcNow().UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(_ticks += TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);
    }
}
