using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApiShield.Benchmarks.Infrastructure;

/// <summary>
/// An app's services and request pipeline, invoked directly with a fresh <see cref="DefaultHttpContext"/> per request:
/// what a server does after parsing a request, without sockets, TestServer or hosting diagnostics in the measurement.
/// </summary>
internal sealed class InProcessPipeline : IAsyncDisposable
{
    private static readonly HostString Host = new("api.example.com");

    private readonly WebApplication _app;
    private readonly RequestDelegate _pipeline;
    private readonly IServiceScopeFactory _scopes;

    private InProcessPipeline(WebApplication app, RequestDelegate pipeline)
    {
        _app = app;
        _pipeline = pipeline;
        _scopes = app.Services.GetRequiredService<IServiceScopeFactory>();
    }

    /// <param name="configureServices">Registers the app's services, as <c>Program.cs</c> does before <c>Build()</c>.</param>
    /// <param name="configurePipeline">Adds middleware and endpoints, as <c>Program.cs</c> does after <c>Build()</c>.</param>
    public static InProcessPipeline Create(Action<WebApplicationBuilder> configureServices, Action<IApplicationBuilder> configurePipeline)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ApplicationName = typeof(InProcessPipeline).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Both apps would log the same lines; a console provider would measure the console.
        builder.Logging.ClearProviders();
        configureServices(builder);
        var app = builder.Build();

        // The pipeline is built the way the host builds it, minus the server: WebApplication itself is never started.
        var pipeline = new ApplicationBuilder(app.Services);
        configurePipeline(pipeline);
        return new InProcessPipeline(app, pipeline.Build());
    }

    /// <summary>The client address every request comes from; <see langword="null"/> (no address) unless set.</summary>
    public IPAddress? RemoteIpAddress { get; set; }

    /// <summary>Sends <c>GET https://api.example.com{path}</c> with the given <c>Authorization</c> header (none when <see langword="null"/>).</summary>
    /// <returns>The response status code.</returns>
    public Task<int> GetAsync(PathString path, string? authorization) => GetAsync(path, authorization, static _ => { });

    /// <summary>As <see cref="GetAsync(PathString, string?)"/>, then hands the finished response to <paramref name="inspect"/>.</summary>
    public async Task<int> GetAsync(PathString path, string? authorization, Action<HttpResponse> inspect)
    {
        var scope = _scopes.CreateAsyncScope();
        try
        {
            var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            var request = context.Request;
            request.Method = HttpMethods.Get;
            request.Scheme = "https";
            request.Host = Host;
            request.Path = path;
            if (authorization is not null)
            {
                request.Headers.Authorization = authorization;
            }

            context.Connection.RemoteIpAddress = RemoteIpAddress;
            context.Response.Body = Stream.Null;

            await _pipeline(context).ConfigureAwait(false);
            inspect(context.Response);
            return context.Response.StatusCode;
        }
        finally
        {
            await scope.DisposeAsync().ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
