using Microsoft.Extensions.Logging;

namespace ApiShield.Https;

internal static partial class HttpsLog
{
    [LoggerMessage(100, LogLevel.Information, "Plain-HTTP request refused.", EventName = "PlainHttpRefused")]
    public static partial void PlainHttpRefused(ILogger logger);

    [LoggerMessage(101, LogLevel.Warning, "A valid bearer token (sub hash {SubjectHash}) arrived over plain HTTP and must be treated as exposed.", EventName = "TokenExposed")]
    public static partial void TokenExposed(ILogger logger, string subjectHash);

    [LoggerMessage(102, LogLevel.Warning, "Plain HTTP from loopback addresses is allowed ({Policy}); do not run like this behind a reverse proxy.", EventName = "LoopbackHttpAllowed")]
    public static partial void LoopbackHttpAllowed(ILogger logger, LoopbackHttpPolicy policy);

    [LoggerMessage(103, LogLevel.Warning, "ApiShield:Https:RequireHttps is false: plain-HTTP requests are served.", EventName = "HttpsNotRequired")]
    public static partial void HttpsNotRequired(ILogger logger);
}
