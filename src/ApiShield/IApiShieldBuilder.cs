using Microsoft.Extensions.DependencyInjection;

namespace ApiShield;

/// <summary>
/// Returned by <see cref="ApiShieldServiceCollectionExtensions.AddApiShield(IServiceCollection)"/>; capabilities and
/// stores are added through extension methods on it.
/// </summary>
public interface IApiShieldBuilder
{
    /// <summary>The service collection ApiShield is registered in.</summary>
    IServiceCollection Services { get; }
}
