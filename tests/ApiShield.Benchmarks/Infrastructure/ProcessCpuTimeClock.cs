namespace ApiShield.Benchmarks.Infrastructure;

/// <summary>
/// The CPU time the whole benchmark process has consumed, every thread together (Linux <c>CLOCK_PROCESS_CPUTIME_ID</c>):
/// for work spread over the thread pool, what the client side costs, without the time spent waiting for a server.
/// </summary>
public sealed class ProcessCpuTimeClock() : CpuTimeClock(2, "Process CPU time");
