using ApiShield.Stores.InMemory;
using ApiShield.Stores.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ApiShield.RateLimiting;

internal static class RateLimitingServices
{
    /// <summary>Registers rate limiting; it stays inert until a policy applies to an endpoint.</summary>
    public static void Add(IServiceCollection services)
    {
        // The node's own store: the whole store on one node, the 'Local' failure mode's store with Redis.
        services.TryAddSingleton<InMemoryRateLimitStore>();
        services.TryAddSingleton<IRateLimitStore>(static sp => RedisConnection.IsConfigured(sp)
            ? ActivatorUtilities.CreateInstance<RedisRateLimitStore>(sp)
            : sp.GetRequiredService<InMemoryRateLimitStore>());
        services.TryAddSingleton<RateLimitEngine>();
        services.TryAddSingleton<RateLimitPolicySet>();
        services.TryAddSingleton(static sp => new RateLimitPartitioner(
            hashPartitions: sp.GetRequiredService<IRateLimitStore>() is not InMemoryRateLimitStore,
            ipv6PrefixLength: sp.GetRequiredService<IOptions<ApiShieldOptions>>().Value.RateLimiting.IPv6PrefixLength));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Hosting.IStartupFilter, RateLimitEndpointAudit>());
    }
}
