using System.Net;
using System.Net.Http.Headers;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ApiShield.Tests.Sample;

/// <summary>The sample as shipped: a caller signs out with its own token, and that token is refused afterwards.</summary>
[TestFixture]
public sealed class SampleRevocationTests
{
    [Test]
    public async Task Logout_RevokesTheCallersOwnToken()
    {
        using var idp = new TestIdentityProvider();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Authentication:Schemes:Bearer:Authority", TestIdentityProvider.Issuer);
            builder.UseSetting("Authentication:Schemes:Bearer:ValidAudience", TestIdentityProvider.Audience);
            builder.UseSetting("ApiShield:RateLimiting:Policies:spike-arrest:PermitLimit", "1000000");
            builder.ConfigureTestServices(services =>
                services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.BackchannelHttpHandler = idp));
        });
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost/") });
        var token = idp.CreateToken(TimeProvider.System.GetUtcNow(), t => t.Scope("orders:read"));

        using var before = await SendAsync(client, HttpMethod.Get, "/me", token);
        using var logout = await SendAsync(client, HttpMethod.Post, "/me/logout", token);
        using var after = await SendAsync(client, HttpMethod.Get, "/me", token);

        Assert.Multiple(() =>
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(logout.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(ProblemAssert.WwwAuthenticate(after), Does.Contain("The access token has been revoked."));
        });
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }
}
