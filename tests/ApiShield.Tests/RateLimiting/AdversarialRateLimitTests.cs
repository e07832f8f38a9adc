using System.Net;
using System.Text.RegularExpressions;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static ApiShield.Tests.RateLimiting.RateLimitTestApi;

namespace ApiShield.Tests.RateLimiting;

/// <summary>
/// What a hostile client tries against rate limiting, through the real pipeline with the in-memory store. Every
/// response is checked for the invariants: never a 5xx, RateLimit fields that parse as RFC 8941 Lists, and on a 429 an
/// integer Retry-After of at least 1 that no <c>t</c> exceeds.
/// </summary>
[TestFixture]
public sealed partial class AdversarialRateLimitTests
{
    private const string Hour = "01:00:00";

    [GeneratedRegex("^[1-9][0-9]*$")]
    private static partial Regex DeltaSeconds();

    // ---- partition spoofing -------------------------------------------------------------------------------------

    [Test]
    public async Task ClientIdArray_NamingAnotherClient_DoesNotChargeThatClient()
    {
        await using var api = await StartClientApiAsync();
        var attacker = api.Token(t => { t.Claims["client_id"] = new[] { "victim", "attacker" }; t.Claims["sub"] = "mallory"; });
        var victim = api.Token(t => { t.Claims["client_id"] = "victim"; t.Claims["sub"] = "alice"; });

        using var attack = await CheckedGetAsync(api, "/orders", attacker);
        using var attackAgain = await CheckedGetAsync(api, "/orders", attacker);
        using var legitimate = await CheckedGetAsync(api, "/orders", victim);

        Assert.That(attack.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(attackAgain.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "the ambiguous token is still counted (by its subject)");
        Assert.That(legitimate.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a multi-valued client_id must not spend another client's quota");
    }

    [Test]
    public async Task ClientIdNumber_IsCountedLikeItsText()
    {
        await using var api = await StartClientApiAsync();

        using var number = await CheckedGetAsync(api, "/orders", api.Token(t => t.Claims["client_id"] = 12345));
        using var text = await CheckedGetAsync(api, "/orders", api.Token(t => t.Claims["client_id"] = "12345"));

        Assert.That(number.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(text.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
    }

    [Test]
    public async Task ClientIdEmpty_FallsBackToSubject_NotOneSharedEmptyCounter()
    {
        await using var api = await StartClientApiAsync();
        string Token(string sub) => api.Token(t => { t.Claims["client_id"] = string.Empty; t.Claims["sub"] = sub; });

        using var alice = await CheckedGetAsync(api, "/orders", Token("alice"));
        using var bob = await CheckedGetAsync(api, "/orders", Token("bob"));
        using var aliceAgain = await CheckedGetAsync(api, "/orders", Token("alice"));

        Assert.That(new[] { alice.StatusCode, bob.StatusCode, aliceAgain.StatusCode },
            Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
    }

    [TestCase("ten-kilobytes")]
    [TestCase("unicode")]
    [TestCase("control-characters")]
    public async Task ClientIdHostileText_CountedExactlyAndHeadersStayValid(string shape)
    {
        var clientId = shape switch
        {
            "ten-kilobytes" => new string('x', 10 * 1024),
            "unicode" => "客户-🔑-\u202Eevil",
            _ => "a\u0000b\r\nRateLimit: \"forged\";r=999",
        };
        await using var api = await StartClientApiAsync();

        using var first = await CheckedGetAsync(api, "/orders", api.Token(t => t.Claims["client_id"] = clientId));
        using var second = await CheckedGetAsync(api, "/orders", api.Token(t => t.Claims["client_id"] = clientId));
        using var lookalike = await CheckedGetAsync(api, "/orders", api.Token(t => t.Claims["client_id"] = clientId[..^1]));

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(lookalike.StatusCode, Is.EqualTo(HttpStatusCode.OK), "partition values compare exactly");
        Assert.That(Field(first, "RateLimit").Select(i => i.Name), Is.EqualTo(new[] { "per-client" }), "no claim text reaches a header");
    }

    [Test]
    public async Task ClientIdAndAzp_ClientIdWins()
    {
        await using var api = await StartClientApiAsync();

        using var both = await CheckedGetAsync(api, "/orders", api.Token(t => { t.Claims["client_id"] = "x"; t.Claims["azp"] = "y"; }));
        using var azpNamesAnother = await CheckedGetAsync(api, "/orders", api.Token(t => { t.Claims["client_id"] = "y"; t.Claims["sub"] = "other"; }));
        using var sameClientOtherAzp = await CheckedGetAsync(api, "/orders", api.Token(t => { t.Claims["client_id"] = "x"; t.Claims["azp"] = "z"; }));

        Assert.That(new[] { both.StatusCode, azpNamesAnother.StatusCode, sameClientOtherAzp.StatusCode },
            Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
    }

    [Test]
    public async Task XForwardedFor_FromTheConnection_DoesNotChangeTheAddressPartition()
    {
        await using var api = await StartIpApiAsync();

        using var first = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.10", ("X-Forwarded-For", "198.51.100.1"));
        using var spoofed = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.10", ("X-Forwarded-For", "198.51.100.2, 198.51.100.3"));
        using var forwarded = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.10", ("Forwarded", "for=192.0.2.60"), ("X-Real-IP", "192.0.2.61"));

        Assert.That(new[] { first.StatusCode, spoofed.StatusCode, forwarded.StatusCode },
            Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests }));
    }

    [Test]
    public async Task IPv6PrivacyAddresses_InOneSlash64_ShareACounter()
    {
        await using var api = await StartIpApiAsync();

        using var first = await SendAsync(api, HttpMethod.Get, "/login", "2001:db8:1:2:a1b2:c3d4:e5f6:1");
        using var rotated = await SendAsync(api, HttpMethod.Get, "/login", "2001:db8:1:2:ffff:ffff:ffff:fffe");
        using var otherSite = await SendAsync(api, HttpMethod.Get, "/login", "2001:db8:1:3::1");

        Assert.That(new[] { first.StatusCode, rotated.StatusCode, otherSite.StatusCode },
            Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK }));
    }

    [Test]
    public async Task IPv4MappedIPv6_SharesTheIPv4Counter()
    {
        await using var api = await StartIpApiAsync();

        using var mapped = await SendAsync(api, HttpMethod.Get, "/login", "::ffff:198.51.100.9");
        using var plain = await SendAsync(api, HttpMethod.Get, "/login", "198.51.100.9");

        Assert.That(mapped.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(plain.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
    }

    // ---- tier abuse ---------------------------------------------------------------------------------------------

    [TestCase("wrong-case")]
    [TestCase("huge")]
    [TestCase("array-gold-first")]
    [TestCase("array-gold-last")]
    [TestCase("number")]
    public async Task TierClaimNotExactlyOneKnownTier_GetsTheDefaultTier(string shape)
    {
        object plan = shape switch
        {
            "wrong-case" => "Gold",
            "huge" => "gold" + new string(' ', 10 * 1024),
            "array-gold-first" => new[] { "gold", "free" },
            "array-gold-last" => new[] { "free", "gold" },
            _ => 1,
        };
        await using var api = await StartTierApiAsync();
        var token = api.Token(t => t.Claims["plan"] = plan);

        using var first = await CheckedGetAsync(api, "/orders", token);
        using var second = await CheckedGetAsync(api, "/orders", token);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Field(first, "RateLimit-Policy").Single().Integer("q"), Is.EqualTo(1), "the default tier's limit");
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
    }

    [Test]
    public async Task TierClaimExact_GetsThatTier()
    {
        await using var api = await StartTierApiAsync();
        var token = api.Token(t => t.Claims["plan"] = "gold");

        using var first = await CheckedGetAsync(api, "/orders", token);
        using var second = await CheckedGetAsync(api, "/orders", token);

        Assert.That(Field(first, "RateLimit-Policy").Single().Integer("q"), Is.EqualTo(100));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    // ---- time ---------------------------------------------------------------------------------------------------

    [Test]
    public async Task ClockStepsBack_Rate_NeitherOverAdmitsNorFails()
    {
        var clock = default(SteppingClock);
        await using var api = await StartAsync(
            Policy("p", "Rate", 3, "00:01:00", ("Partition", "IpAddress")),
            app => app.MapGet("/login", () => "ok").AllowAnonymous().WithRateLimits("p"),
            builder => clock = SteppingClock.Install(builder));

        var admitted = 0;
        for (var i = 0; i < 3; i++)
        {
            using var response = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.1");
            admitted += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
        }

        clock!.Offset = TimeSpan.FromHours(-1);
        for (var i = 0; i < 3; i++)
        {
            using var response = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.1");
            admitted += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
        }

        clock.Offset = TimeSpan.Zero;
        using var backOnTime = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.1");
        admitted += backOnTime.StatusCode == HttpStatusCode.OK ? 1 : 0;

        Assert.That(admitted, Is.EqualTo(3));
        api.Time.Advance(TimeSpan.FromSeconds(20));
        using var refilled = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.1");
        Assert.That(refilled.StatusCode, Is.EqualTo(HttpStatusCode.OK), "one permit per 20 s once the clock is right again");
    }

    [Test]
    public async Task ClockStepsBackWithinThePeriod_CalendarQuota_NeitherOverAdmitsNorFails()
    {
        var clock = default(SteppingClock);
        await using var api = await StartAsync(
            Policy("p", "Quota", 3, null, ("Calendar", "Day"), ("Partition", "IpAddress")),
            app => app.MapGet("/login", () => "ok").AllowAnonymous().WithRateLimits("p"),
            builder => clock = SteppingClock.Install(builder));
        var noon = new DateTimeOffset(2027, 1, 10, 12, 0, 0, TimeSpan.Zero);

        var admitted = 0;
        foreach (var offset in new[] { 0, 0, 0, -30, -30, 0 })
        {
            clock!.JumpTo(noon.AddMinutes(offset));
            using var response = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.1");
            admitted += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
        }

        Assert.That(admitted, Is.EqualTo(3));
    }

    [Test]
    public async Task ClockStepsBackOverThePeriodStart_CalendarQuota_DoesNotOverAdmit()
    {
        var clock = default(SteppingClock);
        await using var api = await StartAsync(
            Policy("p", "Quota", 3, null, ("Calendar", "Day"), ("Partition", "IpAddress")),
            app => app.MapGet("/login", () => "ok").AllowAnonymous().WithRateLimits("p"),
            builder => clock = SteppingClock.Install(builder));
        var after = new DateTimeOffset(2027, 1, 11, 0, 0, 30, TimeSpan.Zero);

        // Three on the 11th, a 60 s step back to the 10th (which had none), and forward again to the 11th.
        var admittedOn11th = 0;
        foreach (var offset in new[] { 0, 0, 0, -60, -60, -60, 0, 0, 0 })
        {
            clock!.JumpTo(after.AddSeconds(offset));
            using var response = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.1");
            admittedOn11th += offset == 0 && response.StatusCode == HttpStatusCode.OK ? 1 : 0;
        }

        Assert.That(admittedOn11th, Is.EqualTo(3), "the 11th's quota is 3, whatever the clock did in between");
    }

    [Test]
    public async Task ClockStepsBackOneSegment_RollingQuota_DoesNotOverAdmit()
    {
        var clock = default(SteppingClock);
        await using var api = await StartAsync(
            Policy("p", "Quota", 3, "00:00:10", ("Partition", "IpAddress")),
            app => app.MapGet("/login", () => "ok").AllowAnonymous().WithRateLimits("p"),
            builder => clock = SteppingClock.Install(builder));

        var admitted = 0;
        foreach (var offset in new[] { 0, 0, 0, -1, -1, -1 })
        {
            clock!.Offset = TimeSpan.FromSeconds(offset);
            using var response = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.1");
            admitted += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
        }

        Assert.That(admitted, Is.EqualTo(3), "3 per 10 s, and the clock stepped back by one second");
    }

    [TestCase("Rate", null)]
    [TestCase("SpikeArrest", null)]
    [TestCase("Quota", "Rolling")]
    [TestCase("Quota", "Hour")]
    [TestCase("Quota", "Day")]
    [TestCase("Quota", "Week")]
    [TestCase("Quota", "Month")]
    public async Task FarFutureClock_DecidesExactlyWithValidHeaders(string kind, string? calendar)
    {
        var extra = new List<(string, string)> { ("Partition", "IpAddress"), ("TimeZone", "Europe/Berlin") };
        if (calendar is not null)
        {
            extra.Add(("Calendar", calendar));
        }

        var clock = default(SteppingClock);
        await using var api = await StartAsync(
            Policy("p", kind, 1, kind == "Quota" ? Hour : "00:01:00", [.. extra]),
            app => app.MapGet("/login", () => "ok").AllowAnonymous().WithRateLimits("p"),
            builder => clock = SteppingClock.Install(builder));

        // Still below 2^53 microseconds (exact in the Redis script's doubles), 175 years from now.
        clock!.JumpTo(new DateTimeOffset(2200, 12, 31, 23, 30, 0, TimeSpan.Zero));
        using var first = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.1");
        using var second = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.1");

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
    }

    // Europe/Berlin: 2027-03-28 has 23 hours, 2027-10-31 has 25.
    [TestCase("2027-03-27T23:30:00Z", 22.5)]
    [TestCase("2027-10-30T22:30:00Z", 24.5)]
    public async Task DailyQuota_OnDaylightSavingChangeDays_ResetsAtLocalMidnight(string start, double hoursToMidnight)
    {
        var clock = default(SteppingClock);
        await using var api = await StartAsync(
            Policy("daily", "Quota", 2, null, ("Calendar", "Day"), ("TimeZone", "Europe/Berlin"), ("Partition", "IpAddress")),
            app => app.MapGet("/login", () => "ok").AllowAnonymous().WithRateLimits("daily"),
            builder => clock = SteppingClock.Install(builder));

        // The fake clock's timers would fire every sweep of the months in between: jump by offset instead.
        clock!.JumpTo(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture));
        var untilMidnight = TimeSpan.FromHours(hoursToMidnight);

        using var one = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.1");
        using var two = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.1");
        using var refused = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.1");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(RetryAfter(refused), Is.EqualTo((long)untilMidnight.TotalSeconds));

        api.Time.Advance(untilMidnight - TimeSpan.FromSeconds(1));
        using var justBefore = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.1");
        api.Time.Advance(TimeSpan.FromSeconds(1));
        using var atMidnight = await SendAsync(api, HttpMethod.Get, "/login", "203.0.113.1");

        Assert.That(justBefore.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(RetryAfter(justBefore), Is.EqualTo(1));
        Assert.That(atMidnight.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(State(atMidnight, "daily").Integer("r"), Is.EqualTo(1));
    }

    // ---- concurrency --------------------------------------------------------------------------------------------

    [Test]
    public async Task ManyPartitionsOnPoliciesInOppositeOrders_NoDeadlockAndExactCounts()
    {
        const int partitions = 24;
        const int perPartition = 6;
        await using var api = await StartAsync(
            Merge(
                Policy("per-ip", "Quota", 3, Hour, ("Partition", "IpAddress")),
                Policy("everyone", "Quota", 40, Hour, ("Partition", "Global")),
                Policy("spike", "Rate", 1000, "00:00:01", ("Partition", "IpAddress"))),
            app =>
            {
                app.MapGet("/a", () => "ok").AllowAnonymous().WithRateLimits("per-ip", "everyone", "spike");
                app.MapGet("/b", () => "ok").AllowAnonymous().WithRateLimits("spike", "everyone", "per-ip");
            });

        var requests = Enumerable.Range(0, partitions * perPartition).Select(async n =>
        {
            var address = $"198.51.100.{n % partitions}";
            using var response = await SendAsync(api, HttpMethod.Get, n % 2 == 0 ? "/a" : "/b", address);
            return (address, response.StatusCode);
        });
        var results = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(60));

        var admitted = results.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.StatusCode).Distinct(), Is.SubsetOf(new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));

            // 24 addresses x 3 = 72 > 40: the global quota binds, and exactly.
            Assert.That(admitted, Has.Count.EqualTo(40));
            Assert.That(admitted.GroupBy(r => r.address).Max(g => g.Count()), Is.LessThanOrEqualTo(3));
        });
    }

