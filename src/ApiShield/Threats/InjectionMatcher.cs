using System.Text.RegularExpressions;

namespace ApiShield.Threats;

/// <summary>
/// The enabled injection rule sets, each compiled once into one linear-time regex. A match names its rule set; the
/// pattern and the value matched are never reported.
/// </summary>
internal sealed class InjectionMatcher
{
    public const RegexOptions PatternOptions =
        RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.ExplicitCapture;

    private readonly (string Name, Regex Regex)[] _sets;

    public InjectionMatcher(InjectionOptions options)
    {
        var sets = new List<(string, Regex)>();
        if (options.RuleSets.HasFlag(InjectionRuleSets.Sql))
        {
            sets.Add(("sql", Compile(InjectionPatterns.Sql)));
        }

        if (options.RuleSets.HasFlag(InjectionRuleSets.Script))
        {
            sets.Add(("script", Compile(InjectionPatterns.Script)));
        }

        if (options.Patterns.Count > 0)
        {
            sets.Add(("custom", Compile(options.Patterns)));
        }

        _sets = [.. sets];
        Targets = options.Targets;
        ExcludedHeaders = new HashSet<string>(
            options.ExcludedHeaders.Count == 0 ? ThreatDefaults.InjectionExcludedHeaders : options.ExcludedHeaders,
            StringComparer.OrdinalIgnoreCase);
    }

    public InjectionTargets Targets { get; }

    public HashSet<string> ExcludedHeaders { get; }

    public bool IsEmpty => _sets.Length == 0;

    /// <summary>The name of the first rule set that matches <paramref name="value"/>, or <see langword="null"/>.</summary>
    public string? Match(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return null;
        }

        foreach (var (name, regex) in _sets)
        {
            if (regex.IsMatch(value))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>Compiles one user pattern the way it will run; throws when NonBacktracking cannot run it.</summary>
    public static void Validate(string pattern) => _ = new Regex(pattern, PatternOptions);

    // NonBacktracking matching is linear in the input for any pattern, so no match timeout is needed.
    private static Regex Compile(IEnumerable<string> patterns) =>
        new(string.Join('|', patterns.Select(static p => "(?:" + p + ")")), PatternOptions);
}
