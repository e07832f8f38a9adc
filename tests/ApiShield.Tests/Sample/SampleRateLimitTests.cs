using System.Net;
using ApiShield.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ApiShield.Tests.Sample;

/// <summary>The sample's own rate limits, as configured in its appsettings.json: what the README shows a user.</summary>
[TestFixture]
public sealed class SampleRateLimitTests
{
    // The sample's clock stands still unless a test moves it: "back to back" means the same instant, however slow the machine.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private UserJwtsSampleHost _sample = null!;

    [OneTimeSetUp]
    public void Start() => _sample = new UserJwtsSampleHost(time: _time);

    [OneTimeTearDown]
    public async Task Stop() => await _sample.DisposeAsync();

    private string UserJwt(string clientId, string? plan = null) => _sample.UserJwt(["orders:read"], spec =>
    {
        spec.Claims["client_id"] = clientId;
        spec.Claims["plan"] = plan;
    });

    private Task<HttpResponseMessage> GetAsync(string path, string? token) => _sample.GetAsync(path, token);

    [Test]
    public async Task Orders_CarryTheDefaultPoliciesInRateLimitHeaders()
    {
        using var response = await GetAsync("/orders", UserJwt("partner-headers"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var policies = StructuredFieldList.Parse(string.Join(", ", response.Headers.GetValues("RateLimit-Policy")));
        Assert.That(policies.Select(p => (p.Name, p.Integer("q"), p.Integer("w"))), Is.EqualTo(new[]
        {
            ("spike-arrest", 20L, 1L),
            ("per-client", 120L, 60L),
            ("daily", 10000L, 86400L),
        }));
        var state = StructuredFieldList.Parse(string.Join(", ", response.Headers.GetValues("RateLimit")));
        Assert.That(state.Single(s => s.Name == "daily").Integer("r"), Is.EqualTo(9999));
    }

    [Test]
    public async Task Orders_BackToBack_SecondIsRefusedBySpikeArrest()
    {
        var token = UserJwt("partner-spike");
        using var first = await GetAsync("/orders", token);
        using var second = await GetAsync("/orders", token);

        _time.Advance(TimeSpan.FromMilliseconds(50));
        using var third = await GetAsync("/orders", token);

        // 20 per second is one request per 50 ms: the second, at the same instant, is refused; the third, 50 ms later, is not.
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var problem = await ProblemAssert.IsProblemAsync(second, HttpStatusCode.TooManyRequests, "quota-exceeded");
        Assert.That(problem.GetProperty("violatedPolicies")[0].GetString(), Is.EqualTo("spike-arrest"));
        Assert.That(second.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task Orders_GoldPlan_GetsTheGoldDailyQuota()
    {
        using var response = await GetAsync("/orders", UserJwt("partner-gold", plan: "gold"));

        var policies = StructuredFieldList.Parse(string.Join(", ", response.Headers.GetValues("RateLimit-Policy")));
        Assert.That(policies.Single(p => p.Name == "daily").Integer("q"), Is.EqualTo(100000));
    }

    [Test]
    public async Task Health_IsNotLimited()
    {
        using var response = await GetAsync("/health", token: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.Contains("RateLimit-Policy"), Is.False);
    }
}
