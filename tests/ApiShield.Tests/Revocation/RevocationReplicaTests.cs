using ApiShield.Revocation;

namespace ApiShield.Tests.Revocation;

[TestFixture]
public sealed class RevocationReplicaTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static RevocationChange Subject(DateTimeOffset issuedBefore, DateTimeOffset expiresAt, bool undo = false) =>
        new(new RevocationEntry(RevocationKind.Subject, "s", issuedBefore, expiresAt, null), undo);

    [Test]
    public void Apply_OlderCutOffAfterNewer_KeepsTheStricter()
    {
        var replica = new RevocationReplica();
        replica.Apply(Subject(Now, Now.AddHours(2)), Now);
        replica.Apply(Subject(Now.AddMinutes(-10), Now.AddHours(1)), Now);

        Assert.Multiple(() =>
        {
            Assert.That(replica.Check(null, "s", null, Now.AddSeconds(-1).UtcTicks), Is.EqualTo(RevocationVerdict.RevokedSubject));
            Assert.That(replica.Entries(Now).Single().ExpiresAt, Is.EqualTo(Now.AddHours(2)));
        });
    }

    [Test]
    public void Check_IssuedAtCutOffOrLater_Allowed_MissingIat_Revoked()
    {
        var replica = new RevocationReplica();
        replica.Apply(Subject(Now, Now.AddHours(1)), Now);

        Assert.Multiple(() =>
        {
            Assert.That(replica.Check(null, "s", null, Now.UtcTicks), Is.EqualTo(RevocationVerdict.Allowed));
            Assert.That(replica.Check(null, "s", null, 0), Is.EqualTo(RevocationVerdict.RevokedSubject));
            Assert.That(replica.Check(null, "other", null, 0), Is.EqualTo(RevocationVerdict.Allowed));
        });
    }

    [Test]
    public void Apply_Undo_RemovesAndExpiredEntriesAreIgnored()
    {
        var replica = new RevocationReplica();
        replica.Apply(Subject(Now, Now.AddHours(1)), Now);
        replica.Apply(Subject(Now, Now, undo: true), Now);
        replica.Apply(new RevocationChange(new RevocationEntry(RevocationKind.Token, "old", Now, Now.AddSeconds(-1), null), false), Now);

        Assert.That(replica.Count, Is.Zero);
    }

    [Test]
    public void Replace_SwapsTheWholeList()
    {
        var replica = new RevocationReplica();
        replica.Apply(Subject(Now, Now.AddHours(1)), Now);

        replica.Replace([new RevocationChange(new RevocationEntry(RevocationKind.Client, "c", Now, Now.AddHours(1), null), false)], Now);

        Assert.Multiple(() =>
        {
            Assert.That(replica.Contains(RevocationKind.Subject, "s"), Is.False);
            Assert.That(replica.Check(null, null, "c", 0), Is.EqualTo(RevocationVerdict.RevokedClient));
        });
    }
}
