using System.Diagnostics.CodeAnalysis;

namespace ApiShield.Filtering;

/// <summary>
/// Parses the JSONPath (RFC 9535) subset filtering rules use: <c>$</c> followed by <c>.name</c>, <c>['name']</c>,
/// <c>["name"]</c>, <c>.*</c>, <c>[*]</c> and <c>..</c> (descendants) segments. Indexes, slices and filters are not
/// supported: a rule must hold for every element, never for some.
/// </summary>
internal static class JsonPathParser
{
    public static string Validate(string path, string paramName)
    {
        ArgumentNullException.ThrowIfNull(path, paramName);
        if (!TryParse(path, out _, out var error))
        {
            throw new ArgumentException($"'{path}' is not a supported JSON path: {error}", paramName);
        }

        return path;
    }

    public static bool TryParse(string path, [NotNullWhen(true)] out List<JsonPathSegment>? segments, [NotNullWhen(false)] out string? error)
    {
        segments = null;
        if (string.IsNullOrEmpty(path) || path[0] != '$')
        {
            error = "it must start with '$'.";
            return false;
        }

        var result = new List<JsonPathSegment>();
        var i = 1;
        while (i < path.Length)
        {
            var descendant = false;
            if (path[i] == '.')
            {
                if (i + 1 < path.Length && path[i + 1] == '.')
                {
                    descendant = true;
                    i += 2;
                    if (i < path.Length && path[i] == '[')
                    {
                        if (!TryParseBracket(path, ref i, out var bracketName, out error))
                        {
                            return false;
                        }

                        result.Add(new JsonPathSegment(true, bracketName));
                        continue;
                    }
                }
                else
                {
                    i++;
                }

                if (i < path.Length && path[i] == '*')
                {
                    result.Add(new JsonPathSegment(descendant, null));
                    i++;
                    continue;
                }

                var start = i;
                while (i < path.Length && path[i] is not ('.' or '[' or ']' or '\'' or '"' or '*' or ' '))
                {
                    i++;
                }

                if (i == start)
                {
                    error = $"a name is expected at position {start}.";
                    return false;
                }

                result.Add(new JsonPathSegment(descendant, path[start..i]));
            }
            else if (path[i] == '[')
            {
                if (!TryParseBracket(path, ref i, out var name, out error))
                {
                    return false;
                }

                result.Add(new JsonPathSegment(false, name));
            }
            else
            {
                error = $"unexpected '{path[i]}' at position {i}.";
                return false;
            }
        }

        if (result.Count == 0)
        {
            error = "it selects the whole document; name at least one member.";
            return false;
        }

        segments = result;
        error = null;
        return true;
    }

    private static bool TryParseBracket(string path, ref int i, out string? name, [NotNullWhen(false)] out string? error)
    {
        name = null;
        if (i + 2 < path.Length && path[i + 1] == '*' && path[i + 2] == ']')
        {
            i += 3;
            error = null;
            return true;
        }

        if (i + 1 < path.Length && path[i + 1] is '\'' or '"')
        {
            var quote = path[i + 1];
            var end = path.IndexOf(quote, i + 2);
            if (end < 0 || end + 1 >= path.Length || path[end + 1] != ']')
            {
                error = $"the quoted name at position {i} is not closed with {quote}].";
                return false;
            }

            name = path[(i + 2)..end];
            if (name.Length == 0)
            {
                error = $"the quoted name at position {i} is empty.";
                return false;
            }

            i = end + 2;
            error = null;
            return true;
        }

        error = $"only [*] and ['name'] are supported at position {i} (indexes, slices and filters would hold for some elements only).";
        return false;
    }
}
