using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Claims;
using ApiShield.DependencyInjection;
using ApiShield.Diagnostics;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ApiShield.Tests.Https;

[TestFixture]
public sealed class HttpsEnforcementMiddlewareTests
{
    private static void MapOpen(WebApplication app)
    {
        app.MapGet("/open", () => "open").AllowAnonymous();
        app.MapGet("/orders", () => "orders").RequireScope("orders:read");
    }

    [Test]
    public async Task InvokeAsync_PlainHttp_Returns403ProblemNotRedirect()
    {
        await using var api = await TestApi.StartAsync(MapOpen);
        using var http = api.CreateClient("http://localhost/");

        using var response = await http.GetAsync("/open");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "https-required");
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location, Is.Null);
            Assert.That(response.Headers.Contains("Strict-Transport-Security"), Is.False, "RFC 6797 §7.2: no HSTS over HTTP");
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        });
    }

    [Test]
    public async Task InvokeAsync_PlainHttpToProtectedEndpoint_RefusedBeforeTokenChecks()
    {
        await using var api = await TestApi.StartAsync(MapOpen);
        using var http = api.CreateClient("http://localhost/");

        using var response = await http.GetAsync("/orders");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "https-required");
        Assert.That(ProblemAssert.WwwAuthenticate(response), Is.Null);
    }

    [Test]
    public async Task InvokeAsync_Https_SendsHstsWithDefaults()
    {
        await using var api = await TestApi.StartAsync(MapOpen);

        using var response = await api.Client.GetAsync("/open");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.GetValues("Strict-Transport-Security").Single(), Is.EqualTo("max-age=31536000; includeSubDomains"));
    }

    [Test]
    public async Task InvokeAsync_HttpsRejection_StillCarriesHsts()
    {
        await using var api = await TestApi.StartAsync(MapOpen);

        using var response = await api.Client.GetAsync("/orders");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.Contains("Strict-Transport-Security"), Is.True);
    }

    [Test]
    public async Task InvokeAsync_HstsConfigured_HeaderFollowsConfiguration()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            Map = MapOpen,
            Settings =
            {
                ["ApiShield:Https:HstsMaxAge"] = "730.00:00:00",
                ["ApiShield:Https:HstsPreload"] = "true",
            },
        });

        using var response = await api.Client.GetAsync("/open");

        Assert.That(response.Headers.GetValues("Strict-Transport-Security").Single(), Is.EqualTo("max-age=63072000; includeSubDomains; preload"));
    }

    [Test]
    public async Task InvokeAsync_HstsOff_NoHeader()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions { Map = MapOpen, Settings = { ["ApiShield:Https:Hsts"] = "false" } });

        using var response = await api.Client.GetAsync("/open");

        Assert.That(response.Headers.Contains("Strict-Transport-Security"), Is.False);
    }

    [TestCase("Development", "DevelopmentOnly", "127.0.0.1", HttpStatusCode.OK)]
    [TestCase("Development", "DevelopmentOnly", "::1", HttpStatusCode.OK)]
    [TestCase("Development", "DevelopmentOnly", "10.1.2.3", HttpStatusCode.Forbidden)]
    [TestCase("Development", "Never", "127.0.0.1", HttpStatusCode.Forbidden)]
    [TestCase("Production", "DevelopmentOnly", "127.0.0.1", HttpStatusCode.Forbidden)]
    [TestCase("Staging", "DevelopmentOnly", "127.0.0.1", HttpStatusCode.Forbidden)]
    [TestCase("Production", "Always", "127.0.0.1", HttpStatusCode.OK)]
    [TestCase("Production", "Always", "192.168.1.5", HttpStatusCode.Forbidden)]
    public async Task InvokeAsync_PlainHttpFromAddress_FollowsLoopbackPolicy(string environment, string policy, string remote, HttpStatusCode expected)
    {
        var settings = new Dictionary<string, string?> { ["ApiShield:Https:AllowLoopbackHttp"] = policy };
        if (environment == "Development")
        {
            // Development accepts user-jwts style HMAC keys; irrelevant here but keeps the host honest.
            settings["ApiShield:Tokens:AllowSymmetricKeys"] = "false";
        }

        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            Environment = environment,
            Settings = settings,
            Pipeline = app =>
            {
                app.Use((context, next) =>
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
                    return next(context);
                });
                app.UseApiShield();
            },
            Map = MapOpen,
        });
        using var http = api.CreateClient("http://localhost/");

        using var response = await http.GetAsync("/open");

        Assert.That(response.StatusCode, Is.EqualTo(expected));
    }

    [Test]
    public async Task InvokeAsync_RequireHttpsOff_ServesPlainHttp()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions { Map = MapOpen, Settings = { ["ApiShield:Https:RequireHttps"] = "false" } });
        using var http = api.CreateClient("http://localhost/");

        using var response = await http.GetAsync("/open");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(api.Logs.GetSnapshot().Any(r => r.Id.Id == 103), Is.True, "the choice is logged");
    }

    [TestCase("10.0.0.1", "https", HttpStatusCode.OK)]
    [TestCase("10.0.0.99", "https", HttpStatusCode.Forbidden)]
    [TestCase("10.0.0.1", "http", HttpStatusCode.Forbidden)]
    public async Task InvokeAsync_BehindProxy_ForwardedSchemeCountsOnlyFromTrustedProxy(string proxy, string forwardedProto, HttpStatusCode expected)
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            ConfigureServices = builder => builder.Services.Configure<ForwardedHeadersOptions>(o =>
            {
                o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                o.KnownProxies.Clear();
                o.KnownIPNetworks.Clear();
                o.KnownProxies.Add(IPAddress.Parse("10.0.0.1"));
            }),
            Pipeline = app =>
            {
                // What the TLS-terminating proxy's TCP connection looks like to the host.
                app.Use((context, next) =>
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(proxy);
                    return next(context);
                });
                app.UseForwardedHeaders();
                app.UseApiShield();
            },
            Map = MapOpen,
        });
        using var http = api.CreateClient("http://localhost/");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/open");
        request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(expected));
    }

    [Test]
    public async Task InvokeAsync_ValidTokenOverPlainHttp_RefusedAndExposureRaised()
    {
        var listener = new RecordingExposureListener();
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            ConfigureServicesAfter = builder => builder.Services.AddSingleton<ITokenExposureListener>(listener),
            Map = MapOpen,
        });
        using var collector = new MetricCollector<long>(api.Services.GetRequiredService<IMeterFactory>(), ApiShieldMetrics.MeterName, "apishield.https.exposed_tokens");
        using var http = api.CreateClient("http://localhost/");
        var token = api.Token(t => t.Claims["jti"] = "exposed-jti");

        using var response = await api.SendAsync(HttpMethod.Get, "/orders", token, http);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "https-required");
        Assert.Multiple(() =>
        {
            Assert.That(listener.Exposed.Select(p => p.FindFirstValue("jti")), Is.EqualTo(new[] { "exposed-jti" }));
            Assert.That(collector.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
            Assert.That(api.Logs.GetSnapshot().Where(r => r.Id.Id == 101).Select(r => r.Message), Has.None.Contains("user-1"), "the subject is hashed");
            Assert.That(api.Logs.GetSnapshot().Any(r => r.Id.Id == 101), Is.True);
        });
    }

    [Test]
    public async Task InvokeAsync_ForgedTokenOverPlainHttp_RaisesNoExposure()
    {
        var listener = new RecordingExposureListener();
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            ConfigureServicesAfter = builder => builder.Services.AddSingleton<ITokenExposureListener>(listener),
            Map = MapOpen,
        });
        using var http = api.CreateClient("http://localhost/");

        // Someone else's jti under a key the provider never published: burning it would let anyone revoke anyone.
        var forged = api.Token(t =>
        {
            t.Claims["jti"] = "victim-jti";
            t.Key = TestIdentityProvider.CreateRsaKey();
        });

        using var response = await api.SendAsync(HttpMethod.Get, "/orders", forged, http);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(listener.Exposed, Is.Empty);
    }

    private sealed class RecordingExposureListener : ITokenExposureListener
    {
        public List<ClaimsPrincipal> Exposed { get; } = [];

        public ValueTask OnTokenExposedAsync(HttpContext context, ClaimsPrincipal principal)
        {
            lock (Exposed)
            {
                Exposed.Add(principal);
            }

            return ValueTask.CompletedTask;
        }
    }
}
