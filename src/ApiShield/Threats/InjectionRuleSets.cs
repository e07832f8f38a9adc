namespace ApiShield.Threats;

/// <summary>The built-in injection pattern sets.</summary>
[Flags]
public enum InjectionRuleSets
{
    /// <summary>No built-in set; only <see cref="InjectionOptions.Patterns"/>.</summary>
    None = 0,

    /// <summary>SQL injection: <c>UNION SELECT</c>, stacked statements, tautologies after a quote, time-based probes.</summary>
    Sql = 1,

    /// <summary>Script injection: <c>&lt;script</c>, event-handler attributes in markup, <c>javascript:</c> URLs.</summary>
    Script = 2,
}
