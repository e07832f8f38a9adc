using Microsoft.Extensions.Logging;

namespace ApiShield.DependencyInjection;

internal static partial class ApiShieldLog
{
    [LoggerMessage(1, LogLevel.Warning, "UseAuthorization() runs before UseApiShield(): the host's authorization policies are evaluated before HTTPS enforcement and ApiShield's token checks. Call UseApiShield() first.", EventName = "AuthorizationBeforeApiShield")]
    public static partial void AuthorizationBeforeApiShield(ILogger logger);
}
