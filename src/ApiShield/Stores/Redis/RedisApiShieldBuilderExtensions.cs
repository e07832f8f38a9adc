using ApiShield.Stores.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace ApiShield;

/// <summary>Puts ApiShield's shared state (the revocation list) in Redis, so every node of the API shares it.</summary>
public static class RedisApiShieldBuilderExtensions
{
    /// <summary>Uses the Redis server at <paramref name="connectionString"/>; the connection opens on first use.</summary>
    /// <param name="builder">The ApiShield builder.</param>
    /// <param name="connectionString">A StackExchange.Redis configuration string, for example <c>redis:6379,password=…</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <remarks>Equivalent to setting <c>ApiShield:Redis:ConnectionString</c>; the value given here wins over configuration.</remarks>
    public static IApiShieldBuilder UseRedis(this IApiShieldBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseRedis(options => options.ConnectionString = connectionString);
    }

    /// <summary>Uses Redis, configured on top of the <c>ApiShield:Redis</c> section.</summary>
    /// <param name="builder">The ApiShield builder.</param>
    /// <param name="configure">Sets the connection string and instance name; runs after configuration binding.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IApiShieldBuilder UseRedis(this IApiShieldBuilder builder, Action<RedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure<ApiShieldOptions>(options => configure(options.Redis));
        return builder;
    }

    /// <summary>Uses a multiplexer the host already has (its distributed cache's, for example); ApiShield never disposes it.</summary>
    /// <param name="builder">The ApiShield builder.</param>
    /// <param name="multiplexer">Resolves the multiplexer on first use.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <remarks>
    /// Keys are prefixed with <c>ApiShield:Redis:InstanceName</c>. Configure the multiplexer with
    /// <c>AbortOnConnectFail = false</c> so that a Redis that is down at startup is retried rather than fatal.
    /// </remarks>
    public static IApiShieldBuilder UseRedis(this IApiShieldBuilder builder, Func<IServiceProvider, IConnectionMultiplexer> multiplexer)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(multiplexer);
        builder.Services.RemoveAll<RedisMultiplexerSource>();
        builder.Services.AddSingleton(new RedisMultiplexerSource(multiplexer));
        return builder;
    }
}
