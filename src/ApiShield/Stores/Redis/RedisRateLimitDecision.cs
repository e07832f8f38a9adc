using System.Threading.Tasks.Sources;
using ApiShield.RateLimiting;

namespace ApiShield.Stores.Redis;

/// <summary>
/// One request waiting for <see cref="RedisRateLimitStore"/>'s script: queued, sent in a batch, and completed exactly
/// once, by the script's answer, a failure or its caller's token, whichever comes first.
/// </summary>
/// <remarks>
/// Never reused: a late answer for a decision its caller has given up on finds it completed and writes nothing, so no
/// verdict is ever written after <see cref="IRateLimitStore.AcquireAsync"/>'s caller stopped waiting.
/// </remarks>
internal sealed class RedisRateLimitDecision : IValueTaskSource<bool>
{
    // Continuations go to the thread pool: one script answer completes a whole batch, and each request must not run
    // the rest of its pipeline on the thread that reads the answer.
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private int _completed;

    public RedisRateLimitDecision(ReadOnlyMemory<RateLimitCharge> charges, Memory<RateLimitVerdict> verdicts, CancellationToken cancellationToken)
    {
        Charges = charges;
        Verdicts = verdicts;
        CancellationToken = cancellationToken;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static state => ((RedisRateLimitDecision)state!).Cancel(), this);
        }
    }

    public ReadOnlyMemory<RateLimitCharge> Charges { get; }

    public Memory<RateLimitVerdict> Verdicts { get; }

    /// <summary>The caller's token: when it is cancelled the caller has stopped waiting.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Where a fixed window's periods are placed when the script asked again: the server's time; otherwise null.</summary>
    public long? PeriodsAt { get; set; }

    /// <summary>The script calls this decision has been in, including the one being built.</summary>
    public int Attempts { get; set; }

    /// <summary>Whether the decision is answered, failed or given up on: it is then neither sent nor written.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    public ValueTask<bool> Task => new(this, _core.Version);

    /// <summary>Claims the decision for an answer; only the caller that gets true may write its verdicts.</summary>
    public bool TryClaim()
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        _registration.Unregister();
        return true;
    }

    /// <summary>Completes a claimed decision.</summary>
    public void SetResult(bool admitted) => _core.SetResult(admitted);

    /// <summary>
    /// Fails the decision unless it is already completed; as cancelled when its caller's token has fired, whichever
    /// callback of that token ran first (the store's own wait shares it).
    /// </summary>
    public void TryFail(Exception exception)
    {
        if (TryClaim())
        {
            _core.SetException(CancellationToken.IsCancellationRequested ? new OperationCanceledException(CancellationToken) : exception);
        }
    }

    private void Cancel()
    {
        if (TryClaim())
        {
            _core.SetException(new OperationCanceledException(CancellationToken));
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}
