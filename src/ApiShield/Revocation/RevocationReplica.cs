using System.Collections.Concurrent;

namespace ApiShield.Revocation;

/// <summary>
/// This node's copy of the live revocation list: three hash maps keyed by the claim value, read without locks or
/// allocation on every request.
/// </summary>
/// <remarks>
/// Entries only grow stricter while replayed: the latest cut-off and expiry win, whatever order changes arrive in,
/// so a change applied locally and replayed from the store later lands the same. Only an undo removes an entry.
/// </remarks>
internal sealed class RevocationReplica
{
    private volatile Maps _maps = new();

    public int Count
    {
        get
        {
            var maps = _maps;
            return maps.Tokens.Count + maps.Subjects.Count + maps.Clients.Count;
        }
    }

    /// <summary>The per-request check. <paramref name="issuedAt"/> is UTC ticks, or 0 when the token has no <c>iat</c>.</summary>
    public RevocationVerdict Check(string? tokenId, string? subject, string? clientId, long issuedAt)
    {
        var maps = _maps;
        if (tokenId is not null && maps.Tokens.ContainsKey(tokenId))
        {
            return RevocationVerdict.RevokedToken;
        }

        // A token without 'iat' cannot show it was issued after the cut-off.
        if (subject is not null && maps.Subjects.TryGetValue(subject, out var bySubject) && issuedAt < bySubject.IssuedBefore.UtcTicks)
        {
            return RevocationVerdict.RevokedSubject;
        }

        if (clientId is not null && maps.Clients.TryGetValue(clientId, out var byClient) && issuedAt < byClient.IssuedBefore.UtcTicks)
        {
            return RevocationVerdict.RevokedClient;
        }

        return RevocationVerdict.Allowed;
    }

    public bool Contains(RevocationKind kind, string value) => MapOf(_maps, kind).ContainsKey(value);

    public void Apply(RevocationChange change, DateTimeOffset now)
    {
        var entry = change.Entry;
        var map = MapOf(_maps, entry.Kind);
        if (change.IsUndo)
        {
            map.TryRemove(entry.Value, out _);
            return;
        }

        if (entry.ExpiresAt <= now)
        {
            return;
        }

        Merge(map, entry);
    }

    /// <summary>Replaces the whole list, as read from the store.</summary>
    public void Replace(IEnumerable<RevocationChange> snapshot, DateTimeOffset now)
    {
        var maps = new Maps();
        foreach (var change in snapshot)
        {
            var entry = change.Entry;
            if (!change.IsUndo && entry.ExpiresAt > now)
            {
                Merge(MapOf(maps, entry.Kind), entry);
            }
        }

        _maps = maps;
    }

    public List<RevocationEntry> Entries(DateTimeOffset now)
    {
        var maps = _maps;
        var list = new List<RevocationEntry>(maps.Tokens.Count + maps.Subjects.Count + maps.Clients.Count);
        Collect(maps.Tokens, list, now);
        Collect(maps.Subjects, list, now);
        Collect(maps.Clients, list, now);
        list.Sort(static (a, b) => a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind) : string.CompareOrdinal(a.Value, b.Value));
        return list;
    }

    /// <summary>Drops entries whose tokens have all expired; returns how many.</summary>
    public int RemoveExpired(DateTimeOffset now)
    {
        var maps = _maps;
        return RemoveExpired(maps.Tokens, now) + RemoveExpired(maps.Subjects, now) + RemoveExpired(maps.Clients, now);
    }

    private static int RemoveExpired(ConcurrentDictionary<string, RevocationEntry> map, DateTimeOffset now)
    {
        var removed = 0;
        foreach (var pair in map)
        {
            if (pair.Value.ExpiresAt <= now && map.TryRemove(pair))
            {
                removed++;
            }
        }

        return removed;
    }

    private static void Collect(ConcurrentDictionary<string, RevocationEntry> map, List<RevocationEntry> list, DateTimeOffset now)
    {
        foreach (var pair in map)
        {
            if (pair.Value.ExpiresAt > now)
            {
                list.Add(pair.Value);
            }
        }
    }

    /// <summary>
    /// <paramref name="entry"/> made at least as strict as what this node already holds for the same token, subject or
    /// client: what the store records must be what every replica would merge to, or a node loading a snapshot would
    /// get a weaker revocation than one that replayed the log.
    /// </summary>
    public RevocationEntry StricterOf(RevocationEntry entry)
        => MapOf(_maps, entry.Kind).TryGetValue(entry.Value, out var existing) ? Stricter(existing, entry) : entry;

    private static void Merge(ConcurrentDictionary<string, RevocationEntry> map, RevocationEntry entry) =>
        map.AddOrUpdate(entry.Value, static (_, incoming) => incoming, static (_, existing, incoming) => Stricter(existing, incoming), entry);

    private static RevocationEntry Stricter(RevocationEntry existing, RevocationEntry incoming)
    {
        if (incoming.IssuedBefore >= existing.IssuedBefore && incoming.ExpiresAt >= existing.ExpiresAt)
        {
            return incoming;
        }

        if (incoming.IssuedBefore <= existing.IssuedBefore && incoming.ExpiresAt <= existing.ExpiresAt)
        {
            return existing;
        }

        return new RevocationEntry(
            existing.Kind,
            existing.Value,
            incoming.IssuedBefore > existing.IssuedBefore ? incoming.IssuedBefore : existing.IssuedBefore,
            incoming.ExpiresAt > existing.ExpiresAt ? incoming.ExpiresAt : existing.ExpiresAt,
            incoming.Reason ?? existing.Reason);
    }

    private static ConcurrentDictionary<string, RevocationEntry> MapOf(Maps maps, RevocationKind kind) => kind switch
    {
        RevocationKind.Token => maps.Tokens,
        RevocationKind.Subject => maps.Subjects,
        RevocationKind.Client => maps.Clients,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private sealed class Maps
    {
        public ConcurrentDictionary<string, RevocationEntry> Tokens { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, RevocationEntry> Subjects { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, RevocationEntry> Clients { get; } = new(StringComparer.Ordinal);
    }
}
