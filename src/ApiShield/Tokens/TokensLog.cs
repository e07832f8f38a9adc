using Microsoft.Extensions.Logging;

namespace ApiShield.Tokens;

internal static partial class TokensLog
{
    [LoggerMessage(200, LogLevel.Debug, "Bearer token refused: {Reason}.", EventName = "TokenRejected")]
    public static partial void TokenRejected(ILogger logger, string reason);

    // The exception's type, not its message: validator messages can quote claims.
    [LoggerMessage(201, LogLevel.Information, "Bearer token refused: {Reason} ({ExceptionType}).", EventName = "TokenInvalid")]
    public static partial void TokenInvalid(ILogger logger, string reason, string? exceptionType);

    [LoggerMessage(202, LogLevel.Error, "Bearer token could not be validated: the token validator is unavailable.", EventName = "ValidationUnavailable")]
    public static partial void ValidationUnavailable(ILogger logger, Exception? exception);

    [LoggerMessage(203, LogLevel.Warning, "ApiShield:Tokens:{Setting} is on: {Consequence}", EventName = "GuardrailRelaxed")]
    public static partial void GuardrailRelaxed(ILogger logger, string setting, string consequence);
}
