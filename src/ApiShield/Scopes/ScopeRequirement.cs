namespace ApiShield.Scopes;

internal sealed class ScopeRequirement(string[] scopes, bool requireAll) : IScopeRequirementMetadata
{
    public IReadOnlyList<string> Scopes { get; } = scopes;

    public bool RequireAll { get; } = requireAll;

    public static string[] ValidateScopes(string[]? scopes, string paramName)
    {
        if (scopes is null || scopes.Length == 0)
        {
            throw new ArgumentException("At least one scope is required.", paramName);
        }

        var copy = new string[scopes.Length];
        for (var i = 0; i < scopes.Length; i++)
        {
            var scope = scopes[i];
            if (string.IsNullOrEmpty(scope))
            {
                throw new ArgumentException("Scopes cannot be null or empty.", paramName);
            }

            if (!IsScopeToken(scope))
            {
                throw new ArgumentException($"'{scope}' is not a valid scope token (RFC 6749 §3.3): it contains a space, a quote, a backslash or a non-ASCII character.", paramName);
            }

            copy[i] = scope;
        }

        return copy;
    }

    public static bool IsValid(IReadOnlyList<string>? scopes)
    {
        if (scopes is null || scopes.Count == 0)
        {
            return false;
        }

        for (var i = 0; i < scopes.Count; i++)
        {
            if (string.IsNullOrEmpty(scopes[i]) || !IsScopeToken(scopes[i]))
            {
                return false;
            }
        }

        return true;
    }

    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
    private static bool IsScopeToken(string scope)
    {
        foreach (var c in scope)
        {
            if (c < 0x21 || c > 0x7E || c == '"' || c == '\\')
            {
                return false;
            }
        }

        return true;
    }
}
