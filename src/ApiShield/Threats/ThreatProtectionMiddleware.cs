using ApiShield.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;
using BadHttpRequestException = Microsoft.AspNetCore.Http.BadHttpRequestException;

namespace ApiShield.Threats;

/// <summary>
/// Runs after token and scope enforcement: matches injection patterns on the path, query and headers, and checks JSON
/// bodies against their limits while they stream in, then hands the endpoint the body unchanged.
/// </summary>
internal sealed class ThreatProtectionMiddleware
{
    private readonly RequestDelegate _next;
    private readonly JsonEndpointPolicies _policies;
    private readonly InjectionMatcher? _injection;
    private readonly InjectionMatcher? _bodyInjection;
    private readonly ObjectPool<JsonBodyChecker> _checkers;
    private readonly ApiShieldMetrics _metrics;
    private readonly ILogger _logger;
    private readonly bool _reportOnly;
    private readonly bool _jsonEnabled;
    private readonly string _modeTag;

    public ThreatProtectionMiddleware(
        RequestDelegate next,
        JsonEndpointPolicies policies,
        IOptions<ApiShieldOptions> options,
        ApiShieldMetrics metrics,
        ILogger<ThreatProtectionMiddleware> logger)
    {
        _next = next;
        _policies = policies;
        _metrics = metrics;
        _logger = logger;
        var threats = options.Value.Threats;
        _reportOnly = threats.Mode == ThreatMode.ReportOnly;
        _modeTag = _reportOnly ? "report_only" : "block";
        _jsonEnabled = threats.Json.Enabled;
        if (threats.Injection.Enabled)
        {
            var matcher = new InjectionMatcher(threats.Injection);
            _injection = matcher.IsEmpty || matcher.Targets == InjectionTargets.None ? null : matcher;
            _bodyInjection = _injection?.Targets.HasFlag(InjectionTargets.JsonBody) == true ? _injection : null;
        }

        _checkers = new DefaultObjectPool<JsonBodyChecker>(new DefaultPooledObjectPolicy<JsonBodyChecker>());
    }

    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            return _next(context);
        }

        if (_injection is not null && MatchesRequestLine(context) && Found(ThreatKind.Injection))
        {
            return RejectAsync(context, ThreatKind.Injection, _policies.Defaults);
        }

        if (_jsonEnabled && IsUnsupportedMediaTypeEndpoint(endpoint))
        {
            // Routing picked its own 415 endpoint: the body's media type is not one the real endpoint declares.
            return Found(ThreatKind.UnsupportedMediaType)
                ? RejectAsync(context, ThreatKind.UnsupportedMediaType, _policies.Defaults)
                : _next(context);
        }

        var policy = _jsonEnabled ? _policies.Get(endpoint) : null;
        if (policy is null || !HasBody(context.Request))
        {
            return _next(context);
        }

        var request = context.Request;
        if (!JsonMediaType.IsUtf8Json(request.ContentType))
        {
            if (JsonMediaType.IsOneOf(request.ContentType, policy.OtherMediaTypes))
            {
                return _next(context);
            }

            return Found(ThreatKind.UnsupportedMediaType)
                ? RejectAsync(context, ThreatKind.UnsupportedMediaType, policy.Limits)
                : _next(context);
        }

        // Refused before a byte is read: with 'Expect: 100-continue' the client is never told to send the body.
        if (request.ContentLength > policy.Limits.MaxBodySize)
        {
            return Found(ThreatKind.PayloadTooLarge)
                ? RejectAsync(context, ThreatKind.PayloadTooLarge, policy.Limits)
                : _next(context);
        }

        return CheckBodyAsync(context, policy.Limits);
    }

    // AcceptsMatcherPolicy's rejection endpoint: no metadata, and this display name.
    private static bool IsUnsupportedMediaTypeEndpoint(Endpoint endpoint) =>
        endpoint.Metadata.Count == 0 && string.Equals(endpoint.DisplayName, "415 HTTP Unsupported Media Type", StringComparison.Ordinal);

    private static bool HasBody(HttpRequest request)
    {
        if (request.ContentLength is { } length)
        {
            return length > 0;
        }

        return request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody
            ?? request.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.TransferEncoding);
    }

    private async Task CheckBodyAsync(HttpContext context, JsonLimits limits)
    {
        var request = context.Request;
        var original = request.Body;
        using var buffer = new RequestBodyBuffer();
        var checker = _checkers.Get();
        bool complete;
        ThreatKind kind;
        string? matchedRuleSet;
        try
        {
            checker.Reset(limits, _bodyInjection);
            (kind, complete) = await JsonBodyReader.ReadAsync(original, request.ContentLength, buffer, checker, limits, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The server's own limit (Kestrel's MaxRequestBodySize) is lower than ours.
            (kind, complete) = (ThreatKind.PayloadTooLarge, false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException and not BadHttpRequestException)
        {
            // The client went away; a malformed body (BadHttpRequestException) is left to the server's own 400.
            ThreatsLog.BodyReadAborted(_logger);
            return;
        }
        finally
        {
            matchedRuleSet = checker.MatchedRuleSet;
            _checkers.Return(checker);
        }

        if (kind != ThreatKind.None)
        {
            if (kind == ThreatKind.Injection)
            {
                ThreatsLog.InjectionMatched(_logger, matchedRuleSet ?? "-", "JSON body");
            }

            if (Found(kind))
            {
                await RejectAsync(context, kind, limits).ConfigureAwait(false);
                return;
            }
        }

        request.Body = new BufferedBodyStream(buffer, complete ? null : original);
        try
        {
            await _next(context).ConfigureAwait(false);
        }
        finally
        {
            request.Body = original;
        }
    }

    /// <summary>Logs and counts a finding; true when the request is to be refused.</summary>
    private bool Found(ThreatKind kind)
    {
        var tag = ThreatFindings.Tag(kind);
        _metrics.ThreatRejected(tag, _modeTag);
        if (_reportOnly)
        {
            ThreatsLog.RequestReported(_logger, tag);
            return false;
        }

        ThreatsLog.RequestRefused(_logger, tag);
        return true;
    }

    private static Task RejectAsync(HttpContext context, ThreatKind kind, JsonLimits limits) =>
        ProblemResponseWriter.WriteAsync(context, ThreatFindings.Problem(kind), ThreatFindings.Detail(kind, limits));

    /// <summary>Matches the path, query and headers; true when one matched.</summary>
    private bool MatchesRequestLine(HttpContext context)
    {
        var injection = _injection!;
        var request = context.Request;
        var targets = injection.Targets;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        ReadOnlySpan<char> rawQuery = request.QueryString.Value;
        ReadOnlySpan<char> path;
        if (!string.IsNullOrEmpty(rawTarget) && rawTarget[0] == '/')
        {
            // The raw target is what the client sent: decoding it once is exactly what the application sees.
            var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
            path = PercentDecoding.Decode(question < 0 ? rawTarget : rawTarget.AsSpan(0, question), plusIsSpace: false);
            rawQuery = question < 0 ? [] : rawTarget.AsSpan(question);
        }
        else
        {
            // The server decoded the path once already.
            path = request.Path.Value;
        }

        if (targets.HasFlag(InjectionTargets.Path) && Matches(injection, path, "path"))
        {
            return true;
        }

        if (targets.HasFlag(InjectionTargets.Query) && rawQuery.Length > 1 && Matches(injection, PercentDecoding.Decode(rawQuery[1..], plusIsSpace: true), "query"))
        {
            return true;
        }

        if (targets.HasFlag(InjectionTargets.Headers))
        {
            foreach (var header in request.Headers)
            {
                if (injection.ExcludedHeaders.Contains(header.Key))
                {
                    continue;
                }

                foreach (var value in header.Value)
                {
                    if (value is not null && Matches(injection, PercentDecoding.Decode(value, plusIsSpace: false), "header", header.Key))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    // The log's target text is built only on a match: headers are matched on every request.
    private bool Matches(InjectionMatcher injection, ReadOnlySpan<char> value, string target, string? headerName = null)
    {
        if (injection.Match(value) is { } ruleSet)
        {
            ThreatsLog.InjectionMatched(_logger, ruleSet, headerName is null ? target : target + " " + headerName);
            return true;
        }

        return false;
    }
}
