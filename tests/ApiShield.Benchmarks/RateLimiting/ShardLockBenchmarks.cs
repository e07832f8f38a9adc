using ApiShield.Benchmarks.Infrastructure;
using BenchmarkDotNet.Attributes;

namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// The in-memory store's shard lock, uncontended, taken and released around one counter update: the
/// <see cref="Lock"/> the store used before (baseline), <see cref="Monitor"/>, and the <see cref="SpinLock"/> it uses
/// now (no owner tracking, released by a plain write). A decision takes one such lock, so its cost is part of every
/// row of <see cref="InMemoryRateLimiterBenchmarks"/>.
/// </summary>
[Config(typeof(SharedMachineConfig))]
public class ShardLockBenchmarks
{
    private readonly Lock _lock = new();
    private readonly object _monitor = new();
    private SpinLock _spinLock = new(enableThreadOwnerTracking: false);
    private long _counter;

    [Benchmark(Baseline = true)]
    public long Lock_EnterExit()
    {
        lock (_lock)
        {
            return ++_counter;
        }
    }

    [Benchmark]
    public long Monitor_EnterExit()
    {
        lock (_monitor)
        {
            return ++_counter;
        }
    }

    [Benchmark]
    public long SpinLock_EnterExit()
    {
        var taken = false;
        _spinLock.Enter(ref taken);
        try
        {
            return ++_counter;
        }
        finally
        {
            _spinLock.Exit(useMemoryBarrier: false);
        }
    }
}
