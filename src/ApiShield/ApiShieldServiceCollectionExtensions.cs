using ApiShield.DependencyInjection;
using ApiShield.Diagnostics;
using ApiShield.Filtering;
using ApiShield.Revocation;
using ApiShield.Scopes;
using ApiShield.Threats;
using ApiShield.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ApiShield;

/// <summary>Registers ApiShield's services.</summary>
public static class ApiShieldServiceCollectionExtensions
{
    /// <summary>
    /// Registers ApiShield with options bound from the <c>ApiShield</c> configuration section, and the JwtBearer
    /// <c>Bearer</c> scheme configured from <c>Authentication:Schemes:Bearer</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder for adding capabilities and stores.</returns>
    /// <remarks>Calling it more than once registers nothing twice. Options are validated when the host starts.</remarks>
    public static IApiShieldBuilder AddApiShield(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCore(services);
        return new ApiShieldBuilder(services);
    }

    /// <summary>
    /// Registers ApiShield as <see cref="AddApiShield(IServiceCollection)"/> does, then applies
    /// <paramref name="configure"/> on top of the <c>ApiShield</c> configuration section.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options; runs after configuration binding, so its values win.</param>
    /// <returns>A builder for adding capabilities and stores.</returns>
    public static IApiShieldBuilder AddApiShield(this IServiceCollection services, Action<ApiShieldOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        AddCore(services);
        services.Configure(configure);
        return new ApiShieldBuilder(services);
    }

    private static void AddCore(IServiceCollection services)
    {
        if (services.Any(static d => d.ServiceType == typeof(ApiShieldMarkerService)))
        {
            return;
        }

        services.AddSingleton<ApiShieldMarkerService>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddRouting();
        services.AddAuthorization();

        services.AddOptions<ApiShieldOptions>()
            .BindConfiguration(ApiShieldOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiShieldOptions>, ApiShieldOptionsValidator>());

        services.TryAddSingleton<Diagnostics.ApiShieldMetrics>();
        services.TryAddSingleton<BearerChallenges>();
        services.TryAddSingleton<ScopeEvaluator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, ScopeDeclarationAudit>());
        ThreatServices.Add(services);

        services.AddHttpContextAccessor();
        services.TryAddSingleton<ScopeRegistry>();
        services.TryAddSingleton<FilterPlanCache>();
        services.TryAddSingleton<SensitiveJsonModifier>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>, ConfigureSensitiveJsonOptions>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<Microsoft.AspNetCore.Mvc.JsonOptions>, ConfigureSensitiveJsonOptions>());

        // The one multiplexer every Redis-backed store shares; it connects on first use, only when Redis is configured.
        services.TryAddSingleton<Stores.Redis.RedisConnection>(static sp => ActivatorUtilities.CreateInstance<Stores.Redis.RedisConnection>(sp));
        AddBearerScheme(services);
        RevocationServiceCollectionExtensions.AddRevocation(services);
        RateLimiting.RateLimitingServices.Add(services);
    }

    private static void AddBearerScheme(IServiceCollection services)
    {
        var authentication = services.AddAuthentication();

        // AddJwtBearer registers JwtBearer's own configuration binding (Authentication:Schemes:Bearer, SigningKeys
        // from dotnet user-jwts included) and its post-configuration; its scheme registration would throw when the host
        // registers 'Bearer' too, so that one part is replaced by BearerSchemeRegistration.
        var before = services.Count;
        authentication.AddJwtBearer(TokenValidation.SchemeName);
        for (var i = services.Count - 1; i >= before; i--)
        {
            if (services[i].ServiceType == typeof(IConfigureOptions<AuthenticationOptions>))
            {
                services.RemoveAt(i);
            }
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<AuthenticationOptions>, BearerSchemeRegistration>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<JwtBearerOptions>, JwtBearerHardening>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JwtBearerOptions>, JwtBearerGuardrails>());
        services.AddOptions<JwtBearerOptions>(TokenValidation.SchemeName).ValidateOnStart();
    }
}
