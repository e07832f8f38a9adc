using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;

namespace ApiShield.Threats;

/// <summary>
/// Decides which endpoints take JSON and with which limits, once per endpoint. An endpoint takes JSON when it declares
/// a JSON media type in <see cref="IAcceptsMetadata"/> (a minimal-API body parameter, <c>.Accepts()</c>, MVC
/// <c>[Consumes]</c>), has an MVC <c>[FromBody]</c> parameter, or carries <see cref="IJsonLimitsMetadata"/>.
/// </summary>
internal sealed class JsonEndpointPolicies
{
    private readonly ConcurrentDictionary<Endpoint, JsonEndpointPolicy?> _policies = new();
    private readonly Func<Endpoint, JsonEndpointPolicy?> _create;
    private readonly JsonLimits _defaults;

    public JsonEndpointPolicies(IOptions<ApiShieldOptions> options)
    {
        _defaults = new JsonLimits(options.Value.Threats.Json);
        _create = Create;
    }

    public JsonLimits Defaults => _defaults;

    public JsonEndpointPolicy? Get(Endpoint endpoint) => _policies.GetOrAdd(endpoint, _create);

    private JsonEndpointPolicy? Create(Endpoint endpoint)
    {
        var metadata = endpoint.Metadata;
        var overrides = metadata.GetOrderedMetadata<IJsonLimitsMetadata>();
        var accepts = metadata.GetMetadata<IAcceptsMetadata>();

        var takesJson = overrides.Count > 0 || HasBodyParameter(metadata);
        var others = new List<string>();
        if (accepts is not null)
        {
            foreach (var type in accepts.ContentTypes)
            {
                if (JsonMediaType.IsJson(type))
                {
                    takesJson = true;
                }
                else
                {
                    // Stripped once here, so the per-request comparison is a plain one.
                    others.Add(JsonMediaType.WithoutParameters(type).ToString());
                }
            }
        }

        return takesJson ? new JsonEndpointPolicy(_defaults.With(overrides), [.. others]) : null;
    }

    // MVC puts the action descriptor in endpoint metadata; [FromBody] (declared or inferred by [ApiController]) produces
    // no IAcceptsMetadata unless [Consumes] is there too.
    private static bool HasBodyParameter(EndpointMetadataCollection metadata)
    {
        if (metadata.GetMetadata<ActionDescriptor>() is not { } action)
        {
            return false;
        }

        foreach (var parameter in action.Parameters)
        {
            if (parameter.BindingInfo?.BindingSource == BindingSource.Body)
            {
                return true;
            }
        }

        return false;
    }
}
