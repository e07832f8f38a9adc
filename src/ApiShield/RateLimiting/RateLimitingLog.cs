using Microsoft.Extensions.Logging;

namespace ApiShield.RateLimiting;

/// <summary>Rate-limiting events: 600–639 decisions and endpoints, 640–669 the store and its failure modes. Partition values are never logged.</summary>
internal static partial class RateLimitingLog
{
    [LoggerMessage(600, LogLevel.Information, "Request refused by rate-limit policy {Policies}; retry after {RetryAfterSeconds} s.", EventName = "RequestRateLimited")]
    public static partial void RequestRateLimited(ILogger logger, string policies, long retryAfterSeconds);

    [LoggerMessage(601, LogLevel.Warning, "Request refused with 503: the rate-limit store cannot answer and policy {Policies} fails closed.", EventName = "RateLimitUnavailable")]
    public static partial void RateLimitUnavailable(ILogger logger, string policies);

    [LoggerMessage(602, LogLevel.Error, "Endpoint '{Endpoint}' names rate-limit policy '{Policy}', which is not configured; its requests are refused with 503.", EventName = "UnknownPolicy")]
    public static partial void UnknownPolicy(ILogger logger, string endpoint, string policy);

    [LoggerMessage(603, LogLevel.Warning, "Endpoint '{Endpoint}' is short-circuited: it runs inside routing, before ApiShield, so its rate-limit policies are never applied.", EventName = "ShortCircuitedLimitedEndpoint")]
    public static partial void ShortCircuitedLimitedEndpoint(ILogger logger, string endpoint);

    [LoggerMessage(640, LogLevel.Warning, "The rate-limit store did not answer ({Reason}); the policies' failure modes decide the request.", EventName = "RedisUnavailable")]
    public static partial void RedisUnavailable(ILogger logger, string reason, Exception? exception);

    [LoggerMessage(641, LogLevel.Error, "The rate-limit store failed {Failures} times in a row; requests stop waiting on it for {BreakDuration} and are decided by their failure modes.", EventName = "CircuitOpened")]
    public static partial void CircuitOpened(ILogger logger, int failures, TimeSpan breakDuration);

    [LoggerMessage(642, LogLevel.Information, "The rate-limit store answers again; the circuit is closed.", EventName = "CircuitClosed")]
    public static partial void CircuitClosed(ILogger logger);

    [LoggerMessage(643, LogLevel.Debug, "Rate-limit policy '{Policy}' decided a request by its failure mode {FailureMode}.", EventName = "FailureModeApplied")]
    public static partial void FailureModeApplied(ILogger logger, string policy, RateLimitFailureMode failureMode);

    [LoggerMessage(644, LogLevel.Information, "Rate-limit policy '{Policy}' is kept in Redis; while Redis cannot answer it fails {FailureMode}.", EventName = "PolicyFailureMode")]
    public static partial void PolicyFailureMode(ILogger logger, string policy, RateLimitFailureMode failureMode);

    [LoggerMessage(645, LogLevel.Warning, "Rate-limit policy '{Policy}' fails open: while Redis cannot answer, its requests are admitted without any limit.", EventName = "PolicyFailsOpen")]
    public static partial void PolicyFailsOpen(ILogger logger, string policy);
}
