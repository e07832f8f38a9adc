using ApiShield.DependencyInjection;
using ApiShield.Stores.InMemory;
using ApiShield.Stores.Redis;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ApiShield.Revocation;

internal static class RevocationServiceCollectionExtensions
{
    /// <summary>Registers revocation; it stays inert until <c>ApiShield:Revocation:Enabled</c> is on.</summary>
    public static void AddRevocation(IServiceCollection services)
    {
        services.TryAddSingleton<RevocationMetrics>();
        services.TryAddSingleton<RevocationService>();
        services.TryAddSingleton<IRevocationService>(static sp => sp.GetRequiredService<RevocationService>());
        services.TryAddSingleton<RedisConnection>(static sp => ActivatorUtilities.CreateInstance<RedisConnection>(sp));
        services.TryAddSingleton<IRevocationStore>(static sp =>
            sp.GetRequiredService<IOptions<ApiShieldOptions>>().Value.Redis.ConnectionString is { Length: > 0 } || sp.GetService<RedisMultiplexerSource>() is not null
                ? ActivatorUtilities.CreateInstance<RedisRevocationStore>(sp)
                : ActivatorUtilities.CreateInstance<InMemoryRevocationStore>(sp));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<JwtBearerOptions>, RevocationTokenValidation>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITokenExposureListener, RevocationExposureListener>());
        services.AddSingleton<RevocationSynchronizer>();
        services.AddSingleton<IHostedService>(static sp => sp.GetRequiredService<RevocationSynchronizer>());
    }
}
