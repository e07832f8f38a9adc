using Microsoft.Extensions.Logging;

namespace ApiShield.Revocation;

/// <summary>Revocation events, ids 400+. Values (jti, subject, client) and reasons are never logged.</summary>
internal static partial class RevocationLog
{
    [LoggerMessage(400, LogLevel.Information, "Revoked-token refusal: the token matched a {Kind} revocation.", EventName = "RevokedTokenRefused")]
    public static partial void RevokedTokenRefused(ILogger logger, RevocationKind kind);

    [LoggerMessage(401, LogLevel.Debug, "Token refused: it has no 'jti' and ApiShield:Revocation:RequireTokenId is on.", EventName = "TokenWithoutId")]
    public static partial void TokenWithoutId(ILogger logger);

    [LoggerMessage(402, LogLevel.Warning, "Authenticated request refused with 503: the revocation list is not available (loaded: {Loaded}).", EventName = "RequestRefusedUnavailable")]
    public static partial void RequestRefusedUnavailable(ILogger logger, bool loaded);

    [LoggerMessage(403, LogLevel.Information, "A {Kind} revocation was made; it lasts until {ExpiresAt:O}.", EventName = "Revoked")]
    public static partial void Revoked(ILogger logger, RevocationKind kind, DateTimeOffset expiresAt);

    [LoggerMessage(404, LogLevel.Information, "A {Kind} revocation was withdrawn.", EventName = "Undone")]
    public static partial void Undone(ILogger logger, RevocationKind kind);

    [LoggerMessage(405, LogLevel.Information, "Revocation list loaded: {Count} live entries.", EventName = "ReplicaLoaded")]
    public static partial void ReplicaLoaded(ILogger logger, int count);

    [LoggerMessage(406, LogLevel.Warning, "The revocation store does not answer; this node serves from its replica, which grows stale from now.", EventName = "SyncFailed")]
    public static partial void SyncFailed(ILogger logger, Exception exception);

    [LoggerMessage(407, LogLevel.Information, "The revocation store answers again; the replica is current.", EventName = "SyncRecovered")]
    public static partial void SyncRecovered(ILogger logger);

    [LoggerMessage(408, LogLevel.Error, "The revocation replica is staler than ApiShield:Revocation:MaxStaleness ({MaxStaleness}); ApiShield:Revocation:StalenessMode is {Mode}.", EventName = "StalenessLimitExceeded")]
    public static partial void StalenessLimitExceeded(ILogger logger, TimeSpan maxStaleness, RevocationStalenessMode mode);

    [LoggerMessage(409, LogLevel.Information, "Token revocation is on: store {Store}; a replica staler than {MaxStaleness} is handled as {Mode}.", EventName = "RevocationPolicy")]
    public static partial void RevocationPolicy(ILogger logger, string store, TimeSpan maxStaleness, RevocationStalenessMode mode);

    [LoggerMessage(410, LogLevel.Warning, "A token seen over plain HTTP was revoked on every node.", EventName = "ExposedTokenBurned")]
    public static partial void ExposedTokenBurned(ILogger logger);

    [LoggerMessage(411, LogLevel.Error, "A token seen over plain HTTP could not be revoked.", EventName = "ExposedTokenBurnFailed")]
    public static partial void ExposedTokenBurnFailed(ILogger logger, Exception? exception);

    [LoggerMessage(412, LogLevel.Warning, "The revocation store lost its contents (restarted without persistence); this node wrote back {Count} entries.", EventName = "StoreReset")]
    public static partial void StoreReset(ILogger logger, int count);

    [LoggerMessage(413, LogLevel.Debug, "{Count} expired revocation entries dropped.", EventName = "ExpiredRemoved")]
    public static partial void ExpiredRemoved(ILogger logger, int count);

    [LoggerMessage(414, LogLevel.Warning, "Revocation admin request refused with 503: the store could not take the change.", EventName = "AdminStoreUnavailable")]
    public static partial void AdminStoreUnavailable(ILogger logger, Exception exception);
}
