using ApiShield.Threats;
using Microsoft.AspNetCore.Builder;

namespace ApiShield;

/// <summary>JSON limits for minimal-API endpoints and route groups.</summary>
public static class JsonLimitsEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Overrides the configured JSON limits (<c>ApiShield:Threats:Json</c>) for the endpoint or group; values left
    /// unset keep the configured ones.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or route group.</param>
    /// <param name="configure">Sets the limits that differ, e.g. <c>l =&gt; l.MaxBodySize = 16 * 1024</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A limit is zero, negative or past its ceiling.</exception>
    /// <remarks>Writes the same <see cref="IJsonLimitsMetadata"/> as <c>[JsonLimits]</c>; an endpoint's own overrides win over its group's.</remarks>
    public static TBuilder WithJsonLimits<TBuilder>(this TBuilder builder, Action<JsonLimitOverrides> configure)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var overrides = new JsonLimitOverrides();
        configure(overrides);
        overrides.Validate();
        builder.Add(endpoint => endpoint.Metadata.Add(overrides));
        return builder;
    }
}
