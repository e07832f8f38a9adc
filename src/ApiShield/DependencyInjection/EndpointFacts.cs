using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ApiShield.DependencyInjection;

/// <summary>What the startup audits of several capabilities need to know and say about an endpoint.</summary>
internal static class EndpointFacts
{
    // Internal to ASP.NET Core (ShortCircuit()/MapShortCircuit); a short-circuited endpoint runs inside UseRouting,
    // before any later middleware, so ApiShield never sees the request.
    private const string ShortCircuitMetadataType = "Microsoft.AspNetCore.Routing.ShortCircuit.ShortCircuitMetadata";

    public static bool IsShortCircuited(Endpoint endpoint)
    {
        foreach (var item in endpoint.Metadata)
        {
            if (item.GetType().FullName == ShortCircuitMetadataType)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The endpoint as a developer wrote it: its methods and route pattern (or display name).</summary>
    public static string Describe(Endpoint endpoint)
    {
        var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
        var verb = methods is { Count: > 0 } ? string.Join(',', methods) + " " : string.Empty;
        return endpoint is RouteEndpoint route
            ? verb + "/" + route.RoutePattern.RawText?.TrimStart('/')
            : verb + endpoint.DisplayName;
    }
}
