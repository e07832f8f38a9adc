using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ApiShield.RateLimiting;

namespace ApiShield.Stores.InMemory;

/// <summary>
/// Rate-limit counters in this process, deciding exactly as <c>docs/rate-limiting.md</c> specifies (the Redis script
/// implements the same specification). The whole store on one node, and the <see cref="RateLimitFailureMode.Local"/>
/// fallback while Redis cannot answer.
/// </summary>
/// <remarks>
/// Counters live in shards, each a dictionary behind its own lock. A request locks the shards of all its charges in
/// ascending order (so two requests never wait on each other in a cycle), evaluates every charge against the state
/// before it, and writes only if every charge admits it. Expired counters are swept by a timer, so memory follows the
/// partitions active within the longest window rather than every partition ever seen.
/// </remarks>
internal sealed class InMemoryRateLimitStore : IRateLimitStore, IDisposable
{
    /// <summary>How often expired counters are removed.</summary>
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    // Charges of one request beyond this many use heap scratch space; endpoints carry a handful of policies.
    private const int StackCharges = 8;

    private readonly TimeProvider _time;
    private readonly Shard[] _shards;
    private readonly int _shardMask;
    private readonly ITimer _sweepTimer;

    public InMemoryRateLimitStore(TimeProvider time)
    {
        _time = time;
        var shardCount = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(Environment.ProcessorCount * 4, 16, 4096));
        _shards = new Shard[shardCount];
        for (var i = 0; i < _shards.Length; i++)
        {
            _shards[i] = new Shard();
        }

