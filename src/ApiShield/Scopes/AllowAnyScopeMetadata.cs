namespace ApiShield.Scopes;

internal sealed class AllowAnyScopeMetadata : IAllowAnyScopeMetadata
{
    public static readonly AllowAnyScopeMetadata Instance = new();
}
