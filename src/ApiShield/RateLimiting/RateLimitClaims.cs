using System.Security.Claims;

namespace ApiShield.RateLimiting;

/// <summary>Reads the claims that pick a caller's partition or tier.</summary>
internal static class RateLimitClaims
{
    /// <summary>
    /// The claim's value when the principal carries one; <see langword="null"/> when it is absent, empty or carried with
    /// different values. A JSON array in a token becomes one claim per element, and its order must not decide whose
    /// counter is charged or which tier applies: <c>client_id: ["victim", "me"]</c> would otherwise spend another
    /// client's quota. The same value twice (a claims transformation that copies an identity) is still one value.
    /// </summary>
    public static string? SingleValue(ClaimsPrincipal user, string type)
    {
        string? value = null;
        foreach (var claim in user.FindAll(type))
        {
            if (value is not null && !string.Equals(value, claim.Value, StringComparison.Ordinal))
            {
                return null;
            }

            value = claim.Value;
        }

        return string.IsNullOrEmpty(value) ? null : value;
    }
}
