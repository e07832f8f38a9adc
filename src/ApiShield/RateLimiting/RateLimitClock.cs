namespace ApiShield.RateLimiting;

/// <summary>Rate-limit time is Unix microseconds: exact in a Lua double (below 2^53 until the year 2255) and fine enough for spike arrest.</summary>
internal static class RateLimitClock
{
    public const long MicrosPerSecond = 1_000_000;

    public static long NowMicros(TimeProvider time) => ToUnixMicros(time.GetUtcNow());

    public static long ToUnixMicros(DateTimeOffset instant) => (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset FromUnixMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond);

    public static long ToMicros(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>Whole seconds, rounded up: a client told to wait this long never comes back too early.</summary>
    public static long CeilingSeconds(long micros) => micros <= 0 ? 0 : (micros + MicrosPerSecond - 1) / MicrosPerSecond;
}
