using System.Net;
using ApiShield.Revocation;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ApiShield.Tests.Revocation;

/// <summary>Revocation on one host with the in-memory store, end to end through the pipeline.</summary>
[TestFixture]
public sealed class RevocationServiceTests
{
    private const string RevokedChallenge = "Bearer error=\"invalid_token\", error_description=\"The access token has been revoked.\"";

    private static Task<TestApi> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["ApiShield:Revocation:Enabled"] = "true" };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        return TestApi.StartAsync(new TestApiOptions
        {
            Settings = all,
            Map = app =>
            {
                app.MapGet("/data", () => "ok");
                app.MapGet("/whoami", (HttpContext c) => c.User.FindFirst("sub")?.Value ?? "anonymous").AllowAnonymous();
            },
        });
    }

    private static IRevocationService Service(TestApi api) => api.Services.GetRequiredService<IRevocationService>();

    [Test]
    public async Task RevokeTokenAsync_RevokedJti_Returns401RevokedAndCountsHit()
    {
        await using var api = await StartAsync();
        using var hits = new MetricCollector<long>(api.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "ApiShield", "apishield.revocation.hits");
        using var revocations = new MetricCollector<long>(api.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "ApiShield", "apishield.revocation.revocations");
        var jti = Guid.NewGuid().ToString("N");
        var token = api.Token(t => t.Claims["jti"] = jti);
        var other = api.Token();

        var entry = await Service(api).RevokeTokenAsync(jti, api.Time.GetUtcNow().AddHours(1), "leaked in a log");

        using var refused = await api.GetAsync("/data", token);
        var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Unauthorized, "invalid-token");
        using var accepted = await api.GetAsync("/data", other);
        Assert.Multiple(() =>
        {
            Assert.That(ProblemAssert.WwwAuthenticate(refused), Is.EqualTo(RevokedChallenge));
            Assert.That(problem.GetProperty("detail").GetString(), Is.EqualTo("The access token has been revoked."));
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(entry.Kind, Is.EqualTo(RevocationKind.Token));
            Assert.That(entry.Reason, Is.EqualTo("leaked in a log"));
            Assert.That(hits.GetMeasurementSnapshot().Single().Tags["kind"], Is.EqualTo("token"));
            Assert.That(revocations.GetMeasurementSnapshot().Single().Tags["kind"], Is.EqualTo("token"));
            Assert.That(api.Logs.GetSnapshot().Any(r => r.Id.Id == 400), Is.True);
            Assert.That(api.Logs.GetSnapshot().Any(r => r.Message.Contains(jti, StringComparison.Ordinal) || r.Message.Contains(token, StringComparison.Ordinal)), Is.False);
        });
    }

    [Test]
    public async Task RevokeTokenAsync_RevokedTokenOnAnonymousEndpoint_CallerIsAnonymous()
    {
        await using var api = await StartAsync();
        var jti = Guid.NewGuid().ToString("N");
        var token = api.Token(t => t.Claims["jti"] = jti);
        await Service(api).RevokeTokenAsync(jti, api.Time.GetUtcNow().AddHours(1), null);

        using var response = await api.GetAsync("/whoami", token);

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("anonymous"));
    }

    [Test]
    public async Task RevokeSubjectAsync_WeakerCutOffLater_StoreKeepsTheStricterOne()
    {
        await using var api = await StartAsync();
        var later = api.Time.GetUtcNow();
        var earlier = later - TimeSpan.FromHours(1);

        await Service(api).RevokeSubjectAsync("dave", later, "stolen laptop");
        await Service(api).RevokeSubjectAsync("dave", earlier, "second report");

        // What a node loading a snapshot reads must be what every node that replayed the log holds.
        var feed = await api.Services.GetRequiredService<IRevocationStore>().ReadAsync(null, CancellationToken.None);
        var stored = feed.Changes.Single(c => c.Entry.Kind == RevocationKind.Subject && c.Entry.Value == "dave").Entry;
        Assert.That(stored.IssuedBefore, Is.EqualTo(later));
    }

    [Test]
    public async Task RevokeSubjectAsync_HonoursIssuedAt()
    {
        await using var api = await StartAsync();
        var before = api.Token(t => t.Claims["sub"] = "alice");
        var otherUser = api.Token(t => t.Claims["sub"] = "bob");
        await Service(api).RevokeSubjectAsync("alice", issuedBefore: null, "account compromised");

        // 'iat' has whole seconds: a token issued in the same second as the cut-off counts as issued before it.
        api.Time.Advance(TimeSpan.FromSeconds(2));
        var after = api.Token(t => t.Claims["sub"] = "alice");

        using var refused = await api.GetAsync("/data", before);
        using var newToken = await api.GetAsync("/data", after);
        using var bob = await api.GetAsync("/data", otherUser);
        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(ProblemAssert.WwwAuthenticate(refused), Is.EqualTo(RevokedChallenge));
            Assert.That(newToken.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(bob.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task RevokeClientAsync_HonoursIssuedAtAndFallsBackToAzp()
    {
        await using var api = await StartAsync();
        var byClientId = api.Token(t => t.Claims["client_id"] = "partner-app");
        var byAzp = api.Token(t =>
        {
            t.Claims["client_id"] = null;
            t.Claims["azp"] = "partner-app";
        });
        var otherClient = api.Token(t => t.Claims["client_id"] = "first-party");
        await Service(api).RevokeClientAsync("partner-app", issuedBefore: null, "client secret leaked");
        api.Time.Advance(TimeSpan.FromSeconds(2));
        var reissued = api.Token(t => t.Claims["client_id"] = "partner-app");

        using var r1 = await api.GetAsync("/data", byClientId);
        using var r2 = await api.GetAsync("/data", byAzp);
        using var r3 = await api.GetAsync("/data", otherClient);
        using var r4 = await api.GetAsync("/data", reissued);
        Assert.Multiple(() =>
        {
            Assert.That(r1.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(r2.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(r3.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(r4.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task UndoSubjectAsync_AfterUndo_TokenAcceptedAgain()
    {
        await using var api = await StartAsync();
        var token = api.Token(t => t.Claims["sub"] = "carol");
        await Service(api).RevokeSubjectAsync("carol", null, "mistake");
        using var refused = await api.GetAsync("/data", token);

        var undone = await Service(api).UndoSubjectAsync("carol");
        var undoneAgain = await Service(api).UndoSubjectAsync("carol");
        using var accepted = await api.GetAsync("/data", token);

        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(undone, Is.True);
            Assert.That(undoneAgain, Is.False);
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task UndoClientAsync_AfterUndo_TokenAcceptedAgain()
    {
        await using var api = await StartAsync();
        var token = api.Token(t => t.Claims["client_id"] = "partner");
        await Service(api).RevokeClientAsync("partner", null, null);

        var undone = await Service(api).UndoClientAsync("partner");
        using var accepted = await api.GetAsync("/data", token);

        Assert.Multiple(() =>
        {
            Assert.That(undone, Is.True);
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task ListAsync_ReportsEntriesWithReasons()
    {
        await using var api = await StartAsync();
        var now = api.Time.GetUtcNow();
        await Service(api).RevokeTokenAsync("jti-1", now.AddMinutes(30), "leaked");
        await Service(api).RevokeSubjectAsync("dave", now.AddMinutes(-1), "left the company");
        await Service(api).RevokeClientAsync("app-9", null, null);

        var entries = await Service(api).ListAsync();

        Assert.That(entries.Select(e => (e.Kind, e.Value, e.Reason)), Is.EqualTo(new[]
        {
            (RevocationKind.Token, "jti-1", (string?)"leaked"),
            (RevocationKind.Subject, "dave", "left the company"),
            (RevocationKind.Client, "app-9", null),
        }));
        var subject = entries[1];
        Assert.Multiple(() =>
        {
            Assert.That(subject.IssuedBefore, Is.EqualTo(now.AddMinutes(-1)));

            // One maximum token lifetime (28 h by default) plus the clock skew after the cut-off.
            Assert.That(subject.ExpiresAt, Is.EqualTo(now.AddMinutes(-1) + TimeSpan.FromHours(28) + TimeSpan.FromSeconds(30)));
            Assert.That(entries[0].ExpiresAt, Is.EqualTo(now.AddMinutes(30) + TimeSpan.FromSeconds(30)));
        });
    }

    [Test]
    public async Task Cleanup_EntriesExpireWithTheirTokens()
    {
        await using var api = await StartAsync(new() { ["ApiShield:Revocation:MaxTokenLifetime"] = "02:00:00" });
        var service = api.Services.GetRequiredService<RevocationService>();
        var now = api.Time.GetUtcNow();
        await service.RevokeTokenAsync("short", now.AddMinutes(10), null);
        await service.RevokeTokenAsync("long", now.AddHours(5), null);
        await service.RevokeSubjectAsync("erin", null, null);
        Assert.That(service.Replica.Count, Is.EqualTo(3));

        api.Time.Advance(TimeSpan.FromMinutes(11));
        Assert.That((await service.ListAsync()).Select(e => e.Value), Is.EquivalentTo(new[] { "long", "erin" }));
        await Eventually.HoldsAsync(() => service.Replica.Count == 2, TimeSpan.FromSeconds(10), betweenPolls: NudgeSyncLoop(api));

        api.Time.Advance(TimeSpan.FromHours(2));
        await Eventually.HoldsAsync(() => service.Replica.Count == 1, TimeSpan.FromSeconds(10), betweenPolls: NudgeSyncLoop(api));
        Assert.That((await service.ListAsync()).Single().Value, Is.EqualTo("long"));
    }

    [Test]
    public async Task Check_TokenWithoutJti_RefusedByDefault()
    {
        await using var api = await StartAsync();
        var token = api.Token(t => t.Claims["jti"] = null);

        using var response = await api.GetAsync("/data", token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "invalid-token");
        Assert.That(ProblemAssert.WwwAuthenticate(response), Is.EqualTo("Bearer error=\"invalid_token\", error_description=\"The access token has no token identifier (jti).\""));
    }

    [Test]
    public async Task Check_TokenWithoutJtiAllowed_SubjectRevocationStillApplies()
    {
        await using var api = await StartAsync(new() { ["ApiShield:Revocation:RequireTokenId"] = "false" });
        var token = api.Token(t =>
        {
            t.Claims["jti"] = null;
            t.Claims["sub"] = "frank";
        });
        using var accepted = await api.GetAsync("/data", token);

        await Service(api).RevokeSubjectAsync("frank", null, null);
        using var refused = await api.GetAsync("/data", token);

        Assert.Multiple(() =>
        {
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Disabled_RevokedTokenStillAccepted()
    {
        await using var api = await StartAsync(new() { ["ApiShield:Revocation:Enabled"] = "false" });
        var token = api.Token(t => t.Claims["jti"] = "j1");
        await Service(api).RevokeTokenAsync("j1", api.Time.GetUtcNow().AddHours(1), null);

        using var response = await api.GetAsync("/data", token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task ExposureListener_TokenSeenOverPlainHttp_IsBurned()
    {
        await using var api = await StartAsync();
        var token = api.Token();
        using var http = api.CreateClient("http://localhost/");

        using var plain = await api.SendAsync(HttpMethod.Get, "/data", token, http);
        using var afterwards = await api.GetAsync("/data", token);

        Assert.Multiple(() =>
        {
            Assert.That(plain.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(afterwards.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(ProblemAssert.WwwAuthenticate(afterwards), Is.EqualTo(RevokedChallenge));
            Assert.That(api.Logs.GetSnapshot().Any(r => r.Id.Id == 410), Is.True);
        });
    }

    [Test]
    public async Task ExposureListener_BurnTurnedOff_TokenKeepsWorking()
    {
        await using var api = await StartAsync(new() { ["ApiShield:Revocation:BurnTokensSeenOverHttp"] = "false" });
        var token = api.Token();
        using var http = api.CreateClient("http://localhost/");

        using var plain = await api.SendAsync(HttpMethod.Get, "/data", token, http);
        using var afterwards = await api.GetAsync("/data", token);

        Assert.That(afterwards.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void RevokeTokenAsync_InvalidArguments_Throw()
    {
        var service = new RevocationService(
            new ApiShield.Stores.InMemory.InMemoryRevocationStore(TimeProvider.System),
            Microsoft.Extensions.Options.Options.Create(new ApiShieldOptions()),
            TimeProvider.System,
            new RevocationMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<RevocationService>.Instance);

        Assert.Multiple(() =>
        {
            Assert.ThrowsAsync<ArgumentException>(() => service.RevokeTokenAsync("", DateTimeOffset.MaxValue, null));
            Assert.ThrowsAsync<ArgumentException>(() => service.RevokeSubjectAsync(new string('x', 1025), null, null));
            Assert.ThrowsAsync<ArgumentException>(() => service.RevokeClientAsync("c", null, new string('r', 257)));
        });
    }

    // With a fake clock, the sync loop waits on it: nudge it forward by less than any interval a test uses.
    internal static Action NudgeSyncLoop(TestApi api) => () => api.Time.Advance(TimeSpan.FromMilliseconds(1));
}
