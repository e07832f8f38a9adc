using ApiShield.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ApiShield.Scopes;

/// <summary>
/// Enforces <see cref="IScopeRequirementMetadata"/> itself rather than through an authorization policy, so no default,
/// fallback or named policy of the host can waive it.
/// </summary>
internal sealed class ScopeAuthorizationMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ScopeEvaluator _evaluator;
    private readonly ApiShieldMetrics _metrics;
    private readonly ILogger _logger;
    private readonly BearerChallenges _challenges;

    public ScopeAuthorizationMiddleware(
        RequestDelegate next,
        ScopeEvaluator evaluator,
        ApiShieldMetrics metrics,
        BearerChallenges challenges,
        ILogger<ScopeAuthorizationMiddleware> logger)
    {
        _next = next;
        _evaluator = evaluator;
        _metrics = metrics;
        _logger = logger;
        _challenges = challenges;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            return _next(context);
        }

        var requirements = endpoint.Metadata.GetOrderedMetadata<IScopeRequirementMetadata>();
        if (requirements.Count == 0)
        {
            return _next(context);
        }

        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            // The token middleware runs first and lets no unauthenticated request reach a scoped endpoint; if the
            // pipeline was assembled some other way, refuse rather than guess.
            return RejectAsync(context, requirements, firstFailing: 0, authenticated: false);
        }

        for (var i = 0; i < requirements.Count; i++)
        {
            if (!_evaluator.Satisfies(user, requirements[i]))
            {
                return RejectAsync(context, requirements, firstFailing: i, authenticated: true);
            }
        }

        return _next(context);
    }

    // Requirements before firstFailing were met; the rest are evaluated once more only to list what is missing.
    private Task RejectAsync(HttpContext context, IReadOnlyList<IScopeRequirementMetadata> requirements, int firstFailing, bool authenticated)
    {
        var missing = new List<string>();
        for (var i = firstFailing; i < requirements.Count; i++)
        {
            var requirement = requirements[i];
            if (i > firstFailing && authenticated && _evaluator.Satisfies(context.User, requirement))
            {
                continue;
            }

            foreach (var scope in requirement.Scopes)
            {
                if (!missing.Contains(scope))
                {
                    missing.Add(scope);
                }
            }
        }

        var scopeList = string.Join(' ', missing);
        ScopesLog.ScopeMissing(_logger, scopeList);
        _metrics.ScopeRejected();

        // RFC 6750 §3: scope lists what access needs; for an any-of requirement it lists the alternatives.
        var challenge = _challenges.InsufficientScope(scopeList);
        return ProblemResponseWriter.WriteChallengeAsync(context, ProblemTypes.InsufficientScope, challenge, $"This endpoint requires scope: {scopeList}.");
    }
}
