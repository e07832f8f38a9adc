using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.RateLimiting;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApiShield.Tests.Threats;

[TestFixture]
public sealed class SecurityHeadersMiddlewareTests
{
    private static readonly Dictionary<string, string> Expected = new()
    {
        ["Cache-Control"] = "no-store",
        ["X-Content-Type-Options"] = "nosniff",
        ["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'",
        ["X-Frame-Options"] = "DENY",
        ["Referrer-Policy"] = "no-referrer",
    };

    private TestApi _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _api = await TestApi.StartAsync(new TestApiOptions
        {
            ConfigureServices = builder => builder.Services.AddRateLimiter(o =>
            {
                o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                o.AddFixedWindowLimiter("one", l =>
                {
                    l.PermitLimit = 1;
                    l.Window = TimeSpan.FromHours(1);
                    l.QueueLimit = 0;
                });
            }),
            Pipeline = app =>
            {
                app.UseExceptionHandler(error => error.Run(c =>
                {
                    c.Response.StatusCode = 500;
                    return c.Response.WriteAsync("error");
                }));
                app.UseApiShield();
                app.UseRateLimiter();
            },
            Map = app =>
            {
                app.MapGet("/ok", () => "ok").AllowAnonymous();
                app.MapGet("/token", () => "ok");
                app.MapGet("/scoped", () => "ok").RequireScope("admin");
                app.MapGet("/limited", () => "ok").AllowAnonymous().RequireRateLimiting("one");
                app.MapGet("/throws", string () => throw new InvalidOperationException("boom")).AllowAnonymous();
                app.MapGet("/cacheable", (HttpContext c) =>
                {
                    c.Response.Headers.CacheControl = "public, max-age=60";
                    c.Response.Headers["X-Powered-By"] = "ASP.NET";
                    c.Response.Headers.Server = "Kestrel";
                    return "ok";
                }).AllowAnonymous();
            },
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _api.DisposeAsync();

    private static void HasSecurityHeaders(HttpResponseMessage response)
    {
        Assert.Multiple(() =>
        {
            foreach (var (name, value) in Expected)
            {
                // The exception handler sets 'no-cache' itself ('no-store, no-cache'); a header already set is kept.
                Assert.That(Header(response, name), name == "Cache-Control" ? Does.Contain(value) : Is.EqualTo(value), $"{name} on {(int)response.StatusCode}");
            }
        });
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    [Test]
    public async Task Response200_CarriesHeaders()
    {
        using var response = await _api.Client.GetAsync("/ok");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        HasSecurityHeaders(response);
    }

    [Test]
    public async Task Response401_CarriesHeaders()
    {
        using var response = await _api.Client.GetAsync("/token");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        HasSecurityHeaders(response);
    }

    [Test]
    public async Task Response403_CarriesHeaders()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/scoped");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _api.Token());

        using var response = await _api.Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        HasSecurityHeaders(response);
    }

    [Test]
    public async Task Response403OverPlainHttp_CarriesHeaders()
    {
        using var response = await _api.CreateClient("http://localhost/").GetAsync("/ok");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        HasSecurityHeaders(response);
    }

    [Test]
    public async Task Response429_CarriesHeaders()
    {
        using var first = await _api.Client.GetAsync("/limited");
        using var second = await _api.Client.GetAsync("/limited");

        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        HasSecurityHeaders(second);
    }

    [Test]
    public async Task Response500FromExceptionHandler_CarriesHeaders()
    {
        using var response = await _api.Client.GetAsync("/throws");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        HasSecurityHeaders(response);
    }

    [Test]
    public async Task HeaderSetByApplication_Kept_ServerHeadersRemoved()
    {
        using var response = await _api.Client.GetAsync("/cacheable");

        Assert.Multiple(() =>
        {
            Assert.That(Header(response, "Cache-Control"), Is.EqualTo("public, max-age=60"));
            Assert.That(Header(response, "X-Powered-By"), Is.Null);
            Assert.That(Header(response, "Server"), Is.Null);
            Assert.That(Header(response, "X-Frame-Options"), Is.EqualTo("DENY"));
        });
    }

    [Test]
    public async Task Configured_ChangedOrTurnedOff()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            Settings =
            {
                ["ApiShield:Threats:Headers:ContentSecurityPolicy"] = "",
                ["ApiShield:Threats:Headers:ReferrerPolicy"] = "same-origin",
            },
            Map = app => app.MapGet("/ok", () => "ok").AllowAnonymous(),
        });

        using var response = await api.Client.GetAsync("/ok");

        Assert.Multiple(() =>
        {
            Assert.That(Header(response, "Content-Security-Policy"), Is.Null);
            Assert.That(Header(response, "Referrer-Policy"), Is.EqualTo("same-origin"));
            Assert.That(Header(response, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
        });
    }

    [Test]
    public async Task Disabled_NoHeaders()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            Settings = { ["ApiShield:Threats:Headers:Enabled"] = "false" },
            Map = app => app.MapGet("/ok", () => "ok").AllowAnonymous(),
        });

        using var response = await api.Client.GetAsync("/ok");

        Assert.That(Header(response, "X-Frame-Options"), Is.Null);
    }
}
