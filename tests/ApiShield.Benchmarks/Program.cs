using ApiShield.Benchmarks.RateLimiting;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

if (args is ["--commandstats"])
{
    await RedisCommandStats.RunAsync(Console.Out);
    return;
}

if (args is ["--loop", var limiter, var seconds])
{
    await RedisDecisionLoop.RunAsync(limiter, int.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture), Console.Out);
    return;
}

// The generated benchmark project is built on the spot; on a busy machine that outlasts the default two minutes.
var config = ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(10));

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
