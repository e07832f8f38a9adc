using Microsoft.Extensions.Logging;

namespace ApiShield.RateLimiting;

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
}
