namespace ApiShield.DependencyInjection;

/// <summary>
/// What HSTS preload lists (hstspreload.org) require of a header: <c>includeSubDomains</c> and a max-age of at least one
/// year. Shared by option validation and the startup audit of the host's own <c>UseHsts</c> settings.
/// </summary>
internal static class HstsPreloadRequirements
{
    public static readonly TimeSpan MinimumMaxAge = TimeSpan.FromDays(365);

    public static bool AreMet(bool includeSubDomains, TimeSpan maxAge) => includeSubDomains && maxAge >= MinimumMaxAge;
}
