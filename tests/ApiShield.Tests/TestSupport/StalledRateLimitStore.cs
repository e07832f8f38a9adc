using ApiShield.RateLimiting;

namespace ApiShield.Tests.TestSupport;

/// <summary>A store that never answers until released, as a Redis that accepts commands but stalls would; for the timeout.</summary>
internal sealed class StalledRateLimitStore : IRateLimitStore
{
    private readonly TaskCompletionSource<bool> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;
    private int _completed;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Calls that have written their (late) verdicts.</summary>
    public int Completed => Volatile.Read(ref _completed);

    public async ValueTask<bool> AcquireAsync(ReadOnlyMemory<RateLimitCharge> charges, Memory<RateLimitVerdict> verdicts, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);

        // Like a store whose call cannot be stopped, the late answer of a call given up on still lands in the buffer
        // it was given (the engine never hands that buffer to anyone else).
        _ = _answer.Task.ContinueWith(
            answer =>
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    verdicts.Span.Fill(new RateLimitVerdict { Admitted = answer.Result, Remaining = 12345 });
                }

                Interlocked.Increment(ref _completed);
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return await _answer.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Lets every stalled call finish, late.</summary>
    public void Release(bool admitted) => _answer.TrySetResult(admitted);
}
