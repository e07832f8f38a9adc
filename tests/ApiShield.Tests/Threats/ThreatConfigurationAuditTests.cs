using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;

namespace ApiShield.Tests.Threats;

[TestFixture]
public sealed class ThreatConfigurationAuditTests
{
    private static readonly int[] AuditEvents = [710, 711, 712, 713];

    private static async Task<int[]> AuditEventsAsync(TestApiOptions options)
    {
        await using var api = await TestApi.StartAsync(options);
        return [.. api.Logs.GetSnapshot().Select(r => r.Id.Id).Where(id => AuditEvents.Contains(id))];
    }

    [Test]
    public async Task Audit_DefaultHost_NoFindings() =>
        Assert.That(await AuditEventsAsync(new TestApiOptions()), Is.Empty);

    [Test]
    public async Task Audit_ProductionOnPlainHttp_Warns() =>
        Assert.That(await AuditEventsAsync(new TestApiOptions { Settings = { ["urls"] = "https://+:443;http://+:80" } }), Is.EqualTo(new[] { 710 }));

    [Test]
    public async Task Audit_ProductionOnHttpPorts_Warns() =>
        Assert.That(await AuditEventsAsync(new TestApiOptions { Settings = { ["http_ports"] = "8080" } }), Is.EqualTo(new[] { 710 }));

    [Test]
    public async Task Audit_DevelopmentOnPlainHttp_NoFinding() =>
        Assert.That(await AuditEventsAsync(new TestApiOptions { Environment = "Development", Settings = { ["urls"] = "http://localhost:5000" } }), Is.Empty);

    [Test]
    public async Task Audit_ForwardedHeadersFromAnySender_Warns() =>
        Assert.That(await AuditEventsAsync(new TestApiOptions
        {
            ConfigureServices = b => b.Services.Configure<ForwardedHeadersOptions>(o =>
            {
                o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                o.KnownProxies.Clear();
                o.KnownIPNetworks.Clear();
            }),
        }), Is.EqualTo(new[] { 711 }));

    [Test]
    public async Task Audit_ForwardedHeadersEnabledByEnvironment_Warns()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions { Settings = { ["FORWARDEDHEADERS_ENABLED"] = "true" } });

        var record = api.Logs.GetSnapshot().Single(r => r.Id.Id == 711);
        Assert.That(record.Message, Does.Contain("ASPNETCORE_FORWARDEDHEADERS_ENABLED"));
    }

    [Test]
    public async Task Audit_ForwardedHeadersFromKnownProxy_NoFinding() =>
        Assert.That(await AuditEventsAsync(new TestApiOptions
        {
            ConfigureServices = b => b.Services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedProto),
        }), Is.Empty);

    [Test]
    public async Task Audit_HostHstsPreloadWithoutSubdomains_Warns() =>
        Assert.That(await AuditEventsAsync(new TestApiOptions
        {
            ConfigureServices = b => b.Services.AddHsts(o =>
            {
                o.Preload = true;
                o.IncludeSubDomains = false;
                o.MaxAge = TimeSpan.FromDays(365);
            }),
        }), Is.EqualTo(new[] { 712 }));

    [Test]
    public async Task Audit_ApiShieldPreloadWithoutHeader_Warns() =>
        Assert.That(await AuditEventsAsync(new TestApiOptions
        {
            Settings = { ["ApiShield:Https:HstsPreload"] = "true", ["ApiShield:Https:Hsts"] = "false" },
        }), Is.EqualTo(new[] { 712 }));

    [Test]
    public async Task Audit_UseApiShieldMissing_Warns() =>
        Assert.That(await AuditEventsAsync(new TestApiOptions { Pipeline = _ => { } }), Is.EqualTo(new[] { 713 }));

    [Test]
    public void Audit_StrictWithFinding_StopsHostNamingKey()
    {
        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => TestApi.StartAsync(new TestApiOptions
        {
            Settings = { ["ApiShield:Threats:StrictConfigurationAudit"] = "true", ["urls"] = "http://+:80" },
        }));

        Assert.That(ex!.Message, Does.Contain("ApiShield:Threats:StrictConfigurationAudit").And.Contain("http://+:80"));
    }

    [Test]
    public void Audit_StrictWithAuthorizationBeforeApiShield_StopsHost()
    {
        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => TestApi.StartAsync(new TestApiOptions
        {
            Settings = { ["ApiShield:Threats:StrictConfigurationAudit"] = "true" },
            Pipeline = app =>
            {
                app.UseAuthorization();
                app.UseApiShield();
            },
        }));

        Assert.That(ex!.Message, Does.Contain("UseAuthorization() runs before UseApiShield()"));
    }

    [Test]
    public async Task Audit_AuthorizationBeforeApiShield_LoggedOnceByCore()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            Pipeline = app =>
            {
                app.UseAuthorization();
                app.UseApiShield();
            },
        });

        Assert.That(api.Logs.GetSnapshot().Count(r => r.Message.Contains("UseAuthorization() runs before UseApiShield()", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public async Task Audit_StrictWithoutFindings_Starts() =>
        Assert.That(await AuditEventsAsync(new TestApiOptions { Settings = { ["ApiShield:Threats:StrictConfigurationAudit"] = "true" } }), Is.Empty);
}
