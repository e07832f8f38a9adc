using ApiShield.Benchmarks.Infrastructure;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// For decisions issued by <see cref="ConcurrentCallers"/>: one invocation per iteration (each is thousands of
/// decisions), measured by the wall clock (throughput, what the targets are about) and, on Linux, by the CPU time
/// of the whole client process (what a decision costs the API node, without the time spent waiting for Redis).
/// </summary>
/// <remarks>In process, as the filtering benchmarks: on a shared machine an out-of-process build can time out.</remarks>
public sealed class ConcurrentRateLimitConfig : ManualConfig
{
    public ConcurrentRateLimitConfig()
    {
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(12)
            .WithInvocationCount(1)
            .WithUnrollFactor(1);
        AddJob(job.WithId("WallClock"));
        if (OperatingSystem.IsLinux())
        {
            AddJob(job.WithClock(new ProcessCpuTimeClock()).WithId("ProcessCpuTime"));
        }

        AddColumn(StatisticColumn.OperationsPerSecond);
        HideColumns("Clock", "Toolchain", "InvocationCount", "UnrollFactor");
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory);
    }
}
