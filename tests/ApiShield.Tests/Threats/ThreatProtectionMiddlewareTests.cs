using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;

namespace ApiShield.Tests.Threats;

[TestFixture]
public sealed class ThreatProtectionMiddlewareTests
{
    private const int MiB = 1024 * 1024;

    private readonly BodyProbe _probe = new();
    private TestApi _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _api = await TestApi.StartAsync(new TestApiOptions
        {
            Pipeline = app =>
            {
                _probe.Use(app);
                app.UseApiShield();
            },
            Map = app =>
            {
                app.MapModel("/model");
                app.MapEcho("/echo");
                app.MapPost("/secure", (JsonElement body) => "ok").AllowAnyScope();
                app.MapPost("/form", (HttpRequest r) => "form").Accepts<string>("application/x-www-form-urlencoded").AllowAnonymous();
                app.MapPost("/plain", async (HttpRequest r) => await new StreamReader(r.Body).ReadToEndAsync()).AllowAnonymous();
                app.MapGet("/get", () => "ok").AllowAnonymous();
            },
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _api.DisposeAsync();

    private Task<HttpResponseMessage> PostAsync(string path, string json, string? contentType = "application/json") =>
        PostAsync(path, Encoding.UTF8.GetBytes(json), contentType);

    private Task<HttpResponseMessage> PostAsync(string path, byte[] body, string? contentType = "application/json")
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return _api.Client.PostAsync(path, content);
    }

    private static async Task IsAcceptedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
    }

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    private static string Object(int entries) =>
        "{" + string.Join(',', Enumerable.Range(0, entries).Select(i => $"\"p{i}\":{i}")) + "}";

    private static string Array(int length) => "[" + string.Join(',', Enumerable.Repeat("0", length)) + "]";

    // ---- limits at and just past their default bounds ----

    [Test]
    public async Task InvokeAsync_DepthAtLimit_Accepted() => await IsAcceptedAsync(await PostAsync("/model", Nested(32)));

    [Test]
    public async Task InvokeAsync_DepthPastLimit_Returns400DepthExceeded() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/model", Nested(33)), HttpStatusCode.BadRequest, "json-depth-exceeded");

    [Test]
    public async Task InvokeAsync_ObjectEntriesAtLimit_Accepted() => await IsAcceptedAsync(await PostAsync("/model", Object(1000)));

    [Test]
    public async Task InvokeAsync_ObjectEntriesPastLimit_Returns400() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/model", Object(1001)), HttpStatusCode.BadRequest, "json-object-entries-exceeded");

    [Test]
    public async Task InvokeAsync_ArrayLengthAtLimit_Accepted() => await IsAcceptedAsync(await PostAsync("/model", Array(10_000)));

    [Test]
    public async Task InvokeAsync_ArrayLengthPastLimit_Returns400() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/model", Array(10_001)), HttpStatusCode.BadRequest, "json-array-length-exceeded");

    [Test]
    public async Task InvokeAsync_NestedArrayElementsCountedPerArray_Accepted() =>
        await IsAcceptedAsync(await PostAsync("/model", "[" + Array(10_000) + "," + Array(10_000) + "]"));

    [Test]
    public async Task InvokeAsync_PropertyNameAtLimit_Accepted() =>
        await IsAcceptedAsync(await PostAsync("/model", $"{{\"{new string('n', 256)}\":1}}"));

    [Test]
    public async Task InvokeAsync_PropertyNamePastLimit_Returns400() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/model", $"{{\"{new string('n', 257)}\":1}}"), HttpStatusCode.BadRequest, "json-property-name-too-long");

    [Test]
    public async Task InvokeAsync_StringAtLimit_Accepted() =>
        await IsAcceptedAsync(await PostAsync("/model", $"\"{new string('s', 65536)}\""));

