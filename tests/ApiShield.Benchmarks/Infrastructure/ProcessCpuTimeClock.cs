using System.Runtime.InteropServices;
using Perfolizer.Horology;

namespace ApiShield.Benchmarks.Infrastructure;

/// <summary>
/// The CPU time the whole benchmark process has consumed, every thread together (Linux <c>CLOCK_PROCESS_CPUTIME_ID</c>):
/// for work spread over the thread pool, what the client side costs, without the time spent waiting for a server.
/// </summary>
/// <remarks>Public with a parameterless constructor: BenchmarkDotNet recreates it in the benchmark process.</remarks>
public sealed partial class ProcessCpuTimeClock : IClock
{
    private const int ClockProcessCpuTimeId = 2;
    private const long NanosecondsPerSecond = 1_000_000_000;

    public string Title => "Process CPU time";

    public bool IsAvailable => OperatingSystem.IsLinux();

    public Frequency Frequency => new(NanosecondsPerSecond);

    public long GetTimestamp()
    {
        if (ClockGetTime(ClockProcessCpuTimeId, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed.");
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
