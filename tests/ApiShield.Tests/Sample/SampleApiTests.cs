using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Tests.Sample;

/// <summary>
/// The sample exactly as a newcomer runs it: Development, configured from its appsettings files, with the signing key
/// <c>dotnet user-jwts</c> keeps in user secrets, and HS256 tokens shaped like the ones it mints.
/// </summary>
[TestFixture]
public sealed class SampleApiTests
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
                // What `dotnet user-jwts create` writes to user secrets.
                ["Authentication:Schemes:Bearer:SigningKeys:0:Id"] = "1a2b3c4d",
                ["Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = "dotnet-user-jwts",
                ["Authentication:Schemes:Bearer:SigningKeys:0:Value"] = Convert.ToBase64String(UserJwtsKey),
                ["Authentication:Schemes:Bearer:SigningKeys:0:Length"] = "32",

                // These tests send requests back to back with one token; SampleRateLimitTests checks the real limits.
                ["ApiShield:RateLimiting:Policies:spike-arrest:PermitLimit"] = "1000000",
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

    /// <summary>A token with the shape <c>dotnet user-jwts create --scope ...</c> produces (scope as a JSON array).</summary>
    private static string UserJwt(params string[] scopes)
    {
        var now = DateTimeOffset.UtcNow;
        var spec = new TokenSpec(now);
        spec.Header["typ"] = "JWT";
        spec.Claims["iss"] = "dotnet-user-jwts";
        spec.Claims["aud"] = new[] { "http://localhost:5080", "https://localhost:7080" };
        spec.Claims["sub"] = "root";
        spec.Claims["unique_name"] = "root";
        spec.Claims.Remove("client_id");
        spec.Claims["exp"] = now.AddMonths(3).ToUnixTimeSeconds();
        spec.Claims["scope"] = scopes;
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
        using var forbidden = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Headers = { Authorization = new("Bearer", UserJwt("orders:read")) },
            Content = JsonContent.Create(new { product = "Widget", quantity = 2 }),
        });
        using var created = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/orders")
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
