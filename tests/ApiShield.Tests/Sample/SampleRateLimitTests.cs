using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Tests.Sample;

/// <summary>The sample's own rate limits, as configured in its appsettings.json: what the README shows a user.</summary>
[TestFixture]
public sealed class SampleRateLimitTests
{
    private static readonly byte[] UserJwtsKey = RandomNumberGenerator.GetBytes(32);

    private WebApplicationFactory<Program> _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            web.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Authentication:Schemes:Bearer:SigningKeys:0:Id"] = "1a2b3c4d",
                ["Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = "dotnet-user-jwts",
                ["Authentication:Schemes:Bearer:SigningKeys:0:Value"] = Convert.ToBase64String(UserJwtsKey),
                ["Authentication:Schemes:Bearer:SigningKeys:0:Length"] = "32",
            }));
        });
        _client = _factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost/") });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private static string UserJwt(string clientId, string? plan = null)
    {
        var now = DateTimeOffset.UtcNow;
        var spec = new TokenSpec(now);
        spec.Header["typ"] = "JWT";
        spec.Claims["iss"] = "dotnet-user-jwts";
        spec.Claims["aud"] = new[] { "http://localhost:5080", "https://localhost:7080" };
        spec.Claims["sub"] = "root";
        spec.Claims["client_id"] = clientId;
        spec.Claims["plan"] = plan;
        spec.Claims["scope"] = new[] { "orders:read" };
        return spec.Sign(new SymmetricSecurityKey(UserJwtsKey));
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _client.SendAsync(request);
    }

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

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // 20 per second is one request per 50 ms; a second request within that is refused (unless the machine stalled).
        if (second.StatusCode == HttpStatusCode.OK)
        {
            Assert.Inconclusive("More than 50 ms passed between two back-to-back requests.");
        }

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
