using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using ApiShield.RateLimiting;
using ApiShield.Stores.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ApiShield.Tests.TestSupport;

/// <summary>Builds rate-limit rules, partitions and Redis stores the way an app node would have them.</summary>
internal static class RateLimitTestNodes
{
    /// <summary>A node's own connection (its own multiplexer) to <paramref name="connectionString"/>.</summary>
    public static RedisConnection Connect(string connectionString, string instanceName)
    {
        var options = new ApiShieldOptions();
        options.Redis.ConnectionString = connectionString;
        options.Redis.InstanceName = instanceName;
        return new RedisConnection(Options.Create(options), NullLogger<RedisConnection>.Instance, new ServiceCollection().BuildServiceProvider());
    }

    public static RateLimitRule Rule(string name, RateLimitPolicyOptions policy)
        => RateLimitRule.Create(name, policy, policy.PermitLimit, policy.Burst);

    public static RateLimitRule Rate(string name, long limit, TimeSpan window, long? burst = null, RateLimitFailureMode mode = RateLimitFailureMode.Closed)
        => Rule(name, new RateLimitPolicyOptions { Kind = RateLimitKind.Rate, PermitLimit = limit, Window = window, Burst = burst, FailureMode = mode });

    public static RateLimitRule SpikeArrest(string name, long limit, TimeSpan window, RateLimitFailureMode mode = RateLimitFailureMode.Closed)
        => Rule(name, new RateLimitPolicyOptions { Kind = RateLimitKind.SpikeArrest, PermitLimit = limit, Window = window, FailureMode = mode });

    public static RateLimitRule FixedQuota(string name, long limit, QuotaCalendar calendar, string timeZone = "UTC", RateLimitFailureMode mode = RateLimitFailureMode.Closed)
        => Rule(name, new RateLimitPolicyOptions { Kind = RateLimitKind.Quota, PermitLimit = limit, Calendar = calendar, TimeZone = timeZone, FailureMode = mode });

    public static RateLimitRule RollingQuota(string name, long limit, TimeSpan window, int segments = 10, RateLimitFailureMode mode = RateLimitFailureMode.Closed)
        => Rule(name, new RateLimitPolicyOptions { Kind = RateLimitKind.Quota, PermitLimit = limit, Window = window, Segments = segments, FailureMode = mode });

    /// <summary>The partition hash of a raw value, as the middleware computes it: the first 128 bits of SHA-256, hex.</summary>
    public static string Partition(string raw)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("client:" + raw)), 0, 16);
}
