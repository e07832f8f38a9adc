using ApiShield.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiShield.Revocation;

/// <summary>
/// Writes revocations to the store and keeps this node's <see cref="RevocationReplica"/> in step with it; the
/// <see cref="RevocationSynchronizer"/> decides when to sync.
/// </summary>
internal sealed class RevocationService : IRevocationService, IDisposable
{
    private readonly IRevocationStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly RevocationMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeSpan _cutOffEntryLifetime;
    private readonly TimeSpan _clockSkew;
    private readonly TimeSpan _maxStaleness;
    private readonly bool _failClosed;
    private readonly SemaphoreSlim _syncLock = new(1, 1);

    private string? _position;
    private volatile bool _loaded;
    private volatile bool _storeAnswering = true;
    private volatile bool _staleLimitReported;
    private long _lastSyncTicks;

    public RevocationService(
        IRevocationStore store,
        IOptions<ApiShieldOptions> options,
        TimeProvider timeProvider,
        RevocationMetrics metrics,
        ILogger<RevocationService> logger)
    {
        _store = store;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _logger = logger;
        var value = options.Value;
        _cutOffEntryLifetime = RevocationDefaults.CutOffEntryLifetime(value);
        _clockSkew = value.Tokens.ClockSkew;
        _maxStaleness = value.Revocation.MaxStaleness;
        _failClosed = value.Revocation.StalenessMode == RevocationStalenessMode.FailClosed;
        _lastSyncTicks = timeProvider.GetUtcNow().UtcTicks;
        metrics.Observe(this);
    }

    public RevocationReplica Replica { get; } = new();

    public bool IsLoaded => _loaded;

    /// <summary>Whether the last sync reached the store.</summary>
    public bool IsStoreAnswering => _storeAnswering;

    public TimeSpan Staleness => _storeAnswering
        ? TimeSpan.Zero
        : _timeProvider.GetUtcNow() - new DateTimeOffset(Interlocked.Read(ref _lastSyncTicks), TimeSpan.Zero);

    /// <summary>Whether the check may answer from the replica; <see langword="false"/> turns requests away with 503.</summary>
    public bool IsServing
    {
        get
        {
            if (!_loaded)
            {
                return false;
            }

            if (_storeAnswering)
            {
                return true;
            }

            var stale = Staleness > _maxStaleness;
            if (stale && !_staleLimitReported)
            {
                _staleLimitReported = true;
                RevocationLog.StalenessLimitExceeded(_logger, _maxStaleness, _failClosed ? RevocationStalenessMode.FailClosed : RevocationStalenessMode.FailOpen);
            }

            return !stale || !_failClosed;
        }
    }

    public Task<RevocationEntry> RevokeTokenAsync(string tokenId, DateTimeOffset expiresAt, string? reason, CancellationToken cancellationToken = default)
    {
        ValidateValue(tokenId, nameof(tokenId));
        ValidateReason(reason);
        var now = _timeProvider.GetUtcNow();

        // The token stays valid for ClockSkew past its 'exp'; so does its entry.
        var entry = new RevocationEntry(RevocationKind.Token, tokenId, now, expiresAt + _clockSkew, reason);
        return RevokeAsync(entry, cancellationToken);
    }

    public Task<RevocationEntry> RevokeSubjectAsync(string subject, DateTimeOffset? issuedBefore, string? reason, CancellationToken cancellationToken = default)
    {
        ValidateValue(subject, nameof(subject));
        ValidateReason(reason);
        return RevokeAsync(CutOffEntry(RevocationKind.Subject, subject, issuedBefore, reason), cancellationToken);
    }

    public Task<RevocationEntry> RevokeClientAsync(string clientId, DateTimeOffset? issuedBefore, string? reason, CancellationToken cancellationToken = default)
    {
        ValidateValue(clientId, nameof(clientId));
        ValidateReason(reason);
        return RevokeAsync(CutOffEntry(RevocationKind.Client, clientId, issuedBefore, reason), cancellationToken);
    }

    public Task<bool> UndoSubjectAsync(string subject, CancellationToken cancellationToken = default)
    {
        ValidateValue(subject, nameof(subject));
        return UndoAsync(RevocationKind.Subject, subject, cancellationToken);
    }

    public Task<bool> UndoClientAsync(string clientId, CancellationToken cancellationToken = default)
    {
        ValidateValue(clientId, nameof(clientId));
        return UndoAsync(RevocationKind.Client, clientId, cancellationToken);
    }

    public Task<IReadOnlyList<RevocationEntry>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RevocationEntry>>(Replica.Entries(_timeProvider.GetUtcNow()));

