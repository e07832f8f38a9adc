namespace ApiShield.Scopes;

internal sealed class ScopeRequirement(string[] scopes, bool requireAll) : IScopeRequirementMetadata
{
    public IReadOnlyList<string> Scopes { get; } = scopes;

    public bool RequireAll { get; } = requireAll;

    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
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

            foreach (var c in scope)
            {
                if (c < 0x21 || c > 0x7E || c == '"' || c == '\\')
                {
                    throw new ArgumentException($"'{scope}' is not a valid scope token (RFC 6749 §3.3): it contains a space, a quote, a backslash or a non-ASCII character.", paramName);
                }
            }

            copy[i] = scope;
        }

        return copy;
    }
}
