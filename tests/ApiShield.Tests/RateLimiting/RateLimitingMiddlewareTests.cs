using System.Diagnostics.Metrics;
using System.Net;
using ApiShield.Diagnostics;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using static ApiShield.Tests.RateLimiting.RateLimitTestApi;

namespace ApiShield.Tests.RateLimiting;

[TestFixture]
public sealed class RateLimitingMiddlewareTests
{
    [Test]
    public async Task Rate_BurstThenSpacing_429WithRetryAfterAndProblem()
    {
        // 3 per minute with a burst of 3: one permit every 20 s.
        await using var api = await StartAsync(
            Policy("per-client", "Rate", 3, "00:01:00"),
            app => app.MapGet("/orders", () => "ok").WithRateLimits("per-client"));
        var token = api.Token();

        for (var i = 0; i < 3; i++)
        {
            using var admitted = await GetAsync(api, "/orders", token);
            Assert.That(admitted.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"request {i}");
            Assert.That(State(admitted, "per-client").Integer("r"), Is.EqualTo(2 - i));
        }

        using var rejected = await GetAsync(api, "/orders", token);
        var problem = await ProblemAssert.IsProblemAsync(rejected, HttpStatusCode.TooManyRequests, "quota-exceeded");
        Assert.Multiple(() =>
        {
            Assert.That(RetryAfter(rejected), Is.EqualTo(20));
            Assert.That(problem.GetProperty("violatedPolicies")[0].GetString(), Is.EqualTo("per-client"));
            Assert.That(problem.GetProperty("retryAfter").GetInt64(), Is.EqualTo(20));
            Assert.That(rejected.Headers.CacheControl?.NoStore, Is.True);
        });

        api.Time.Advance(TimeSpan.FromSeconds(19));
        using var early = await GetAsync(api, "/orders", token);
        Assert.That(early.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(RetryAfter(early), Is.EqualTo(1));

        api.Time.Advance(TimeSpan.FromSeconds(1));
        using var again = await GetAsync(api, "/orders", token);
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Rate_Burst_AdmitsBurstAboveSustainedRate()
    {
        // 60 per minute sustained, bursts of 10.
        await using var api = await StartAsync(
            Policy("rate", "Rate", 60, "00:01:00", ("Burst", "10")),
            app => app.MapGet("/orders", () => "ok").WithRateLimits("rate"));
        var token = api.Token();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
        {
            using var response = await GetAsync(api, "/orders", token);
            statuses.Add(response.StatusCode);
        }

        Assert.That(statuses.Take(10), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(statuses[10], Is.EqualTo(HttpStatusCode.TooManyRequests));

        // One second refills one permit at 60 per minute.
        api.Time.Advance(TimeSpan.FromSeconds(1));
        using var refilled = await GetAsync(api, "/orders", token);
        Assert.That(refilled.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(State(refilled, "rate").Integer("r"), Is.EqualTo(0));
    }

    [Test]
    public async Task Rate_BurstAboveLimit_RemainingNeverExceedsQ()
    {
        // 2 per minute, bursts of 5: the bucket holds more than q, the header never says so.
        await using var api = await StartAsync(
            Policy("rate", "Rate", 2, "00:01:00", ("Burst", "5")),
            app => app.MapGet("/orders", () => "ok").WithRateLimits("rate"));
        var token = api.Token();

        var remaining = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await GetAsync(api, "/orders", token);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            remaining.Add(State(response, "rate").Integer("r"));
        }

        Assert.That(remaining, Is.EqualTo(new long[] { 2, 2, 2, 1, 0 }));
    }

    [Test]
    public async Task SpikeArrest_TenPerSecond_AdmitsOneEveryHundredMilliseconds()
    {
        await using var api = await StartAsync(
            Policy("spike", "SpikeArrest", 10, "00:00:01"),
            app => app.MapGet("/orders", () => "ok").WithRateLimits("spike"));
        var token = api.Token();

        using var first = await GetAsync(api, "/orders", token);
        using var second = await GetAsync(api, "/orders", token);
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "ten per second is not ten at once");
        Assert.That(RetryAfter(second), Is.EqualTo(1));

        var admitted = 0;
        for (var step = 0; step < 20; step++)
        {
            api.Time.Advance(TimeSpan.FromMilliseconds(50));
            using var response = await GetAsync(api, "/orders", token);
            admitted += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
        }

        // One second at 50 ms steps: every other request, one per 100 ms.
        Assert.That(admitted, Is.EqualTo(10));
    }

    [Test]
    public async Task Quota_CalendarDayInTimeZone_ResetsAtLocalMidnight()
    {
        await using var api = await StartAsync(
            Policy("daily", "Quota", 2, null, ("Calendar", "Day"), ("TimeZone", "America/New_York")),
            app => app.MapGet("/orders", () => "ok").WithRateLimits("daily"));

        // 23:59:00 in New York (UTC-5 in winter) on January 14th is 04:59:00 UTC on the 15th. The host's fake clock
        // starts at the real time and cannot go back, so the date is next year's, whenever the test runs.
        api.Time.SetUtcNow(new DateTimeOffset(api.Time.GetUtcNow().Year + 1, 1, 15, 4, 59, 0, TimeSpan.Zero));
        var token = api.Token();
        using var one = await GetAsync(api, "/orders", token);
        using var two = await GetAsync(api, "/orders", token);
        using var three = await GetAsync(api, "/orders", token);
        Assert.That(three.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(RetryAfter(three), Is.EqualTo(60));
        Assert.That(Field(three, "RateLimit-Policy").Single().Integer("w"), Is.EqualTo(86400));

        // UTC midnight passed long ago; New York's midnight is what resets the quota.
        api.Time.Advance(TimeSpan.FromSeconds(59));
        using var beforeMidnight = await GetAsync(api, "/orders", token);
        Assert.That(beforeMidnight.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));

        api.Time.Advance(TimeSpan.FromSeconds(1));
        using var afterMidnight = await GetAsync(api, "/orders", token);
        Assert.That(afterMidnight.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(State(afterMidnight, "daily").Integer("r"), Is.EqualTo(1));
    }

    [Test]
    public async Task SeveralPolicies_RejectedByOne_ChargesNone()
    {
        await using var api = await StartAsync(
            Merge(
                Policy("per-minute", "Rate", 100, "00:01:00"),
                Policy("daily", "Quota", 1000, null, ("Calendar", "Day")),
                Policy("spike", "SpikeArrest", 1, "00:00:01")),
            app => app.MapGet("/orders", () => "ok").WithRateLimits("spike", "per-minute", "daily"));
        var token = api.Token();

        using var first = await GetAsync(api, "/orders", token);
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.Multiple(() =>
        {
            Assert.That(State(first, "per-minute").Integer("r"), Is.EqualTo(99));
            Assert.That(State(first, "daily").Integer("r"), Is.EqualTo(999));
            Assert.That(Field(first, "RateLimit-Policy").Select(i => i.Name), Is.EqualTo(new[] { "spike", "per-minute", "daily" }));
        });

        for (var i = 0; i < 5; i++)
        {
            using var rejected = await GetAsync(api, "/orders", token);
            var problem = await ProblemAssert.IsProblemAsync(rejected, HttpStatusCode.TooManyRequests, "quota-exceeded");
            Assert.That(problem.GetProperty("violatedPolicies").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "spike" }));

            // Only the violated policy is reported on a rejection, so no t exceeds Retry-After.
            Assert.That(Field(rejected, "RateLimit").Select(i => i.Name), Is.EqualTo(new[] { "spike" }));
        }

        api.Time.Advance(TimeSpan.FromSeconds(1));
        using var next = await GetAsync(api, "/orders", token);
        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.Multiple(() =>
        {
            // Five rejections later the other policies were charged once more, not six times.
            Assert.That(State(next, "per-minute").Integer("r"), Is.EqualTo(98).Or.EqualTo(99));
            Assert.That(State(next, "daily").Integer("r"), Is.EqualTo(998));
        });
    }

    [TestCase("Rate", null)]
    [TestCase("SpikeArrest", null)]
    [TestCase("Quota", "Day")]
    [TestCase("Quota", "Rolling")]
    public async Task ConcurrentBurst_OneHost_AdmitsExactlyTheLimit(string kind, string? calendar)
    {
        const int limit = 7;
        var extra = calendar is null ? [] : new[] { ("Calendar", calendar) };
        await using var api = await StartAsync(
            Policy("p", kind, limit, kind == "SpikeArrest" ? "1.00:00:00" : "01:00:00", extra),
            app => app.MapGet("/orders", () => "ok").WithRateLimits("p"));
        var token = api.Token();

        var responses = await Task.WhenAll(Enumerable.Range(0, limit * 6).Select(_ => GetAsync(api, "/orders", token)));
        var admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        var refused = responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        foreach (var response in responses)
        {
            response.Dispose();
        }

        // A spike arrest admits one per interval; the others admit exactly the limit.
        Assert.That(admitted, Is.EqualTo(kind == "SpikeArrest" ? 1 : limit));
        Assert.That(admitted + refused, Is.EqualTo(limit * 6), "nothing but 200 and 429");
    }

    [Test]
    public async Task Partition_Client_SeparatesClientsAndFallsBackToAddressForAnonymous()
    {
        await using var api = await StartAsync(
            Policy("per-client", "Quota", 1, "01:00:00"),
            app =>
            {
                app.MapGet("/orders", () => "ok").WithRateLimits("per-client");
                app.MapGet("/public", () => "ok").AllowAnonymous().WithRateLimits("per-client");
            });

        using var clientA = await GetAsync(api, "/orders", api.Token(t => t.Claims["client_id"] = "a"));
        using var clientB = await GetAsync(api, "/orders", api.Token(t => t.Claims["client_id"] = "b"));
        using var clientAAgain = await GetAsync(api, "/orders", api.Token(t => t.Claims["client_id"] = "a"));
        using var azpOnly = await GetAsync(api, "/orders", api.Token(t => { t.Claims.Remove("client_id"); t.Claims["azp"] = "c"; }));
        using var anonymous1 = await GetAsync(api, "/public", address: "203.0.113.7");
        using var anonymous2 = await GetAsync(api, "/public", address: "203.0.113.8");
        using var anonymous1Again = await GetAsync(api, "/public", address: "203.0.113.7");

        Assert.Multiple(() =>
        {
            Assert.That(clientA.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(clientB.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(clientAAgain.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(azpOnly.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(anonymous1.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(anonymous2.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(anonymous1Again.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        });
    }

    [Test]
    public async Task Partition_ClientIdThatLooksLikeAnAddress_DoesNotShareTheAnonymousCounter()
    {
        await using var api = await StartAsync(
            Policy("per-client", "Quota", 1, "01:00:00"),
            app => app.MapGet("/orders", () => "ok").AllowAnonymous().WithRateLimits("per-client"));

        using var anonymous = await GetAsync(api, "/orders", address: "198.51.100.1");
        using var client = await GetAsync(api, "/orders", api.Token(t => t.Claims["client_id"] = "ip:198.51.100.1"), address: "198.51.100.1");

        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(client.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Partition_SubjectClaimAndGlobal_CountWhatTheyName()
    {
        await using var api = await StartAsync(
            Merge(
                Policy("per-user", "Quota", 1, "01:00:00", ("Partition", "Subject")),
                Policy("per-tenant", "Quota", 2, "01:00:00", ("Partition", "Claim"), ("PartitionClaim", "tenant")),
                Policy("everyone", "Quota", 3, "01:00:00", ("Partition", "Global"))),
            app =>
            {
                app.MapGet("/user", () => "ok").WithRateLimits("per-user");
                app.MapGet("/tenant", () => "ok").WithRateLimits("per-tenant");
                app.MapGet("/global", () => "ok").WithRateLimits("everyone");
            });

        string Token(string sub, string tenant) => api.Token(t => { t.Claims["sub"] = sub; t.Claims["tenant"] = tenant; t.Claims["client_id"] = sub + "-app"; });

        // Same subject through two client applications: one counter.
        using var user1 = await GetAsync(api, "/user", Token("alice", "t1"));
        using var user1Again = await GetAsync(api, "/user", api.Token(t => { t.Claims["sub"] = "alice"; t.Claims["client_id"] = "other"; }));
        Assert.That(user1.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(user1Again.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));

        // Two users of one tenant share the tenant's two requests.
        using var t1 = await GetAsync(api, "/tenant", Token("alice", "t1"));
        using var t2 = await GetAsync(api, "/tenant", Token("bob", "t1"));
        using var t3 = await GetAsync(api, "/tenant", Token("carol", "t1"));
        using var otherTenant = await GetAsync(api, "/tenant", Token("dave", "t2"));
        Assert.That(new[] { t1.StatusCode, t2.StatusCode, t3.StatusCode, otherTenant.StatusCode },
            Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK }));

        var global = new List<HttpStatusCode>();
        foreach (var who in new[] { "a", "b", "c", "d" })
        {
            using var response = await GetAsync(api, "/global", Token(who, who));
            global.Add(response.StatusCode);
        }

        Assert.That(global, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
    }

    [Test]
    public async Task Tiers_GoldClaim_GetsItsOwnLimitAndHeaders()
    {
        await using var api = await StartAsync(
            Policy("daily", "Quota", 2, null, ("Calendar", "Day"), ("TierClaim", "plan"), ("Tiers:gold:PermitLimit", "20")),
            app => app.MapGet("/orders", () => "ok").WithRateLimits("daily"));
        var gold = api.Token(t => { t.Claims["plan"] = "gold"; t.Claims["client_id"] = "g"; });
        var basic = api.Token(t => { t.Claims["plan"] = "basic"; t.Claims["client_id"] = "b"; });

        var goldAdmitted = 0;
        var basicAdmitted = 0;
        for (var i = 0; i < 25; i++)
        {
            using var g = await GetAsync(api, "/orders", gold);
            using var b = await GetAsync(api, "/orders", basic);
            goldAdmitted += g.StatusCode == HttpStatusCode.OK ? 1 : 0;
            basicAdmitted += b.StatusCode == HttpStatusCode.OK ? 1 : 0;
            if (i == 0)
            {
                Assert.That(Field(g, "RateLimit-Policy").Single().Integer("q"), Is.EqualTo(20));
                Assert.That(Field(b, "RateLimit-Policy").Single().Integer("q"), Is.EqualTo(2));
            }
        }

        Assert.That(goldAdmitted, Is.EqualTo(20));
        Assert.That(basicAdmitted, Is.EqualTo(2));
    }

    [Test]
    public async Task Headers_ParseAsStructuredFields_OnSuccessAndRejection()
    {
        await using var api = await StartAsync(
            Merge(Policy("per-minute", "Rate", 2, "00:01:00"), Policy("daily", "Quota", 100, null, ("Calendar", "Day"))),
            app => app.MapGet("/orders", () => "ok").WithRateLimits("per-minute", "daily"));
        var token = api.Token();

        using var ok = await GetAsync(api, "/orders", token);
        var policies = Field(ok, "RateLimit-Policy");
        var state = Field(ok, "RateLimit");
        Assert.Multiple(() =>
        {
            Assert.That(policies.Select(p => (p.Name, p.Integer("q"), p.Integer("w"))), Is.EqualTo(new[] { ("per-minute", 2L, 60L), ("daily", 100L, 86400L) }));
            Assert.That(state.Select(s => s.Name), Is.EqualTo(new[] { "per-minute", "daily" }));
            Assert.That(state.All(s => s.Integer("r") >= 0 && s.Integer("t") >= 0), Is.True);
        });

        using var second = await GetAsync(api, "/orders", token);
        using var rejected = await GetAsync(api, "/orders", token);
        Assert.That(rejected.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        var rejectedState = Field(rejected, "RateLimit");
        Assert.Multiple(() =>
        {
            Assert.That(Field(rejected, "RateLimit-Policy"), Has.Count.EqualTo(2));
            Assert.That(rejectedState.Single().Integer("r"), Is.EqualTo(0));
            Assert.That(RetryAfter(rejected), Is.GreaterThanOrEqualTo(rejectedState.Max(s => s.Integer("t"))));
            Assert.That(RetryAfter(rejected), Is.EqualTo(30));
        });
    }

    [Test]
    public async Task RetryAfter_IsNeverEarlierThanTheNextPermit()
    {
        // 7 per minute: an interval of 8.571428 s, which Retry-After rounds up, never down.
        await using var api = await StartAsync(
            Policy("odd", "Rate", 7, "00:01:00", ("Burst", "1")),
            app => app.MapGet("/orders", () => "ok").WithRateLimits("odd"));
        var token = api.Token();

        using var first = await GetAsync(api, "/orders", token);
        for (var i = 0; i < 5; i++)
        {
            using var rejected = await GetAsync(api, "/orders", token);
            Assert.That(rejected.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            var retryAfter = RetryAfter(rejected);
            Assert.That(retryAfter, Is.InRange(1, 9));
            api.Time.Advance(TimeSpan.FromSeconds(retryAfter));
            using var onTime = await GetAsync(api, "/orders", token);
            Assert.That(onTime.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"Retry-After {retryAfter} s was too early");
        }
    }

    [Test]
    public async Task DefaultPolicies_ApplyToEndpointsNamingNone_AndExemptionsWork()
    {
        await using var api = await StartAsync(
            Merge(Policy("default", "Quota", 1, "01:00:00"), Policy("special", "Quota", 2, "01:00:00"),
                new() { ["ApiShield:RateLimiting:DefaultPolicies:0"] = "default" }),
            app =>
            {
                app.MapGet("/plain", () => "ok");
                app.MapGet("/special", () => "ok").WithRateLimits("special");
                app.MapGet("/exempt", () => "ok").WithoutRateLimits();
                var group = app.MapGroup("/group").WithRateLimits("special");
                group.MapGet("/inner", () => "ok").WithoutRateLimits();
            });
        var token = api.Token();

        async Task<HttpStatusCode[]> Hit(string path, int times)
        {
            var statuses = new HttpStatusCode[times];
            for (var i = 0; i < times; i++)
            {
                using var response = await GetAsync(api, path, token);
                statuses[i] = response.StatusCode;
            }

            return statuses;
        }

        Assert.That(await Hit("/plain", 2), Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.That(await Hit("/special", 3), Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.That(await Hit("/exempt", 5), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(await Hit("/group/inner", 5), Is.All.EqualTo(HttpStatusCode.OK));

        using var exempt = await GetAsync(api, "/exempt", token);
        Assert.That(exempt.Headers.Contains("RateLimit-Policy"), Is.False);
    }

    [Test]
    public async Task Controllers_MethodAttributeReplacesControllerAttribute()
    {
        await using var api = await StartAsync(
            Merge(Policy("controller", "Quota", 1, "01:00:00"), Policy("action", "Quota", 3, "01:00:00")),
            app => app.MapControllers(),
            builder => ListedControllers.AddControllersOnly(builder.Services, typeof(LimitedOrdersController)));
        var token = api.Token();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await GetAsync(api, "/limited-orders/action", token);
            statuses.Add(response.StatusCode);
        }

        using var controllerLevel1 = await GetAsync(api, "/limited-orders/controller", token);
        using var controllerLevel2 = await GetAsync(api, "/limited-orders/controller", token);
        using var exempt = await GetAsync(api, "/limited-orders/exempt", token);

        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.That(controllerLevel1.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(controllerLevel2.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(exempt.Headers.Contains("RateLimit"), Is.False);
    }

    [Test]
    public async Task EmitHeadersOff_SendsNoRateLimitFieldsButStillRetryAfter()
    {
        await using var api = await StartAsync(
            Merge(Policy("p", "Quota", 1, "01:00:00"), new() { ["ApiShield:RateLimiting:EmitHeaders"] = "false" }),
            app => app.MapGet("/orders", () => "ok").WithRateLimits("p"));
        var token = api.Token();

        using var ok = await GetAsync(api, "/orders", token);
        using var rejected = await GetAsync(api, "/orders", token);

        Assert.That(ok.Headers.Contains("RateLimit-Policy") || ok.Headers.Contains("RateLimit"), Is.False);
        Assert.That(rejected.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(RetryAfter(rejected), Is.GreaterThan(0));
    }

    [Test]
    public async Task Rejection_IsCountedAndLogged()
    {
        await using var api = await StartAsync(
            Policy("p", "Quota", 1, "01:00:00"),
            app => app.MapGet("/orders", () => "ok").WithRateLimits("p"));
        using var collector = new MetricCollector<long>(api.Services.GetRequiredService<IMeterFactory>(), ApiShieldMetrics.MeterName, "apishield.rate_limiting.rejections");
        var token = api.Token(t => t.Claims["client_id"] = "secret-client-name");

        using var ok = await GetAsync(api, "/orders", token);
        using var rejected = await GetAsync(api, "/orders", token);

        var measurements = collector.GetMeasurementSnapshot();
        Assert.That(measurements, Has.Count.EqualTo(1));
        Assert.That(measurements[0].Tags["policy"], Is.EqualTo("p"));
        var log = api.Logs.GetSnapshot().Single(r => r.Id.Id == 600);
        Assert.That(log.Message, Does.Not.Contain("secret-client-name"));
    }

    [Test]
    public async Task UnlimitedEndpoint_GetsNoHeaders()
    {
        await using var api = await StartAsync(
            Policy("p", "Quota", 1, "01:00:00"),
            app => app.MapGet("/orders", () => "ok"));

        using var response = await GetAsync(api, "/orders", api.Token());
        Assert.That(response.Headers.Contains("RateLimit-Policy"), Is.False);
    }

    [Test]
    public async Task InvalidToken_IsRefusedBeforeItIsCharged()
    {
        await using var api = await StartAsync(
            Policy("p", "Quota", 1, "01:00:00", ("Partition", "Global")),
            app => app.MapGet("/orders", () => "ok").WithRateLimits("p"));

        for (var i = 0; i < 3; i++)
        {
            using var invalid = await GetAsync(api, "/orders", "not-a-token");
            Assert.That(invalid.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        using var valid = await GetAsync(api, "/orders", api.Token());
        Assert.That(valid.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task ForbiddenScope_IsStillCharged()
    {
        await using var api = await StartAsync(
            Policy("p", "Quota", 1, "01:00:00"),
            app => app.MapGet("/orders", () => "ok").RequireScope("orders:write").WithRateLimits("p"));
        var token = api.Token(t => t.Scope("orders:read"));

        using var forbidden = await GetAsync(api, "/orders", token);
        using var limited = await GetAsync(api, "/orders", token);

        Assert.That(forbidden.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(limited.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
    }
}

// Internal, so that tests discovering every public controller of this assembly do not find its policies.
[Microsoft.AspNetCore.Mvc.ApiController]
[Microsoft.AspNetCore.Mvc.Route("limited-orders")]
[RateLimits("controller")]
[AllowAnyScope]
internal sealed class LimitedOrdersController : Microsoft.AspNetCore.Mvc.ControllerBase
{
    [Microsoft.AspNetCore.Mvc.HttpGet("action")]
    [RateLimits("action")]
    public Microsoft.AspNetCore.Mvc.IActionResult Action() => Ok();

    [Microsoft.AspNetCore.Mvc.HttpGet("controller")]
    public Microsoft.AspNetCore.Mvc.IActionResult Controller() => Ok();

    [Microsoft.AspNetCore.Mvc.HttpGet("exempt")]
    [NoRateLimits]
    public Microsoft.AspNetCore.Mvc.IActionResult Exempt() => Ok();
}
