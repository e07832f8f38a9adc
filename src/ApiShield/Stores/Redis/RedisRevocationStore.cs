using System.Globalization;
using ApiShield.Revocation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ApiShield.Stores.Redis;

/// <summary>
/// The revocation list in Redis, shared by every node: a hash of live entries, a sorted set of their expiries, a
/// versioned log (a sorted set scored by version) that nodes replay from their last position, and a pub/sub channel
/// that tells them to replay now.
/// </summary>
/// <remarks>
/// Clock: entry expiries come from the writing node's <see cref="TimeProvider"/>, the same clock every node checks
/// tokens against; Redis <c>TIME</c> is not used. Every key carries a TTL of twice the longest entry lifetime,
/// refreshed on each write, so an unused list leaves nothing behind.
/// </remarks>
internal sealed class RedisRevocationStore : IRevocationStore
{
    private const int ReadBatch = 5_000;

    private readonly RedisConnection _connection;
    private readonly RedisKeys _keys;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly long _keyTtlMilliseconds;
    private readonly Lock _subscribersLock = new();
    private readonly List<Action> _subscribers = [];
    private Task? _subscribing;
    private bool _watchingReconnects;
    private bool _subscriptionDropped;

    public RedisRevocationStore(
        RedisConnection connection,
        IOptions<ApiShieldOptions> options,
        TimeProvider timeProvider,
        ILogger<RedisRevocationStore> logger)
    {
        _connection = connection;
        _keys = new RedisKeys(connection.InstanceName);
        _timeProvider = timeProvider;
        _logger = logger;
        _keyTtlMilliseconds = (long)(RevocationDefaults.CutOffEntryLifetime(options.Value) * 2).TotalMilliseconds;
    }

    public async Task<string> AppendAsync(RevocationChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        cancellationToken.ThrowIfCancellationRequested();
        var entry = change.Entry;
        RedisResult result;
        IConnectionMultiplexer multiplexer;
        try
        {
            multiplexer = await _connection.GetAsync().ConfigureAwait(false);
            result = await multiplexer.GetDatabase().ScriptEvaluateAsync(
                RedisScripts.RevocationAppend,
                [_keys.RevocationMeta, _keys.RevocationEntries, _keys.RevocationExpiry, _keys.RevocationLog],
                [
                    RevocationChangeCodec.Field(entry),
                    RevocationChangeCodec.Encode(change),
                    change.IsUndo ? "1" : "0",
                    entry.ExpiresAt.ToUnixTimeMilliseconds(),
                    _timeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
                    RevocationDefaults.LogLength,
                    _keyTtlMilliseconds,
                    Guid.NewGuid().ToString("N"),
                ]).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            throw new RevocationStoreException("Redis did not take the revocation change; it was not made.", exception);
        }

        var values = (RedisResult[])result!;
        var position = (string)values[0]! + ":" + (string)values[1]!;
        try
        {
            await multiplexer.GetSubscriber().PublishAsync(_keys.RevocationChannel, position).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            StoresLog.RedisPublishFailed(_logger, exception);
        }

        return position;
    }

    public async Task<RevocationFeed> ReadAsync(string? position, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (epoch, after) = Parse(position);
        RedisResult result;
        try
        {
            var multiplexer = await _connection.GetAsync().ConfigureAwait(false);
            EnsureSubscribed(multiplexer);
            result = await multiplexer.GetDatabase().ScriptEvaluateAsync(
                RedisScripts.RevocationRead,
                [_keys.RevocationMeta, _keys.RevocationEntries, _keys.RevocationLog],
                [epoch, after, ReadBatch]).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            throw new RevocationStoreException("Redis could not be read.", exception);
        }

        var values = (RedisResult[])result!;
        var storeEpoch = (string)values[0]!;
        var version = long.Parse((string)values[1]!, CultureInfo.InvariantCulture);
        var snapshot = (string)values[2]! == "snapshot";
        var changes = new List<RevocationChange>(values.Length - 3);
        for (var i = 3; i < values.Length; i++)
        {
            var item = (string)values[i]!;
            if (!snapshot)
            {
                var colon = item.IndexOf(':', StringComparison.Ordinal);
                version = long.Parse(item.AsSpan(0, colon), CultureInfo.InvariantCulture);
                item = item[(colon + 1)..];
            }

            try
            {
                changes.Add(RevocationChangeCodec.Decode(item));
            }
            catch (Exception exception) when (exception is FormatException or KeyNotFoundException or InvalidOperationException or System.Text.Json.JsonException or ArgumentException)
            {
                StoresLog.RedisChangeUnreadable(_logger, exception);
            }
        }

        // The reader had seen changes under an epoch the store no longer has: the store was emptied (a restart
        // without persistence, a flush) since.
        var reset = epoch.Length > 0 && !string.Equals(epoch, storeEpoch, StringComparison.Ordinal);
        return new RevocationFeed(storeEpoch + ":" + version.ToString(CultureInfo.InvariantCulture), snapshot, changes, reset);
    }

    public IDisposable Subscribe(Action onChanged)
    {
        ArgumentNullException.ThrowIfNull(onChanged);
        lock (_subscribersLock)
        {
            _subscribers.Add(onChanged);
        }

        return new Subscription(this, onChanged);
    }

    /// <summary>Stops listening to the channel, as a lost subscription would; for tests of the poll.</summary>
    internal async Task DropSubscriptionAsync()
    {
        _subscriptionDropped = true;
        var multiplexer = await _connection.GetAsync().ConfigureAwait(false);
        await multiplexer.GetSubscriber().UnsubscribeAsync(_keys.RevocationChannel).ConfigureAwait(false);
    }

    private void EnsureSubscribed(IConnectionMultiplexer multiplexer)
    {
        lock (_subscribersLock)
        {
            if (_subscriptionDropped || _subscribing is { IsFaulted: false, IsCanceled: false })
            {
                return;
            }

            if (!_watchingReconnects)
            {
                // Changes made while this node was cut off arrive by replay, started at once on reconnection.
                multiplexer.ConnectionRestored += (_, _) => Notify();
                _watchingReconnects = true;
            }

            // StackExchange.Redis resubscribes by itself after a reconnection; a failed first attempt is retried on
            // the next read, and the poll covers the gap.
            _subscribing = multiplexer.GetSubscriber().SubscribeAsync(_keys.RevocationChannel, (_, _) => Notify());
        }
    }

    private void Notify()
    {
        Action[] subscribers;
        lock (_subscribersLock)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber();
        }
    }

    private static (string Epoch, long Version) Parse(string? position)
    {
        if (position is null)
        {
            return (string.Empty, 0);
        }

        var colon = position.LastIndexOf(':');
        return colon > 0 && long.TryParse(position.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? (position[..colon], version)
            : (string.Empty, 0);
    }

    private sealed class Subscription(RedisRevocationStore store, Action onChanged) : IDisposable
    {
        public void Dispose()
        {
            lock (store._subscribersLock)
            {
                store._subscribers.Remove(onChanged);
            }
        }
    }
}
