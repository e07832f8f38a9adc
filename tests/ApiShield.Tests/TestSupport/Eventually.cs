using System.Diagnostics;

namespace ApiShield.Tests.TestSupport;

/// <summary>Waits on a condition with a deadline, never on a fixed sleep.</summary>
internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds, failing the test at <paramref name="timeout"/>.</summary>
    /// <param name="condition">What must become true.</param>
    /// <param name="timeout">How long it may take.</param>
    /// <param name="what">Names the awaited event in the failure message.</param>
    /// <param name="betweenPolls">Runs between polls: nudging a fake clock that the awaited work waits on, say.</param>
    /// <param name="pollInterval">How long to yield between polls; the default is 10 ms.</param>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Action? betweenPolls = null, TimeSpan? pollInterval = null)
    {
        var elapsed = Stopwatch.StartNew();
        while (!await condition())
        {
            if (elapsed.Elapsed > timeout)
            {
                Assert.Fail($"{what} did not happen within {timeout}.");
            }

            betweenPolls?.Invoke();
            await Task.Delay(pollInterval ?? TimeSpan.FromMilliseconds(10));
        }
    }

    /// <inheritdoc cref="HoldsAsync(Func{Task{bool}}, TimeSpan, string, Action?, TimeSpan?)"/>
    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, string what = "The condition", Action? betweenPolls = null, TimeSpan? pollInterval = null)
        => HoldsAsync(() => Task.FromResult(condition()), timeout, what, betweenPolls, pollInterval);
}
