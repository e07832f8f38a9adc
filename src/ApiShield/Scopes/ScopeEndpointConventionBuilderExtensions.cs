using ApiShield.Scopes;
using Microsoft.AspNetCore.Builder;

namespace ApiShield;

/// <summary>Scope requirements for minimal-API endpoints and route groups.</summary>
public static class ScopeEndpointConventionBuilderExtensions
{
    /// <summary>Requires the caller's access token to carry any one of <paramref name="scopes"/>.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or route group.</param>
    /// <param name="scopes">The accepted scopes.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <remarks>Calling it again adds another requirement that must also hold.</remarks>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, params string[] scopes)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var requirement = new ScopeRequirement(ScopeRequirement.ValidateScopes(scopes, nameof(scopes)), requireAll: false);
        builder.Add(endpoint => endpoint.Metadata.Add(requirement));
        return builder;
    }

    /// <summary>Requires the caller's access token to carry every one of <paramref name="scopes"/>.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or route group.</param>
    /// <param name="scopes">The required scopes.</param>
    /// <returns>The builder, for chaining.</returns>
    public static TBuilder RequireAllScopes<TBuilder>(this TBuilder builder, params string[] scopes)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var requirement = new ScopeRequirement(ScopeRequirement.ValidateScopes(scopes, nameof(scopes)), requireAll: true);
        builder.Add(endpoint => endpoint.Metadata.Add(requirement));
        return builder;
    }

    /// <summary>Declares that the endpoint needs a valid access token but no particular scope.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or route group.</param>
    /// <returns>The builder, for chaining.</returns>
    public static TBuilder AllowAnyScope<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint => endpoint.Metadata.Add(AllowAnyScopeMetadata.Instance));
        return builder;
    }
}
