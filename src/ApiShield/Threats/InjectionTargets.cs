namespace ApiShield.Threats;

/// <summary>The parts of a request that injection patterns are matched against.</summary>
[Flags]
public enum InjectionTargets
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>The path, percent-decoded once.</summary>
    Path = 1,

    /// <summary>Query names and values, percent-decoded once (<c>+</c> read as a space).</summary>
    Query = 2,

    /// <summary>Request header values, percent-decoded once, except <see cref="InjectionOptions.ExcludedHeaders"/>.</summary>
    Headers = 4,

    /// <summary>String values of a JSON body, after JSON unescaping.</summary>
    JsonBody = 8,

    /// <summary>All of the above.</summary>
    All = Path | Query | Headers | JsonBody,
}
