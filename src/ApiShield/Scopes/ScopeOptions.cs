namespace ApiShield.Scopes;

/// <summary>Scope enforcement, bound to <c>ApiShield:Scopes</c>.</summary>
public sealed class ScopeOptions
{
    /// <summary>The claim types that carry granted scopes.</summary>
    /// <value>The default (an empty list) is <c>scope</c> and <c>scp</c>.</value>
    /// <remarks>
    /// Each claim may hold a space-delimited list (RFC 8693 §4.2, Entra ID's <c>scp</c>), one scope per claim
    /// (a JSON array, as <c>dotnet user-jwts</c> writes), or repeat. Matching is exact and case-sensitive.
    /// Add <c>permissions</c> for Auth0 RBAC.
    /// </remarks>
    public IList<string> ClaimTypes { get; } = new List<string>();

    /// <summary>Whether application permissions in the <c>roles</c> claim count as scopes.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    /// <remarks>Entra ID puts app-only permissions (client-credential tokens) in <c>roles</c>; turn this on to accept them for <c>[RequireScope]</c>.</remarks>
    public bool IncludeRoles { get; set; }

    /// <summary>Whether startup fails when an endpoint declares neither a scope requirement nor an explicit exemption.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    /// <remarks>
    /// Exemptions are <c>[AllowAnyScope]</c>/<c>.AllowAnyScope()</c> (a valid token, any scopes) and
    /// <c>[AllowAnonymous]</c>/<c>.AllowAnonymous()</c>. Without strict mode such an endpoint still needs a valid token.
    /// </remarks>
    public bool RequireExplicitScopes { get; set; }
}
