using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using ApiShield.Tests.TestSupport;
using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Tests.Sample;

/// <summary>The sample as a newcomer runs it (<see cref="UserJwtsSampleHost"/>).</summary>
[TestFixture]
public sealed class SampleApiTests
{
    private UserJwtsSampleHost _sample = null!;

    [OneTimeSetUp]
    public void Start() => _sample = new UserJwtsSampleHost(new()
    {
        // These tests send requests back to back with one token; SampleRateLimitTests checks the real limits.
        ["ApiShield:RateLimiting:Policies:spike-arrest:PermitLimit"] = "1000000",
    });

    [OneTimeTearDown]
    public async Task Stop() => await _sample.DisposeAsync();

    private string UserJwt(params string[] scopes) => _sample.UserJwt(scopes);

    private Task<HttpResponseMessage> GetAsync(string path, string? token) => _sample.GetAsync(path, token);

    [Test]
    public async Task Orders_NoToken_Returns401()
    {
        using var response = await GetAsync("/orders", token: null);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "token-missing");
    }

    [Test]
    public async Task Orders_UserJwtWithScope_Returns200()
    {
        using var response = await GetAsync("/orders", UserJwt("orders:read"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Orders_UserJwtWithOtherScope_Returns403InsufficientScope()
    {
        using var response = await GetAsync("/orders", UserJwt("orders:write"));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "insufficient-scope");
        Assert.That(ProblemAssert.WwwAuthenticate(response), Does.Contain("scope=\"orders:read\""));
    }

    [Test]
    public async Task PostOrder_NeedsWriteScope()
    {
        using var forbidden = await _sample.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Headers = { Authorization = new("Bearer", UserJwt("orders:read")) },
            Content = JsonContent.Create(new { product = "Widget", quantity = 2 }),
        });
        using var created = await _sample.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Headers = { Authorization = new("Bearer", UserJwt("orders:write")) },
            Content = JsonContent.Create(new { product = "Widget", quantity = 2 }),
        });

        Assert.That(forbidden.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    [TestCase("reports:read", HttpStatusCode.OK)]
    [TestCase("orders:admin", HttpStatusCode.OK)]
    [TestCase("orders:read", HttpStatusCode.Forbidden)]
    public async Task ReportsController_AnyOfScopes(string scope, HttpStatusCode expected)
    {
        using var response = await GetAsync("/reports/sales", UserJwt(scope));

        Assert.That(response.StatusCode, Is.EqualTo(expected));
    }

    [Test]
    public async Task Me_AnyValidToken_Returns200WithSubject()
    {
        using var response = await GetAsync("/me", UserJwt());

        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"subject\":\"root\""));
    }

    [Test]
    public async Task Health_Anonymous_Returns200()
    {
        using var response = await GetAsync("/health", token: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Orders_TokenSignedWithAnotherSecret_Returns401()
    {
        var spec = new TokenSpec(DateTimeOffset.UtcNow);
        spec.Claims["iss"] = "dotnet-user-jwts";
        spec.Claims["aud"] = "http://localhost:5080";
        spec.Claims["scope"] = "orders:read";
        var token = spec.Sign(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)));

        using var response = await GetAsync("/orders", token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "invalid-token");
    }
}
