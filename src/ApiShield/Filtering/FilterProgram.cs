namespace ApiShield.Filtering;

/// <summary>The compiled rule set for one endpoint: the automaton's start nodes, the detectors and their scope.</summary>
internal sealed class FilterProgram
{
    public FilterProgram(
        PathNode[] roots,
        PathNode[] typeRoots,
        IReadOnlySet<Type> coveredTypes,
        SensitiveDataDetectors detectors,
        FilterRule[] detectorRules,
        bool detectorsEverywhere,
        bool dependsOnCaller)
    {
        TypeRoots = typeRoots;
        CoveredTypes = coveredTypes;
        Detectors = detectors;
        DetectorRules = detectorRules;
        DetectorsEverywhere = detectorsEverywhere;
        DependsOnCaller = dependsOnCaller;
        IsEmpty = roots.All(r => r.IsInert) && typeRoots.Length == 0 && detectors == SensitiveDataDetectors.None;
        Automaton = new FilterAutomaton(roots, typeRoots);
    }

    public FilterAutomaton Automaton { get; }

    public static FilterProgram Empty { get; } = new([], [], new HashSet<Type>(), SensitiveDataDetectors.None, [], false, false);

    /// <summary>Start nodes of rules derived from the endpoint's declared response types.</summary>
    public PathNode[] TypeRoots { get; }

    /// <summary>The types whose <see cref="SensitiveAttribute"/> members <see cref="TypeRoots"/> cover.</summary>
    public IReadOnlySet<Type> CoveredTypes { get; }

    public SensitiveDataDetectors Detectors { get; }

    /// <summary>One rule per detector bit, indexed by the bit's position.</summary>
    public FilterRule[] DetectorRules { get; }

    public bool DetectorsEverywhere { get; }

    /// <summary>Whether the output depends on the caller's scopes, so shared caches must not reuse it.</summary>
    public bool DependsOnCaller { get; }

    public bool IsEmpty { get; }
}
