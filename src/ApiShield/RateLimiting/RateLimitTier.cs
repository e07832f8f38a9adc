using System.Globalization;

namespace ApiShield.RateLimiting;

/// <summary>A policy's rule at one tier, with its <c>RateLimit-Policy</c> list member written once.</summary>
internal sealed class RateLimitTier
{
    public RateLimitTier(RateLimitRule rule)
    {
        Rule = rule;

        // draft-ietf-httpapi-ratelimit-headers §3: a String item (the policy name) with q (quota) and w (window, seconds).
        PolicyItem = string.Create(CultureInfo.InvariantCulture, $"\"{rule.PolicyName}\";q={rule.PermitLimit};w={rule.HeaderWindowSeconds}");
    }

    public RateLimitRule Rule { get; }

    public string PolicyItem { get; }
}
