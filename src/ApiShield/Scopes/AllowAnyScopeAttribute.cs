using ApiShield.Scopes;

namespace ApiShield;

/// <summary>
/// Declares that an endpoint needs a valid access token but no particular scope, which satisfies strict mode
/// (<see cref="ScopeOptions.RequireExplicitScopes"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method | AttributeTargets.Delegate, AllowMultiple = false, Inherited = true)]
public sealed class AllowAnyScopeAttribute : Attribute, IAllowAnyScopeMetadata
{
}
