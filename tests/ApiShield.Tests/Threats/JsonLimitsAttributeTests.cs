using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ApiShield.Tests.TestSupport;
using ApiShield.Threats;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApiShield.Tests.Threats;

[TestFixture]
public sealed class JsonLimitsAttributeTests
{
    private TestApi _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _api = await TestApi.StartAsync(new TestApiOptions
        {
            ConfigureServices = builder => builder.Services.AddControllers(),
            Map = app =>
            {
                app.MapPost("/attributed", [JsonLimits(MaxDepth = 2, MaxStringLength = 4)] (JsonElement body) => "ok").AllowAnonymous();
                app.MapControllers();
            },
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _api.DisposeAsync();

    private async Task<HttpResponseMessage> PostAsync(string path, string json, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _api.Token());
        return await _api.Client.SendAsync(request);
    }

    [Test]
    public async Task MinimalApi_DepthAtOverride_Accepted()
    {
        using var response = await PostAsync("/attributed", "[[\"abcd\"]]");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task MinimalApi_DepthPastOverride_Returns400() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/attributed", "[[[1]]]"), HttpStatusCode.BadRequest, "json-depth-exceeded");

    [Test]
    public async Task MinimalApi_StringPastOverride_Returns400() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/attributed", "[\"abcde\"]"), HttpStatusCode.BadRequest, "json-string-too-long");

    [Test]
    public async Task MinimalApi_UnsetValuesKeepConfiguredDefaults() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/attributed", "[" + new string('1', 65) + "]"), HttpStatusCode.BadRequest, "json-number-too-long");

    [Test]
    public async Task Controller_ActionOverrideWinsOverControllers() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/limited/action", "{\"a\":1,\"b\":2,\"c\":3}"), HttpStatusCode.BadRequest, "json-object-entries-exceeded");

    [Test]
    public async Task Controller_ControllerOverrideApplies()
    {
        using var ok = await PostAsync("/limited/controller", "[1,2]");
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await ProblemAssert.IsProblemAsync(await PostAsync("/limited/controller", "[1,2,3]"), HttpStatusCode.BadRequest, "json-array-length-exceeded");
    }

    [Test]
    public async Task Controller_FromBodyWithoutConsumes_TextPlainReturns415() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/limited/controller", "[1,2]", "text/plain"), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");

    [Test]
    public async Task Controller_ConsumesOtherMediaType_NotJsonChecked()
    {
        using var response = await PostAsync("/limited/xml-or-json", "<a>[[[[[</a>", "application/xml");

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("xml"));
    }

    [Test]
    public async Task Controller_ConsumesJson_Checked() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/limited/xml-or-json", new string('[', 40) + new string(']', 40)), HttpStatusCode.BadRequest, "json-depth-exceeded");

    [Test]
    public void Setter_ZeroOrNegative_Throws()
    {
        var attribute = new JsonLimitsAttribute();

        Assert.Multiple(() =>
        {
            Assert.That(() => attribute.MaxDepth = 0, Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("MaxDepth"));
            Assert.That(() => attribute.MaxBodySize = -1, Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("MaxBodySize"));
            Assert.That(() => attribute.MaxDepth = 1025, Throws.TypeOf<ArgumentOutOfRangeException>());
        });
    }

    [Test]
    public void Metadata_UnsetValuesAreNull()
    {
        IJsonLimitsMetadata metadata = new JsonLimitsAttribute { MaxDepth = 3, RejectDuplicateProperties = false };

        Assert.Multiple(() =>
        {
            Assert.That(metadata.MaxDepth, Is.EqualTo(3));
            Assert.That(metadata.RejectDuplicateProperties, Is.False);
            Assert.That(metadata.MaxBodySize, Is.Null);
            Assert.That(metadata.MaxStringLength, Is.Null);
        });
    }
}
