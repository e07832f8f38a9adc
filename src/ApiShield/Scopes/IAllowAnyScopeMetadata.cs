namespace ApiShield.Scopes;

/// <summary>
/// Endpoint metadata exempting an endpoint from strict mode's scope declaration: a valid token is still required,
/// with any scopes. Written by <see cref="AllowAnyScopeAttribute"/> and
/// <see cref="ScopeEndpointConventionBuilderExtensions.AllowAnyScope{TBuilder}(TBuilder)"/>.
/// </summary>
public interface IAllowAnyScopeMetadata
{
}
