using ApiShield.RateLimiting;

namespace ApiShield;

/// <summary>Applies the named rate-limit policies to a controller or action; a request must be admitted by all of them.</summary>
/// <remarks>
/// Each name must be a policy under <c>ApiShield:RateLimiting:Policies</c> (or added in code); an unknown name stops
/// the host at startup. On an action it replaces the controller's policies and the default ones.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class RateLimitsAttribute : Attribute, IRateLimitsMetadata
{
    /// <summary>Applies <paramref name="policyNames"/>.</summary>
    /// <param name="policyNames">At least one policy name.</param>
    public RateLimitsAttribute(params string[] policyNames)
    {
        PolicyNames = RateLimitsMetadata.Validate(policyNames, nameof(policyNames));
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> PolicyNames { get; }
}