    // ---- header fields ------------------------------------------------------------------------------------------

    [Test]
    public async Task PolicyNamesWithPunctuation_RoundTripThroughTheStructuredFieldParser()
    {
        string[] names = ["api.v2_orders-daily", "_x-", "1.0", "Mixed.Case"];
        await using var api = await StartAsync(
            Merge([.. names.Select(n => Policy(n, "Quota", 5, Hour))]),
            app => app.MapGet("/orders", () => "ok").WithRateLimits(names));

        using var response = await CheckedGetAsync(api, "/orders", api.Token());

        Assert.That(Field(response, "RateLimit-Policy").Select(i => i.Name), Is.EqualTo(names));
        Assert.That(Field(response, "RateLimit").Select(i => i.Name), Is.EqualTo(names));
    }

    [Test]
    public async Task Rejection_NoTExceedsRetryAfter_AndRetryAfterIsAWholePositiveNumber()
    {
        await using var api = await StartAsync(
            Merge(
                Policy("daily", "Quota", 100, null, ("Calendar", "Day")),
                Policy("rolling", "Quota", 50, "02:00:00"),
                Policy("spike", "SpikeArrest", 1, "00:00:00.300")),
            app => app.MapGet("/orders", () => "ok").WithRateLimits("daily", "rolling", "spike"));
        var token = api.Token();

        using var admitted = await CheckedGetAsync(api, "/orders", token);
        Assert.That(State(admitted, "daily").Integer("t"), Is.GreaterThan(1), "the admitted policies' t are long");

        api.Time.Advance(TimeSpan.FromMilliseconds(100));
        using var refused = await CheckedGetAsync(api, "/orders", token);

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(Field(refused, "RateLimit").Select(i => i.Name), Is.EqualTo(new[] { "spike" }), "only the violated policy");
        Assert.That(RetryAfter(refused), Is.EqualTo(1), "200 ms rounds up to a whole second, never down to 0");
    }

