using System.Text.Json;

namespace ApiShield.Filtering;

/// <summary>Merges configured rules, endpoint metadata and annotated response types into one <see cref="FilterProgram"/>.</summary>
internal static class FilterProgramBuilder
{
    public static FilterProgram Build(
        FilteringOptions options,
        IReadOnlyList<ISensitivePathMetadata> endpointRules,
        IReadOnlyList<Type> responseTypes,
        JsonSerializerOptions? serializerOptions,
        ScopeRegistry scopes)
    {
        var root = new PathNode();

        for (var i = 0; i < options.Rules.Count; i++)
        {
            var configured = options.Rules[i];
            var key = $"ApiShield:Filtering:Rules:{i}";
            if (configured.Path is { } path)
            {
                var rule = new FilterRule(key, FilterRuleKind.Path, configured.Action, configured.VisibleWithScope, scopes.GetIndex(configured.VisibleWithScope), configured.KeepLast);
                Insert(root, path, key).AddRule(rule);
            }

            if (configured.Name is { } name)
            {
                var rule = new FilterRule(key, FilterRuleKind.NamePattern, configured.Action, configured.VisibleWithScope, scopes.GetIndex(configured.VisibleWithScope), configured.KeepLast);
                root.GetOrAddDescendant().AddPattern(new NamePattern(name)).AddRule(rule);
            }
        }

        foreach (var metadata in endpointRules)
        {
            var rule = new FilterRule(metadata.Path, FilterRuleKind.Endpoint, metadata.Action, metadata.VisibleWithScope, scopes.GetIndex(metadata.VisibleWithScope), metadata.KeepLast);
            Insert(root, metadata.Path, metadata.Path).AddRule(rule);
        }

        var detectors = options.Detectors & SensitiveDataDetectors.All;
        var detectorsEverywhere = detectors != SensitiveDataDetectors.None && options.DetectorPaths.Count == 0;
        if (detectors != SensitiveDataDetectors.None)
        {
            for (var i = 0; i < options.DetectorPaths.Count; i++)
            {
                Insert(root, options.DetectorPaths[i], $"ApiShield:Filtering:DetectorPaths:{i}").EnablesDetectors = true;
            }
        }

        var detectorRules = new FilterRule[8];
        for (var bit = 0; bit < detectorRules.Length; bit++)
        {
            var kind = (SensitiveDataDetectors)(1 << bit);
            detectorRules[bit] = new FilterRule("detector:" + kind, FilterRuleKind.Detector, options.DetectorAction, null, -1, 0);
        }

        var typeRoots = new List<PathNode>();
        IReadOnlySet<Type> covered = new HashSet<Type>();
        if (serializerOptions is not null && responseTypes.Count > 0)
        {
            var walker = new TypeRuleWalker(serializerOptions, scopes);
            foreach (var type in responseTypes)
            {
                if (walker.Walk(type) is { } typeRoot && !typeRoots.Contains(typeRoot))
                {
                    typeRoots.Add(typeRoot);
                }
            }

            covered = walker.CoveredTypes;
        }

        var visited = new HashSet<PathNode>();
        root.Freeze(visited);
        foreach (var typeRoot in typeRoots)
        {
            typeRoot.Freeze(visited);
        }

        // Every rule sits on a node reachable from a root, so the frozen set holds them all.
        var dependsOnCaller = visited.Any(n => n.Rules.Any(r => r.VisibleWithScope is not null));
        return new FilterProgram(root.IsInert ? [] : [root], [.. typeRoots], covered, detectors, detectorRules, detectorsEverywhere, dependsOnCaller);
    }

    private static PathNode Insert(PathNode root, string path, string key)
    {
        if (!JsonPathParser.TryParse(path, out var segments, out var error))
        {
            throw new InvalidOperationException($"{key} '{path}' is not a supported JSON path: {error}");
        }

        var node = root;
        foreach (var segment in segments)
        {
            if (segment.Descendant)
            {
                node = node.GetOrAddDescendant();
            }

            node = segment.Name is null ? node.GetOrAddAny() : node.GetOrAddChild(segment.Name);
        }

        return node;
    }
}
