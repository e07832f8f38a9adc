using System.Runtime.InteropServices;
using Perfolizer.Horology;

namespace ApiShield.Benchmarks.Infrastructure;

/// <summary>A Linux CPU-time clock (<c>clock_gettime</c>) for a BenchmarkDotNet job on a machine shared with other work.</summary>
/// <remarks>Subclasses are public with a parameterless constructor: BenchmarkDotNet recreates them in the benchmark process.</remarks>
public abstract partial class CpuTimeClock : IClock
{
    private const long NanosecondsPerSecond = 1_000_000_000;

    private readonly int _clockId;

    protected CpuTimeClock(int clockId, string title)
    {
        _clockId = clockId;
        Title = title;
    }

    public string Title { get; }

    public bool IsAvailable => OperatingSystem.IsLinux();

    public Frequency Frequency => new(NanosecondsPerSecond);

    public long GetTimestamp()
    {
        if (ClockGetTime(_clockId, out var time) != 0)
        {
            throw new InvalidOperationException($"clock_gettime({_clockId}) failed.");
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
