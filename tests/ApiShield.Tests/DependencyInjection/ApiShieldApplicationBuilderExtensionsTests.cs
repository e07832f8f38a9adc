using System.Net;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ApiShield.Tests.DependencyInjection;

[TestFixture]
public sealed class ApiShieldApplicationBuilderExtensionsTests
{
    [Test]
    public void UseApiShield_WithoutAddApiShield_ThrowsSayingWhatToCall()
    {
        var error = Assert.CatchAsync<InvalidOperationException>(async () =>
        {
            await using var api = await TestApi.StartAsync(new TestApiOptions { AddApiShield = false });
        });

        Assert.That(error!.Message, Does.Contain("builder.Services.AddApiShield()"));
    }

    public static IEnumerable<TestCaseData> Pipelines()
    {
        yield return new TestCaseData((Action<WebApplication>)(app => app.UseApiShield())).SetArgDisplayNames("ApiShield only");
        yield return new TestCaseData((Action<WebApplication>)(app =>
        {
            app.UseRouting();
            app.UseApiShield();
        })).SetArgDisplayNames("UseRouting before");
        yield return new TestCaseData((Action<WebApplication>)(app =>
        {
            app.UseApiShield();
            app.UseRouting();
            app.UseAuthentication();
            app.UseAuthorization();
        })).SetArgDisplayNames("routing, authentication, authorization after");
        yield return new TestCaseData((Action<WebApplication>)(app =>
        {
            app.UseRouting();
            app.UseAuthentication();
            app.UseAuthorization();
            app.UseApiShield();
        })).SetArgDisplayNames("routing, authentication, authorization before");
        yield return new TestCaseData((Action<WebApplication>)(app =>
        {
            app.UseApiShield();
            app.UseApiShield();
        })).SetArgDisplayNames("UseApiShield twice");
    }

    [TestCaseSource(nameof(Pipelines))]
    public async Task UseApiShield_AnyPipelineShape_ProtectsMinimalApisAndControllers(Action<WebApplication> pipeline)
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            ConfigureServices = builder => builder.Services.AddControllers()
                .ConfigureApplicationPartManager(m =>
                {
                    m.ApplicationParts.Clear();
                    m.FeatureProviders.Add(new SingleControllerFeatureProvider(typeof(PipelineProbeController)));
                }),
            Pipeline = pipeline,
            Map = app =>
            {
                app.MapGet("/minimal", () => "minimal").RequireScope("orders:read");
                app.MapControllers();
            },
        });

        foreach (var path in new[] { "/minimal", "/controller" })
        {
            using var anonymous = await api.GetAsync(path, token: null);
            using var wrongScope = await api.GetAsync(path, api.Token(t => t.Scope("other")));
            using var ok = await api.GetAsync(path, api.Token(t => t.Scope("orders:read")));
            using var http = await api.SendAsync(HttpMethod.Get, path, api.Token(t => t.Scope("orders:read")), api.CreateClient("http://localhost/"));

            Assert.Multiple(() =>
            {
                Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), path);
                Assert.That(wrongScope.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), path);
                Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
                Assert.That(http.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), path);
            });
        }
    }

    [Test]
    public async Task UseApiShield_AuthorizationRegisteredBefore_LogsWarning()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            Pipeline = app =>
            {
                app.UseRouting();
                app.UseAuthorization();
                app.UseApiShield();
            },
        });

        Assert.That(api.Logs.GetSnapshot().Any(r => r.Id.Name == "AuthorizationBeforeApiShield"), Is.True);
    }

    [Test]
    public async Task UseApiShield_StartupClassHost_Protects()
    {
        var idp = new TestIdentityProvider();
        using var host = await new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .UseEnvironment("Production")
                .ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Authentication:Schemes:Bearer:Authority"] = TestIdentityProvider.Issuer,
                    ["Authentication:Schemes:Bearer:ValidAudience"] = TestIdentityProvider.Audience,
                }))
                .ConfigureServices(services =>
                {
                    services.AddApiShield();
                    services.Configure<Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerOptions>("Bearer", o => o.BackchannelHttpHandler = idp);
                })
                .Configure(app =>
                {
                    app.UseApiShield();
                    app.UseEndpoints(e => e.MapGet("/orders", () => "orders").RequireScope("orders:read"));
                }))
            .StartAsync();
        var client = host.GetTestClient();
        client.BaseAddress = new Uri("https://localhost/");

        using var anonymous = await client.GetAsync("/orders");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders");
        request.Headers.Authorization = new("Bearer", idp.CreateToken(DateTimeOffset.UtcNow, t => t.Scope("orders:read")));
        using var ok = await client.SendAsync(request);

        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
