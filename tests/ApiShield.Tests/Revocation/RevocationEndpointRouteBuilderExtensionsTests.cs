using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ApiShield.Revocation;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace ApiShield.Tests.Revocation;

[TestFixture]
public sealed class RevocationEndpointRouteBuilderExtensionsTests
{
    private const string AdminScope = "revocations:admin";

    private TestApi _api = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _api = await TestApi.StartAsync(new TestApiOptions
        {
            Settings = { ["ApiShield:Revocation:Enabled"] = "true" },
            Map = app =>
            {
                app.MapGet("/data", () => "ok");
                app.MapApiShieldRevocations("/admin/revocations").RequireScope(AdminScope);
            },
        });
    }

    [TearDown]
    public async Task StopAsync() => await _api.DisposeAsync();

    private string AdminToken() => _api.Token(t => t.Scope(AdminScope));

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null, string? token = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? AdminToken());
        return await _api.Client.SendAsync(request);
    }

    private async Task<int> EntryCountAsync() => (await _api.Services.GetRequiredService<IRevocationService>().ListAsync()).Count;

    [Test]
    public async Task Admin_WithoutItsScope_Returns403AndRevokesNothing()
    {
        var token = _api.Token(t => t.Scope("orders:read"));

        using var response = await SendAsync(HttpMethod.Post, "/admin/revocations", JsonContent.Create(new { kind = "subject", value = "victim" }), token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "insufficient-scope");
        Assert.That(await EntryCountAsync(), Is.Zero);
    }

    [Test]
    public async Task Post_Subject_ReportsWhatItRevokedAndListShowsIt()
    {
        var victim = _api.Token(t => t.Claims["sub"] = "victim");

        using var response = await SendAsync(HttpMethod.Post, "/admin/revocations", JsonContent.Create(new { kind = "subject", value = "victim", reason = "phished" }));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        using var list = await SendAsync(HttpMethod.Get, "/admin/revocations");
        var listed = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement;
        using var refused = await _api.GetAsync("/data", victim);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            var revoked = body.GetProperty("revoked")[0];
            Assert.That(revoked.GetProperty("kind").GetString(), Is.EqualTo("subject"));
            Assert.That(revoked.GetProperty("value").GetString(), Is.EqualTo("victim"));
            Assert.That(revoked.GetProperty("reason").GetString(), Is.EqualTo("phished"));
            Assert.That(listed.GetProperty("loaded").GetBoolean(), Is.True);
            Assert.That(listed.GetProperty("entries").GetArrayLength(), Is.EqualTo(1));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Post_TokenForm_Rfc7009_RevokesThatToken()
    {
        var leaked = _api.Token();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = leaked, ["token_type_hint"] = "access_token", ["reason"] = "pasted in a ticket" });

        using var response = await SendAsync(HttpMethod.Post, "/admin/revocations", form);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        using var refused = await _api.GetAsync("/data", leaked);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(body.GetProperty("revoked")[0].GetProperty("kind").GetString(), Is.EqualTo("token"));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Post_ForgedToken_Returns400AndRevokesNothing()
    {
        var forged = _api.Token(t => t.Key = TestIdentityProvider.CreateRsaKey());

        using var response = await SendAsync(HttpMethod.Post, "/admin/revocations", JsonContent.Create(new { token = forged }));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "revocation-request-invalid");
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("does not validate"));
        Assert.That(await EntryCountAsync(), Is.Zero);
    }

    [TestCase("{\"kind\":\"user\",\"value\":\"x\"}", "'kind' must be")]
    [TestCase("{\"kind\":\"subject\"}", "'value'")]
    [TestCase("{\"kind\":\"token\",\"value\":\"j\"}", "'expiresAt'")]
    [TestCase("{\"kind\":\"subject\",\"value\":\"x\",\"issuedBefore\":\"yesterday\"}", "'issuedBefore'")]
    [TestCase("{\"kind\":\"subject\",\"value\":{\"a\":1}}", "JSON object of strings")]
    [TestCase("[1,2]", "JSON object")]
    [TestCase("{not json", "JSON object")]
    public async Task Post_BadInput_Returns400AndRevokesNothing(string json, string detail)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");

        using var response = await SendAsync(HttpMethod.Post, "/admin/revocations", content);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "revocation-request-invalid");
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(detail));
        Assert.That(await EntryCountAsync(), Is.Zero);
    }

    [Test]
    public async Task Post_ReasonTooLong_Returns400()
    {
        using var response = await SendAsync(HttpMethod.Post, "/admin/revocations", JsonContent.Create(new { kind = "client", value = "c", reason = new string('r', 300) }));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "revocation-request-invalid");
        Assert.That(await EntryCountAsync(), Is.Zero);
    }

    [Test]
    public async Task Post_WrongContentType_Returns400()
    {
        using var content = new StringContent("kind=subject", System.Text.Encoding.UTF8, "text/plain");

        using var response = await SendAsync(HttpMethod.Post, "/admin/revocations", content);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "revocation-request-invalid");
    }

    [Test]
    public async Task Delete_Client_UndoesThenReports404()
    {
        using var made = await SendAsync(HttpMethod.Post, "/admin/revocations", JsonContent.Create(new { kind = "client", value = "partner", issuedBefore = _api.Time.GetUtcNow().ToUnixTimeSeconds() }));

        using var undone = await SendAsync(HttpMethod.Delete, "/admin/revocations/clients/partner");
        using var again = await SendAsync(HttpMethod.Delete, "/admin/revocations/clients/partner");

        Assert.Multiple(() =>
        {
            Assert.That(made.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(undone.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
        await ProblemAssert.IsProblemAsync(again, HttpStatusCode.NotFound, "revocation-not-found");
    }

    [Test]
    public async Task Delete_Subject_Undoes()
    {
        await _api.Services.GetRequiredService<IRevocationService>().RevokeSubjectAsync("sam", null, null);

        using var undone = await SendAsync(HttpMethod.Delete, "/admin/revocations/subjects/sam");

        Assert.That(undone.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await EntryCountAsync(), Is.Zero);
    }

    [Test]
    public void MapApiShieldRevocations_Unprotected_StopsStartup()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var api = await TestApi.StartAsync(app => app.MapApiShieldRevocations());
        });

        Assert.That(exception!.Message, Does.Contain("RequireScope"));
    }
}
