namespace ApiShield.Scopes;

/// <summary>
/// Endpoint metadata stating scopes a caller's token must carry. Written by <see cref="RequireScopeAttribute"/> and
/// <see cref="ScopeEndpointConventionBuilderExtensions.RequireScope{TBuilder}(TBuilder, string[])"/>.
/// </summary>
/// <remarks>Every requirement on an endpoint must hold (all-of); inside one requirement, see <see cref="RequireAll"/>.</remarks>
public interface IScopeRequirementMetadata
{
    /// <summary>The scopes, matched exactly and case-sensitively.</summary>
    IReadOnlyList<string> Scopes { get; }

    /// <summary>Whether every scope is needed (<see langword="true"/>) or any one of them (<see langword="false"/>).</summary>
    bool RequireAll { get; }
}
