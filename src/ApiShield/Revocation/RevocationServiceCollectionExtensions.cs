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
        services.TryAddSingleton<IRevocationStore>(static sp =>
            RedisConnection.IsConfigured(sp)
                ? ActivatorUtilities.CreateInstance<RedisRevocationStore>(sp)
                : ActivatorUtilities.CreateInstance<InMemoryRevocationStore>(sp));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<JwtBearerOptions>, RevocationTokenValidation>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITokenExposureListener, RevocationExposureListener>());
        services.AddSingleton<RevocationSynchronizer>();
        services.AddSingleton<IHostedService>(static sp => sp.GetRequiredService<RevocationSynchronizer>());
    }
}
