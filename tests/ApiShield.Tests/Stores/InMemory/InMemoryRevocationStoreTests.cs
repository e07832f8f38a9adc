using ApiShield.Revocation;
using ApiShield.Stores.InMemory;
using Microsoft.Extensions.Time.Testing;

namespace ApiShield.Tests.Stores.InMemory;

[TestFixture]
public sealed class InMemoryRevocationStoreTests
{
    private static RevocationChange Revoke(string value, DateTimeOffset now) =>
        new(new RevocationEntry(RevocationKind.Token, value, now, now.AddHours(1), null), isUndo: false);

    [Test]
    public async Task ReadAsync_NoPosition_ReturnsSnapshotOfLiveEntries()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryRevocationStore(time);
        var now = time.GetUtcNow();
        await store.AppendAsync(Revoke("a", now), CancellationToken.None);
        await store.AppendAsync(Revoke("b", now), CancellationToken.None);

        var feed = await store.ReadAsync(null, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(feed.IsSnapshot, Is.True);
            Assert.That(feed.Changes.Select(c => c.Entry.Value), Is.EquivalentTo(new[] { "a", "b" }));
            Assert.That(feed.Position, Is.EqualTo("2"));
        });
    }

    [Test]
    public async Task ReadAsync_AfterPosition_ReturnsOnlyLaterChangesInOrder()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryRevocationStore(time);
        var now = time.GetUtcNow();
        var position = await store.AppendAsync(Revoke("a", now), CancellationToken.None);
        await store.AppendAsync(Revoke("b", now), CancellationToken.None);
        await store.AppendAsync(new RevocationChange(new RevocationEntry(RevocationKind.Token, "b", now, now, null), isUndo: true), CancellationToken.None);

        var feed = await store.ReadAsync(position, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(feed.IsSnapshot, Is.False);
            Assert.That(feed.Changes.Select(c => (c.Entry.Value, c.IsUndo)), Is.EqualTo(new[] { ("b", false), ("b", true) }));
        });
    }

    [Test]
    public async Task ReadAsync_UnknownPosition_FallsBackToSnapshot()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryRevocationStore(time);
        await store.AppendAsync(Revoke("a", time.GetUtcNow()), CancellationToken.None);

        var feed = await store.ReadAsync("99", CancellationToken.None);

        Assert.That(feed.IsSnapshot, Is.True);
    }
}