    // ---- what is charged ----------------------------------------------------------------------------------------

    [Test]
    public async Task PlainHttpRefused_IsNotCharged()
    {
        await using var api = await StartAsync(
            Policy("p", "Quota", 1, Hour, ("Partition", "Global")),
            app => app.MapGet("/orders", () => "ok").WithRateLimits("p"));
        using var http = api.CreateClient("http://localhost/");
        var token = api.Token();

        for (var i = 0; i < 3; i++)
        {
            using var plain = await SendAsync(api, HttpMethod.Get, "/orders", "203.0.113.1", client: http, token: token);
            await ProblemAssert.IsProblemAsync(plain, HttpStatusCode.Forbidden, "https-required");
        }

        using var secure = await CheckedGetAsync(api, "/orders", token);
        Assert.That(secure.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task ExpiredAndForgedTokens_AreNotCharged_ButForbiddenScopeIs()
    {
        await using var api = await StartAsync(
            Policy("p", "Quota", 2, Hour, ("Partition", "Global")),
            app => app.MapGet("/orders", () => "ok").RequireScope("orders:read").WithRateLimits("p"));
        var expired = api.Token(t => t.Claims["exp"] = api.Time.GetUtcNow().AddHours(-1).ToUnixTimeSeconds());
        var forged = api.Token(t => t.Key = TestIdentityProvider.CreateRsaKey());

        for (var i = 0; i < 3; i++)
        {
            using var a = await CheckedGetAsync(api, "/orders", expired);
            using var b = await CheckedGetAsync(api, "/orders", forged);
            Assert.That(new[] { a.StatusCode, b.StatusCode }, Is.All.EqualTo(HttpStatusCode.Unauthorized));
        }

        using var forbidden = await CheckedGetAsync(api, "/orders", api.Token(t => t.Scope("orders:write")));
        using var allowed = await CheckedGetAsync(api, "/orders", api.Token(t => t.Scope("orders:read")));
        using var limited = await CheckedGetAsync(api, "/orders", api.Token(t => t.Scope("orders:read")));

        Assert.That(new[] { forbidden.StatusCode, allowed.StatusCode, limited.StatusCode },
            Is.EqualTo(new[] { HttpStatusCode.Forbidden, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
    }

    // ---- methods, paths, metadata -------------------------------------------------------------------------------

    [Test]
    public async Task HeadAndGet_ShareOneCounter_AndAHeadRefusalIsClean()
    {
        await using var api = await StartAsync(
            Policy("p", "Quota", 2, Hour, ("Partition", "IpAddress")),
            app => app.MapMethods("/orders", ["GET", "HEAD"], () => "ok").AllowAnonymous().WithRateLimits("p"));

        using var head = await SendAsync(api, HttpMethod.Head, "/orders", "203.0.113.1");
        using var get = await SendAsync(api, HttpMethod.Get, "/orders", "203.0.113.1");
        using var headRefused = await SendAsync(api, HttpMethod.Head, "/orders", "203.0.113.1");
        using var options = await SendAsync(api, HttpMethod.Options, "/orders", "203.0.113.1");

        Assert.That(new[] { head.StatusCode, get.StatusCode, headRefused.StatusCode },
            Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        // No endpoint takes OPTIONS: the 405 endpoint behind the fallback policy answers 401 to an anonymous caller.
        Assert.That(options.StatusCode, Is.AnyOf(HttpStatusCode.MethodNotAllowed, HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task VeryLongPath_IsCountedWithValidHeaders()
    {
        await using var api = await StartAsync(
            Policy("p", "Quota", 1, Hour, ("Partition", "IpAddress")),
            app => app.MapGet("/files/{**rest}", (string rest) => rest.Length).AllowAnonymous().WithRateLimits("p"));
        var path = "/files/" + string.Join('/', Enumerable.Repeat("segment%2F..%20%C3%A9", 600));

        using var first = await SendAsync(api, HttpMethod.Get, path, "203.0.113.1");
        using var second = await SendAsync(api, HttpMethod.Get, path + "x", "203.0.113.1");

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "the partition is the caller, not the path");
    }

    [Test]
    public async Task DefaultsGroupAndEndpointMetadata_TheNearestWins()
    {
        await using var api = await StartAsync(
            Merge(
                Policy("default", "Quota", 10, Hour),
                Policy("group", "Quota", 10, Hour),
                Policy("endpoint", "Quota", 10, Hour),
                new() { ["ApiShield:RateLimiting:DefaultPolicies:0"] = "default" }),
            app =>
            {
                var limited = app.MapGroup("/limited").WithRateLimits("group");
                limited.MapGet("/inherits", () => "ok");
                limited.MapGet("/own", () => "ok").WithRateLimits("endpoint");
                limited.MapGet("/exempt", () => "ok").WithoutRateLimits();
                var exempt = app.MapGroup("/exempt").WithoutRateLimits();
                exempt.MapGet("/inherits", () => "ok");
                exempt.MapGet("/own", () => "ok").WithRateLimits("endpoint");
                app.MapGet("/plain", () => "ok");
            });
        var token = api.Token();

        async Task<string[]> PoliciesOf(string path)
        {
            using var response = await CheckedGetAsync(api, path, token);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
            return response.Headers.Contains("RateLimit-Policy") ? [.. Field(response, "RateLimit-Policy").Select(i => i.Name)] : [];
        }

        Assert.That(await PoliciesOf("/limited/inherits"), Is.EqualTo(new[] { "group" }));
        Assert.That(await PoliciesOf("/limited/own"), Is.EqualTo(new[] { "endpoint" }));
        Assert.That(await PoliciesOf("/limited/exempt"), Is.Empty);
        Assert.That(await PoliciesOf("/exempt/inherits"), Is.Empty);
        Assert.That(await PoliciesOf("/exempt/own"), Is.EqualTo(new[] { "endpoint" }));
        Assert.That(await PoliciesOf("/plain"), Is.EqualTo(new[] { "default" }));
    }

    [Test]
    public async Task DefaultPoliciesNamedTwice_AreListedAndChargedOnce()
    {
        await using var api = await StartAsync(
            Merge(
                Policy("p", "Quota", 2, Hour),
                new() { ["ApiShield:RateLimiting:DefaultPolicies:0"] = "p", ["ApiShield:RateLimiting:DefaultPolicies:1"] = "P" }),
            app => app.MapGet("/orders", () => "ok"));
        var token = api.Token();

        using var first = await CheckedGetAsync(api, "/orders", token);
        using var second = await CheckedGetAsync(api, "/orders", token);

        Assert.That(Field(first, "RateLimit-Policy").Select(i => i.Name), Is.EqualTo(new[] { "p" }));
        Assert.That(Field(first, "RateLimit").Select(i => i.Name), Is.EqualTo(new[] { "p" }));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK), "charged once per request");
    }

    [Test]
    public async Task ControllerExempt_ActionLimited_TheActionWins()
    {
        await using var api = await StartAsync(
            Policy("action", "Quota", 1, Hour),
            app => app.MapControllers(),
            builder => builder.Services.AddControllers().ConfigureApplicationPartManager(m =>
                m.FeatureProviders.Add(new SingleControllerFeatureProvider(typeof(ExemptReportsController)))));
        var token = api.Token();

        using var limited1 = await CheckedGetAsync(api, "/exempt-reports/limited", token);
        using var limited2 = await CheckedGetAsync(api, "/exempt-reports/limited", token);
        using var exempt1 = await CheckedGetAsync(api, "/exempt-reports/free", token);
        using var exempt2 = await CheckedGetAsync(api, "/exempt-reports/free", token);

        Assert.That(new[] { limited1.StatusCode, limited2.StatusCode, exempt1.StatusCode, exempt2.StatusCode },
            Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK, HttpStatusCode.OK }));
        Assert.That(exempt1.Headers.Contains("RateLimit-Policy"), Is.False);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static Task<TestApi> StartClientApiAsync() => StartAsync(
        Policy("per-client", "Quota", 1, Hour),
        app => app.MapGet("/orders", () => "ok").WithRateLimits("per-client"));

    private static Task<TestApi> StartIpApiAsync() => StartAsync(
        Policy("per-ip", "Quota", 1, Hour, ("Partition", "IpAddress")),
        app => app.MapGet("/login", () => "ok").AllowAnonymous().WithRateLimits("per-ip"));

    private static Task<TestApi> StartTierApiAsync() => StartAsync(
        Policy("tiered", "Quota", 1, Hour, ("TierClaim", "plan"), ("Tiers:gold:PermitLimit", "100")),
        app => app.MapGet("/orders", () => "ok").WithRateLimits("tiered"));

    private static async Task<HttpResponseMessage> CheckedGetAsync(TestApi api, string path, string? token)
        => Checked(await GetAsync(api, path, token));

    private static async Task<HttpResponseMessage> SendAsync(
        TestApi api, HttpMethod method, string path, string address, params (string Name, string Value)[] headers)
        => await SendAsync(api, method, path, address, client: null, token: null, headers);

    private static async Task<HttpResponseMessage> SendAsync(
        TestApi api, HttpMethod method, string path, string address, HttpClient? client, string? token, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add(AddressHeader, address);
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return Checked(await (client ?? api.Client).SendAsync(request));
    }

    /// <summary>The invariants every response must keep, whatever the attack.</summary>
    private static HttpResponseMessage Checked(HttpResponseMessage response)
    {
        Assert.That((int)response.StatusCode, Is.LessThan(500), "never a server error");
        foreach (var name in new[] { "RateLimit-Policy", "RateLimit" })
        {
            if (response.Headers.TryGetValues(name, out var values))
            {
                var items = StructuredFieldList.Parse(string.Join(", ", values));
                foreach (var item in items)
                {
                    Assert.That(item.Name, Is.Not.Empty);
                    foreach (var parameter in name == "RateLimit" ? new[] { "r", "t" } : ["q", "w"])
                    {
                        Assert.That(item.Integer(parameter), Is.GreaterThanOrEqualTo(0), $"{name} {parameter}");
                    }
                }
            }
        }

        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            Assert.That(response.Headers.TryGetValues("Retry-After", out var retryAfter), Is.True, "Retry-After on every 429");
            var raw = retryAfter!.Single();
            Assert.That(DeltaSeconds().IsMatch(raw), Is.True, $"Retry-After '{raw}' is an integer of at least 1");
            if (response.Headers.Contains("RateLimit"))
            {
                Assert.That(Field(response, "RateLimit").Select(i => i.Integer("t")), Is.All.LessThanOrEqualTo(long.Parse(raw, System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        return response;
    }

    /// <summary>The host's clock with an offset that may step backwards, as NTP or an operator can step a real one.</summary>
    private sealed class SteppingClock(TimeProvider inner) : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Offset;

        /// <summary>Sets the clock to <paramref name="instant"/>, forwards or backwards, without firing the timers in between.</summary>
        public void JumpTo(DateTimeOffset instant) => Offset = instant - inner.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
            => inner.CreateTimer(callback, state, dueTime, period);

        public static SteppingClock Install(WebApplicationBuilder builder)
        {
            var fake = (FakeTimeProvider)builder.Services.Last(d => d.ServiceType == typeof(TimeProvider)).ImplementationInstance!;
            var clock = new SteppingClock(fake);
            builder.Services.AddSingleton<TimeProvider>(clock);
            return clock;
        }
    }
}

[ApiController]
[Route("exempt-reports")]
[NoRateLimits]
[AllowAnyScope]
// Internal, so only hosts that list it (SingleControllerFeatureProvider) see it: its policy exists in no other test host.
internal sealed class ExemptReportsController : ControllerBase
{
    [HttpGet("limited")]
    [RateLimits("action")]
    public IActionResult Limited() => Ok("ok");

    [HttpGet("free")]
    public IActionResult Free() => Ok("ok");
}
