namespace ApiShield.Threats;

/// <summary>Injection pattern matching, bound to <c>ApiShield:Threats:Injection</c>; off by default.</summary>
/// <remarks>
/// Patterns are .NET regular expressions compiled once with <c>RegexOptions.NonBacktracking</c>, so matching takes
/// time linear in the input whatever the pattern: a pattern cannot be turned into a ReDoS. Constructs that need
/// backtracking (backreferences, lookarounds, atomic groups) are refused at startup. Values are decoded exactly once
/// before matching, as the application decodes them. Pattern matching is a backstop, never a substitute for
/// parameterised queries and output encoding.
/// </remarks>
public sealed class InjectionOptions
{
    /// <summary>Whether requests are matched against injection patterns.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Enabled { get; set; } = ThreatDefaults.InjectionEnabled;

    /// <summary>The built-in pattern sets to apply.</summary>
    /// <value>The default value is <see cref="InjectionRuleSets.Sql"/> and <see cref="InjectionRuleSets.Script"/>.</value>
    public InjectionRuleSets RuleSets { get; set; } = ThreatDefaults.InjectionRuleSets;

    /// <summary>The parts of the request to match.</summary>
    /// <value>The default value is <see cref="InjectionTargets.All"/>.</value>
    public InjectionTargets Targets { get; set; } = ThreatDefaults.InjectionTargets;

    /// <summary>Additional patterns, matched case-insensitively; an invalid one stops the host at startup.</summary>
    /// <value>The default value is an empty list.</value>
    public IList<string> Patterns { get; } = new List<string>();

    /// <summary>Request headers that are not matched.</summary>
    /// <value>The default (an empty list) is <c>Authorization</c> and <c>Cookie</c>.</value>
    /// <remarks>
    /// Credentials are opaque and matching them only costs time. Listing any header replaces the default, so list
    /// <c>Authorization</c> alone to have cookies matched too.
    /// </remarks>
    public IList<string> ExcludedHeaders { get; } = new List<string>();
}
