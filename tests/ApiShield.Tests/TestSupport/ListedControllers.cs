using System.Reflection;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.Extensions.DependencyInjection;

namespace ApiShield.Tests.TestSupport;

/// <summary>
/// Restricts MVC to the listed controller types: the test assembly references the sample, whose controllers would
/// otherwise be discovered too.
/// </summary>
internal sealed class ListedControllers(IReadOnlyCollection<Type> controllers) : IApplicationFeatureProvider<ControllerFeature>
{
    public static IMvcBuilder AddControllersOnly(IServiceCollection services, params Type[] controllers) =>
        services.AddControllers().ConfigureApplicationPartManager(manager =>
        {
            foreach (var provider in manager.FeatureProviders.OfType<ControllerFeatureProvider>().ToList())
            {
                manager.FeatureProviders.Remove(provider);
            }

            manager.FeatureProviders.Add(new ListedControllers(controllers));
        });

    public void PopulateFeature(IEnumerable<ApplicationPart> parts, ControllerFeature feature)
    {
        feature.Controllers.Clear();
        foreach (var controller in controllers)
        {
            feature.Controllers.Add(controller.GetTypeInfo());
        }
    }
}