    /// <summary>Brings the replica up to date with the store; returns whether the store answered.</summary>
    public async Task<bool> SyncAsync(CancellationToken cancellationToken)
    {
        await _syncLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            RevocationFeed feed;
            try
            {
                feed = await _store.ReadAsync(_position, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is RevocationStoreException or TimeoutException)
            {
                if (_storeAnswering)
                {
                    _storeAnswering = false;
                    RevocationLog.SyncFailed(_logger, exception);
                }

                return false;
            }

            var now = _timeProvider.GetUtcNow();
            if (feed.StoreWasReset && _position is not null)
            {
                // The store lost what it had (restarted without persistence): write back what this node still holds,
                // so the revocations outlive it. Revocations win over undos made while the store was empty.
                var restored = await RestoreAsync(now, cancellationToken).ConfigureAwait(false);
                RevocationLog.StoreReset(_logger, restored);
                feed = await _store.ReadAsync(null, cancellationToken).ConfigureAwait(false);
            }

            if (feed.IsSnapshot)
            {
                Replica.Replace(feed.Changes, now);
            }
            else
            {
                foreach (var change in feed.Changes)
                {
                    Replica.Apply(change, now);
                }
            }

            _position = feed.Position;
            Interlocked.Exchange(ref _lastSyncTicks, now.UtcTicks);
            if (!_loaded)
            {
                _loaded = true;
                RevocationLog.ReplicaLoaded(_logger, Replica.Count);
            }

            if (!_storeAnswering)
            {
                _storeAnswering = true;
                _staleLimitReported = false;
                RevocationLog.SyncRecovered(_logger);
            }

            return true;
        }
        catch (RevocationStoreException exception)
        {
            _storeAnswering = false;
            RevocationLog.SyncFailed(_logger, exception);
            return false;
        }
        finally
        {
            _syncLock.Release();
        }
    }

    public int RemoveExpired() => Replica.RemoveExpired(_timeProvider.GetUtcNow());

    public void Dispose() => _syncLock.Dispose();

    private async Task<int> RestoreAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var restored = 0;
        foreach (var entry in Replica.Entries(now))
        {
            await _store.AppendAsync(new RevocationChange(entry, isUndo: false), cancellationToken).ConfigureAwait(false);
            restored++;
        }

        return restored;
    }

    private RevocationEntry CutOffEntry(RevocationKind kind, string value, DateTimeOffset? issuedBefore, string? reason)
    {
        var cutOff = issuedBefore ?? _timeProvider.GetUtcNow();

        return new RevocationEntry(kind, value, cutOff, cutOff + _cutOffEntryLifetime, reason);
    }

    private async Task<RevocationEntry> RevokeAsync(RevocationEntry entry, CancellationToken cancellationToken)
    {
        entry = Replica.StricterOf(entry);
        var change = new RevocationChange(entry, isUndo: false);
        await _store.AppendAsync(change, cancellationToken).ConfigureAwait(false);
        await ApplyLocallyAsync(change).ConfigureAwait(false);
        _metrics.Revoked(entry.Kind);
        RevocationLog.Revoked(_logger, entry.Kind, entry.ExpiresAt);
        return entry;
    }

    private async Task<bool> UndoAsync(RevocationKind kind, string value, CancellationToken cancellationToken)
    {
        var existed = Replica.Contains(kind, value);
        var now = _timeProvider.GetUtcNow();
        var change = new RevocationChange(new RevocationEntry(kind, value, now, now, reason: null), isUndo: true);
        await _store.AppendAsync(change, cancellationToken).ConfigureAwait(false);
        await ApplyLocallyAsync(change).ConfigureAwait(false);
        if (existed)
        {
            _metrics.Undone(kind);
            RevocationLog.Undone(_logger, kind);
        }

        return existed;
    }

    // Under the sync lock, so that a snapshot read before the write cannot replace the replica after it.
    private async Task ApplyLocallyAsync(RevocationChange change)
    {
        await _syncLock.WaitAsync().ConfigureAwait(false);
        try
        {
            Replica.Apply(change, _timeProvider.GetUtcNow());
        }
        finally
        {
            _syncLock.Release();
        }
    }

    private static void ValidateValue(string value, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, paramName);
        if (value.Length > RevocationDefaults.ValueMaxLength)
        {
            throw new ArgumentException($"The value is longer than {RevocationDefaults.ValueMaxLength} characters.", paramName);
        }
    }

    private static void ValidateReason(string? reason)
    {
        if (reason is { Length: > RevocationDefaults.ReasonMaxLength })
        {
            throw new ArgumentException($"The reason is longer than {RevocationDefaults.ReasonMaxLength} characters.", nameof(reason));
        }
    }
}
