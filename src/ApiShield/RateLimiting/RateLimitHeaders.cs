using System.Globalization;
using System.Runtime.CompilerServices;

namespace ApiShield.RateLimiting;

/// <summary>
/// Writes the <c>RateLimit-Policy</c> and <c>RateLimit</c> fields of draft-ietf-httpapi-ratelimit-headers: Lists
/// (RFC 8941 §3.1) of String items naming the policy, with integer parameters.
/// </summary>
internal static class RateLimitHeaders
{
    public const string PolicyField = "RateLimit-Policy";

    public const string StateField = "RateLimit";

    /// <summary>The endpoint's policies at the caller's tiers: written once per endpoint unless a policy has tiers.</summary>
    public static string Policy(EndpointRateLimits limits, RateLimitTier[] tiers)
        => limits.PolicyHeader
            ?? (tiers.Length == 1 ? tiers[0].PolicyItem : string.Join(", ", tiers.Select(static tier => tier.PolicyItem)));

    /// <summary>
    /// The current state of each checked policy: <c>r</c> permits remaining and <c>t</c> seconds until the quota resets.
    /// With <paramref name="violatedOnly"/>, only the policies that refused the request, whose <c>t</c> never exceeds <c>Retry-After</c>.
    /// </summary>
    public static string? State(RateLimitTier[] tiers, RateLimitVerdict[] verdicts, bool violatedOnly)
    {
        var builder = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[256]);
        var any = false;
        for (var i = 0; i < verdicts.Length; i++)
        {
            ref readonly var verdict = ref verdicts[i];
            if (verdict.Unchecked || (violatedOnly && verdict.Admitted))
            {
                continue;
            }

            if (any)
            {
                builder.AppendLiteral(", ");
            }

            any = true;
            var rule = tiers[i].Rule;
            builder.AppendLiteral("\"");
            builder.AppendLiteral(rule.PolicyName);
            builder.AppendLiteral("\";r=");

            // A burst above the limit can leave more than q; r never exceeds q, so a client's arithmetic stays sound.
            builder.AppendFormatted(Math.Clamp(verdict.Remaining, 0, rule.PermitLimit));
            builder.AppendLiteral(";t=");
            builder.AppendFormatted(RateLimitClock.CeilingSeconds(verdict.ResetMicros));
        }

        var value = builder.ToStringAndClear();
        return any ? value : null;
    }
}
