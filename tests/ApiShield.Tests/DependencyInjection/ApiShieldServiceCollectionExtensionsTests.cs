using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiShield.Tests.DependencyInjection;

[TestFixture]
public sealed class ApiShieldServiceCollectionExtensionsTests
{
    private static void MapOrders(WebApplication app) => app.MapGet("/orders", () => "orders").RequireScope("orders:read");

    [Test]
    public async Task AddApiShield_CalledTwice_RegistersOnceAndWorks()
    {
        var counts = new List<int>();
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            ConfigureServicesAfter = builder =>
            {
                counts.Add(builder.Services.Count);
                builder.Services.AddApiShield();
                counts.Add(builder.Services.Count);
            },
            Map = MapOrders,
        });

        using var response = await api.GetAsync("/orders", api.Token(t => t.Scope("orders:read")));

        Assert.That(counts[1], Is.EqualTo(counts[0]));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task AddApiShield_WithDelegate_AppliesOnTopOfConfiguration()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            AddApiShield = false,
            Settings = { ["ApiShield:Tokens:MaxTokenLength"] = "4096", ["ApiShield:Https:HstsPreload"] = "false" },
            ConfigureServicesAfter = builder => builder.Services.AddApiShield(o => o.Tokens.ClockSkew = TimeSpan.FromSeconds(5)),
            Map = MapOrders,
        });

        var options = api.Services.GetRequiredService<IOptions<ApiShieldOptions>>().Value;

        Assert.That(options.Tokens.MaxTokenLength, Is.EqualTo(4096), "configuration is bound");
        Assert.That(options.Tokens.ClockSkew, Is.EqualTo(TimeSpan.FromSeconds(5)), "the delegate wins");
    }

    [Test]
    public void AddApiShield_ReturnsBuilderOverSameServices()
    {
        var services = new ServiceCollection();

        var builder = services.AddApiShield();

        Assert.That(builder.Services, Is.SameAs(services));
    }

    [Test]
    public async Task AddApiShield_HostAlsoCallsAddJwtBearerBefore_NoDuplicateSchemeAndHardened()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            ConfigureServices = builder => builder.Services.AddAuthentication().AddJwtBearer(),
            Map = MapOrders,
        });

        await AssertHardenedAndWorkingAsync(api);
    }

    [Test]
    public async Task AddApiShield_HostAlsoCallsAddJwtBearerAfter_NoDuplicateSchemeAndHardened()
    {
        await using var api = await TestApi.StartAsync(new TestApiOptions
        {
            ConfigureServicesAfter = builder => builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(),
            Map = MapOrders,
        });

        await AssertHardenedAndWorkingAsync(api);
    }

    [Test]
    public void AddApiShield_BearerSchemeTakenByAnotherHandler_FailsAtStartup()
    {
        var error = Assert.CatchAsync(async () =>
        {
            await using var api = await TestApi.StartAsync(new TestApiOptions
            {
                ConfigureServices = builder => builder.Services.AddAuthentication().AddCookie(JwtBearerDefaults.AuthenticationScheme),
                Map = MapOrders,
            });
            await api.GetAsync("/orders", api.Token());
        });

        Assert.That(error!.Message, Does.Contain("'Bearer' authentication scheme is registered with CookieAuthenticationHandler"));
    }

    [Test]
    public void PublicExtensionMethods_DoNotCollideWithAspNetCore()
    {
        var ours = typeof(ApiShieldOptions).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.IsDefined(typeof(ExtensionAttribute)))
            .Select(m => m.Name)
            .ToHashSet();
        var frameworkDirectory = Path.GetDirectoryName(typeof(WebApplication).Assembly.Location)!;
        var theirs = Directory.GetFiles(frameworkDirectory, "Microsoft.AspNetCore*.dll")
            .Append(typeof(JwtBearerExtensions).Assembly.Location)
            .Select(Assembly.LoadFrom)
            .SelectMany(SafeExportedTypes)
            .Where(t => t.IsAbstract && t.IsSealed)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.IsDefined(typeof(ExtensionAttribute)))
            .Select(m => m.Name)
            .ToHashSet();

        Assert.That(ours, Is.Not.Empty);
        Assert.That(ours.Intersect(theirs), Is.Empty);
    }

    private static IEnumerable<Type> SafeExportedTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetExportedTypes();
        }
        catch (Exception e) when (e is FileNotFoundException or ReflectionTypeLoadException or NotSupportedException)
        {
            return [];
        }
    }

    private static async Task AssertHardenedAndWorkingAsync(TestApi api)
    {
        var jwt = api.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        var schemes = await api.Services.GetRequiredService<IAuthenticationSchemeProvider>().GetAllSchemesAsync();

        using var ok = await api.GetAsync("/orders", api.Token(t => t.Scope("orders:read")));
        using var missing = await api.GetAsync("/orders", token: null);

        Assert.Multiple(() =>
        {
            Assert.That(schemes.Select(s => s.Name), Is.EqualTo(new[] { "Bearer" }));
            Assert.That(jwt.TokenValidationParameters.ClockSkew, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(jwt.MapInboundClaims, Is.False);
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }
}
