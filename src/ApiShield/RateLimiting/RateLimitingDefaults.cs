namespace ApiShield.RateLimiting;

internal static class RateLimitingDefaults
{
    public const string TimeZone = "UTC";

    public const int Segments = 10;

    public const int IPv6PrefixLength = 64;

    public const int FailuresBeforeBreak = 3;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan StoreTimeout = TimeSpan.FromMilliseconds(250);

    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(5);
}
