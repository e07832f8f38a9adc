using System.Security.Cryptography;
using System.Text;
using ApiShield.RateLimiting;
using StackExchange.Redis;

namespace ApiShield.Stores.Redis;

/// <summary>
/// Rate-limit counters in Redis, shared by every node: one <c>rate-limit.lua</c> call (EVALSHA) decides all of a
/// request's charges atomically.
/// </summary>
/// <remarks>
/// Clock: the Redis server's <c>TIME</c>, read inside the script, so nodes whose clocks disagree share one window.
/// The node's <see cref="TimeProvider"/> only places a fixed window's candidate period boundaries, of which the script
/// picks the one holding the server's time. Tests may pass the caller's clock instead (<see cref="UseCallerClock"/>).
/// </remarks>
internal sealed class RedisRateLimitStore : IRateLimitStore
{
    // Redis names a cached script by the SHA-1 of its text; nothing here depends on SHA-1's strength.
#pragma warning disable CA5350
    private static readonly byte[] ScriptHash = SHA1.HashData(Encoding.UTF8.GetBytes(RedisScripts.RateLimit));
#pragma warning restore CA5350

    private readonly RedisConnection _connection;
    private readonly RedisKeys _keys;
    private readonly TimeProvider _timeProvider;

    // One spare pair of argument arrays, reused by the next request of the same shape once a call has completed
    // (StackExchange.Redis has written them by then).
    private RedisKey[]? _spareKeys;
    private RedisValue[]? _spareValues;

    public RedisRateLimitStore(RedisConnection connection, TimeProvider timeProvider)
    {
        _connection = connection;
        _keys = new RedisKeys(connection.InstanceName);
        _timeProvider = timeProvider;
    }

    /// <summary>Sends the caller's <see cref="TimeProvider"/> time to the script instead of using the server's <c>TIME</c>; tests only.</summary>
    internal bool UseCallerClock { get; init; }

    public ValueTask<bool> AcquireAsync(ReadOnlyMemory<RateLimitCharge> charges, Memory<RateLimitVerdict> verdicts, CancellationToken cancellationToken)
    {
        if (charges.Length == 0)
        {
            return ValueTask.FromResult(true);
        }

        if (verdicts.Length < charges.Length)
        {
            throw new ArgumentException("There must be one verdict per charge.", nameof(verdicts));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var (keys, values) = BuildArguments(charges.Span);
        return EvaluateAsync(keys, values, verdicts, charges.Length);
    }

    private (RedisKey[] Keys, RedisValue[] Values) BuildArguments(ReadOnlySpan<RateLimitCharge> charges)
    {
        int keyCount = 0, valueCount = 1;
        foreach (var charge in charges)
        {
            (keyCount, valueCount) = charge.Rule.Algorithm switch
            {
                RateLimitAlgorithm.Gcra => (keyCount + 1, valueCount + 3),
                RateLimitAlgorithm.FixedWindow => (keyCount + 3, valueCount + 6),
                _ => (keyCount + 1, valueCount + 4),
            };
        }

        var keys = Interlocked.Exchange(ref _spareKeys, null) is { } spareKeys && spareKeys.Length == keyCount ? spareKeys : new RedisKey[keyCount];
        var values = Interlocked.Exchange(ref _spareValues, null) is { } spareValues && spareValues.Length == valueCount ? spareValues : new RedisValue[valueCount];

        var nodeNow = RateLimitClock.NowMicros(_timeProvider);
        values[0] = UseCallerClock ? nodeNow : 0;
        int k = 0, v = 1;
        foreach (var charge in charges)
        {
            var rule = charge.Rule;
            switch (rule.Algorithm)
            {
                case RateLimitAlgorithm.Gcra:
                    keys[k++] = _keys.RateLimit(charge.Partition, rule.KeySuffix);
                    values[v++] = 1;
                    values[v++] = rule.IntervalMicros;
                    values[v++] = rule.Capacity;
                    break;
                case RateLimitAlgorithm.FixedWindow:
                    var periods = rule.Calendar!.BoundariesAt(nodeNow);
                    keys[k++] = _keys.RateLimit(charge.Partition, rule.KeySuffix, periods.PreviousStart);
                    keys[k++] = _keys.RateLimit(charge.Partition, rule.KeySuffix, periods.Start);
                    keys[k++] = _keys.RateLimit(charge.Partition, rule.KeySuffix, periods.End);
                    values[v++] = 2;
                    values[v++] = rule.PermitLimit;
                    values[v++] = periods.PreviousStart;
                    values[v++] = periods.Start;
                    values[v++] = periods.End;
                    values[v++] = periods.NextEnd;
                    break;
                default:
                    keys[k++] = _keys.RateLimit(charge.Partition, rule.KeySuffix);
                    values[v++] = 3;
                    values[v++] = rule.PermitLimit;
                    values[v++] = (rule.WindowMicros + rule.Segments - 1) / rule.Segments;
                    values[v++] = rule.Segments;
                    break;
            }
        }

        return (keys, values);
    }

    private async ValueTask<bool> EvaluateAsync(RedisKey[] keys, RedisValue[] values, Memory<RateLimitVerdict> verdicts, int count)
    {
        RedisResult result;
        try
        {
            var database = (await _connection.GetAsync().ConfigureAwait(false)).GetDatabase();
            try
            {
                result = await database.ScriptEvaluateAsync(ScriptHash, keys, values).ConfigureAwait(false);
            }
            catch (RedisServerException exception) when (exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                // The server lost its script cache (a restart, SCRIPT FLUSH): EVAL runs the script and caches it again.
                result = await database.ScriptEvaluateAsync(RedisScripts.RateLimit, keys, values).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            throw new RateLimitStoreUnavailableException("Redis did not decide the rate-limited request.", exception);
        }

        Volatile.Write(ref _spareKeys, keys);
        Volatile.Write(ref _spareValues, values);
        return Read(result, verdicts.Span, count);
    }

    private static bool Read(RedisResult result, Span<RateLimitVerdict> verdicts, int count)
    {
        if (result.Resp2Type != ResultType.Array || result.Length != 1 + (4 * count))
        {
            throw new RateLimitStoreUnavailableException("Redis answered the rate-limit script with an unexpected result.");
        }

        for (var i = 0; i < count; i++)
        {
            var at = 1 + (4 * i);
            ref var verdict = ref verdicts[i];
            verdict.Admitted = (long)result[at] == 1;
            verdict.Remaining = (long)result[at + 1];
            verdict.ResetMicros = (long)result[at + 2];
            verdict.RetryAfterMicros = (long)result[at + 3];
            verdict.Unchecked = false;
        }

        return (long)result[0] == 1;
    }

}
