using ApiShield.RateLimiting;
using Microsoft.AspNetCore.Builder;

namespace ApiShield;

/// <summary>Rate-limit policies for minimal-API endpoints and route groups.</summary>
public static class RateLimitEndpointConventionBuilderExtensions
{
    /// <summary>Applies the named rate-limit policies; a request must be admitted by all of them.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or route group.</param>
    /// <param name="policyNames">At least one policy name; an unknown name stops the host at startup.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <remarks>Replaces the default policies (and a route group's) for the endpoint.</remarks>
    public static TBuilder WithRateLimits<TBuilder>(this TBuilder builder, params string[] policyNames)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var metadata = new RateLimitsMetadata(RateLimitsMetadata.Validate(policyNames, nameof(policyNames)));
        builder.Add(endpoint => endpoint.Metadata.Add(metadata));
        return builder;
    }

    /// <summary>Exempts the endpoint from every rate-limit policy, the default ones included.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or route group.</param>
    /// <returns>The builder, for chaining.</returns>
    public static TBuilder WithoutRateLimits<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint => endpoint.Metadata.Add(RateLimitsMetadata.None));
        return builder;
    }
}
