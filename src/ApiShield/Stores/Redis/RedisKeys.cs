using StackExchange.Redis;

namespace ApiShield.Stores.Redis;

/// <summary>
/// Every Redis key and channel ApiShield uses, built here only. A capability's keys share one hash tag, so a
/// script touching several of them runs in one cluster slot.
/// </summary>
internal sealed class RedisKeys
{
    private readonly string _rateLimitPrefix;

    public RedisKeys(string instanceName)
    {
        var tag = "{" + instanceName + "revocation}";
        RevocationMeta = tag + ":meta";
        RevocationEntries = tag + ":entries";
        RevocationExpiry = tag + ":expiry";
        RevocationLog = tag + ":log";
        RevocationChannel = RedisChannel.Literal(tag + ":changes");
        _rateLimitPrefix = instanceName + "rl:{";
    }

    public RedisKey RevocationMeta { get; }

    public RedisKey RevocationEntries { get; }

    public RedisKey RevocationExpiry { get; }

    public RedisKey RevocationLog { get; }

    public RedisChannel RevocationChannel { get; }

    /// <summary>
    /// A rate-limit counter: <c>&lt;instance&gt;rl:{&lt;partition hash&gt;}:&lt;policy&gt;:&lt;algorithm&gt;</c>. The hash
    /// tag is the partition hash, so one caller's counters (every policy of a request) share a cluster slot.
    /// </summary>
    /// <param name="partition">The hashed partition (never a raw value).</param>
    /// <param name="keySuffix">The rule's <c>KeySuffix</c>.</param>
    public RedisKey RateLimit(string partition, string keySuffix) => string.Concat(_rateLimitPrefix, partition, "}:", keySuffix);

    /// <summary>A fixed window's counter: <see cref="RateLimit(string, string)"/> followed by <c>:&lt;period start in Unix microseconds&gt;</c>.</summary>
    public RedisKey RateLimit(string partition, string keySuffix, long periodStart)
        => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_rateLimitPrefix}{partition}}}:{keySuffix}:{periodStart}");
}
