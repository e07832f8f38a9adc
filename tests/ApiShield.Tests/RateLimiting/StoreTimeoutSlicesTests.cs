using ApiShield.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace ApiShield.Tests.RateLimiting;

[TestFixture]
public sealed class StoreTimeoutSlicesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(250);

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(12)]
    [TestCase(24)]
    [TestCase(25)]
    [TestCase(49)]
    public void Current_TakenAnywhereInASlice_CancelledNoSoonerThanTheTimeoutAndWithinOneSliceAfter(int millisecondsIntoTheRun)
    {
        var time = new FakeTimeProvider();
        var slices = new StoreTimeoutSlices(Timeout, time);
        _ = slices.Current;
        time.Advance(TimeSpan.FromMilliseconds(millisecondsIntoTheRun));

        var token = slices.Current;
        time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        var early = token.IsCancellationRequested;
        time.Advance(TimeSpan.FromMilliseconds(1) + slices.SliceLength);

        Assert.Multiple(() =>
        {
            Assert.That(slices.SliceLength, Is.EqualTo(TimeSpan.FromMilliseconds(25)));
            Assert.That(early, Is.False, "never before the timeout");
            Assert.That(token.IsCancellationRequested, Is.True, "at most one slice after it");
        });
    }

    [Test]
    public void Current_WithinOneSlice_IsOneToken_AndTheNextSliceAnother()
    {
        var time = new FakeTimeProvider();
        var slices = new StoreTimeoutSlices(Timeout, time);

        var first = slices.Current;
        time.Advance(TimeSpan.FromMilliseconds(24));
        var sameSlice = slices.Current;
        time.Advance(TimeSpan.FromMilliseconds(1));
        var nextSlice = slices.Current;

        Assert.Multiple(() =>
        {
            Assert.That(sameSlice, Is.EqualTo(first));
            Assert.That(nextSlice, Is.Not.EqualTo(first));
        });
    }
}
