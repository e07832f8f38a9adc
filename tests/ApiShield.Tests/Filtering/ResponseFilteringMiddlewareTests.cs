using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using System.Diagnostics.Metrics;

namespace ApiShield.Tests.Filtering;

[TestFixture]
public sealed class ResponseFilteringMiddlewareTests
{
    private const string RawBody = """{"id":7,"ssn":"078-05-1120","userPassword":"hunter2","items":[{"card":{"number":"4111111111111111","brand":"visa"}},{"card":{"number":"5500005555555559"}}],"contactEmail":"bob@example.com","note":"ok"}""";
    private const string RawExpected = """{"id":7,"userPassword":"****","items":[{"card":{"number":"****1111","brand":"visa"}},{"card":{"number":"****5559"}}],"contactEmail":"****","note":"ok"}""";

    private TestApi _api = null!;
    private string _file = null!;

    internal static Dictionary<string, string?> Settings => new()
    {
        ["ApiShield:Filtering:Rules:0:Path"] = "$..ssn",
        ["ApiShield:Filtering:Rules:1:Name"] = "*password*",
        ["ApiShield:Filtering:Rules:1:Action"] = "Mask",
        ["ApiShield:Filtering:Rules:2:Path"] = "$.items[*].card.number",
        ["ApiShield:Filtering:Rules:2:Action"] = "Mask",
        ["ApiShield:Filtering:Rules:2:KeepLast"] = "4",
        ["ApiShield:Filtering:Rules:3:Path"] = "$..contactEmail",
        ["ApiShield:Filtering:Rules:3:Action"] = "Mask",
        ["ApiShield:Filtering:Rules:3:VisibleWithScope"] = "pii:read",
        ["ApiShield:Filtering:Detectors"] = "PaymentCard, Secrets",
        ["ApiShield:Filtering:HashKey"] = FilterHarness.HashKey,
        ["ApiShield:Filtering:MaxTokenSize"] = "4096",
    };

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _file = Path.Combine(Path.GetTempPath(), $"apishield-filter-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(_file, RawBody);
        _api = await TestApi.StartAsync(new TestApiOptions { Settings = Settings, Map = Map });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _api.DisposeAsync();
        File.Delete(_file);
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/account", () => TypedResults.Ok(FilteringSamples.Account)).AllowAnonymous();
        app.MapGet("/account-iresult", () => Results.Ok(FilteringSamples.Account)).AllowAnonymous();
        app.MapGet("/account-raw", (HttpContext c, CancellationToken ct) => Raw(c, "application/json", FilteringSamples.AccountJson)).Produces<Account>().AllowAnonymous();
        app.MapGet("/scoped", () => TypedResults.Ok(FilteringSamples.Account)).RequireScope("orders:read");
        app.MapGet("/raw", (HttpContext c) => Raw(c, "application/json; charset=utf-8", RawBody)).AllowAnonymous();
        app.MapGet("/raw-length", (HttpContext c) =>
        {
            c.Response.ContentLength = Encoding.UTF8.GetByteCount(RawBody);
            c.Response.Headers.AcceptRanges = "bytes";
            return Raw(c, "application/json", RawBody);
        }).AllowAnonymous();
        app.MapMethods("/head", ["GET", "HEAD"], (HttpContext c) =>
        {
            c.Response.ContentLength = Encoding.UTF8.GetByteCount(RawBody);
            return Raw(c, "application/json", RawBody);
        }).AllowAnonymous();
        app.MapGet("/convention", (HttpContext c) => Raw(c, "application/json", """{"a":1,"internal":{"x":[1,2]},"b":"secret-ish"}"""))
            .WithSensitivePath("$.internal")
            .WithSensitivePath("$.b", SensitiveAction.Hash)
            .AllowAnonymous();
        app.MapGet("/attribute", [SensitivePath("$.internal", Action = SensitiveAction.Mask)] (HttpContext c) =>
            Raw(c, "application/json", """{"a":1,"internal":"x"}""")).AllowAnonymous();
        app.MapGet("/status/{code:int}", (int code, HttpContext c) => Raw(c, "application/json", $$"""{"status":{{code}},"ssn":"078-05-1120"}""", code)).AllowAnonymous();
        app.MapGet("/problem", () => TypedResults.Problem(detail: "Connection failed with key AKIAIOSFODNN7EXAMPLE", statusCode: 500)).AllowAnonymous();
        app.MapGet("/vendor", (HttpContext c) => Raw(c, "application/vnd.acme.order+json", RawBody)).AllowAnonymous();
        app.MapGet("/ndjson", (HttpContext c) => Raw(c, "application/x-ndjson", "{\"ssn\":\"1\",\"a\":1}\n{\"a\":2,\"userPassword\":\"p\"}\n")).AllowAnonymous();
        app.MapGet("/sse", async (HttpContext c) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync("event: order\ndata: {\"ssn\":\"1\",\"a\":1}\n\n");
            await c.Response.Body.FlushAsync();
            await c.Response.WriteAsync("data: paid with 4111 1111 1111 1111\r\n\r\n");
        }).AllowAnonymous();
        app.MapGet("/text", (HttpContext c) => Raw(c, "text/plain", RawBody)).AllowAnonymous();
        app.MapGet("/trickle", async (HttpContext c) =>
        {
            c.Response.ContentType = "application/json";
            foreach (var b in Encoding.UTF8.GetBytes(RawBody))
            {
                await c.Response.Body.WriteAsync(new[] { b });
                await c.Response.Body.FlushAsync();
            }
        }).AllowAnonymous();
        app.MapGet("/trickle-writer", async (HttpContext c) =>
        {
            c.Response.ContentType = "application/json";
            var bytes = Encoding.UTF8.GetBytes(RawBody);
            for (var i = 0; i < bytes.Length; i += 3)
            {
                await c.Response.BodyWriter.WriteAsync(bytes.AsMemory(i, Math.Min(3, bytes.Length - i)));
            }
        }).AllowAnonymous();
        app.MapGet("/writer-complete", async (HttpContext c) =>
        {
            c.Response.ContentType = "application/json";
            await c.Response.BodyWriter.WriteAsync(Encoding.UTF8.GetBytes(RawBody));
            await c.Response.BodyWriter.CompleteAsync();
        }).AllowAnonymous();
        app.MapGet("/malformed", (HttpContext c) => Raw(c, "application/json", """{"ssn":"078-05-1120","a":""")).AllowAnonymous();
        app.MapGet("/malformed-late", async (HttpContext c) =>
        {
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("{\"pad\":\"" + new string('x', 2000) + "\",\"list\":[" + string.Join(",", Enumerable.Range(0, 5000)) + "],");
            await c.Response.Body.FlushAsync();
            await c.Response.WriteAsync("\"ssn\":\"078-05-1120\", oops}");
        }).AllowAnonymous();
        app.MapGet("/big-token", (HttpContext c) => Raw(c, "application/json", "{\"a\":\"" + new string('x', 10000) + "\"}")).AllowAnonymous();
        app.MapGet("/utf16", (HttpContext c) => Raw(c, "application/json; charset=utf-16", RawBody)).AllowAnonymous();
        app.MapGet("/file", async (HttpContext c) =>
        {
            c.Response.ContentType = "application/json";
            c.Response.ContentLength = new FileInfo(_file).Length;
            await c.Response.SendFileAsync(_file);
        }).AllowAnonymous();
        app.MapGet("/range", () => Results.File(_file, "application/json", enableRangeProcessing: true)).AllowAnonymous();
    }

    internal static async Task Raw(HttpContext context, string contentType, string body, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body));
    }

    private static async Task<(HttpResponseMessage Response, string Body, JsonNode Json)> GetJsonAsync(HttpClient client, string path, string? token = null, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        configure?.Invoke(request);
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        JsonNode json = null!;
        Assert.DoesNotThrow(() => json = JsonNode.Parse(body)!, body);
        return (response, body, json);
    }

    [Test]
    public async Task InvokeAsync_ConfiguredRules_FilterRawJson()
    {
        var (response, body, _) = await GetJsonAsync(_api.Client, "/raw");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body, Is.EqualTo(RawExpected));
    }

    [Test]
    public async Task InvokeAsync_ConfiguredScopeGatedRule_VisibleWithScopeOnly()
    {
        var (_, withScope, _) = await GetJsonAsync(_api.Client, "/raw", _api.Token(t => t.Scope("pii:read")));
        var (_, withoutScope, _) = await GetJsonAsync(_api.Client, "/raw", _api.Token(t => t.Scope("orders:read")));

        Assert.Multiple(() =>
        {
            Assert.That(withScope, Does.Contain("\"contactEmail\":\"bob@example.com\""));
            Assert.That(withoutScope, Does.Contain("\"contactEmail\":\"****\""));
        });
    }

    [Test]
    public async Task InvokeAsync_SensitiveAttribute_AppliedForAnonymousCaller()
    {
        var (response, _, json) = await GetJsonAsync(_api.Client, "/account");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(json["email"]!.GetValue<string>(), Is.EqualTo("****"));
            Assert.That(json["cardNumber"]!.GetValue<string>(), Is.EqualTo("****1111"));
            Assert.That(json.AsObject().ContainsKey("internalNote"), Is.False);
            Assert.That(json["home"]!["city"]!.GetValue<string>(), Is.EqualTo("Oslo"));
            Assert.That(json["home"]!["street"]!.GetValue<string>(), Has.Length.EqualTo(22).And.Not.Contain("Karl"));
            Assert.That(json["previous"]![1]!["street"]!.GetValue<string>(), Has.Length.EqualTo(22).And.Not.Contain("Munkegata"));
        });
    }

    [Test]
    public async Task InvokeAsync_SensitiveAttribute_ScopeRevealsEmail()
    {
        var (_, _, withScope) = await GetJsonAsync(_api.Client, "/scoped", _api.Token(t => t.Scope("orders:read pii:read")));
        var (_, _, withoutScope) = await GetJsonAsync(_api.Client, "/scoped", _api.Token(t => t.Scope("orders:read")));

        Assert.Multiple(() =>
        {
            Assert.That(withScope["email"]!.GetValue<string>(), Is.EqualTo("ann@example.com"));
            Assert.That(withScope["cardNumber"]!.GetValue<string>(), Is.EqualTo("****1111"));
            Assert.That(withoutScope["email"]!.GetValue<string>(), Is.EqualTo("****"));
        });
    }

    [TestCase("/account")]
    [TestCase("/account-iresult")]
    [TestCase("/account-raw")]
    public async Task InvokeAsync_SerializerOrStreamLayer_SameOutput(string path)
    {
        var (_, reference, _) = await GetJsonAsync(_api.Client, "/account");
        var (_, body, _) = await GetJsonAsync(_api.Client, path);

        Assert.That(body, Is.EqualTo(reference));
        Assert.That(body, Does.Not.Contain("ann@example").And.Not.Contain("fraud").And.Not.Contain("Bryggen"));
    }

    [Test]
    public async Task InvokeAsync_CallerDependentResponse_NotStoredBySharedCaches()
    {
        var (response, _, _) = await GetJsonAsync(_api.Client, "/account");

        Assert.That(response.Headers.CacheControl?.Private, Is.True);
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        Assert.That(response.Headers.Vary, Does.Contain("Authorization"));
    }

    [Test]
    public async Task InvokeAsync_EndpointConvention_RemovesAndHashes()
    {
        var (_, body, json) = await GetJsonAsync(_api.Client, "/convention");

        Assert.That(json.AsObject().ContainsKey("internal"), Is.False, body);
        Assert.That(json["b"]!.GetValue<string>(), Has.Length.EqualTo(22).And.Not.EqualTo("secret-ish"));
    }

    [Test]
    public async Task InvokeAsync_EndpointAttribute_Masks()
    {
        var (_, body, _) = await GetJsonAsync(_api.Client, "/attribute");

        Assert.That(body, Is.EqualTo("""{"a":1,"internal":"****"}"""));
    }

    [TestCase(200)]
    [TestCase(201)]
    [TestCase(400)]
    [TestCase(404)]
    [TestCase(409)]
    [TestCase(500)]
    [TestCase(503)]
    public async Task InvokeAsync_AnyStatusCode_Filtered(int status)
    {
        var (response, body, _) = await GetJsonAsync(_api.Client, $"/status/{status}");

        Assert.That((int)response.StatusCode, Is.EqualTo(status));
        Assert.That(body, Is.EqualTo($$"""{"status":{{status}}}"""));
    }

    [Test]
    public async Task InvokeAsync_ProblemDetails_DetectorMasksSecret()
    {
        var (response, body, json) = await GetJsonAsync(_api.Client, "/problem");

        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(json["detail"]!.GetValue<string>(), Is.EqualTo("Connection failed with key ********************"), body);
    }

    [Test]
    public async Task InvokeAsync_VendorJsonMediaType_Filtered()
    {
        var (_, body, _) = await GetJsonAsync(_api.Client, "/vendor");

        Assert.That(body, Is.EqualTo(RawExpected));
    }

    [Test]
    public async Task InvokeAsync_Ndjson_FilteredLineByLine()
    {
        using var response = await _api.Client.GetAsync("/ndjson");
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(body, Is.EqualTo("{\"a\":1}\n{\"a\":2,\"userPassword\":\"****\"}\n"));
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.DoesNotThrow(() => JsonDocument.Parse(line));
        }
    }

    [Test]
    public async Task InvokeAsync_ServerSentEvents_DataLinesFiltered()
    {
        using var response = await _api.Client.GetAsync("/sse");
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(body, Is.EqualTo("event: order\ndata: {\"a\":1}\n\ndata: paid with *******************\r\n\r\n"));
        var jsonLine = body.Split('\n').Single(l => l.StartsWith("data: {", StringComparison.Ordinal));
        Assert.DoesNotThrow(() => JsonDocument.Parse(jsonLine["data: ".Length..]));
    }

    [Test]
    public async Task InvokeAsync_OtherMediaType_PassesUntouched()
    {
        using var response = await _api.Client.GetAsync("/text");

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(RawBody));
    }

    [TestCase("/trickle")]
    [TestCase("/trickle-writer")]
    [TestCase("/writer-complete")]
    public async Task InvokeAsync_TinyWrites_ValuesSplitAcrossWritesStillCaught(string path)
    {
        var (_, body, _) = await GetJsonAsync(_api.Client, path);

        Assert.That(body, Is.EqualTo(RawExpected));
    }

    [Test]
    public async Task InvokeAsync_MalformedJsonBeforeHeaders_500ProblemWithoutOriginalBytes()
    {
        using var response = await _api.Client.GetAsync("/malformed");

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.InternalServerError, "response-filter-failed");
        Assert.That(problem.ToString(), Does.Not.Contain("078-05"));
        Assert.That(_api.Logs.GetSnapshot().Any(r => r.Id.Id == 501), Is.True);
    }

    [TestCase("/big-token")]
    [TestCase("/utf16")]
    public async Task InvokeAsync_UnfilterableBody_500Problem(string path)
    {
        using var response = await _api.Client.GetAsync(path);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.InternalServerError, "response-filter-failed");
    }

    [Test]
    public async Task InvokeAsync_MalformedJsonAfterHeaders_AbortsWithoutSecret()
    {
        string? body = null;
        try
        {
            using var response = await _api.Client.GetAsync("/malformed-late", HttpCompletionOption.ResponseHeadersRead);
            body = await response.Content.ReadAsStringAsync();
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
        }

        Assert.That(body, Is.Null, "the connection should have been aborted");
        Assert.That(_api.Logs.GetSnapshot().Any(r => r.Id.Id == 502), Is.True);
    }

    [Test]
    public async Task InvokeAsync_ContentLengthSetByApp_RemovedAndRangesNotAdvertised()
    {
        var (response, body, _) = await GetJsonAsync(_api.Client, "/raw-length");

        Assert.Multiple(() =>
        {
            Assert.That(body, Is.EqualTo(RawExpected));
            Assert.That(response.Content.Headers.ContentLength, Is.Null.Or.EqualTo(Encoding.UTF8.GetByteCount(RawExpected)));
            Assert.That(response.Headers.AcceptRanges, Is.Empty);
        });
    }

    [Test]
    public async Task InvokeAsync_SendFile_RoutedThroughFilter()
    {
        var (_, body, _) = await GetJsonAsync(_api.Client, "/file");

        Assert.That(body, Is.EqualTo(RawExpected));
    }

    [Test]
    public async Task InvokeAsync_RangeRequest_ServesWholeFilteredBody()
    {
        var (response, body, _) = await GetJsonAsync(_api.Client, "/range", configure: r => r.Headers.Range = new RangeHeaderValue(0, 20));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentRange, Is.Null);
            Assert.That(response.Headers.AcceptRanges, Is.Empty);
            Assert.That(body, Is.EqualTo(RawExpected));
        });
    }

    [Test]
    public async Task InvokeAsync_Head_NoUnfilteredLengthAndNoBody()
    {
        using var response = await _api.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/head"));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentLength, Is.Not.EqualTo(Encoding.UTF8.GetByteCount(RawBody)));
            Assert.That(body, Is.Empty);
        });
    }

    [Test]
    public async Task InvokeAsync_Filtered_RecordsMetricsAndLogsRuleNotValue()
    {
        var meterFactory = _api.Services.GetRequiredService<IMeterFactory>();
        using var fields = new MetricCollector<long>(meterFactory, "ApiShield", "apishield.filtering.fields");
        using var hits = new MetricCollector<long>(meterFactory, "ApiShield", "apishield.filtering.detector_hits");

        await GetJsonAsync(_api.Client, "/raw");
        await GetJsonAsync(_api.Client, "/problem");

        var measurements = fields.GetMeasurementSnapshot();
        Assert.Multiple(() =>
        {
            Assert.That(measurements.Any(m => (string?)m.Tags["action"] == "remove" && (string?)m.Tags["rule_kind"] == "path" && (string?)m.Tags["http.route"] == "/raw" && m.Value >= 1), Is.True);
            Assert.That(measurements.Any(m => (string?)m.Tags["action"] == "mask" && (string?)m.Tags["rule_kind"] == "name_pattern"), Is.True);
            Assert.That(measurements.Any(m => (string?)m.Tags["rule_kind"] == "detector"), Is.True);
            Assert.That(hits.GetMeasurementSnapshot().Any(m => (string?)m.Tags["detector"] == "aws_access_key"), Is.True);

            // The problem's detail holds one key: one hit, however the masking walks the text.
            Assert.That(hits.GetMeasurementSnapshot().Where(m => (string?)m.Tags["detector"] == "aws_access_key").Sum(m => m.Value), Is.EqualTo(1));
        });

        var logs = _api.Logs.GetSnapshot().Where(r => r.Id.Id == 500).ToList();
        Assert.That(logs.Any(r => r.Message.Contains("ApiShield:Filtering:Rules:0", StringComparison.Ordinal)), Is.True);
        Assert.That(logs.Any(r => r.Message.Contains("078-05", StringComparison.Ordinal) || r.Message.Contains("hunter2", StringComparison.Ordinal)), Is.False);
    }

    [Test]
    public async Task InvokeAsync_ResponseCompressionBeforeApiShield_CompressesFilteredBody()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            Settings = Settings,
            ConfigureServices = b => b.Services.AddResponseCompression(o => o.EnableForHttps = true),
            Pipeline = app =>
            {
                app.UseResponseCompression();
                app.UseApiShield();
            },
            Map = app => app.MapGet("/raw", (HttpContext c) => Raw(c, "application/json", RawBody)).AllowAnonymous(),
        });
        var request = new HttpRequestMessage(HttpMethod.Get, "/raw");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));

        using var response = await api.Client.SendAsync(request);
        await using var gzip = new System.IO.Compression.GZipStream(await response.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var body = await reader.ReadToEndAsync();

        Assert.That(response.Content.Headers.ContentEncoding, Does.Contain("gzip"));
        Assert.That(body, Is.EqualTo(RawExpected));
        Assert.DoesNotThrow(() => JsonDocument.Parse(body));
    }

    [Test]
    public async Task InvokeAsync_CompressionInsideApiShield_FailsClosed()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            Settings = Settings,
            ConfigureServices = b => b.Services.AddResponseCompression(o => o.EnableForHttps = true),
            Pipeline = app =>
            {
                app.UseApiShield();
                app.UseResponseCompression();
            },
            Map = app => app.MapGet("/raw", (HttpContext c) => Raw(c, "application/json", RawBody)).AllowAnonymous(),
        });
        var request = new HttpRequestMessage(HttpMethod.Get, "/raw");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));

        using var response = await api.Client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.InternalServerError, "response-filter-failed");
    }

    [Test]
    public async Task InvokeAsync_NothingToFilter_BodyAndLengthUntouched()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            Map = app => app.MapGet("/raw", (HttpContext c) =>
            {
                c.Response.ContentLength = Encoding.UTF8.GetByteCount(RawBody);
                return Raw(c, "application/json", RawBody);
            }).AllowAnonymous(),
        });

        using var response = await api.Client.GetAsync("/raw");

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(RawBody));
        Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(Encoding.UTF8.GetByteCount(RawBody)));
    }

    [Test]
    public async Task InvokeAsync_FailOpen_SendsUnfilteredAndLogs()
    {
        var settings = Settings;
        settings["ApiShield:Filtering:FailureMode"] = "FailOpen";
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            Settings = settings,
            Map = app => app.MapGet("/malformed", (HttpContext c) => Raw(c, "application/json", """{"ssn":"1","a":""")).AllowAnonymous(),
        });

        using var response = await api.Client.GetAsync("/malformed");

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"ssn":"1","a":"""));
        Assert.That(api.Logs.GetSnapshot().Select(r => r.Id.Id), Does.Contain(503).And.Contain(504));
    }

    [TestCase("ApiShield:Filtering:Rules:0:Path", "items[*]", "ApiShield:Filtering:Rules:0:Path")]
    [TestCase("ApiShield:Filtering:Rules:0:Path", "$.items[0]", "ApiShield:Filtering:Rules:0:Path")]
    [TestCase("ApiShield:Filtering:DetectorPaths:0", "$.", "ApiShield:Filtering:DetectorPaths:0")]
    [TestCase("ApiShield:Filtering:MaxTokenSize", "10", "ApiShield:Filtering:MaxTokenSize")]
    [TestCase("ApiShield:Filtering:Rules:0:KeepLast", "65", "ApiShield:Filtering:Rules:0:KeepLast must be between 0 and 64")]
    [TestCase("ApiShield:Filtering:HashKey", "c2hvcnQ=", "ApiShield:Filtering:HashKey")]
    public void AddApiShield_InvalidFilteringOption_StartupErrorNamesKey(string key, string value, string expectedKey)
    {
        var ex = Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var api = await TestApi.StartAsync(new TestApiOptions { Settings = new() { [key] = value } });
        });

        Assert.That(ex!.Message, Does.Contain(expectedKey));
    }

    [Test]
    public void AddApiShield_HashRuleWithoutKey_StartupErrorNamesKey()
    {
        var ex = Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var api = await TestApi.StartAsync(new TestApiOptions
            {
                Settings = new() { ["ApiShield:Filtering:Rules:0:Name"] = "*email*", ["ApiShield:Filtering:Rules:0:Action"] = "Hash" },
            });
        });

        Assert.That(ex!.Message, Does.Contain("ApiShield:Filtering:HashKey is required"));
    }

    [Test]
    public void FilteringOptions_Defaults_AreSecure()
    {
        var options = new ApiShield.Filtering.FilteringOptions();

        Assert.Multiple(() =>
        {
            Assert.That(options.FailureMode, Is.EqualTo(ApiShield.Filtering.FilterFailureMode.FailClosed));
            Assert.That(options.MaxTokenSize, Is.EqualTo(1024 * 1024));
            Assert.That(options.Detectors, Is.EqualTo(ApiShield.Filtering.SensitiveDataDetectors.None));
            Assert.That(options.DetectorAction, Is.EqualTo(SensitiveAction.Mask));
            Assert.That(options.HashKey, Is.Null);
            Assert.That(new SensitiveAttribute().Otherwise, Is.EqualTo(SensitiveAction.Remove));
            Assert.That(new ApiShield.Filtering.SensitiveRuleOptions().Action, Is.EqualTo(SensitiveAction.Remove));
        });
    }

    [Test]
    public void SensitiveAttribute_IsDataClassification_ForLogRedaction()
    {
        var attribute = new SensitiveAttribute();

        Assert.That(attribute, Is.InstanceOf<Microsoft.Extensions.Compliance.Classification.DataClassificationAttribute>());
        Assert.That(attribute.Classification, Is.EqualTo(SensitiveAttribute.DataClassification));
        Assert.That(SensitiveAttribute.DataClassification.TaxonomyName, Is.EqualTo("ApiShield"));
    }

    [Test]
    public void SensitivePathAttribute_InvalidPath_Throws()
    {
        Assert.Throws<ArgumentException>(() => _ = new SensitivePathAttribute("$.a[?(@.x)]"));
    }

    [Test]
    public async Task InvokeAsync_MvcController_SameOutputAsMinimalApi()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            Settings = new() { ["ApiShield:Filtering:HashKey"] = FilterHarness.HashKey },
            ConfigureServices = b => b.Services.AddControllers().AddApplicationPart(typeof(FilteringProbeController).Assembly),
            Map = app =>
            {
                app.MapControllers();
                app.MapGet("/account", () => TypedResults.Ok(FilteringSamples.Account)).AllowAnonymous();
            },
        });

        var (_, mvc, _) = await GetJsonAsync(api.Client, "/filtering-probe");
        var (_, minimal, _) = await GetJsonAsync(api.Client, "/account");

        Assert.That(mvc, Is.EqualTo(minimal));
        Assert.That(mvc, Does.Not.Contain("ann@example").And.Not.Contain("fraud").And.Contain("****1111"));
    }
}
