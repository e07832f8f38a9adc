using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using ApiShield.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ApiShield.Tests.Threats;

[TestFixture]
public sealed class ThreatModeTests
{
    private TestApi _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _api = await TestApi.StartAsync(new TestApiOptions
        {
            Settings =
            {
                ["ApiShield:Threats:Mode"] = "ReportOnly",
                ["ApiShield:Threats:Injection:Enabled"] = "true",
            },
            Map = app => app.MapEcho("/echo").WithJsonLimits(l => l.MaxBodySize = 1024),
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _api.DisposeAsync();

    [Test]
    public async Task ReportOnly_LimitCrossed_LetThroughUnchangedAndReported()
    {
        using var collector = new MetricCollector<long>(_api.Services.GetRequiredService<IMeterFactory>(), "ApiShield", "apishield.threats.rejections");
        var body = Encoding.UTF8.GetBytes(new string('[', 50) + new string(']', 50));

        using var response = await _api.Client.PostAsync("/echo", new ByteArrayContent(body) { Headers = { { "Content-Type", "application/json" } } });

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.ReadAsStringAsync().Result, Is.EqualTo(JsonTestEndpoints.Fingerprint(body)));
            var measurement = collector.GetMeasurementSnapshot().Single();
            Assert.That(measurement.Tags["limit"], Is.EqualTo("json_depth"));
            Assert.That(measurement.Tags["mode"], Is.EqualTo("report_only"));
            Assert.That(_api.Logs.GetSnapshot().Any(r => r.Id.Id == 701), Is.True);
            Assert.That(_api.Logs.GetSnapshot().Any(r => r.Id.Id == 700), Is.False);
        });
    }

    [Test]
    public async Task ReportOnly_ChunkedBodyPastSize_EndpointReadsWholeBodyUnchanged()
    {
        var body = Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Range(0, 2000)) + "]");
        var content = new StreamedJsonContent(body, (byte)' ', body.Length, declareLength: false, chunk: 100);

        using var response = await _api.Client.PostAsync("/echo", content);

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(JsonTestEndpoints.Fingerprint(body)));
    }

    [Test]
    public async Task ReportOnly_WrongMediaTypeAndInjection_LetThrough()
    {
        var body = "[\"<script>alert(1)</script>\"]"u8.ToArray();

        using var response = await _api.Client.PostAsync("/echo?q=%3Cscript%3E", new ByteArrayContent(body) { Headers = { { "Content-Type", "application/json" } } });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(_api.Logs.GetSnapshot().Any(r => r.Id.Id == 702), Is.True);
    }
}