    [Test]
    public async Task InvokeAsync_StringPastLimit_Returns400() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/model", $"[\"{new string('s', 65537)}\"]"), HttpStatusCode.BadRequest, "json-string-too-long");

    [Test]
    public async Task InvokeAsync_MultiByteStringAtLimitInCodeUnits_Accepted() =>
        await IsAcceptedAsync(await PostAsync("/model", $"\"{new string('é', 65536)}\""));

    [Test]
    public async Task InvokeAsync_EscapedStringPastLimitInCodeUnits_Returns400() =>
        await ProblemAssert.IsProblemAsync(
            await PostAsync("/model", "\"" + string.Concat(Enumerable.Repeat("\\u0041", 65537)) + "\""), HttpStatusCode.BadRequest, "json-string-too-long");

    [Test]
    public async Task InvokeAsync_NumberAtLimit_Accepted() =>
        await IsAcceptedAsync(await PostAsync("/model", "[" + new string('1', 64) + "]"));

    [Test]
    public async Task InvokeAsync_NumberPastLimit_Returns400() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/model", "[" + new string('1', 65) + "]"), HttpStatusCode.BadRequest, "json-number-too-long");

    [Test]
    public async Task InvokeAsync_DuplicateProperty_Returns400() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/model", "{\"a\":1,\"b\":2,\"a\":3}"), HttpStatusCode.BadRequest, "json-duplicate-property");

    [Test]
    public async Task InvokeAsync_DuplicatePropertySpelledWithEscape_Returns400() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/model", "{\"a\":1,\"\\u0061\":3}"), HttpStatusCode.BadRequest, "json-duplicate-property");

    [Test]
    public async Task InvokeAsync_SameNameInSiblingObjects_Accepted() =>
        await IsAcceptedAsync(await PostAsync("/model", "[{\"a\":1,\"b\":{\"a\":2}},{\"a\":3}]"));

    [Test]
    public async Task InvokeAsync_BodyAtSizeLimit_Accepted()
    {
        var body = Encoding.UTF8.GetBytes("[1]" + new string(' ', MiB - 3));

        await IsAcceptedAsync(await PostAsync("/model", body));
    }

    [Test]
    public async Task InvokeAsync_DeclaredLengthPastSizeLimit_Returns413WithoutReadingBody()
    {
        var content = new StreamedJsonContent("[1]"u8.ToArray(), (byte)' ', MiB + 1, declareLength: true);
        var request = new HttpRequestMessage(HttpMethod.Post, "/model") { Content = content };
        request.Headers.Add(BodyProbe.Header, "declared");
        request.Headers.ExpectContinue = true;

        using var response = await _api.Client.SendAsync(request);

        var problem = await ProblemAssert.IsProblemAsync(response, (HttpStatusCode)413, "payload-too-large");
        Assert.Multiple(() =>
        {
            // Kestrel sends '100 Continue' only once the application reads the body; it never did.
            Assert.That(_probe.BytesRead("declared"), Is.Zero);
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("1048576"));
        });
    }

    [Test]
    public async Task InvokeAsync_ExpectContinueOverKestrel_Returns413Without100Continue()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = TestApi.EmptyContentRoot.Value });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Authentication:Schemes:Bearer:Authority"] = TestIdentityProvider.Issuer,
            ["Authentication:Schemes:Bearer:ValidAudience"] = TestIdentityProvider.Audience,
        });
        builder.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.BackchannelHttpHandler = new TestIdentityProvider());
        builder.Services.AddApiShield();
        await using var app = builder.Build();
        app.UseApiShield();
        app.MapModel("/model");
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "POST /model HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\nExpect: 100-continue\r\n\r\n"));

        // Only the headers were sent: a server that said '100 Continue' would now wait for the body.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var response = received.ToString();
        Assert.That(response, Does.StartWith("HTTP/1.1 413"));
        Assert.That(response, Does.Not.Contain("100 Continue"));

        // And over Kestrel's own request body (its BodyReader follows the replaced Request.Body), a valid body binds.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        using var ok = await http.PostAsync("model", new StringContent("{\"a\":[1,\"x\"]}", Encoding.UTF8, "application/json"));
        Assert.That(await ok.Content.ReadAsStringAsync(), Does.StartWith("ok:"));
    }

    [Test]
    public async Task InvokeAsync_ChunkedBodyCrossingSizeLimit_Returns413WhileStreaming()
    {
        var content = new StreamedJsonContent("[1]"u8.ToArray(), (byte)' ', 64L * MiB, declareLength: false);
        var request = new HttpRequestMessage(HttpMethod.Post, "/model") { Content = content };
        request.Headers.Add(BodyProbe.Header, "chunked");

        using var response = await _api.Client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, (HttpStatusCode)413, "payload-too-large");
        Assert.Multiple(() =>
        {
            Assert.That(content.Headers.ContentLength, Is.Null, "sent without Content-Length");
            Assert.That(_probe.BytesRead("chunked"), Is.EqualTo(MiB + 1), "read one byte past the limit, then stopped");
            Assert.That(content.BytesProduced, Is.LessThan(64L * MiB));
        });
    }

    [Test]
    public async Task InvokeAsync_ChunkedBodyWithinLimit_ReachesEndpointUnchanged()
    {
        var body = Encoding.UTF8.GetBytes("{\"items\":[" + string.Join(',', Enumerable.Range(0, 5000).Select(i => $"{{\"id\":{i},\"name\":\"item {i} \\u00e9\"}}")) + "]}");
        var content = new StreamedJsonContent(body, (byte)' ', body.Length, declareLength: false, chunk: 1000);

        using var response = await _api.Client.PostAsync("/echo", content);

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(JsonTestEndpoints.Fingerprint(body)));
    }

    [Test]
    public async Task InvokeAsync_BodyWithLengthWithinLimit_ReachesEndpointUnchanged()
    {
        var body = Encoding.UTF8.GetBytes("  {\"a\" : [1, 2.5e3, true, null, \"x\\\"y\"] }\n");

        using var response = await PostAsync("/echo", body);

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(JsonTestEndpoints.Fingerprint(body)));
    }

    [Test]
    public async Task InvokeAsync_NestingBomb_Returns400WithoutReadingItAll()
    {
        var content = new StreamedJsonContent([], (byte)'[', 100_000, declareLength: false);
        var request = new HttpRequestMessage(HttpMethod.Post, "/model") { Content = content };
        request.Headers.Add(BodyProbe.Header, "bomb");

        using var response = await _api.Client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "json-depth-exceeded");
        Assert.That(_probe.BytesRead("bomb"), Is.LessThan(100_000));
    }

    [Test]
    public async Task InvokeAsync_UnauthenticatedBody_NeverRead()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/secure") { Content = new StringContent(Nested(100), Encoding.UTF8, "application/json") };
        request.Headers.Add(BodyProbe.Header, "unauthenticated");

        using var response = await _api.Client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "token-missing");
        Assert.That(_probe.BytesRead("unauthenticated"), Is.Zero);
    }

    [Test]
    public async Task InvokeAsync_AuthenticatedBodyPastLimit_Returns400()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/secure") { Content = new StringContent(Nested(100), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _api.Token());

        using var response = await _api.Client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "json-depth-exceeded");
    }

    // ---- content types ----

    [TestCase("application/json")]
    [TestCase("application/json; charset=utf-8")]
    [TestCase("Application/JSON;charset=UTF-8")]
    [TestCase("application/problem+json")]
    [TestCase("application/vnd.api+json; charset=utf-8")]
    public async Task InvokeAsync_JsonMediaType_Accepted(string contentType) =>
        await IsAcceptedAsync(await PostAsync("/model", "{\"a\":1}", contentType));

    [TestCase(null)]
    [TestCase("text/plain")]
    [TestCase("text/json")]
    [TestCase("application/x-www-form-urlencoded")]
    [TestCase("application/json; charset=utf-16")]
    [TestCase("application/json; charset=iso-8859-1")]
    [TestCase("application/jsonx")]
    [TestCase("application/json; charset=\"utf-8\"")]
    public async Task InvokeAsync_OtherMediaType_Returns415(string? contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/model") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Nested(100))) };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        // A token, because routing answers a media type the endpoint does not declare with an endpoint of its own
        // that is not anonymous.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _api.Token());

        using var response = await _api.Client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Test]
    public async Task InvokeAsync_NonJsonEndpoint_NotChecked()
    {
        using var response = await PostAsync("/plain", Nested(100), "text/plain");

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(Nested(100)));
    }

    [Test]
    public async Task InvokeAsync_EmptyBody_LeftToEndpoint()
    {
        using var response = await PostAsync("/model", [], contentType: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.Not.EqualTo("application/problem+json"));
    }

    // ---- encodings ----

    [Test]
    public async Task InvokeAsync_Utf8Bom_Returns400InvalidEncoding() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/model", [0xEF, 0xBB, 0xBF, .. "{\"a\":1}"u8]), HttpStatusCode.BadRequest, "invalid-encoding");

    [Test]
    public async Task InvokeAsync_Utf16WithBom_Returns400InvalidEncoding() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/model", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("{\"a\":1}")]), HttpStatusCode.BadRequest, "invalid-encoding");

    [Test]
    public async Task InvokeAsync_Utf16BigEndianWithoutBom_Returns400InvalidEncoding() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/model", Encoding.BigEndianUnicode.GetBytes("{\"a\":1}")), HttpStatusCode.BadRequest, "invalid-encoding");

    [Test]
    public async Task InvokeAsync_Utf32WithBom_Returns400InvalidEncoding() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/model", [0xFF, 0xFE, 0x00, 0x00, .. Encoding.UTF32.GetBytes("[1]")]), HttpStatusCode.BadRequest, "invalid-encoding");

    [TestCase(new byte[] { 0xC3, 0x28 }, TestName = "InvokeAsync_InvalidUtf8InString_Returns400InvalidEncoding")]
    [TestCase(new byte[] { 0xC0, 0xAF }, TestName = "InvokeAsync_OverlongUtf8InString_Returns400InvalidEncoding")]
    [TestCase(new byte[] { 0xED, 0xA0, 0x80 }, TestName = "InvokeAsync_EncodedSurrogateInString_Returns400InvalidEncoding")]
    public async Task InvokeAsync_InvalidUtf8_Returns400InvalidEncoding(byte[] invalid) =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/model", [.. "{\"a\":\""u8, .. invalid, .. "\"}"u8]), HttpStatusCode.BadRequest, "invalid-encoding");

    [Test]
    public async Task InvokeAsync_InvalidUtf8InPropertyName_Returns400InvalidEncoding() =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/model", [.. "{\""u8, 0xFF, .. "\":1}"u8]), HttpStatusCode.BadRequest, "invalid-encoding");

    [Test]
    public async Task InvokeAsync_InvalidUtf8InBlockSpanningBufferSegments_Returns400InvalidEncoding()
    {
        // Chunked: the buffer grows in segments (4 KiB first). The first string straddles the boundary, so the block
        // being checked spans two segments, and the invalid string lies wholly in the second one.
        byte[] body = [.. "[\""u8, .. Encoding.ASCII.GetBytes(new string('a', 4094)), .. "\",\""u8, 0xC3, 0x28, .. "\"]"u8];
        var content = new StreamedJsonContent(body, (byte)' ', body.Length, declareLength: false, chunk: 1000);

        await ProblemAssert.IsProblemAsync(await _api.Client.PostAsync("/model", content), HttpStatusCode.BadRequest, "invalid-encoding");
    }

    [TestCase("[\"\\uD800\"]")]
    [TestCase("[\"x\\uDC00\"]")]
    [TestCase("[\"\\uD83D\\u0041\"]")]
    [TestCase("[\"\\n\\uD83Dx\"]")]
    [TestCase("{\"\\uD800\":1}")]
    public async Task InvokeAsync_EscapedLoneSurrogate_Returns400InvalidEncoding(string json) =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/model", json), HttpStatusCode.BadRequest, "invalid-encoding");

    [Test]
    public async Task InvokeAsync_EscapedSurrogatePair_Accepted() =>
        await IsAcceptedAsync(await PostAsync("/model", "[\"\\uD83D\\uDE00 😀 \\\\uD800 \\\" \\u00e9\\ud83d\\ude00\"]"));

    [TestCase("{\"a\":1 /* comment */}", TestName = "InvokeAsync_BlockComment_Returns400MalformedJson")]
    [TestCase("{\"a\":1} // comment", TestName = "InvokeAsync_LineComment_Returns400MalformedJson")]
    [TestCase("{\"a\":1,}", TestName = "InvokeAsync_TrailingCommaInObject_Returns400MalformedJson")]
    [TestCase("[1,2,]", TestName = "InvokeAsync_TrailingCommaInArray_Returns400MalformedJson")]
    [TestCase("{\"a\":1}{\"b\":2}", TestName = "InvokeAsync_TwoValues_Returns400MalformedJson")]
    [TestCase("{'a':1}", TestName = "InvokeAsync_SingleQuotes_Returns400MalformedJson")]
    [TestCase("[NaN]", TestName = "InvokeAsync_NaN_Returns400MalformedJson")]
    [TestCase("{\"a\":", TestName = "InvokeAsync_Truncated_Returns400MalformedJson")]
    public async Task InvokeAsync_MalformedJson_Returns400(string body) =>
        await ProblemAssert.IsProblemAsync(await PostAsync("/model", body), HttpStatusCode.BadRequest, "malformed-json");

    [Test]
    public async Task InvokeAsync_Rejection_NeverEchoesPayload()
    {
        using var response = await PostAsync("/model", "{\"secret-marker\":1,\"secret-marker\":2}");

        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("secret-marker"));
    }

    // ---- telemetry ----

    [Test]
    public async Task InvokeAsync_Rejection_LogsAndCountsByLimitAndMode()
    {
        using var collector = new MetricCollector<long>(_api.Services.GetRequiredService<IMeterFactory>(), "ApiShield", "apishield.threats.rejections");

        using var response = await PostAsync("/model", "[" + new string('1', 65) + "]");

        var measurement = collector.GetMeasurementSnapshot().Single();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(measurement.Tags["limit"], Is.EqualTo("json_number_length"));
            Assert.That(measurement.Tags["mode"], Is.EqualTo("block"));
            Assert.That(_api.Logs.GetSnapshot().Any(r => r.Id.Id == 700 && r.Message.Contains("json_number_length", StringComparison.Ordinal)), Is.True);
        });
    }
}
