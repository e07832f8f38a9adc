using ApiShield.Scopes;

namespace ApiShield;

/// <summary>
/// Requires the caller's access token to carry one of the given scopes (or all of them, with <see cref="RequireAll"/>).
/// </summary>
/// <remarks>
/// Apply to controllers, actions and minimal-API handlers. Several requirements on one endpoint (a controller's and
/// its action's, or repeated attributes) must all hold. A missing scope gives <c>403</c> with
/// <c>WWW-Authenticate: Bearer error="insufficient_scope"</c> (RFC 6750 §3.1). A scope requirement is enforced even
/// when the endpoint also carries <c>[AllowAnonymous]</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method | AttributeTargets.Delegate, AllowMultiple = true, Inherited = true)]
public sealed class RequireScopeAttribute : Attribute, IScopeRequirementMetadata
{
    private readonly string[] _scopes;

    /// <summary>Requires any one of <paramref name="scopes"/>.</summary>
    /// <param name="scopes">The accepted scopes; at least one, none empty or containing a space.</param>
    public RequireScopeAttribute(params string[] scopes)
    {
        _scopes = ScopeRequirement.ValidateScopes(scopes, nameof(scopes));
    }

    /// <inheritdoc />
    public IReadOnlyList<string> Scopes => _scopes;

    /// <summary>Whether every listed scope is needed rather than any one.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool RequireAll { get; set; }
}
