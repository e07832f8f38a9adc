namespace ApiShield.Stores.Redis;

/// <summary>The Redis server that shared stores use, bound to <c>ApiShield:Redis</c>.</summary>
/// <remarks>
/// When <see cref="ConnectionString"/> is set (or <c>UseRedis</c> is called on the ApiShield builder), state that
/// must be shared by every node (the revocation list) lives in Redis. The connection is opened lazily and retried
/// in the background: a Redis that is down at startup does not stop the host.
/// </remarks>
public sealed class RedisOptions
{
    /// <summary>The StackExchange.Redis configuration string, for example <c>redis:6379,password=…,ssl=true</c>.</summary>
    /// <value>The default value is <see langword="null"/>: stores are in memory, for one node.</value>
    public string? ConnectionString { get; set; }

    /// <summary>The prefix of every key and channel, so that several applications can share one Redis.</summary>
    /// <value>The default value is <c>apishield:</c>.</value>
    public string InstanceName { get; set; } = "apishield:";
}
