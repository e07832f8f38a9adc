namespace ApiShield.RateLimiting;

/// <summary>
/// Endpoint metadata naming the rate-limit policies that apply. Written by <see cref="ApiShield.RateLimitsAttribute"/> and
/// <see cref="ApiShield.RateLimitEndpointConventionBuilderExtensions.WithRateLimits{TBuilder}(TBuilder, string[])"/>.
/// </summary>
/// <remarks>The metadata nearest the endpoint wins: a method's attribute replaces its controller's.</remarks>
public interface IRateLimitsMetadata
{
    /// <summary>The policy names; an empty list exempts the endpoint from every policy, the defaults included.</summary>
    IReadOnlyList<string> PolicyNames { get; }
}
