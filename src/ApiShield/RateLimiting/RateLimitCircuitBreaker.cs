using Microsoft.Extensions.Logging;

namespace ApiShield.RateLimiting;

/// <summary>
/// Stops requests waiting on a shared store that keeps failing: <c>FailuresBeforeBreak</c> consecutive failures open
/// the circuit for <c>BreakDuration</c>, during which no call is made; then one request at a time probes the store,
/// and the first success closes the circuit again.
/// </summary>
internal sealed class RateLimitCircuitBreaker
{
    private const int Closed = 0;
    private const int Open = 1;
    private const int Probing = 2;

    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly int _failuresBeforeBreak;
    private readonly TimeSpan _breakDuration;
    private int _state;
    private int _failures;
    private long _openedAt;

    public RateLimitCircuitBreaker(int failuresBeforeBreak, TimeSpan breakDuration, TimeProvider timeProvider, ILogger logger)
    {
        _failuresBeforeBreak = Math.Max(1, failuresBeforeBreak);
        _breakDuration = breakDuration;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public bool IsClosed => Volatile.Read(ref _state) == Closed;

    /// <summary>Whether a call may be made now; <paramref name="probe"/> is set when this call is the one probe of a half-open circuit.</summary>
    public bool TryEnter(out bool probe)
    {
        probe = false;
        if (Volatile.Read(ref _state) == Closed)
        {
            return true;
        }

        lock (_lock)
        {
            if (_state == Closed)
            {
                return true;
            }

            if (_state == Open && _timeProvider.GetElapsedTime(_openedAt) >= _breakDuration)
            {
                _state = Probing;
                probe = true;
                return true;
            }

            return false;
        }
    }

    public void OnSuccess(bool probe)
    {
        if (!probe && Volatile.Read(ref _state) == Closed && Volatile.Read(ref _failures) == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (probe)
            {
                _state = Closed;
                _failures = 0;
                RateLimitingLog.CircuitClosed(_logger);
            }
            else if (_state == Closed)
            {
                _failures = 0;
            }
        }
    }

    public void OnFailure(bool probe)
    {
        lock (_lock)
        {
            if (probe)
            {
                _state = Open;
                _openedAt = _timeProvider.GetTimestamp();
            }
            else if (_state == Closed && ++_failures >= _failuresBeforeBreak)
            {
                _state = Open;
                _openedAt = _timeProvider.GetTimestamp();
                RateLimitingLog.CircuitOpened(_logger, _failures, _breakDuration);
            }
        }
    }

    /// <summary>A probe ended without an answer either way (its caller went away): the next request probes instead.</summary>
    public void OnAbandoned(bool probe)
    {
        if (!probe)
        {
            return;
        }

        lock (_lock)
        {
            if (_state == Probing)
            {
                _state = Open;
            }
        }
    }

    /// <summary>How long until the circuit lets a probe through; zero while it is closed.</summary>
    public TimeSpan RemainingBreak
    {
        get
        {
            lock (_lock)
            {
                if (_state != Open)
                {
                    return TimeSpan.Zero;
                }

                var remaining = _breakDuration - _timeProvider.GetElapsedTime(_openedAt);
                return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
            }
        }
    }
}
