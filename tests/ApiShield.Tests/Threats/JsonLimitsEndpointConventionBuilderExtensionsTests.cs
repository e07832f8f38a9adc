using System.Net;
using System.Text;
using System.Text.Json;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ApiShield.Tests.Threats;

[TestFixture]
public sealed class JsonLimitsEndpointConventionBuilderExtensionsTests
{
    private TestApi _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _api = await TestApi.StartAsync(new TestApiOptions
        {
            Map = app =>
            {
                app.MapPost("/small", (JsonElement body) => "ok").WithJsonLimits(l => l.MaxBodySize = 16).AllowAnonymous();
                app.MapPost("/dups", (JsonElement body) => "ok").WithJsonLimits(l => l.RejectDuplicateProperties = false).AllowAnonymous();
                app.MapPost("/raw", async (HttpRequest r) => await new StreamReader(r.Body).ReadToEndAsync()).WithJsonLimits(l => l.MaxDepth = 1).AllowAnonymous();

                var group = app.MapGroup("/group").WithJsonLimits(l => { l.MaxDepth = 2; l.MaxArrayLength = 3; }).AllowAnonymous();
                group.MapPost("/inherits", (JsonElement body) => "ok");
                group.MapPost("/overrides", (JsonElement body) => "ok").WithJsonLimits(l => l.MaxDepth = 4);
            },
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _api.DisposeAsync();

    private Task<HttpResponseMessage> PostAsync(string path, string json) =>
        _api.Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    [Test]
    public async Task WithJsonLimits_BodyAtOverriddenSize_Accepted()
    {
        using var response = await PostAsync("/small", "[1,2,3,4,5,6,7 ]");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task WithJsonLimits_BodyPastOverriddenSize_Returns413() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/small", "[1,2,3,4,5,6,7,8]"), HttpStatusCode.RequestEntityTooLarge, "payload-too-large");

    [Test]
    public async Task WithJsonLimits_DuplicatesAllowed_Accepted()
    {
        using var response = await PostAsync("/dups", "{\"a\":1,\"a\":2}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task WithJsonLimits_EndpointWithoutBodyParameter_MarkedAsJson() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/raw", "[[1]]"), HttpStatusCode.BadRequest, "json-depth-exceeded");

    [Test]
    public async Task WithJsonLimits_Group_AppliesToEndpoints()
    {
        using var ok = await PostAsync("/group/inherits", "[[1,2,3]]");
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await ProblemAssert.IsProblemAsync(await PostAsync("/group/inherits", "[[[1]]]"), HttpStatusCode.BadRequest, "json-depth-exceeded");
        await ProblemAssert.IsProblemAsync(await PostAsync("/group/inherits", "[1,2,3,4]"), HttpStatusCode.BadRequest, "json-array-length-exceeded");
    }

    [Test]
    public async Task WithJsonLimits_EndpointOverridesGroupValueItSets()
    {
        using var ok = await PostAsync("/group/overrides", "[[[[1]]]]");
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await ProblemAssert.IsProblemAsync(await PostAsync("/group/overrides", "[1,2,3,4]"), HttpStatusCode.BadRequest, "json-array-length-exceeded");
    }

    [Test]
    public void WithJsonLimits_InvalidValue_Throws()
    {
        var app = WebApplication.CreateBuilder().Build();

        Assert.That(() => app.MapPost("/x", () => "x").WithJsonLimits(l => l.MaxStringLength = 0),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("MaxStringLength"));
    }
}
