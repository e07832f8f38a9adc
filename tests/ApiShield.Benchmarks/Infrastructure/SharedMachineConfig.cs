using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace ApiShield.Benchmarks.Infrastructure;

/// <summary>
/// One short job measured twice: by the wall clock, and on Linux by the CPU time of the benchmark thread, which time
/// spent descheduled by other work on a shared machine does not inflate. Ratios are computed within each job.
/// </summary>
public sealed class SharedMachineConfig : ManualConfig
{
    public SharedMachineConfig()
    {
        var job = Job.Default.WithLaunchCount(1).WithWarmupCount(5).WithIterationCount(20);
        AddJob(job.WithId("WallClock"));
        if (OperatingSystem.IsLinux())
        {
            AddJob(job.WithClock(new ThreadCpuTimeClock()).WithId("ThreadCpuTime"));
        }

        HideColumns("Clock");
    }
}
