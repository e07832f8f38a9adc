using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace ApiShield.Threats;

/// <summary>
/// First in ApiShield's pipeline: registers, for every request, a response-start callback that adds the security
/// headers. Running at response start means ApiShield's own refusals and the host's error pages carry them too, and a
/// header the application set in the meantime is seen and kept.
/// </summary>
internal sealed class SecurityHeadersMiddleware
{
    private static readonly string[] ServerHeaders = [HeaderNames.Server, "X-Powered-By"];

    private readonly RequestDelegate _next;
    private readonly KeyValuePair<string, StringValues>[] _headers;
    private readonly bool _removeServerHeaders;
    private readonly Func<object, Task> _onStarting;

    public SecurityHeadersMiddleware(RequestDelegate next, IOptions<ApiShieldOptions> options)
    {
        _next = next;
        var headers = options.Value.Threats.Headers;
        var list = new List<KeyValuePair<string, StringValues>>();
        Add(list, HeaderNames.CacheControl, headers.CacheControl);
        Add(list, HeaderNames.XContentTypeOptions, headers.XContentTypeOptions);
        Add(list, HeaderNames.ContentSecurityPolicy, headers.ContentSecurityPolicy);
        Add(list, HeaderNames.XFrameOptions, headers.XFrameOptions);
        Add(list, "Referrer-Policy", headers.ReferrerPolicy);
        _headers = [.. list];
        _removeServerHeaders = headers.RemoveServerHeaders;
        _onStarting = Apply;
    }

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(_onStarting, context);
        return _next(context);
    }

    private Task Apply(object state)
    {
        var headers = ((HttpContext)state).Response.Headers;
        foreach (var (name, value) in _headers)
        {
            if (!headers.ContainsKey(name))
            {
                headers[name] = value;
            }
        }

        if (_removeServerHeaders)
        {
            foreach (var name in ServerHeaders)
            {
                headers.Remove(name);
            }
        }

        return Task.CompletedTask;
    }

    private static void Add(List<KeyValuePair<string, StringValues>> list, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            list.Add(new(name, value));
        }
    }
}
