namespace ApiShield.RateLimiting;

/// <summary>
/// Times out calls to the shared store with one <see cref="CancellationTokenSource"/> per time slice, shared by every
/// call that starts in that slice, instead of a timer per call: a call gives up between <c>StoreTimeout</c> and
/// <c>StoreTimeout</c> plus one slice (a tenth of it) after it starts.
/// </summary>
/// <remarks>
/// A timer per call (<see cref="Task.WaitAsync(TimeSpan, TimeProvider)"/>) cost about 4 µs of CPU per decision at 64
/// concurrent requests (docs/benchmarks.md); a shared token costs a registration.
/// </remarks>
internal sealed class StoreTimeoutSlices
{
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    private readonly long _sliceTimestamps;
    private TimeSlice? _current;

    public StoreTimeoutSlices(TimeSpan timeout, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        SliceLength = timeout / 10;
        _timeout = timeout + SliceLength;
        _sliceTimestamps = Math.Max(1, (long)(SliceLength.TotalSeconds * timeProvider.TimestampFrequency));
    }

    /// <summary>How much later than <c>StoreTimeout</c> a call may give up.</summary>
    public TimeSpan SliceLength { get; }

    /// <summary>A token cancelled no sooner than <c>StoreTimeout</c> from now, and at most one <see cref="SliceLength"/> later.</summary>
    public CancellationToken Current
    {
        get
        {
            var now = _timeProvider.GetTimestamp();
            var current = Volatile.Read(ref _current);
            if (current is not null && now - current.StartedAt < _sliceTimestamps)
            {
                return current.Token;
            }

            // The slice's timers fire once and then hold nothing, so the sources are left to the collector, never
            // disposed: a call that took a token may still be registering on it.
            var next = new TimeSlice(_timeout, _timeProvider, now);
            var raced = Interlocked.CompareExchange(ref _current, next, current);
            if (raced != current)
            {
                // Another call started the new slice first: use it, and drop this one's timers now.
                next.Dispose();
                return raced!.Token;
            }

            return next.Token;
        }
    }

    /// <summary>
    /// A slice's sources: registering on a token takes its source's lock, and 64 requests completing at once on one
    /// source spun on it (a lock holder preempted on 2 cores), so calls spread over several by thread.
    /// </summary>
    private sealed class TimeSlice
    {
        private const int Sources = 8;

        private readonly CancellationTokenSource[] _sources = new CancellationTokenSource[Sources];
        private readonly CancellationToken[] _tokens = new CancellationToken[Sources];

        public TimeSlice(TimeSpan timeout, TimeProvider timeProvider, long startedAt)
        {
            for (var i = 0; i < Sources; i++)
            {
                _sources[i] = new CancellationTokenSource(timeout, timeProvider);
                _tokens[i] = _sources[i].Token;
            }

            StartedAt = startedAt;
        }

        public long StartedAt { get; }

        public CancellationToken Token => _tokens[Environment.CurrentManagedThreadId & (Sources - 1)];

        public void Dispose()
        {
            foreach (var source in _sources)
            {
                source.Dispose();
            }
        }
    }
}
