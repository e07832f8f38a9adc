using System.Buffers;
using Microsoft.Extensions.Configuration;
using static ApiShield.DependencyInjection.ApiShieldOptionsValidator;

namespace ApiShield.RateLimiting;

/// <summary>Validates <c>ApiShield:RateLimiting</c>; every message names its configuration key.</summary>
internal static class RateLimitingOptionsValidation
{
    private const string Section = "ApiShield:RateLimiting";

    // GCRA's tolerance (Burst x Window / PermitLimit) is added to Unix microseconds: in memory as a long, in the Redis
    // script as a double that is exact below 2^53. Bounding it like the longest window keeps both exact.
    private static readonly long MaxBurstRefillMicros = RateLimitClock.ToMicros(TimeSpan.FromDays(366));

    // Policy names travel in RFC 8941 String items and Redis keys: keep them to a conservative token alphabet.
    private static readonly SearchValues<char> NameCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    public static void Validate(RateLimitingOptions options, List<string> errors)
    {
        foreach (var (name, policy) in options.Policies)
        {
            var key = $"{Section}:Policies:{name}";
            if (name.Length is 0 or > 64 || name.AsSpan().ContainsAnyExcept(NameCharacters))
            {
                errors.Add($"{key}: a policy name must be 1 to 64 letters, digits, '.', '_' or '-'.");
                continue;
            }

            if (policy is null)
            {
                errors.Add($"{key} is empty; a policy needs at least Kind and PermitLimit.");
                continue;
            }

            ValidatePolicy(key, policy, errors);
        }

        for (var i = 0; i < options.DefaultPolicies.Count; i++)
        {
            var name = options.DefaultPolicies[i];
            if (string.IsNullOrWhiteSpace(name) || !options.Policies.ContainsKey(name))
            {
                errors.Add($"{Section}:DefaultPolicies:{i} is '{name}', which is not a policy under {Section}:Policies.");
            }
        }

        Range(errors, $"{Section}:IPv6PrefixLength", options.IPv6PrefixLength, 32, 128);

        if (options.StoreTimeout <= TimeSpan.Zero || options.StoreTimeout > TimeSpan.FromSeconds(30))
        {
            errors.Add($"{Section}:StoreTimeout must be greater than 0 and at most 00:00:30.");
        }

        Range(errors, $"{Section}:FailuresBeforeBreak", options.FailuresBeforeBreak, 1, 1000);

        if (options.BreakDuration <= TimeSpan.Zero || options.BreakDuration > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{Section}:BreakDuration must be greater than 0 and at most 00:10:00.");
        }
    }

    /// <summary>
    /// Checks the configured enum values by their keys: the configuration binder drops a whole policy whose
    /// <c>Kind</c> it cannot convert, which would silently leave an endpoint without its limit.
    /// </summary>
    public static void ValidateConfiguration(IConfiguration? configuration, RateLimitingOptions options, List<string> errors)
    {
        if (configuration is null)
        {
            return;
        }

        foreach (var section in configuration.GetSection(Section + ":Policies").GetChildren())
        {
            var key = section.Path;
            var before = errors.Count;
            CheckEnum<RateLimitKind>(section, "Kind", errors);
            CheckEnum<QuotaCalendar>(section, "Calendar", errors);
            CheckEnum<RateLimitPartitionKind>(section, "Partition", errors);
            CheckEnum<RateLimitFailureMode>(section, "FailureMode", errors);
            if (errors.Count == before && !options.Policies.ContainsKey(section.Key))
            {
                errors.Add($"{key} could not be read; check that every value has the type its key needs.");
            }
        }
    }

