using Microsoft.Extensions.DependencyInjection;

namespace ApiShield.DependencyInjection;

internal sealed class ApiShieldBuilder(IServiceCollection services) : IApiShieldBuilder
{
    public IServiceCollection Services { get; } = services;
}
