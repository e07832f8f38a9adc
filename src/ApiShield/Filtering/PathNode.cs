using System.Text;

namespace ApiShield.Filtering;

/// <summary>
/// A state of the rule automaton. Rules from every source compile into these nodes; at run time the filter holds, per
/// JSON depth, the set of nodes the path so far reaches. A node's <see cref="Descendant"/> joins every set its node
/// is in (the <c>..</c> of JSONPath), and loops on itself through <see cref="Any"/>.
/// </summary>
internal sealed class PathNode
{
    private Dictionary<string, PathNode>? _building;
    private byte[][] _names = [];
    private PathNode[] _targets = [];
    private List<FilterRule>? _ruleList;

    public PathNode? Any { get; set; }

    public PathNode? Descendant { get; private set; }

    /// <summary>A node entered together with this one: a sensitive member's node is also its type's node.</summary>
    public PathNode? Alias { get; set; }

    public List<(NamePattern Pattern, PathNode Target)>? Patterns { get; private set; }

    public FilterRule[] Rules { get; private set; } = [];

    public bool EnablesDetectors { get; set; }

    /// <summary>Numbers nodes within a program, so a node set has one canonical key.</summary>
    public int Id { get; private set; }

    public byte[][] Names => _names;

    /// <summary>No edge leaves it and no rule is on it: reaching it changes nothing.</summary>
    public bool IsInert { get; private set; }

    public PathNode GetOrAddChild(string name)
    {
        _building ??= new Dictionary<string, PathNode>(StringComparer.Ordinal);
        if (!_building.TryGetValue(name, out var child))
        {
            child = new PathNode();
            _building[name] = child;
        }

        return child;
    }

    public void SetChild(string name, PathNode target)
    {
        _building ??= new Dictionary<string, PathNode>(StringComparer.Ordinal);
        _building[name] = target;
    }

    public PathNode GetOrAddAny() => Any ??= new PathNode();

    public PathNode GetOrAddDescendant()
    {
        if (Descendant is null)
        {
            Descendant = new PathNode();
            Descendant.Any = Descendant;
        }

        return Descendant;
    }

    public PathNode AddPattern(NamePattern pattern)
    {
        var target = new PathNode();
        (Patterns ??= []).Add((pattern, target));
        return target;
    }

    public void AddRule(FilterRule rule) => (_ruleList ??= []).Add(rule);

    /// <summary>Turns the build-time maps into the arrays the filter reads, once, for every node reachable from here.</summary>
    public void Freeze(HashSet<PathNode> visited)
    {
        if (!visited.Add(this))
        {
            return;
        }

        Id = visited.Count;

        if (_building is not null)
        {
            _names = [.. _building.Keys.Select(Encoding.UTF8.GetBytes)];
            _targets = [.. _building.Values];
            _building = null;
        }

        if (_ruleList is not null)
        {
            Rules = [.. _ruleList.OrderByDescending(r => r.Strictness)];
            _ruleList = null;
        }

        foreach (var target in _targets)
        {
            target.Freeze(visited);
        }

        Any?.Freeze(visited);
        Descendant?.Freeze(visited);
        Alias?.Freeze(visited);
        if (Patterns is not null)
        {
            foreach (var (_, target) in Patterns)
            {
                target.Freeze(visited);
            }
        }

        IsInert = _targets.Length == 0 && Any is null && Descendant is null && Alias is null && Patterns is null && Rules.Length == 0 && !EnablesDetectors;
    }

    public PathNode? FindChild(ReadOnlySpan<byte> name)
    {
        var names = _names;
        for (var i = 0; i < names.Length; i++)
        {
            if (name.SequenceEqual(names[i]))
            {
                return _targets[i];
            }
        }

        return null;
    }
}
