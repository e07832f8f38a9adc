using ApiShield.Diagnostics;
using ApiShield.Scopes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ApiShield.Filtering;

/// <summary>
/// Wraps the response body of every request whose endpoint (or configuration) has filtering rules, so that what the
/// endpoint writes is filtered on its way out. It runs inside <c>UseApiShield</c>, after token and scope checks, and so
/// inside any response compression the host adds before it.
/// </summary>
internal sealed class ResponseFilteringMiddleware
{
    private readonly RequestDelegate _next;
    private readonly FilterPlanCache _plans;
    private readonly ScopeEvaluator _evaluator;
    private readonly ApiShieldMetrics _metrics;
    private readonly FilteringOptions _options;
    private readonly byte[]? _hashKey;
    private readonly ILogger _logger;

    public ResponseFilteringMiddleware(
        RequestDelegate next,
        FilterPlanCache plans,
        ScopeEvaluator evaluator,
        ApiShieldMetrics metrics,
        IOptions<ApiShieldOptions> options,
        ILogger<ResponseFilteringMiddleware> logger)
    {
        _next = next;
        _plans = plans;
        _evaluator = evaluator;
        _metrics = metrics;
        _options = options.Value.Filtering;
        _hashKey = FilteringOptionsValidation.DecodeHashKey(_options.HashKey);
        _logger = logger;
        if (_options.FailureMode == FilterFailureMode.FailOpen)
        {
            FilteringLog.FailOpenConfigured(logger);
        }
    }

    public Task InvokeAsync(HttpContext context)
    {
        var program = _plans.Get(context.GetEndpoint());
        if (program.IsEmpty)
        {
            return _next(context);
        }

        return FilterAsync(context, program);
    }

    private async Task FilterAsync(HttpContext context, FilterProgram program)
    {
        // RFC 9110 §14.2: a server may ignore Range. The app then serves the whole representation, which can be filtered.
        context.Request.Headers.Remove(HeaderNames.Range);
        context.Request.Headers.Remove(HeaderNames.IfRange);

        var caller = new FilterCaller(context.User, _evaluator, _hashKey, _logger);
        var feature = new FilteringFeature(caller, program);
        var inner = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var body = new FilteringResponseBody(context, inner, feature, _options, _logger);
        context.Features.Set(feature);
        context.Features.Set<IHttpResponseBodyFeature>(body);
        try
        {
            await _next(context).ConfigureAwait(false);
            await body.FinishAsync().ConfigureAwait(false);
        }
        finally
        {
            context.Features.Set(inner);
            context.Features.Set<FilteringFeature?>(null);
            caller.Publish(_metrics, Route(context));
        }
    }

    internal static string? Route(HttpContext context) => (context.GetEndpoint() as Microsoft.AspNetCore.Routing.RouteEndpoint)?.RoutePattern.RawText;
}
