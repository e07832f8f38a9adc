namespace ApiShield.Revocation;

internal static class RevocationDefaults
{
    public const bool Enabled = false;
    public const bool RequireTokenId = true;
    public const bool BurnTokensSeenOverHttp = true;
    public static readonly TimeSpan MaxStaleness = TimeSpan.FromMinutes(5);
    public const RevocationStalenessMode StalenessMode = RevocationStalenessMode.FailClosed;
    public static readonly TimeSpan SyncInterval = TimeSpan.FromMilliseconds(500);

    // How often expired entries are dropped from the replica; the check itself never sees them as live.
    public static readonly TimeSpan CleanupInterval = TimeSpan.FromSeconds(30);

    // A node further behind than this many changes reloads the whole list instead of replaying the log.
    public const int LogLength = 10_000;

    /// <summary>
    /// How long a subject or client entry lives past its cut-off: every token issued before it has expired by then.
    /// The longest any entry lives; the Redis store's key TTL follows it.
    /// </summary>
    public static TimeSpan CutOffEntryLifetime(ApiShieldOptions options) =>
        (options.Revocation.MaxTokenLifetime ?? options.Tokens.MaxTokenLifetime) + options.Tokens.ClockSkew;

    public const int ReasonMaxLength = 256;
    public const int ValueMaxLength = 1024;
}
