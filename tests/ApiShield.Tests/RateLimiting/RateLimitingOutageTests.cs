using System.Net;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using static ApiShield.Tests.RateLimiting.RateLimitTestApi;

namespace ApiShield.Tests.RateLimiting;

/// <summary>Redis stopped mid-run and started again, seen through a host: each failure mode does what it says.</summary>
[TestFixture]
[NonParallelizable]
public sealed class RateLimitingOutageTests
{
    private static RedisServerFixture Redis => RedisServerFixture.Shared;

    [Test]
    public async Task RedisStoppedAndStarted_EachFailureModeHolds_NoServerErrors_RecoversWithoutRestart()
    {
        await using var api = await StartAsync(
            Merge(
                Policy("closed", "Quota", 100, "01:00:00", ("FailureMode", "Closed")),
                Policy("open", "Quota", 100, "01:00:00", ("FailureMode", "Open")),
                Policy("local", "Quota", 2, "01:00:00", ("FailureMode", "Local")),
                new()
                {
                    ["ApiShield:Redis:ConnectionString"] = Redis.ConnectionString + ",asyncTimeout=2000,connectTimeout=2000",
                    ["ApiShield:Redis:InstanceName"] = RedisServerFixture.NewInstanceName("outage"),
                    ["ApiShield:RateLimiting:FailuresBeforeBreak"] = "1",
                    ["ApiShield:RateLimiting:BreakDuration"] = "00:00:05",
                }),
            app =>
            {
                app.MapGet("/closed", () => "ok").WithRateLimits("closed");
                app.MapGet("/open", () => "ok").WithRateLimits("open");
                app.MapGet("/local", () => "ok").WithRateLimits("local");
            });
        var token = api.Token();

        using (var before = await GetAsync(api, "/closed", token))
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(State(before, "closed").Integer("r"), Is.EqualTo(99));
        }

        await Redis.StopAsync();
        try
        {
            using var closed = await GetAsync(api, "/closed", token);
            await ProblemAssert.IsProblemAsync(closed, HttpStatusCode.ServiceUnavailable, "rate-limit-unavailable");
            Assert.That(RetryAfter(closed), Is.GreaterThanOrEqualTo(1));

            using var open = await GetAsync(api, "/open", token);
            Assert.That(open.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(open.Headers.Contains("RateLimit"), Is.False, "an unchecked policy reports no state");

            var local = new List<HttpStatusCode>();
            for (var i = 0; i < 3; i++)
            {
                using var response = await GetAsync(api, "/local", token);
                local.Add(response.StatusCode);
            }

            Assert.That(local, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }), "decided by this node's own counters");
        }
        finally
        {
            await Redis.StartAsync();
        }

        // The circuit probes again once BreakDuration has passed on the host's clock; the connection comes back by itself.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        HttpStatusCode status;
        do
        {
            api.Time.Advance(TimeSpan.FromSeconds(5));
            using var response = await GetAsync(api, "/closed", token);
            status = response.StatusCode;
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK).Or.EqualTo(HttpStatusCode.ServiceUnavailable));
            if (status != HttpStatusCode.OK)
            {
                await Task.Delay(100);
            }
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), "recovered without a restart");
    }
}
