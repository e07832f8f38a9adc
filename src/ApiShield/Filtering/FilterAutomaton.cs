using System.Collections.Concurrent;

namespace ApiShield.Filtering;

/// <summary>Interns <see cref="FilterState"/>s of one program.</summary>
internal sealed class FilterAutomaton
{
    private readonly ConcurrentDictionary<string, FilterState> _states = new(StringComparer.Ordinal);

    public FilterAutomaton(PathNode[] roots, PathNode[] typeRoots)
    {
        Root = Intern(Closure(roots));
        RootWithTypes = Intern(Closure([.. roots, .. typeRoots]));
    }

    public FilterState Root { get; }

    public FilterState RootWithTypes { get; }

    public FilterState Intern(PathNode[] parents, byte[]? name, (PathNode Node, NamePattern Pattern, PathNode Target)[] patterns, long mask)
    {
        var next = new List<PathNode>();
        foreach (var node in parents)
        {
            if (name is not null)
            {
                AddClosure(next, node.FindChild(name));
            }

            AddClosure(next, node.Any);
        }

        for (var i = 0; i < patterns.Length && i < 62; i++)
        {
            if ((mask & (1L << i)) != 0)
            {
                AddClosure(next, patterns[i].Target);
            }
        }

        return Intern([.. next]);
    }

    private FilterState Intern(PathNode[] nodes)
    {
        Array.Sort(nodes, static (a, b) => a.Id.CompareTo(b.Id));
        var key = string.Join(',', nodes.Select(n => n.Id));
        return _states.TryGetValue(key, out var state) ? state : _states.GetOrAdd(key, new FilterState(this, nodes));
    }

    private static PathNode[] Closure(PathNode[] roots)
    {
        var set = new List<PathNode>();
        foreach (var root in roots)
        {
            AddClosure(set, root);
        }

        return [.. set];
    }

    private static void AddClosure(List<PathNode> set, PathNode? node)
    {
        if (node is null || node.IsInert || set.Contains(node))
        {
            return;
        }

        set.Add(node);
        AddClosure(set, node.Descendant);
        AddClosure(set, node.Alias);
    }
}