    private static void CheckEnum<TEnum>(IConfigurationSection policy, string name, List<string> errors)
        where TEnum : struct, Enum
    {
        var value = policy[name];
        if (value is not null && (!Enum.TryParse<TEnum>(value, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed)))
        {
            errors.Add($"{policy.Path}:{name} is '{value}'; it must be one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
        }
    }

    private static void ValidatePolicy(string key, RateLimitPolicyOptions policy, List<string> errors)
    {
        if (!Enum.IsDefined(policy.Kind))
        {
            errors.Add($"{key}:Kind must be Rate, SpikeArrest or Quota.");
            return;
        }

        ValidateLimit($"{key}:PermitLimit", policy.PermitLimit, errors);
        var rolling = policy.Kind != RateLimitKind.Quota || policy.Calendar == QuotaCalendar.Rolling;
        if (rolling)
        {
            if (policy.Window <= TimeSpan.Zero || policy.Window > TimeSpan.FromDays(366))
            {
                errors.Add($"{key}:Window must be greater than 0 and at most 366.00:00:00.");
            }
            else if (UnderOneMicrosecondPerPermit(policy, policy.PermitLimit))
            {
                errors.Add($"{key}:Window is shorter than one microsecond per permit; lower PermitLimit or lengthen Window.");
            }
            else if (RateLimitClock.ToMicros(policy.Window) < 1)
            {
                // A rolling quota's segments are whole microseconds; a shorter window has none to count in.
                errors.Add($"{key}:Window must be at least one microsecond (00:00:00.000001).");
            }
        }

        switch (policy.Kind)
        {
            case RateLimitKind.Rate:
                if (policy.Burst is { } burst)
                {
                    ValidateLimit($"{key}:Burst", burst, errors);
                    ValidateBurstRefill($"{key}:Burst", policy.Window, policy.PermitLimit, burst, errors);
                }

                break;
            case RateLimitKind.SpikeArrest:
                if (policy.Burst is not null)
                {
                    errors.Add($"{key}:Burst is set, but a SpikeArrest admits one request per interval and never a burst; use Kind Rate for bursts.");
                }

                break;
            default:
                if (policy.Burst is not null)
                {
                    errors.Add($"{key}:Burst is set, but only Kind Rate has a burst.");
                }

                if (!Enum.IsDefined(policy.Calendar))
                {
                    errors.Add($"{key}:Calendar must be Rolling, Hour, Day, Week or Month.");
                }
                else if (policy.Calendar == QuotaCalendar.Rolling)
                {
                    Range(errors, $"{key}:Segments", policy.Segments, 1, 1000);
                }
                else if (!TryFindTimeZone(policy.TimeZone))
                {
                    errors.Add($"{key}:TimeZone '{policy.TimeZone}' is not a time zone this machine knows (use an IANA id such as 'Europe/Berlin'; on Linux the tzdata package provides them).");
                }

                break;
        }

        if (!Enum.IsDefined(policy.Partition))
        {
            errors.Add($"{key}:Partition must be Client, Subject, Claim, IpAddress or Global.");
        }
        else if (policy.Partition == RateLimitPartitionKind.Claim && policy.PartitionBy is null && string.IsNullOrWhiteSpace(policy.PartitionClaim))
        {
            errors.Add($"{key}:PartitionClaim must name a claim when Partition is Claim.");
        }

        if (!Enum.IsDefined(policy.FailureMode))
        {
            errors.Add($"{key}:FailureMode must be Closed, Open or Local.");
        }

        if (policy.Tiers.Count > 0 && string.IsNullOrWhiteSpace(policy.TierClaim))
        {
            errors.Add($"{key}:TierClaim must name the claim that selects one of {key}:Tiers.");
        }

        foreach (var (tier, limits) in policy.Tiers)
        {
            var tierKey = $"{key}:Tiers:{tier}";
            if (limits is null)
            {
                errors.Add($"{tierKey} is empty; a tier needs PermitLimit.");
                continue;
            }

            ValidateLimit($"{tierKey}:PermitLimit", limits.PermitLimit, errors);
            if (UnderOneMicrosecondPerPermit(policy, limits.PermitLimit))
            {
                errors.Add($"{tierKey}:PermitLimit is more than one permit per microsecond of {key}:Window; lower it or lengthen Window.");
            }

            if (limits.Burst is { } tierBurst)
            {
                if (policy.Kind != RateLimitKind.Rate)
                {
                    errors.Add($"{tierKey}:Burst is set, but only Kind Rate has a burst.");
                }
                else
                {
                    ValidateLimit($"{tierKey}:Burst", tierBurst, errors);
                    ValidateBurstRefill($"{tierKey}:Burst", policy.Window, limits.PermitLimit, tierBurst, errors);
                }
            }
        }
    }

    // A rate's interval (Window / PermitLimit) is whole microseconds: below one it would round up, and the policy would
    // admit fewer requests than its RateLimit-Policy q says.
    private static bool UnderOneMicrosecondPerPermit(RateLimitPolicyOptions policy, long permitLimit)
        => policy.Kind != RateLimitKind.Quota && permitLimit > 0 && policy.Window > TimeSpan.Zero && RateLimitClock.ToMicros(policy.Window) < permitLimit;

    private static void ValidateLimit(string key, long value, List<string> errors) => Range(errors, key, value, 1L, 1_000_000_000L);

    private static void ValidateBurstRefill(string key, TimeSpan window, long permitLimit, long burst, List<string> errors)
    {
        var windowMicros = RateLimitClock.ToMicros(window);
        if (windowMicros < 1 || permitLimit < 1 || burst < 1 || window > TimeSpan.FromDays(366))
        {
            return;
        }

        var intervalMicros = (windowMicros + permitLimit - 1) / permitLimit;
        if (burst > MaxBurstRefillMicros / intervalMicros)
        {
            errors.Add($"{key} takes longer than 366 days to refill (Burst x Window / PermitLimit); lower Burst or raise PermitLimit.");
        }
    }

    private static bool TryFindTimeZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return false;
        }

        try
        {
            _ = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (TimeZoneNotFoundException)
        {
            return false;
        }
        catch (InvalidTimeZoneException)
        {
            return false;
        }
    }
}
