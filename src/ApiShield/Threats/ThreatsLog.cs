using Microsoft.Extensions.Logging;

namespace ApiShield.Threats;

internal static partial class ThreatsLog
{
    [LoggerMessage(700, LogLevel.Information, "Request refused by threat protection: {Limit}.", EventName = "RequestRefused")]
    public static partial void RequestRefused(ILogger logger, string limit);

    [LoggerMessage(701, LogLevel.Warning, "Threat protection is in report-only mode and let through a request it would have refused: {Limit}.", EventName = "RequestReported")]
    public static partial void RequestReported(ILogger logger, string limit);

    [LoggerMessage(702, LogLevel.Information, "Injection rule set '{RuleSet}' matched the request's {Target}.", EventName = "InjectionMatched")]
    public static partial void InjectionMatched(ILogger logger, string ruleSet, string target);

    [LoggerMessage(703, LogLevel.Debug, "The client stopped sending the request body before it could be checked.", EventName = "BodyReadAborted")]
    public static partial void BodyReadAborted(ILogger logger);

    [LoggerMessage(710, LogLevel.Warning, "The host runs in Production and listens on plain HTTP ({Address}). Serve HTTPS, or make sure only a TLS-terminating proxy can reach this address.", EventName = "PlainHttpInProduction")]
    public static partial void PlainHttpInProduction(ILogger logger, string address);

    [LoggerMessage(711, LogLevel.Warning, "Forwarded headers are accepted from any sender ({Reason}): any client can claim to be HTTPS or spoof its IP address. List the proxy in ForwardedHeadersOptions.KnownProxies or KnownIPNetworks.", EventName = "ForwardedHeadersTrustAnySender")]
    public static partial void ForwardedHeadersTrustAnySender(ILogger logger, string reason);

    [LoggerMessage(712, LogLevel.Warning, "HSTS preload is requested but preload lists would reject it: {Reason}", EventName = "HstsPreloadRejected")]
    public static partial void HstsPreloadRejected(ILogger logger, string reason);

    [LoggerMessage(713, LogLevel.Warning, "AddApiShield() was called but UseApiShield() is not in the request pipeline: nothing is enforced.", EventName = "ApiShieldNotInPipeline")]
    public static partial void ApiShieldNotInPipeline(ILogger logger);
}
