using System.Runtime.InteropServices;
using Perfolizer.Horology;

namespace ApiShield.Benchmarks.Infrastructure;

/// <summary>
/// The CPU time the measuring thread has consumed (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>): on a machine shared with
/// other work, time spent descheduled is not counted. Only valid for a workload that runs synchronously on that thread.
/// </summary>
/// <remarks>Public with a parameterless constructor: BenchmarkDotNet recreates it in the benchmark process.</remarks>
public sealed partial class ThreadCpuTimeClock : IClock
{
    private const int ClockThreadCpuTimeId = 3;
    private const long NanosecondsPerSecond = 1_000_000_000;

    public string Title => "Thread CPU time";

    public bool IsAvailable => OperatingSystem.IsLinux();

    public Frequency Frequency => new(NanosecondsPerSecond);

    public long GetTimestamp()
    {
        if (ClockGetTime(ClockThreadCpuTimeId, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
        }

        return (time.Seconds * NanosecondsPerSecond) + time.Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
