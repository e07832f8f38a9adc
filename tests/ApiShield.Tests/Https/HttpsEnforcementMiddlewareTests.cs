using System.Net;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;

namespace ApiShield.Tests.Https;

[TestFixture]
public sealed class HttpsEnforcementMiddlewareTests
{
    [Test]
    public async Task InvokeAsync_PlainHttp_Returns403ProblemNotRedirect()
    {
        await using var api = await TestApi.StartAsync(app => app.MapGet("/open", () => "open").AllowAnonymous());
        using var http = api.CreateClient("http://localhost/");

        using var response = await http.GetAsync("/open");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "https-required");
        Assert.That(response.Headers.Location, Is.Null);
        Assert.That(response.Headers.Contains("Strict-Transport-Security"), Is.False);
    }

    [Test]
    public async Task InvokeAsync_Https_SendsHsts()
    {
        await using var api = await TestApi.StartAsync(app => app.MapGet("/open", () => "open").AllowAnonymous());

        using var response = await api.Client.GetAsync("/open");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.GetValues("Strict-Transport-Security").Single(), Is.EqualTo("max-age=31536000; includeSubDomains"));
    }
}
