using ApiShield.RateLimiting;

namespace ApiShield;

/// <summary>Exempts a controller or action from every rate-limit policy, the default ones included.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class NoRateLimitsAttribute : Attribute, IRateLimitsMetadata
{
    /// <inheritdoc/>
    public IReadOnlyList<string> PolicyNames => [];
}
