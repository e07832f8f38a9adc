using StackExchange.Redis;

namespace ApiShield.Stores.Redis;

/// <summary>The host's own multiplexer, registered by <c>UseRedis(IConnectionMultiplexer)</c>.</summary>
internal sealed class RedisMultiplexerSource(Func<IServiceProvider, IConnectionMultiplexer> factory)
{
    public IConnectionMultiplexer Get(IServiceProvider services) => factory(services);
}
