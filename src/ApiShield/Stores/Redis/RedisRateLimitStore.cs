using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using ApiShield.RateLimiting;
using StackExchange.Redis;

namespace ApiShield.Stores.Redis;

/// <summary>
/// Rate-limit counters in Redis, shared by every node: a <c>rate-limit.lua</c> call (EVALSHA) decides all of a
/// request's charges atomically, and requests that arrive while earlier calls are in flight share the next call.
/// </summary>
/// <remarks>
/// <para>
/// Batching: at most <see cref="MaxCallsInFlight"/> script calls are in flight at once. A request that finds fewer is
/// sent at once, alone; the others queue and the next call takes up to <see cref="MaxBatch"/> of them, in arrival
/// order. The script decides them one after another, each with its own reading of <c>TIME</c>, exactly as separate calls
/// would; a call is one atomic script, so a batch changes no count. What it saves is StackExchange.Redis's and Redis's
/// cost per call, which is most of a decision's (docs/benchmarks.md). A request waits for the calls already in flight
/// and, only when more than <see cref="MaxCallsInFlight"/> × <see cref="MaxBatch"/> are queued, for the batches ahead of it.
/// Arrival order holds within a call, not between calls: two batches that leave at once, as two earlier calls end on
/// two threads, may reach Redis in either order. Counts are exact either way.
/// </para>
/// <para>
/// Clock: the Redis server's <c>TIME</c>, read inside the script, so nodes whose clocks disagree share one window.
/// The node's <see cref="TimeProvider"/> only names a fixed window's period (and the next one's key); when the server's
/// time lies outside it, the script writes nothing for that request and the store asks again with the server's period.
/// Tests may pass the caller's clock instead (<see cref="UseCallerClock"/>).
/// </para>
/// </remarks>
internal sealed class RedisRateLimitStore : IRateLimitStore
{
    /// <summary>Requests decided by one script call at most: Redis runs a script alone, so a batch is kept short.</summary>
    internal const int MaxBatch = 64;

    /// <summary>
    /// Script calls in flight at once. Measured at 64 concurrent callers (docs/benchmarks.md): 4 and 8 did better than
    /// 1 or 2 (fewer overlapping calls leave Redis or the node idle in turn) and than 16 (small batches pay the cost
    /// per call again).
    /// </summary>
    internal const int MaxCallsInFlight = 4;

    // Redis names a cached script by the SHA-1 of its text; nothing here depends on SHA-1's strength.
#pragma warning disable CA5350
    private static readonly byte[] ScriptHash = SHA1.HashData(Encoding.UTF8.GetBytes(RedisScripts.RateLimit));
#pragma warning restore CA5350

    // Any key: a single server answers "no slot" for every key, so this asks once per call whether there are slots.
    private static readonly RedisKey SlotProbe = "apishield";

    private readonly RedisConnection _connection;
    private readonly RedisKeys _keys;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _queueLock = new();
    private readonly Queue<RedisRateLimitDecision> _queue = new();

    // Decisions the script asked to send again (a fixed window's period): they go before any newer request.
    private readonly Queue<RedisRateLimitDecision> _again = new();
    private int _callsInFlight;

