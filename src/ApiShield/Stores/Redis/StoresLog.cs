using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ApiShield.Stores.Redis;

/// <summary>Store events, ids 800+.</summary>
internal static partial class StoresLog
{
    [LoggerMessage(800, LogLevel.Warning, "Redis connection failed ({FailureType}); retrying in the background.", EventName = "RedisConnectionFailed")]
    public static partial void RedisConnectionFailed(ILogger logger, ConnectionFailureType failureType, Exception? exception);

    [LoggerMessage(801, LogLevel.Information, "Redis connection restored.", EventName = "RedisConnectionRestored")]
    public static partial void RedisConnectionRestored(ILogger logger);

    [LoggerMessage(802, LogLevel.Warning, "A revocation change was stored but its Redis notification could not be published; other nodes see it on their next poll.", EventName = "RedisPublishFailed")]
    public static partial void RedisPublishFailed(ILogger logger, Exception exception);

    [LoggerMessage(803, LogLevel.Error, "A revocation log entry in Redis could not be read and was skipped.", EventName = "RedisChangeUnreadable")]
    public static partial void RedisChangeUnreadable(ILogger logger, Exception exception);
}
