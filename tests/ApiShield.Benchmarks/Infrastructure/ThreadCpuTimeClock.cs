namespace ApiShield.Benchmarks.Infrastructure;

/// <summary>
/// The CPU time the measuring thread has consumed (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>): on a machine shared with
/// other work, time spent descheduled is not counted. Only valid for a workload that runs synchronously on that thread.
/// </summary>
public sealed class ThreadCpuTimeClock() : CpuTimeClock(3, "Thread CPU time");
