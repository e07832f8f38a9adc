using StackExchange.Redis;

namespace ApiShield.Stores.Redis;

/// <summary>
/// Every Redis key and channel ApiShield uses, built here only. A capability's keys share one hash tag, so a
/// script touching several of them runs in one cluster slot.
/// </summary>
internal sealed class RedisKeys
{
    public RedisKeys(string instanceName)
    {
        var tag = "{" + instanceName + "revocation}";
        RevocationMeta = tag + ":meta";
        RevocationEntries = tag + ":entries";
        RevocationExpiry = tag + ":expiry";
        RevocationLog = tag + ":log";
        RevocationChannel = RedisChannel.Literal(tag + ":changes");
    }

    public RedisKey RevocationMeta { get; }

    public RedisKey RevocationEntries { get; }

    public RedisKey RevocationExpiry { get; }

    public RedisKey RevocationLog { get; }

    public RedisChannel RevocationChannel { get; }
}