    // Redis's clock minus this node's, learned when the script asks again: a node whose clock is off names the server's
    // calendar period itself afterwards, instead of paying a second call on every fixed-window decision.
    private long _serverClockOffset;

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
        var decision = new RedisRateLimitDecision(charges, verdicts, cancellationToken);
        Enqueue(decision);
        return decision.Task;
    }

    private void Enqueue(RedisRateLimitDecision decision)
    {
        lock (_queueLock)
        {
            _queue.Enqueue(decision);
        }

        SendWhileCallsAreFree();
    }

    /// <summary>Starts calls for queued decisions while fewer than <see cref="MaxCallsInFlight"/> are in flight.</summary>
    private void SendWhileCallsAreFree()
    {
        while (true)
        {
            RedisRateLimitDecision[] batch;
            int count;
            lock (_queueLock)
            {
                var queued = _again.Count + _queue.Count;
                if (_callsInFlight >= MaxCallsInFlight || queued == 0)
                {
                    return;
                }

                batch = ArrayPool<RedisRateLimitDecision>.Shared.Rent(Math.Min(queued, MaxBatch));
                count = 0;
                while (count < MaxBatch && (_again.TryDequeue(out var next) || _queue.TryDequeue(out next)))
                {
                    // A decision its caller has given up on is dropped here: it must not reach Redis.
                    if (!next.IsCompleted)
                    {
                        batch[count++] = next;
                    }
                }

                if (count == 0)
                {
                    ArrayPool<RedisRateLimitDecision>.Shared.Return(batch);
                    continue;
                }

                _callsInFlight++;
            }

            _ = SendAsync(batch, count);
        }
    }

    private async Task SendAsync(RedisRateLimitDecision[] batch, int count)
    {
        List<RedisRateLimitDecision>? again = null;
        try
        {
            // The first request (or one during a reconnect) connects: each caller's wait is bounded by its own token,
            // and this one by the newest caller's.
            var connecting = _connection.GetAsync();
            var multiplexer = connecting.IsCompletedSuccessfully ? connecting.Result : await ConnectAsync(connecting, batch[count - 1].CancellationToken).ConfigureAwait(false);
            var database = multiplexer.GetDatabase();

            // Decisions given up on while the connection was made are not sent.
            var live = 0;
            for (var i = 0; i < count; i++)
            {
                if (!batch[i].IsCompleted)
                {
                    batch[live++] = batch[i];
                }
            }

            if (live == 0)
            {
                return;
            }

            if (multiplexer.HashSlot(SlotProbe) < 0)
            {
                // A single server (no slots): one call for the whole batch.
                again = await EvaluateAsync(database, batch, 0, live, Deadline(batch, 0, live)).ConfigureAwait(false);
            }
            else
            {
                again = await EvaluateBySlotAsync(multiplexer, database, batch, live).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            FailAll(batch, 0, count, exception);
        }
        finally
        {
            Array.Clear(batch, 0, count);
            ArrayPool<RedisRateLimitDecision>.Shared.Return(batch);
            lock (_queueLock)
            {
                _callsInFlight--;
                if (again is not null)
                {
                    foreach (var decision in again)
                    {
                        _again.Enqueue(decision);
                    }
                }
            }

            SendWhileCallsAreFree();
        }
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(ValueTask<IConnectionMultiplexer> connecting, CancellationToken newest)
    {
        try
        {
            return await connecting.AsTask().WaitAsync(newest).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (newest.IsCancellationRequested)
        {
            throw new RateLimitStoreUnavailableException("Redis could not be connected to within the store timeout.");
        }
    }

    /// <summary>
    /// The token a call waits on: the last live decision's whose token has not fired. Tokens come from the engine's store
    /// timeout in about arrival order, so the others' have mostly run out by then; any still waiting fail with the call.
    /// </summary>
    private static CancellationToken Deadline(RedisRateLimitDecision[] batch, int offset, int count)
    {
        for (var i = offset + count - 1; i > offset; i--)
        {
            if (!batch[i].CancellationToken.IsCancellationRequested)
            {
                return batch[i].CancellationToken;
            }
        }

        return batch[offset].CancellationToken;
    }

    /// <summary>A key in the charge's hash-tag slot (the partition is the hash tag).</summary>
    private RedisKey SlotKey(RateLimitCharge charge) => _keys.RateLimit(charge.Partition, string.Empty);

    /// <summary>
    /// Under Redis Cluster: one script call per slot (a script's keys must share one), all sent at once. A request whose
    /// own policies lie in different slots (they partition differently) fails alone, into its failure modes.
    /// </summary>
    private async Task<List<RedisRateLimitDecision>?> EvaluateBySlotAsync(IConnectionMultiplexer multiplexer, IDatabase database, RedisRateLimitDecision[] batch, int count)
    {
        // Sorted by slot, then by arrival: each caller's requests stay in the order they came.
        var order = new long[count];
        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            var charges = batch[i].Charges.Span;
            var slot = multiplexer.HashSlot(SlotKey(charges[0]));
            var oneSlot = true;
            for (var c = 1; c < charges.Length && oneSlot; c++)
            {
                oneSlot = charges[c].Partition == charges[0].Partition || multiplexer.HashSlot(SlotKey(charges[c])) == slot;
            }

            if (!oneSlot)
            {
                batch[i].TryFail(new RateLimitStoreUnavailableException("The request's rate-limit policies partition differently, so their Redis Cluster keys lie in different slots and no one script can decide them."));
                continue;
            }

            batch[kept] = batch[i];
            order[kept] = ((long)slot << 32) | (uint)i;
            kept++;
        }

        Array.Sort(order, batch, 0, kept);
        var calls = new List<Task<List<RedisRateLimitDecision>?>>();
        for (var start = 0; start < kept;)
        {
            var end = start + 1;
            while (end < kept && order[end] >> 32 == order[start] >> 32)
            {
                end++;
            }

            calls.Add(EvaluateOrFailAsync(database, batch, start, end - start));
            start = end;
        }

        // Every call is awaited before the batch's array is returned: each ends by itself, answered or failed.
        List<RedisRateLimitDecision>? again = null;
        foreach (var call in calls)
        {
            if (await call.ConfigureAwait(false) is { } more)
            {
                (again ??= []).AddRange(more);
            }
        }

        return again;
    }

    /// <summary>One slot's call: a failure fails that slot's decisions only.</summary>
    private async Task<List<RedisRateLimitDecision>?> EvaluateOrFailAsync(IDatabase database, RedisRateLimitDecision[] batch, int offset, int count)
    {
        try
        {
            return await EvaluateAsync(database, batch, offset, count, Deadline(batch, offset, count)).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            FailAll(batch, offset, count, exception);
            return null;
        }
    }

    /// <summary>Fails every decision of a call that failed, those already answered excepted, as the store being unavailable.</summary>
    private static void FailAll(RedisRateLimitDecision[] batch, int offset, int count, Exception exception)
    {
        var failure = exception as RateLimitStoreUnavailableException
            ?? new RateLimitStoreUnavailableException("Redis did not decide the rate-limited request.", exception);
        for (var i = offset; i < offset + count; i++)
        {
            batch[i].TryFail(failure);
        }
    }

    /// <summary>Sends one script call for <paramref name="count"/> decisions and completes them from its answer.</summary>
    /// <returns>The decisions the script asked to send again with the server's period, if any.</returns>
    private async Task<List<RedisRateLimitDecision>?> EvaluateAsync(
        IDatabase database,
        RedisRateLimitDecision[] batch,
        int offset,
        int count,
        CancellationToken newest)
    {
        var (keys, values) = BuildArguments(batch.AsSpan(offset, count));
        Task<RedisResult>? evaluation = null;
        RedisResult result;
        try
        {
            try
            {
                evaluation = database.ScriptEvaluateAsync(ScriptHash, keys, values);
                result = await evaluation.WaitAsync(newest).ConfigureAwait(false);
            }
            catch (RedisServerException exception) when (exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                // The server lost its script cache (a restart, SCRIPT FLUSH): EVAL runs the script and caches it again.
                evaluation = database.ScriptEvaluateAsync(RedisScripts.RateLimit, keys, values);
                result = await evaluation.WaitAsync(newest).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (newest.IsCancellationRequested)
        {
            // Given up on: a late failure is still observed.
            _ = evaluation?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw new RateLimitStoreUnavailableException("Redis did not answer the rate-limit script within the store timeout.");
        }

        return Read(result, batch.AsSpan(offset, count));
    }

    private (RedisKey[] Keys, RedisValue[] Values) BuildArguments(ReadOnlySpan<RedisRateLimitDecision> decisions)
    {
        int keyCount = 0, valueCount = 1;
        foreach (var decision in decisions)
        {
            valueCount++;
            foreach (var charge in decision.Charges.Span)
            {
                (keyCount, valueCount) = charge.Rule.Algorithm switch
                {
                    RateLimitAlgorithm.Gcra => (keyCount + 1, valueCount + 3),
                    RateLimitAlgorithm.FixedWindow => (keyCount + 2, valueCount + 5),
                    _ => (keyCount + 1, valueCount + 4),
                };
            }
        }

        var keys = new RedisKey[keyCount];
        var values = new RedisValue[valueCount];
        var nodeNow = RateLimitClock.NowMicros(_timeProvider);
        values[0] = UseCallerClock ? nodeNow : 0;
        var correctedNow = nodeNow + Volatile.Read(ref _serverClockOffset);
        int k = 0, v = 1;
        foreach (var decision in decisions)
        {
            decision.Attempts++;
            var periodsNow = decision.PeriodsAt ?? correctedNow;
            var charges = decision.Charges.Span;
            values[v++] = charges.Length;
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
        }

        return (keys, values);
    }

    /// <summary>Completes each decision from its part of the script's answer (rate-limit.lua's header).</summary>
    private List<RedisRateLimitDecision>? Read(RedisResult result, ReadOnlySpan<RedisRateLimitDecision> decisions)
    {
        if (result.Resp2Type != ResultType.Array)
        {
            throw UnexpectedResult();
        }

        List<RedisRateLimitDecision>? again = null;
        var length = result.Length;
        var r = 0;
        foreach (var decision in decisions)
        {
            var count = decision.Charges.Length;
            if (r + 2 > length)
            {
                throw UnexpectedResult();
            }

            var tag = (long)result[r];
            if (tag == 1)
            {
                var serverNow = (long)result[r + 1];
                r += 2;
                if (AskAgain(decision, serverNow))
                {
                    (again ??= []).Add(decision);
                }

                continue;
            }

            if (tag == 2)
            {
                // The request's evaluation failed inside the script (its state is corrupt); the call's other requests are decided.
                decision.TryFail(new RateLimitStoreUnavailableException($"Redis failed the rate-limit script for the request: {(string?)result[r + 1]}"));
                r += 2;
                continue;
            }

            if (tag != 0)
            {
                throw UnexpectedResult();
            }

            if (r + 1 + (2 * count) > length)
            {
                throw UnexpectedResult();
            }

            r++;
            if (!decision.TryClaim())
            {
                // Its caller gave up at the timeout: the verdicts are no longer ours to write.
                r += 2 * count;
                continue;
            }

            var verdicts = decision.Verdicts.Span;
            var admitted = true;
            for (var i = 0; i < count; i++)
            {
                // A refusing charge sends -1 - remaining, and its retry after is its reset.
                var remaining = (long)result[r++];
                var reset = (long)result[r++];
                ref var verdict = ref verdicts[i];
                verdict.Admitted = remaining >= 0;
                verdict.Remaining = remaining >= 0 ? remaining : -1 - remaining;
                verdict.ResetMicros = reset;
                verdict.RetryAfterMicros = remaining >= 0 ? 0 : reset;
                verdict.Unchecked = false;
                admitted &= verdict.Admitted;
            }

            decision.SetResult(admitted);
        }

        if (r != length)
        {
            throw UnexpectedResult();
        }

        return again;
    }

    private static RateLimitStoreUnavailableException UnexpectedResult()
        => new("Redis answered the rate-limit script with an unexpected result.");

    /// <summary>
    /// The node's clock is ahead of Redis's across a period boundary, or more than a period off: the decision is sent
    /// again with the period around the server's time, and this node's clock is corrected by the difference from now
    /// on. The script takes two periods, so asked from the server's own time it misses only if a whole period passes
    /// within one round trip; a third miss means a broken script or server.
    /// </summary>
    /// <returns>Whether to send the decision again.</returns>
    private bool AskAgain(RedisRateLimitDecision decision, long serverNow)
    {
        if (decision.Attempts >= 3)
        {
            decision.TryFail(new RateLimitStoreUnavailableException("Redis's time kept falling outside calendar periods named from Redis's own time."));
            return false;
        }

        decision.PeriodsAt = serverNow;
        Volatile.Write(ref _serverClockOffset, serverNow - RateLimitClock.NowMicros(_timeProvider));
        return !decision.IsCompleted;
    }
}