        _shardMask = shardCount - 1;
        _sweepTimer = time.CreateTimer(static state => ((InMemoryRateLimitStore)state!).Sweep(), this, SweepInterval, SweepInterval);
    }

    /// <summary>The number of counters held, expired or not (for tests).</summary>
    internal int Count
    {
        get
        {
            var count = 0;
            foreach (var shard in _shards)
            {
                shard.Enter();
                try
                {
                    foreach (var head in shard.Values)
                    {
                        for (var entry = head; entry is not null; entry = entry.Next)
                        {
                            count++;
                        }
                    }
                }
                finally
                {
                    shard.Exit();
                }
            }

            return count;
        }
    }

    public ValueTask<bool> AcquireAsync(ReadOnlyMemory<RateLimitCharge> charges, Memory<RateLimitVerdict> verdicts, CancellationToken cancellationToken)
        => new(Acquire(charges.Span, verdicts.Span));

    /// <summary>
    /// <see cref="AcquireAsync"/> as what it is, a synchronous decision: for the engine, which calls this store
    /// directly when it is the configured one rather than through <see cref="IRateLimitStore"/> and a task.
    /// </summary>
    public bool Acquire(ReadOnlySpan<RateLimitCharge> charges, Span<RateLimitVerdict> verdicts)
    {
        if (verdicts.Length < charges.Length)
        {
            throw new ArgumentException("There must be one verdict per charge.", nameof(verdicts));
        }

        var now = RateLimitClock.NowMicros(_time);
        return charges.Length switch
        {
            0 => true,
            1 => AcquireOne(charges[0], ref verdicts[0], now),
            _ => AcquireMany(charges, verdicts, now),
        };
    }

    public void Dispose() => _sweepTimer.Dispose();

    /// <summary>Removes every counter whose state has expired (equivalent to an absent counter).</summary>
    internal void Sweep()
    {
        var now = RateLimitClock.NowMicros(_time);
        foreach (var shard in _shards)
        {
            shard.Enter();
            try
            {
                foreach (var partition in shard.Keys)
                {
                    // Updating a value in place and removing during enumeration leave the enumeration valid.
                    ref var head = ref CollectionsMarshal.GetValueRefOrNullRef(shard, partition);
                    ref var link = ref head;
                    while (link is not null)
                    {
                        if (link.ExpiresAt <= now)
                        {
                            link = link.Next;
                        }
                        else
                        {
                            link = ref link.Next;
                        }
                    }

                    if (head is null)
                    {
                        shard.Remove(partition);
                    }
                }

                // A burst of partitions must not pin its peak capacity for the life of the process.
                if (shard.Count < shard.Capacity / 4)
                {
                    shard.TrimExcess();
                }
            }
            finally
            {
                shard.Exit();
            }
        }
    }

    private bool AcquireOne(in RateLimitCharge charge, ref RateLimitVerdict verdict, long now)
    {
        var shard = _shards[ShardOf(charge.Partition)];
        shard.Enter();
        try
        {
            var entry = GetOrAdd(shard, charge.Partition, charge.Rule.KeySuffix);
            Evaluate(entry, charge.Rule, now, ref verdict, out var pending);
            if (pending.Admits)
            {
                Commit(entry, charge.Rule, in pending);
            }

            return pending.Admits;
        }
        finally
        {
            shard.Exit();
        }
    }

    private bool AcquireMany(ReadOnlySpan<RateLimitCharge> charges, Span<RateLimitVerdict> verdicts, long now)
    {
        var count = charges.Length;
        Span<int> shards = count <= StackCharges ? stackalloc int[count] : new int[count];
        Span<int> lockOrder = count <= StackCharges ? stackalloc int[count] : new int[count];
        Span<Pending> pending = count <= StackCharges ? stackalloc Pending[count] : new Pending[count];
        var entryBuffer = default(EntryBuffer);
        Span<Entry?> entries = count <= StackCharges ? entryBuffer[..count] : new Entry?[count];
        for (var i = 0; i < count; i++)
        {
            shards[i] = ShardOf(charges[i].Partition);
            lockOrder[i] = shards[i];
        }

        lockOrder.Sort();
        var locked = 0;
        try
        {
            for (var i = 0; i < count; i++)
            {
                if (locked == 0 || lockOrder[i] != lockOrder[locked - 1])
                {
                    _shards[lockOrder[i]].Enter();
                    lockOrder[locked++] = lockOrder[i];
                }
            }

            var admitted = true;
            for (var i = 0; i < count; i++)
            {
                var entry = entries[i] = GetOrAdd(_shards[shards[i]], charges[i].Partition, charges[i].Rule.KeySuffix);
                Evaluate(entry, charges[i].Rule, now, ref verdicts[i], out pending[i]);
                admitted &= pending[i].Admits;
            }

            for (var i = 0; i < count; i++)
            {
                if (admitted)
                {
                    Commit(entries[i]!, charges[i].Rule, in pending[i]);
                }
                else if (pending[i].Admits)
                {
                    // This policy would admit, but another refused: nothing is charged, so report the state as it was.
                    verdicts[i].Remaining = pending[i].RemainingBefore;
                    verdicts[i].ResetMicros = pending[i].ResetBefore;
                }
            }

            return admitted;
        }
        finally
        {
            while (locked > 0)
            {
                _shards[lockOrder[--locked]].Exit();
            }
        }
    }

    /// <summary>The counter of one partition for one rule; a partition's counters (one per policy) hang off one dictionary entry.</summary>
    private static Entry GetOrAdd(Shard shard, string partition, string suffix)
    {
        ref var head = ref CollectionsMarshal.GetValueRefOrAddDefault(shard, partition, out _);
        for (var entry = head; entry is not null; entry = entry.Next)
        {
            if (string.Equals(entry.Suffix, suffix, StringComparison.Ordinal))
            {
                return entry;
            }
        }

        return head = new Entry(suffix, head);
    }

    /// <summary>
    /// The shard of a partition, from its length and last characters: lock striping only, so partitions chosen to share
    /// a shard cost contention on one lock, never slow lookups. The shard's dictionary hashes whole strings and defends
    /// itself against colliding keys (it switches to randomized hashing when it meets them) without paying for
    /// randomized hashing on every request, as a per-process-randomized hash of the partition did.
    /// </summary>
    private int ShardOf(string partition)
    {
        var length = partition.Length;
        ulong mix;
        if (length >= 8)
        {
            // The last eight characters as two words: two loads, not a loop.
            var tail = MemoryMarshal.AsBytes(partition.AsSpan(length - 8));
            mix = (MemoryMarshal.Read<ulong>(tail) * 0x9E3779B97F4A7C15ul) ^ MemoryMarshal.Read<ulong>(tail[8..]) ^ (uint)length;
        }
        else
        {
            mix = (uint)length;
            foreach (var c in partition)
            {
                mix = (mix * 31) + c;
            }
        }

        return (int)((mix * 0x9E3779B97F4A7C15ul) >> 40) & _shardMask;
    }

    private static void Evaluate(Entry entry, RateLimitRule rule, long now, ref RateLimitVerdict verdict, out Pending pending)
    {
        switch (rule.Algorithm)
        {
            case RateLimitAlgorithm.Gcra:
                EvaluateGcra(entry, rule, now, ref verdict, out pending);
                break;
            case RateLimitAlgorithm.FixedWindow:
                EvaluateFixedWindow(entry, rule, now, ref verdict, out pending);
                break;
            case RateLimitAlgorithm.SlidingWindow:
                EvaluateSlidingWindow(entry, rule, now, ref verdict, out pending);
                break;
            default:
                throw new InvalidOperationException($"Unknown rate-limit algorithm {rule.Algorithm}.");
        }
    }

    private static void EvaluateGcra(Entry entry, RateLimitRule rule, long now, ref RateLimitVerdict verdict, out Pending pending)
    {
        var interval = rule.IntervalMicros;
        var tolerance = rule.Capacity * interval;

        // An absent or expired theoretical arrival time is 'now'.
        var start = Math.Max(entry.Value, now);
        var newTat = start + interval;
        pending = default;
        if (newTat - now <= tolerance)
        {
            var remaining = (tolerance - (newTat - now)) / interval;
            verdict = new RateLimitVerdict
            {
                Admitted = true,
                Remaining = remaining,
                ResetMicros = remaining > 0 ? newTat - now : newTat - now - ((rule.Capacity - 1) * interval),
            };
            pending.Admits = true;
            pending.Value = newTat;
            pending.ExpiresAt = newTat;
            // start - now is (newTat - now) - interval and the dividend is not negative here: one permit more, no second division.
            pending.RemainingBefore = remaining + 1;
            pending.ResetBefore = start - now;
        }
        else
        {
            var retry = newTat - now - tolerance;
            verdict = new RateLimitVerdict { Remaining = 0, ResetMicros = retry, RetryAfterMicros = retry };
        }
    }

    private static void EvaluateFixedWindow(Entry entry, RateLimitRule rule, long now, ref RateLimitVerdict verdict, out Pending pending)
    {
        // The entry remembers its period, so the calendar is consulted once per period rather than per request.
        long start, end, count;
        // A clock that stepped back before the stored period keeps counting in it: going back must never reset a count.
        if (now < entry.PeriodEnd)
        {
            (start, end, count) = (entry.PeriodStart, entry.PeriodEnd, entry.Value);
        }
        else
        {
            (start, end) = rule.Calendar!.Find(now);
            count = 0;
        }

        var limit = rule.PermitLimit;
        pending = default;
        if (count + 1 <= limit)
        {
            verdict = new RateLimitVerdict { Admitted = true, Remaining = limit - count - 1, ResetMicros = end - now };
            pending.Admits = true;
            pending.Value = count + 1;
            pending.Segment = start;
            pending.PeriodEnd = end;
            pending.ExpiresAt = end + RateLimitClock.MicrosPerSecond;
            pending.RemainingBefore = limit - count;
            pending.ResetBefore = count > 0 ? end - now : 0;
        }
        else
        {
            verdict = new RateLimitVerdict { Remaining = Math.Max(0, limit - count), ResetMicros = end - now, RetryAfterMicros = end - now };
        }
    }

    private static void EvaluateSlidingWindow(Entry entry, RateLimitRule rule, long now, ref RateLimitVerdict verdict, out Pending pending)
    {
        var segments = rule.Segments;
        var length = rule.SegmentMicros;
        var current = now / length;

        // After a clock step back, the newest segment written stays the current one until the clock catches up:
        // requests counted in 'future' segments are never forgotten.
        if (entry.SegmentIndexes is not null && entry.NewestSegment > current)
        {
            current = entry.NewestSegment;
        }

        var window = new SegmentWindow(entry, segments, current);

        long count = 0;
        var newest = long.MinValue;
        for (var j = current - segments; j <= current; j++)
        {
            var counted = window.CountOf(j);
            count += counted;
            if (counted > 0)
            {
                newest = j;
            }
        }

        var limit = rule.PermitLimit;
        pending = default;
        if (count + 1 <= limit)
        {
            var remaining = limit - count - 1;
            verdict = new RateLimitVerdict
            {
                Admitted = true,
                Remaining = remaining,
                ResetMicros = remaining > 0
                    ? ((current + segments + 1) * length) - now
                    : UntilAdmitted(in window, count + 1, limit, length, now, admittedNow: true),
            };
            pending.Admits = true;
            pending.Value = window.CountOf(current) + 1;
            pending.Segment = current;
            pending.ExpiresAt = now + ((segments + 1) * length) + RateLimitClock.MicrosPerSecond;
            pending.RemainingBefore = limit - count;
            pending.ResetBefore = count > 0 ? ((newest + segments + 1) * length) - now : 0;
        }
        else
        {
            var retry = UntilAdmitted(in window, count, limit, length, now, admittedNow: false);
            verdict = new RateLimitVerdict { Remaining = Math.Max(0, limit - count), ResetMicros = retry, RetryAfterMicros = retry };
        }
    }

    /// <summary>Until enough of the oldest segments have left the window for one more request to fit.</summary>
    private static long UntilAdmitted(in SegmentWindow window, long count, long limit, long length, long now, bool admittedNow)
    {
        for (var j = window.Current - window.Segments; j <= window.Current; j++)
        {
            count -= window.CountOf(j) + (admittedNow && j == window.Current ? 1 : 0);
            if (count + 1 <= limit)
            {
                return ((j + window.Segments + 1) * length) - now;
            }
        }

        // Only a limit below 1 gets here: it never admits, so the honest answer is 'not within this window'.
        return ((window.Current + window.Segments + 1) * length) - now;
    }

    private static void Commit(Entry entry, RateLimitRule rule, in Pending pending)
    {
        switch (rule.Algorithm)
        {
            case RateLimitAlgorithm.Gcra:
                entry.Value = pending.Value;
                break;
            case RateLimitAlgorithm.FixedWindow:
                entry.Value = pending.Value;
                entry.PeriodStart = pending.Segment;
                entry.PeriodEnd = pending.PeriodEnd;
                break;
            default:
                var slots = rule.Segments + 1;
                if (entry.SegmentIndexes is null || entry.SegmentIndexes.Length != slots)
                {
                    entry.SegmentIndexes = new long[slots];
                    entry.SegmentCounts = new long[slots];
                    entry.SegmentIndexes.AsSpan().Fill(long.MinValue);
                }

                var slot = SlotOf(pending.Segment, slots);
                entry.SegmentIndexes[slot] = pending.Segment;
                entry.SegmentCounts![slot] = pending.Value;
                entry.NewestSegment = Math.Max(entry.NewestSegment, pending.Segment);
                break;
        }

        entry.ExpiresAt = pending.ExpiresAt;
    }

    // Segment indexes before the epoch are negative (only a clock set near 1970 sees them).
    private static int SlotOf(long segment, int slots) => (int)(((segment % slots) + slots) % slots);

    /// <summary>
    /// One lock stripe: each partition's counters (a list linked through <see cref="Entry.Next"/>), and the spin lock
    /// that guards them.
    /// </summary>
    /// <remarks>
    /// A decision holds its shard for a dictionary lookup and a few arithmetic operations, tens of nanoseconds. For
    /// that, <see cref="Lock"/> costs 15 ns a pair uncontended (<see cref="Monitor"/> 14 ns) and this spin lock 6.5 ns:
    /// its release is a plain write, because no waiter sleeps on it to be woken (<c>ShardLockBenchmarks</c>). A thread
    /// that finds the shard taken spins, then yields and at length sleeps (<see cref="SpinWait"/>), so a holder
    /// descheduled mid-section still gets the processor. A shard is held longer, in proportion to its size, when its
    /// dictionary grows and when the sweep walks it; requests for that shard then wait as they would on any lock, but
    /// yielding rather than blocked. A busy shard (every request of a global quota lands on one) is measured in
    /// <c>ContendedShardLockBenchmarks</c>. The shard is the dictionary itself so that a decision loads one object
    /// before its lookup, not three.
    /// </remarks>
    private sealed class Shard : Dictionary<string, Entry>
    {
        // Not readonly: a SpinLock is a mutable struct, entered in place.
        private SpinLock _lock = new(enableThreadOwnerTracking: false);

        public void Enter()
        {
            var taken = false;
            _lock.Enter(ref taken);
        }

        // No fence: the release write orders the section's writes before it, and no waiter needs to see it at once.
        public void Exit() => _lock.Exit(useMemoryBarrier: false);
    }

    /// <summary>One counter's state; which fields are used depends on the rule's algorithm (part of the key).</summary>
    private sealed class Entry(string suffix, Entry? next)
    {
        /// <summary>The rule's key suffix: the policy and its algorithm.</summary>
        public readonly string Suffix = suffix;

        /// <summary>The partition's counter for another rule.</summary>
        public Entry? Next = next;

        /// <summary>GCRA: the theoretical arrival time. Fixed window: the count in the period.</summary>
        public long Value;

        public long PeriodStart;

        public long PeriodEnd;

        /// <summary>When the state becomes equivalent to an absent one; 0 for a counter never written.</summary>
        public long ExpiresAt;

        /// <summary>Sliding window: a ring of S+1 slots, slot <c>j mod (S+1)</c> holding segment <c>j</c>'s count.</summary>
        public long[]? SegmentIndexes;

        public long[]? SegmentCounts;

        /// <summary>Sliding window: the newest segment ever written.</summary>
        public long NewestSegment = long.MinValue;
    }

    /// <summary>The segments <c>current-S .. current</c> of one sliding-window counter.</summary>
    private readonly ref struct SegmentWindow(Entry entry, int segments, long current)
    {
        private readonly long[]? _indexes = entry.SegmentIndexes?.Length == segments + 1 ? entry.SegmentIndexes : null;
        private readonly long[]? _counts = entry.SegmentCounts;

        public int Segments { get; } = segments;

        public long Current { get; } = current;

        public long CountOf(long segment)
        {
            if (_indexes is null)
            {
                return 0;
            }

            var slot = SlotOf(segment, _indexes.Length);
            return _indexes[slot] == segment ? _counts![slot] : 0;
        }
    }

    /// <summary>The counters of a request's charges, on the stack for up to <see cref="StackCharges"/> of them.</summary>
    [InlineArray(StackCharges)]
    private struct EntryBuffer
    {
        private Entry? _first;
    }

    /// <summary>What a charge would write if the request is admitted, and the state before it.</summary>
    private struct Pending
    {
        public bool Admits;
        public long Value;
        public long Segment;
        public long PeriodEnd;
        public long ExpiresAt;
        public long RemainingBefore;
        public long ResetBefore;
    }
}
