using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ApiShield.Benchmarks.Filtering;

/// <summary>
/// A short in-process job: the machine is shared, and an out-of-process build of the boilerplate can exceed
/// BenchmarkDotNet's build timeout there. Ratios against the baselines are what these benchmarks are for.
/// </summary>
public sealed class FilteringBenchmarkConfig : ManualConfig
{
    public FilteringBenchmarkConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(6));
    }
}
