using System.Globalization;
using ApiShield.Revocation;

namespace ApiShield.Stores.InMemory;

/// <summary>
/// The revocation store for one process: the list and a bounded log in memory. Used unless a shared store is
/// configured; revocations do not survive a restart and are not seen by other processes.
/// </summary>
internal sealed class InMemoryRevocationStore(TimeProvider timeProvider) : IRevocationStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(RevocationKind, string), RevocationEntry> _entries = [];
    private readonly Queue<(long Version, RevocationChange Change)> _log = new();
    private long _version;

    public Task<string> AppendAsync(RevocationChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            var key = (change.Entry.Kind, change.Entry.Value);
            if (change.IsUndo)
            {
                _entries.Remove(key);
            }
            else
            {
                _entries[key] = change.Entry;
            }

            _version++;
            _log.Enqueue((_version, change));
            while (_log.Count > RevocationDefaults.LogLength)
            {
                _log.Dequeue();
            }

            // Swept now and then rather than on every write: the replica never treats an expired entry as live.
            if ((_version & 1023) == 0)
            {
                RemoveExpired(now);
            }

            return Task.FromResult(_version.ToString(CultureInfo.InvariantCulture));
        }
    }

    public Task<RevocationFeed> ReadAsync(string? position, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var current = _version.ToString(CultureInfo.InvariantCulture);
            if (position is not null
                && long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out var after)
                && after <= _version
                && (after == _version || (_log.TryPeek(out var oldest) && oldest.Version <= after + 1)))
            {
                var changes = new List<RevocationChange>();
                foreach (var (version, change) in _log)
                {
                    if (version > after)
                    {
                        changes.Add(change);
                    }
                }

                return Task.FromResult(new RevocationFeed(current, isSnapshot: false, changes));
            }

            var snapshot = new List<RevocationChange>(_entries.Count);
            foreach (var entry in _entries.Values)
            {
                snapshot.Add(new RevocationChange(entry, isUndo: false));
            }

            return Task.FromResult(new RevocationFeed(current, isSnapshot: true, snapshot));
        }
    }

    // One process: every change is made here, so there is nothing to be told about.
    public IDisposable Subscribe(Action onChanged) => NoSubscription.Instance;

    private void RemoveExpired(DateTimeOffset now)
    {
        List<(RevocationKind, string)>? expired = null;
        foreach (var (key, entry) in _entries)
        {
            if (entry.ExpiresAt <= now)
            {
                (expired ??= []).Add(key);
            }
        }

        if (expired is not null)
        {
            foreach (var key in expired)
            {
                _entries.Remove(key);
            }
        }
    }

    private sealed class NoSubscription : IDisposable
    {
        public static readonly NoSubscription Instance = new();

        public void Dispose()
        {
        }
    }
}
