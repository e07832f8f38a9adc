using Microsoft.Extensions.Logging;

namespace ApiShield.Scopes;

internal static partial class ScopesLog
{
    [LoggerMessage(300, LogLevel.Information, "Request refused: the access token lacks scope {RequiredScopes}.", EventName = "ScopeMissing")]
    public static partial void ScopeMissing(ILogger logger, string requiredScopes);

    [LoggerMessage(301, LogLevel.Warning, "Endpoint '{Endpoint}' carries both [AllowAnonymous] and a scope requirement; the scope requirement is enforced.", EventName = "AnonymousScopedEndpoint")]
    public static partial void AnonymousScopedEndpoint(ILogger logger, string endpoint);

    [LoggerMessage(302, LogLevel.Warning, "Endpoint '{Endpoint}' is short-circuited: it runs inside routing, before ApiShield, and is served without an access token. Mark it .AllowAnonymous() if that is intended.", EventName = "ShortCircuitedEndpoint")]
    public static partial void ShortCircuitedEndpoint(ILogger logger, string endpoint);
}
