using System.Collections.Concurrent;

namespace ApiShield.Filtering;

/// <summary>
/// Numbers the scopes rules are gated on, so a request evaluates each scope at most once and keeps the answers in two
/// <see cref="ulong"/> masks.
/// </summary>
internal sealed class ScopeRegistry
{
    private readonly ConcurrentDictionary<string, int> _indexes = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public int GetIndex(string? scope)
    {
        if (scope is null)
        {
            return -1;
        }

        if (_indexes.TryGetValue(scope, out var index))
        {
            return index;
        }

        lock (_lock)
        {
            if (_indexes.TryGetValue(scope, out index))
            {
                return index;
            }

            index = _indexes.Count < FilteringDefaults.MaxScopes ? _indexes.Count : -1;
            _indexes[scope] = index;
            return index;
        }
    }
}
