using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using ApiShield.RateLimiting;
using RedisRateLimiting;
using StackExchange.Redis;

namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// The policies the Redis benchmarks enforce, each built twice with the same limits: ApiShield's compiled rules and
/// RedisRateLimiting 1.2.1's limiters. The admitting limits are far above what 64 callers reach, so every decision
/// takes the admitted path (setup checks it); the rejecting ones refuse everything after the first request per key.
/// </summary>
internal static class RedisScenarios
{
    /// <summary>Permits per second (and burst) of the admitting token bucket: 1,000,000, an emission interval of 1 µs.</summary>
    public const int TokenBucketRate = 1_000_000;

    /// <summary>Requests per window of the admitting fixed windows: never reached in a run.</summary>
    public const int FixedWindowLimit = 1_000_000_000;

    public static string[] Partitions(int count)
    {
        // What ApiShield's middleware derives from a caller: 128 bits of SHA-256 over "<partition kind>:<value>", in hex.
        var partitions = new string[count];
        for (var i = 0; i < count; i++)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes("client:client-" + i));
            partitions[i] = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        }

        return partitions;
    }

    public static ApiShieldDecider ApiShieldTokenBucket(IConnectionMultiplexer redis, string[] partitions, bool rejecting)
        => ApiShieldDecider.CreateRedis(redis, partitions, rejecting
            ? Rule("rate", RateLimitKind.Rate, 1, TimeSpan.FromHours(1), burst: 1)
            : Rule("rate", RateLimitKind.Rate, TokenBucketRate, TimeSpan.FromSeconds(1), burst: TokenBucketRate));

    public static ApiShieldDecider ApiShieldTokenBucketStoreOnly(IConnectionMultiplexer redis, string[] partitions)
        => ApiShieldDecider.CreateRedisStoreOnly(redis, partitions, Rule("rate", RateLimitKind.Rate, TokenBucketRate, TimeSpan.FromSeconds(1), burst: TokenBucketRate));

    public static PartitionedLimiterDecider<string> RedisRateLimitingTokenBucket(IConnectionMultiplexer redis, string[] partitions, bool rejecting)
    {
        var options = rejecting
            ? TokenBucket(redis, tokenLimit: 1, tokensPerPeriod: 1, TimeSpan.FromHours(1))
            : TokenBucket(redis, TokenBucketRate, TokenBucketRate, TimeSpan.FromSeconds(1));
        return new(
            PartitionedRateLimiter.Create<string, string>(partition => RedisRateLimitPartition.GetTokenBucketRateLimiter(partition, _ => options)),
            partitions);
    }

    /// <summary>
    /// ApiShield's fixed window is the calendar hour (UTC); RedisRateLimiting's is an hour from the first request. Both
    /// keep one counter per window and partition, which a rolling quota (a counter per segment) would not.
    /// </summary>
    public static ApiShieldDecider ApiShieldFixedWindow(IConnectionMultiplexer redis, string[] partitions)
        => ApiShieldDecider.CreateRedis(redis, partitions, Rule("hourly", RateLimitKind.Quota, FixedWindowLimit, TimeSpan.FromHours(1), calendar: QuotaCalendar.Hour));

    public static PartitionedLimiterDecider<string> RedisRateLimitingFixedWindow(IConnectionMultiplexer redis, string[] partitions)
    {
        var options = new RedisFixedWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            PermitLimit = FixedWindowLimit,
            Window = TimeSpan.FromHours(1),
        };
        return new(
            PartitionedRateLimiter.Create<string, string>(partition => RedisRateLimitPartition.GetFixedWindowRateLimiter(partition, _ => options)),
            partitions);
    }

    /// <summary>
    /// Three policies on one endpoint: a spike arrest of 1,000,000/s (one request per µs), 60,000,000 per minute
    /// (bursts of as many) and 1,000,000,000 per calendar day, decided by one script call.
    /// </summary>
    public static ApiShieldDecider ApiShieldThreePolicies(IConnectionMultiplexer redis, string[] partitions)
        => ApiShieldDecider.CreateRedis(
            redis,
            partitions,
            Rule("spike", RateLimitKind.SpikeArrest, TokenBucketRate, TimeSpan.FromSeconds(1)),
            Rule("per-minute", RateLimitKind.Rate, 60 * TokenBucketRate, TimeSpan.FromMinutes(1), burst: 60 * TokenBucketRate),
            Rule("daily", RateLimitKind.Quota, FixedWindowLimit, TimeSpan.FromDays(1), calendar: QuotaCalendar.Day));

    /// <summary>
    /// The same three limits as RedisRateLimiting expresses them, chained (<see cref="PartitionedRateLimiter.CreateChained{TResource}"/>
    /// acquires from each in turn): the spike arrest as a token bucket of 1,000,000 per second (the package counts whole
    /// seconds, so it cannot space requests 1 µs apart), the per-minute rate as a bucket of 60,000,000 refilled by
    /// 1,000,000 a second, the daily quota as a one-day fixed window.
    /// </summary>
    public static PartitionedLimiterDecider<ChainedCaller> RedisRateLimitingThreePolicies(IConnectionMultiplexer redis, string[] partitions)
    {
        var spike = TokenBucket(redis, TokenBucketRate, TokenBucketRate, TimeSpan.FromSeconds(1));
        var perMinute = TokenBucket(redis, 60 * TokenBucketRate, TokenBucketRate, TimeSpan.FromSeconds(1));
        var daily = new RedisFixedWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            PermitLimit = FixedWindowLimit,
            Window = TimeSpan.FromDays(1),
        };

        // The package keys a token bucket by its partition key alone, so each policy needs a key of its own; they are
        // built once per caller, as ApiShield's partitions are.
        var chained = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<ChainedCaller, string>(caller => RedisRateLimitPartition.GetTokenBucketRateLimiter(caller.SpikeKey, _ => spike)),
            PartitionedRateLimiter.Create<ChainedCaller, string>(caller => RedisRateLimitPartition.GetTokenBucketRateLimiter(caller.PerMinuteKey, _ => perMinute)),
            PartitionedRateLimiter.Create<ChainedCaller, string>(caller => RedisRateLimitPartition.GetFixedWindowRateLimiter(caller.DailyKey, _ => daily)));
        return new(chained, [.. partitions.Select(partition => new ChainedCaller(partition))]);
    }

    private static RedisTokenBucketRateLimiterOptions TokenBucket(IConnectionMultiplexer redis, int tokenLimit, int tokensPerPeriod, TimeSpan period) => new()
    {
        ConnectionMultiplexerFactory = () => redis,
        TokenLimit = tokenLimit,
        TokensPerPeriod = tokensPerPeriod,
        ReplenishmentPeriod = period,
    };

    public static RateLimitRule Rule(string name, RateLimitKind kind, long permitLimit, TimeSpan window, long? burst = null, QuotaCalendar calendar = QuotaCalendar.Rolling)
        => RateLimitRule.Create(name, new RateLimitPolicyOptions { Kind = kind, PermitLimit = permitLimit, Window = window, Burst = burst, Calendar = calendar }, permitLimit, burst);

    /// <summary>One caller of the chained limiter, with the partition key of each of its three policies.</summary>
    internal sealed class ChainedCaller(string partition)
    {
        public string SpikeKey { get; } = "spike:" + partition;

        public string PerMinuteKey { get; } = "per-minute:" + partition;

        public string DailyKey { get; } = "daily:" + partition;
    }
}
