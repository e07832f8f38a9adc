using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// A busy shard: threads that all take one lock at once, as every request does when a policy partitions by a
/// constant (a global quota, or a custom partition that returns one value). Each operation takes the lock around what
/// a decision does under it, a dictionary lookup by a 32-character key and a counter update. Rows: the
/// <see cref="Lock"/> the in-memory store used before (baseline) and the <see cref="SpinLock"/> it uses now, with as
/// many threads as processors and with four times as many (threads descheduled while they hold the lock).
/// </summary>
[Config(typeof(ConcurrentRateLimitConfig))]
public class ContendedShardLockBenchmarks
{
    // Split among the threads, so that every row reports per lock taken.
    private const int Operations = 800_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _counters = [];
    private string[] _keys = [];
    private SpinLock _spinLock = new(enableThreadOwnerTracking: false);

    [Params(1, 4)]
    public int ThreadsPerProcessor { get; set; }

    private int Threads => ThreadsPerProcessor * Environment.ProcessorCount;

    [GlobalSetup]
    public void Setup()
    {
        _keys = RedisScenarios.Partitions(1_000);
        foreach (var key in _keys)
        {
            _counters[key] = 0;
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void Lock_Contended() => Run(i =>
    {
        lock (_lock)
        {
            Update(i);
        }
    });

    [Benchmark(OperationsPerInvoke = Operations)]
    public void SpinLock_Contended() => Run(i =>
    {
        var taken = false;
        _spinLock.Enter(ref taken);
        try
        {
            Update(i);
        }
        finally
        {
            _spinLock.Exit(useMemoryBarrier: false);
        }
    });

    private void Update(int i) => CollectionsMarshal.GetValueRefOrNullRef(_counters, _keys[i % _keys.Length])++;

    private void Run(Action<int> operation)
    {
        using var go = new ManualResetEventSlim();
        var threads = new Thread[Threads];
        var perThread = Operations / threads.Length;
        for (var t = 0; t < threads.Length; t++)
        {
            var offset = t * 7;
            threads[t] = new Thread(() =>
            {
                go.Wait();
                for (var i = 0; i < perThread; i++)
                {
                    operation(offset + i);
                }
            });
            threads[t].Start();
        }

        go.Set();
        foreach (var thread in threads)
        {
            thread.Join();
        }
    }
}
