using System.Diagnostics.Metrics;
using System.Net;
using ApiShield.Diagnostics;
using ApiShield.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ApiShield.Tests.Tokens;

[TestFixture]
public sealed class BearerTokenMiddlewareTests
{
    private TestApi _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _api = await TestApi.StartAsync(app =>
        {
            app.MapGet("/open", () => "open").AllowAnonymous();
            app.MapGet("/whoami", (HttpContext c) => c.User.FindFirst("sub")?.Value ?? "anonymous").AllowAnonymous();
            app.MapGet("/token-only", () => "ok");
            app.MapGet("/claims", (HttpContext c) => string.Join(",", c.User.Claims.Select(x => x.Type).Order()));
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _api.DisposeAsync();

    [Test]
    public async Task InvokeAsync_NoCredentials_Returns401WithBareChallenge()
    {
        using var response = await _api.GetAsync("/token-only", token: null);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "token-missing");
        Assert.That(ProblemAssert.WwwAuthenticate(response), Is.EqualTo("Bearer"));
    }

    [Test]
    public async Task InvokeAsync_ValidToken_ReachesEndpointWithUnmappedClaims()
    {
        using var response = await _api.GetAsync("/claims", _api.Token());
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(body.Split(','), Does.Contain("sub").And.Contain("client_id").And.Contain("jti"));
        Assert.That(body, Does.Not.Contain("schemas.xmlsoap.org"));
    }

    [Test]
    public async Task InvokeAsync_ExpiredToken_Returns401InvalidToken()
    {
        var token = _api.Token(t =>
        {
            var past = _api.Time.GetUtcNow().AddHours(-2);
            t.Claims["iat"] = past.ToUnixTimeSeconds();
            t.Claims["nbf"] = past.ToUnixTimeSeconds();
            t.Claims["exp"] = past.AddHours(1).ToUnixTimeSeconds();
        });

        using var response = await _api.GetAsync("/token-only", token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "invalid-token");
        Assert.That(ProblemAssert.WwwAuthenticate(response), Is.EqualTo("Bearer error=\"invalid_token\", error_description=\"The access token is expired.\""));
    }

    [Test]
    public async Task InvokeAsync_EmptyBearer_Returns400InvalidRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/token-only");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer ");
        using var response = await _api.Client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid-request");
        Assert.That(ProblemAssert.WwwAuthenticate(response), Does.StartWith("Bearer error=\"invalid_request\""));
    }

    [Test]
    public async Task InvokeAsync_AnonymousEndpointWithValidToken_KnowsCaller()
    {
        using var response = await _api.GetAsync("/whoami", _api.Token());

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("user-1"));
    }

    [Test]
    public async Task InvokeAsync_AnonymousEndpointWithBadToken_ServesAnonymously()
    {
        using var response = await _api.GetAsync("/whoami", "not.a.token");

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("anonymous"));
    }

    [Test]
    public async Task InvokeAsync_UnmatchedRoute_RequiresToken()
    {
        using var response = await _api.GetAsync("/nowhere", token: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task InvokeAsync_Rejections_CountedByReason()
    {
        using var collector = new MetricCollector<long>(_api.Services.GetRequiredService<IMeterFactory>(), ApiShieldMetrics.MeterName, "apishield.tokens.rejections");

        using (await _api.GetAsync("/token-only", token: null))
        using (await _api.GetAsync("/token-only", "abc.def.ghi"))
        {
        }

        var reasons = collector.GetMeasurementSnapshot().Select(m => m.Tags["reason"]).ToList();
        Assert.That(reasons, Is.EquivalentTo(new[] { "missing", "invalid" }));
    }

    [Test]
    public async Task InvokeAsync_InvalidTokenInProduction_DescriptionNamesNoIssuerAudienceOrKey()
    {
        var token = _api.Token(t => t.Claims["aud"] = "api://someone-else");

        using var response = await _api.GetAsync("/token-only", token);
        var body = await response.Content.ReadAsStringAsync();
        var challenge = ProblemAssert.WwwAuthenticate(response)!;

        Assert.Multiple(() =>
        {
            Assert.That(challenge, Is.EqualTo("Bearer error=\"invalid_token\", error_description=\"The access token is not meant for this API.\""));
            Assert.That(body + challenge, Does.Not.Contain("someone-else").And.Not.Contain("api://orders").And.Not.Contain("idp.test"));
            Assert.That(body + challenge, Does.Not.Contain(_api.Idp.SigningKey.KeyId!));
        });
    }
}
