using System.Runtime.CompilerServices;
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
/// The node's <see cref="TimeProvider"/> only names a fixed window's period (and the next one's key); when the server's
/// time lies outside it, the script writes nothing and the store asks again with the server's period. Tests may pass the caller's clock instead (<see cref="UseCallerClock"/>).
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

    // Redis's clock minus this node's, learned when the script asks again: a node whose clock is off names the server's
    // calendar period itself afterwards, instead of paying a second call on every fixed-window decision.
    private long _serverClockOffset;

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
        return EvaluateAsync(charges, verdicts, cancellationToken);
    }

    /// <param name="charges">The request's charges.</param>
    /// <param name="periodsAt">Where a fixed window's periods are placed: the node's time corrected by the learned offset, or the server's when the script asked for it.</param>
    private (RedisKey[] Keys, RedisValue[] Values) BuildArguments(ReadOnlySpan<RateLimitCharge> charges, long? periodsAt)
    {
        int keyCount = 0, valueCount = 1;
        foreach (var charge in charges)
        {
            (keyCount, valueCount) = charge.Rule.Algorithm switch
            {
                RateLimitAlgorithm.Gcra => (keyCount + 1, valueCount + 3),
                RateLimitAlgorithm.FixedWindow => (keyCount + 2, valueCount + 5),
                _ => (keyCount + 1, valueCount + 4),
            };
        }

        var keys = Interlocked.Exchange(ref _spareKeys, null) is { } spareKeys && spareKeys.Length == keyCount ? spareKeys : new RedisKey[keyCount];
        var values = Interlocked.Exchange(ref _spareValues, null) is { } spareValues && spareValues.Length == valueCount ? spareValues : new RedisValue[valueCount];

        var nodeNow = RateLimitClock.NowMicros(_timeProvider);
        values[0] = UseCallerClock ? nodeNow : 0;
        var periodsNow = periodsAt ?? nodeNow + Volatile.Read(ref _serverClockOffset);
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
                    var periods = rule.Calendar!.BoundariesAt(periodsNow);
                    keys[k++] = _keys.RateLimit(charge.Partition, rule.KeySuffix, periods.Start);
                    keys[k++] = _keys.RateLimit(charge.Partition, rule.KeySuffix, periods.End);
                    values[v++] = 2;
                    values[v++] = rule.PermitLimit;
                    values[v++] = periods.Start;
                    values[v++] = periods.End;
                    values[v++] = periods.NextEnd;
                    break;
                default:
                    keys[k++] = _keys.RateLimit(charge.Partition, rule.KeySuffix);
                    values[v++] = 3;
                    values[v++] = rule.PermitLimit;
                    values[v++] = rule.SegmentMicros;
                    values[v++] = rule.Segments;
                    break;
            }
        }

        return (keys, values);
    }

    // Pooled: every decision suspends here; its caller awaits the ValueTask once.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> EvaluateAsync(ReadOnlyMemory<RateLimitCharge> charges, Memory<RateLimitVerdict> verdicts, CancellationToken cancellationToken)
    {
        long? periodsAt = null;
        for (var attempt = 1; ; attempt++)
        {
            var (keys, values) = BuildArguments(charges.Span, periodsAt);
            RedisResult result;
            Task<RedisResult>? evaluation = null;
            try
            {
                // The first request (or one during a reconnect) connects: that too is bounded by the store timeout.
                var connecting = _connection.GetAsync();
                var multiplexer = connecting.IsCompletedSuccessfully ? connecting.Result : await connecting.AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
                var database = multiplexer.GetDatabase();

                // A call given up on must not reach Redis afterwards: the failure mode has already decided it.
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    evaluation = database.ScriptEvaluateAsync(ScriptHash, keys, values);
                    result = await evaluation.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (RedisServerException exception) when (exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
                {
                    // The server lost its script cache (a restart, SCRIPT FLUSH): EVAL runs the script and caches it again.
                    cancellationToken.ThrowIfCancellationRequested();
                    evaluation = database.ScriptEvaluateAsync(RedisScripts.RateLimit, keys, values);
                    result = await evaluation.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                throw new RateLimitStoreUnavailableException("Redis did not decide the rate-limited request.", exception);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Given up on (the store timeout): the call's arrays are not reused, and a late failure is observed.
                _ = evaluation?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                throw;
            }

            Volatile.Write(ref _spareKeys, keys);
            Volatile.Write(ref _spareValues, values);
            if (ServerTimeOutsidePeriods(result) is not { } serverNow)
            {
                return Read(result, verdicts.Span, charges.Length);
            }

            // The node's clock is ahead of Redis's across a period boundary, or more than a period off: ask again with
            // the period around the server's time, and correct this node's clock by the difference from now on. The
            // script takes two periods, so asked from the server's own time it misses only if a whole period passes
            // within one round trip; a third miss means a broken script or server.
            if (attempt == 3)
            {
                throw new RateLimitStoreUnavailableException("Redis's time kept falling outside calendar periods named from Redis's own time.");
            }

            periodsAt = serverNow;
            Volatile.Write(ref _serverClockOffset, serverNow - RateLimitClock.NowMicros(_timeProvider));
        }
    }

    /// <summary>The server's time when the script answered <c>{ now }</c> (a fixed window's period did not hold it); otherwise null.</summary>
    private static long? ServerTimeOutsidePeriods(RedisResult result)
        => result.Resp2Type == ResultType.Array && result.Length == 1 ? (long)result[0] : null;

    private static bool Read(RedisResult result, Span<RateLimitVerdict> verdicts, int count)
    {
        if (result.Resp2Type != ResultType.Array || result.Length != 2 * count)
        {
            throw new RateLimitStoreUnavailableException("Redis answered the rate-limit script with an unexpected result.");
        }

        var admitted = true;
        for (var i = 0; i < count; i++)
        {
            // A refusing charge sends -1 - remaining, and its retry after is its reset (rate-limit.lua's header).
            var remaining = (long)result[2 * i];
            var reset = (long)result[(2 * i) + 1];
            ref var verdict = ref verdicts[i];
            verdict.Admitted = remaining >= 0;
            verdict.Remaining = remaining >= 0 ? remaining : -1 - remaining;
            verdict.ResetMicros = reset;
            verdict.RetryAfterMicros = remaining >= 0 ? 0 : reset;
            verdict.Unchecked = false;
            admitted &= verdict.Admitted;
        }

        return admitted;
    }
}
