using Microsoft.Extensions.Logging;

namespace ApiShield.Filtering;

internal static partial class FilteringLog
{
    [LoggerMessage(500, LogLevel.Debug, "Rule '{Rule}' applied: {Action}.", EventName = "SensitiveValueFiltered")]
    public static partial void ValueFiltered(ILogger logger, string rule, SensitiveAction action);

    [LoggerMessage(501, LogLevel.Error, "The response body could not be filtered ({Reason}); a 500 problem response was sent instead.", EventName = "FilterFailedBeforeHeaders")]
    public static partial void FailedBeforeHeaders(ILogger logger, string reason);

    [LoggerMessage(502, LogLevel.Error, "The response body could not be filtered ({Reason}) after headers were sent; the connection was aborted.", EventName = "FilterFailedAfterHeaders")]
    public static partial void FailedAfterHeaders(ILogger logger, string reason);

    [LoggerMessage(503, LogLevel.Error, "The response body could not be filtered ({Reason}); FailureMode is FailOpen, so the rest of the body was sent unfiltered.", EventName = "FilterFailedOpen")]
    public static partial void FailedOpen(ILogger logger, string reason);

    [LoggerMessage(504, LogLevel.Warning, "ApiShield:Filtering:FailureMode is FailOpen: a response that cannot be filtered is sent unfiltered.", EventName = "FailOpenConfigured")]
    public static partial void FailOpenConfigured(ILogger logger);
}
