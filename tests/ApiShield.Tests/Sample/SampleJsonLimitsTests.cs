using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ApiShield.Tests.Sample;

/// <summary>The sample's <c>POST /orders</c> with its per-endpoint JSON limits, through the sample's own host.</summary>
[TestFixture]
public sealed class SampleJsonLimitsTests
{
    private readonly TestIdentityProvider _idp = new();
    private WebApplicationFactory<Program> _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            web.ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Authentication:Schemes:Bearer:Authority"] = TestIdentityProvider.Issuer,
                ["Authentication:Schemes:Bearer:ValidAudience"] = TestIdentityProvider.Audience,

                // Requests go back to back; SampleRateLimitTests checks the sample's real spike arrest.
                ["ApiShield:RateLimiting:Policies:spike-arrest:PermitLimit"] = "1000000",
            }));
            web.ConfigureServices(s => s.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.BackchannelHttpHandler = _idp));
        });
        _client = _factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost/") });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<HttpResponseMessage> PostOrderAsync(string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _idp.CreateToken(DateTimeOffset.UtcNow, t => t.Scope("orders:write")));
        return await _client.SendAsync(request);
    }

    [Test]
    public async Task PostOrders_ValidOrder_Created()
    {
        using var response = await PostOrderAsync("{\"product\":\"widget\",\"quantity\":2}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task PostOrders_BodyPastEndpointLimit_Returns413() =>
        await ProblemAssert.IsProblemAsync(
            await PostOrderAsync("{\"product\":\"widget\",\"quantity\":2}" + new string(' ', 4 * 1024)), HttpStatusCode.RequestEntityTooLarge, "payload-too-large");

    [Test]
    public async Task PostOrders_NestingPastEndpointLimit_Returns400() =>
        await ProblemAssert.IsProblemAsync(
            await PostOrderAsync("{\"product\":{\"a\":{\"b\":1}},\"quantity\":2}"), HttpStatusCode.BadRequest, "json-depth-exceeded");

    [Test]
    public async Task PostOrders_ResponseCarriesSecurityHeaders()
    {
        using var response = await PostOrderAsync("{\"product\":\"widget\",\"quantity\":2}");

        Assert.That(response.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }));
    }
}
