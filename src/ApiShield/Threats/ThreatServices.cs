using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ApiShield.Threats;

/// <summary>Threat protection's services, registered by <c>AddApiShield()</c>.</summary>
internal static class ThreatServices
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton<JsonEndpointPolicies>();
        services.TryAddSingleton<ThreatAuditState>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiShieldOptions>, ThreatOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, ThreatConfigurationAudit>());
    }
}
