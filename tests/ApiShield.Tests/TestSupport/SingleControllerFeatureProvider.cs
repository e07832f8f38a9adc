using System.Reflection;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;

namespace ApiShield.Tests.TestSupport;

/// <summary>Exposes exactly the given controllers, so test hosts never pick up the sample's.</summary>
internal sealed class SingleControllerFeatureProvider(params Type[] controllers) : IApplicationFeatureProvider<ControllerFeature>
{
    public void PopulateFeature(IEnumerable<ApplicationPart> parts, ControllerFeature feature)
    {
        feature.Controllers.Clear();
        foreach (var controller in controllers)
        {
            feature.Controllers.Add(controller.GetTypeInfo());
        }
    }
}
