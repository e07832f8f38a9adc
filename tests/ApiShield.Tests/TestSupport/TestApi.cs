using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ApiShield.Tests.TestSupport;

/// <summary>
/// An API host on TestServer wired the way a user wires one: configuration, <c>AddApiShield()</c>,
/// <c>UseApiShield()</c>, endpoints. Tokens come from a <see cref="TestIdentityProvider"/> through OIDC discovery.
/// </summary>
internal sealed class TestApi : IAsyncDisposable
{
    /// <summary>A content root without appsettings files: the test output folder holds the sample's.</summary>
    internal static readonly Lazy<string> EmptyContentRoot = new(() =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "apishield-tests-content-root")).FullName);

    private TestApi(WebApplication app, TestIdentityProvider idp, FakeTimeProvider time, FakeLogCollector logs)
    {
        App = app;
        Idp = idp;
        Time = time;
        Logs = logs;
        Client = CreateClient("https://localhost/");
    }

    public WebApplication App { get; }

    public TestIdentityProvider Idp { get; }

    public FakeTimeProvider Time { get; }

    public FakeLogCollector Logs { get; }

    /// <summary>A client whose requests arrive over HTTPS.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    public static Task<TestApi> StartAsync(Action<WebApplication> map) => StartAsync(new TestApiOptions { Map = map });

    public static async Task<TestApi> StartAsync(TestApiOptions options)
    {
        var idp = options.IdentityProvider ?? new TestIdentityProvider();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = options.Environment,
            ApplicationName = typeof(TestApi).Assembly.GetName().Name,

            // Not the test output folder: the sample's appsettings.json is copied there.
            ContentRootPath = EmptyContentRoot.Value,
        });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFakeLogging();

        var settings = new Dictionary<string, string?>
        {
            ["Authentication:Schemes:Bearer:Authority"] = TestIdentityProvider.Issuer,
            ["Authentication:Schemes:Bearer:ValidAudience"] = TestIdentityProvider.Audience,
        };
        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.BackchannelHttpHandler = idp);

        options.ConfigureServices?.Invoke(builder);
        if (options.AddApiShield)
        {
            builder.Services.AddApiShield();
        }

        options.ConfigureServicesAfter?.Invoke(builder);

        var app = builder.Build();
        if (options.Pipeline is { } pipeline)
        {
            pipeline(app);
        }
        else
        {
            app.UseApiShield();
        }

        options.Map(app);
        await app.StartAsync().ConfigureAwait(false);
        return new TestApi(app, idp, time, app.Services.GetFakeLogCollector());
    }

    public HttpClient CreateClient(string baseAddress)
    {
        var client = App.GetTestClient();
        client.BaseAddress = new Uri(baseAddress);
        return client;
    }

    /// <summary>A token from the test provider, valid now on the API's clock.</summary>
    public string Token(Action<TokenSpec>? configure = null) => Idp.CreateToken(Time.GetUtcNow(), configure);

    public Task<HttpResponseMessage> GetAsync(string path, string? token) => SendAsync(HttpMethod.Get, path, token);

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return (client ?? Client).SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync().ConfigureAwait(false);
    }
}

internal sealed class TestApiOptions
{
    public string Environment { get; init; } = "Production";

    public Dictionary<string, string?> Settings { get; init; } = [];

    public TestIdentityProvider? IdentityProvider { get; init; }

    /// <summary>Runs before <c>AddApiShield()</c>.</summary>
    public Action<WebApplicationBuilder>? ConfigureServices { get; init; }

    /// <summary>Runs after <c>AddApiShield()</c>.</summary>
    public Action<WebApplicationBuilder>? ConfigureServicesAfter { get; init; }

    public bool AddApiShield { get; init; } = true;

    /// <summary>Replaces the default pipeline (<c>app.UseApiShield()</c>).</summary>
    public Action<WebApplication>? Pipeline { get; init; }

    public Action<WebApplication> Map { get; init; } = static _ => { };
}
