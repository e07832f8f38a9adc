using System.Net;
using System.Security.Cryptography;
using System.Text;
using ApiShield.Diagnostics;
using ApiShield.DependencyInjection;
using ApiShield.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiShield.Https;

/// <summary>
/// Refuses requests that did not arrive over HTTPS and sends HSTS on those that did. A refusal is never a redirect:
/// by the time a client learns it should have used HTTPS, its credentials have crossed the network in clear text.
/// </summary>
internal sealed class HttpsEnforcementMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ApiShieldMetrics _metrics;
    private readonly ITokenExposureListener[] _exposureListeners;
    private readonly ILogger _logger;
    private readonly string? _hstsHeader;
    private readonly bool _requireHttps;
    private readonly bool _allowLoopback;
    private readonly int _maxTokenLength;

    public HttpsEnforcementMiddleware(
        RequestDelegate next,
        IOptions<ApiShieldOptions> options,
        IHostEnvironment environment,
        ApiShieldMetrics metrics,
        IEnumerable<ITokenExposureListener> exposureListeners,
        ILogger<HttpsEnforcementMiddleware> logger)
    {
        _next = next;
        _metrics = metrics;
        _exposureListeners = [.. exposureListeners];
        _logger = logger;

        var https = options.Value.Https;
        _requireHttps = https.RequireHttps;
        _allowLoopback = https.AllowLoopbackHttp switch
        {
            LoopbackHttpPolicy.Always => true,
            LoopbackHttpPolicy.DevelopmentOnly => environment.IsDevelopment(),
            _ => false,
        };
        _hstsHeader = https.Hsts ? BuildHstsHeader(https) : null;
        _maxTokenLength = options.Value.Tokens.MaxTokenLength;
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.IsHttps)
        {
            if (_hstsHeader is not null)
            {
                context.Response.Headers.StrictTransportSecurity = _hstsHeader;
            }

            return _next(context);
        }

        // RFC 6797 §7.2: HSTS is never sent over plain HTTP.
        if (!_requireHttps || (_allowLoopback && IsLoopback(context.Connection.RemoteIpAddress)))
        {
            return _next(context);
        }

        return RefuseAsync(context);
    }

    private async Task RefuseAsync(HttpContext context)
    {
        HttpsLog.PlainHttpRefused(_logger);
        _metrics.HttpsRejected();

        if (BearerCredentialReader.Read(context.Request, _maxTokenLength) == BearerCredentialStatus.Present)
        {
            // Only a token that validates is reported: an attacker must not be able to have someone else's token
            // burned by sending a forged one with its 'jti' over HTTP.
            var result = await context.AuthenticateAsync(TokenValidation.SchemeName).ConfigureAwait(false);
            if (result.Succeeded && result.Principal is { } principal)
            {
                HttpsLog.TokenExposed(_logger, HashSubject(principal.FindFirst("sub")?.Value));
                _metrics.TokenExposed();
                foreach (var listener in _exposureListeners)
                {
                    await listener.OnTokenExposedAsync(context, principal).ConfigureAwait(false);
                }
            }
        }

        await ProblemResponseWriter.WriteAsync(
            context,
            ProblemTypes.HttpsRequired,
            "This API accepts requests over HTTPS only. Any credentials sent with this request must be considered exposed.").ConfigureAwait(false);
    }

    private static bool IsLoopback(IPAddress? address) => address is not null && IPAddress.IsLoopback(address);

    private static string BuildHstsHeader(HttpsOptions https)
    {
        var header = "max-age=" + (long)https.HstsMaxAge.TotalSeconds;
        if (https.HstsIncludeSubDomains)
        {
            header += "; includeSubDomains";
        }

        if (https.HstsPreload)
        {
            header += "; preload";
        }

        return header;
    }

    // Logs correlate exposures per subject without writing the identifier itself.
    private static string HashSubject(string? subject) =>
        subject is null ? "-" : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(subject)), 0, 8);
}
