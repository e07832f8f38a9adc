using System.Buffers;
using System.Collections.Concurrent;

namespace ApiShield.Filtering;

/// <summary>
/// A set of <see cref="PathNode"/>s the path so far reaches, interned per program, with its transitions cached: the
/// filter does one small name lookup per property instead of walking every node. Transitions are computed on first
/// use and kept; their number is bounded by the names and patterns the rules contain, never by the documents.
/// </summary>
internal sealed class FilterState
{
    private readonly FilterAutomaton _owner;
    private readonly byte[][] _names;
    private readonly FilterState?[] _named;
    private readonly (PathNode Node, NamePattern Pattern, PathNode Target)[] _patterns;
    private readonly ConcurrentDictionary<(int Name, long Patterns), FilterState>? _patternTransitions;
    private readonly SearchValues<byte>? _patternLeads;
    private FilterState? _other;

    public FilterState(FilterAutomaton owner, PathNode[] nodes)
    {
        _owner = owner;
        Nodes = nodes;
        Rules = [.. nodes.SelectMany(n => n.Rules).OrderByDescending(r => r.Strictness)];
        HasRules = Rules.Length > 0;
        IsEmpty = nodes.Length == 0;
        EnablesDetectors = nodes.Any(n => n.EnablesDetectors);
        _names = [.. nodes.SelectMany(n => n.Names).Distinct(ByteArrayComparer.Instance)];
        _named = new FilterState?[_names.Length];
        _patterns = [.. nodes.SelectMany(n => (n.Patterns ?? []).Select(p => (n, p.Pattern, p.Target)))];
        MinPatternLength = _patterns.Length == 0 ? int.MaxValue : _patterns.Min(p => p.Pattern.MinLength);
        if (_patterns.Length > 0)
        {
            _patternTransitions = new ConcurrentDictionary<(int Name, long Patterns), FilterState>();
            _patternLeads = PatternLeads(_patterns);
        }
    }

    public PathNode[] Nodes { get; }

    /// <summary>Every rule on the set, strictest first.</summary>
    public FilterRule[] Rules { get; }

    public bool EnablesDetectors { get; }

    public bool IsEmpty { get; }

    /// <summary>Whether <see cref="Rules"/> has any rule: most states, those a path passes through, have none.</summary>
    public bool HasRules { get; }

    /// <summary>Names shorter than this match no pattern, so they need not be lower-cased or tested.</summary>
    public int MinPatternLength { get; }

    /// <summary>
    /// Whether a name can match one of the state's patterns: long enough, and holding (in either ASCII case) the first
    /// byte of some pattern. Most names fail this vectorized test, and are neither lower-cased nor matched.
    /// </summary>
    public bool MayMatchPattern(ReadOnlySpan<byte> name) =>
        name.Length >= MinPatternLength && (_patternLeads is null || name.ContainsAny(_patternLeads));

    /// <summary>The state of an array element (or of a member whose name no rule mentions).</summary>
    public FilterState Element() => _other ??= _owner.Intern(Nodes, name: null, _patterns, mask: 0);

    /// <summary>The state of the member called <paramref name="name"/>; <paramref name="lowerName"/> is its ASCII-lower-cased form, needed only when <see cref="MayMatchPattern"/> holds.</summary>
    public FilterState Member(ReadOnlySpan<byte> name, ReadOnlySpan<byte> lowerName, bool testPatterns)
    {
        var index = -1;
        var names = _names;
        for (var i = 0; i < names.Length; i++)
        {
            if (name.SequenceEqual(names[i]))
            {
                index = i;
                break;
            }
        }

        long mask = 0;
        var patterns = _patterns;
        var patternCount = testPatterns ? patterns.Length : 0;
        for (var i = 0; i < patternCount && i < 62; i++)
        {
            if (patterns[i].Pattern.IsMatch(lowerName))
            {
                mask |= 1L << i;
            }
        }

        if (mask != 0)
        {
            var key = (index, mask);
            return _patternTransitions!.TryGetValue(key, out var cached)
                ? cached
                : _patternTransitions.GetOrAdd(key, _owner.Intern(Nodes, index < 0 ? null : names[index], patterns, mask));
        }

        if (index < 0)
        {
            return Element();
        }

        return _named[index] ??= _owner.Intern(Nodes, names[index], patterns, 0);
    }

    // A name matches a pattern only if it holds the pattern's first literal byte; patterns are lower-cased, names are
    // compared ASCII-lower-cased, so a lower-case letter may appear in either case. A pattern of only '*' matches all.
    private static SearchValues<byte>? PatternLeads((PathNode Node, NamePattern Pattern, PathNode Target)[] patterns)
    {
        var leads = new List<byte>();
        foreach (var (_, pattern, _) in patterns)
        {
            if (pattern.LeadByte is not { } lead)
            {
                return null;
            }

            leads.Add(lead);
            if (lead is >= (byte)'a' and <= (byte)'z')
            {
                leads.Add((byte)(lead - 32));
            }
        }

        return SearchValues.Create([.. leads.Distinct()]);
    }
}
