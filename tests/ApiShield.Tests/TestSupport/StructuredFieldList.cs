using System.Globalization;

namespace ApiShield.Tests.TestSupport;

/// <summary>
/// A strict parser for RFC 8941 §4.2.1 Lists whose members are Items (not Inner Lists), enough to check the RateLimit
/// header fields: it throws <see cref="FormatException"/> on anything §4.2 would fail parsing on.
/// </summary>
internal static class StructuredFieldList
{
    public static IReadOnlyList<StructuredItem> Parse(string input)
    {
        var items = new List<StructuredItem>();
        var position = SkipSp(input, 0);
        while (position < input.Length)
        {
            items.Add(ParseItem(input, ref position));
            position = SkipOws(input, position);
            if (position >= input.Length)
            {
                return items;
            }

            Expect(input, ref position, ',');
            position = SkipOws(input, position);
            if (position >= input.Length)
            {
                throw new FormatException("Trailing comma.");
            }
        }

        if (items.Count == 0)
        {
            throw new FormatException("Empty list.");
        }

        return items;
    }

    private static StructuredItem ParseItem(string input, ref int position)
    {
        var value = ParseBareItem(input, ref position);
        var parameters = new Dictionary<string, object>(StringComparer.Ordinal);
        while (position < input.Length && input[position] == ';')
        {
            position++;
            position = SkipSp(input, position);
            var key = ParseKey(input, ref position);
            object parameterValue = true;
            if (position < input.Length && input[position] == '=')
            {
                position++;
                parameterValue = ParseBareItem(input, ref position);
            }

            parameters[key] = parameterValue;
        }

        return new StructuredItem(value, parameters);
    }

    private static object ParseBareItem(string input, ref int position)
    {
        if (position >= input.Length)
        {
            throw new FormatException("Missing item.");
        }

        var c = input[position];
        if (c == '"')
        {
            return ParseString(input, ref position);
        }

        if (c == '-' || char.IsAsciiDigit(c))
        {
            var start = position;
            if (c == '-')
            {
                position++;
            }

            while (position < input.Length && char.IsAsciiDigit(input[position]))
            {
                position++;
            }

            var digits = position - start - (c == '-' ? 1 : 0);
            if (digits is 0 or > 15 || (position < input.Length && input[position] == '.'))
            {
                throw new FormatException("Only integers of 1 to 15 digits are expected here.");
            }

            return long.Parse(input.AsSpan(start, position - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        if (char.IsAsciiLetter(c) || c == '*')
        {
            var start = position;
            while (position < input.Length && (char.IsAsciiLetterOrDigit(input[position]) || ":/!#$%&'*+-.^_`|~".Contains(input[position])))
            {
                position++;
            }

            return new StructuredToken(input[start..position]);
        }

        throw new FormatException($"Unexpected character '{c}' at {position}.");
    }

    private static string ParseString(string input, ref int position)
    {
        position++;
        var builder = new System.Text.StringBuilder();
        while (position < input.Length)
        {
            var c = input[position++];
            if (c == '\\')
            {
                if (position >= input.Length || (input[position] != '"' && input[position] != '\\'))
                {
                    throw new FormatException("Bad escape in string.");
                }

                builder.Append(input[position++]);
            }
            else if (c == '"')
            {
                return builder.ToString();
            }
            else if (c < 0x20 || c > 0x7E)
            {
                throw new FormatException("Non-printable character in string.");
            }
            else
            {
                builder.Append(c);
            }
        }

        throw new FormatException("Unterminated string.");
    }

    private static string ParseKey(string input, ref int position)
    {
        if (position >= input.Length || !(char.IsAsciiLetterLower(input[position]) || input[position] == '*'))
        {
            throw new FormatException("A key starts with a lower-case letter or '*'.");
        }

        var start = position;
        while (position < input.Length && (char.IsAsciiLetterLower(input[position]) || char.IsAsciiDigit(input[position]) || "_-.*".Contains(input[position])))
        {
            position++;
        }

        return input[start..position];
    }

    private static void Expect(string input, ref int position, char expected)
    {
        if (position >= input.Length || input[position] != expected)
        {
            throw new FormatException($"Expected '{expected}' at {position}.");
        }

        position++;
    }

    private static int SkipSp(string input, int position)
    {
        while (position < input.Length && input[position] == ' ')
        {
            position++;
        }

        return position;
    }

    private static int SkipOws(string input, int position)
    {
        while (position < input.Length && (input[position] == ' ' || input[position] == '\t'))
        {
            position++;
        }

        return position;
    }
}

internal sealed record StructuredItem(object Value, IReadOnlyDictionary<string, object> Parameters)
{
    public string Name => Value as string ?? throw new FormatException("The item is not a String.");

    public long Integer(string key) => Parameters.TryGetValue(key, out var value) && value is long number
        ? number
        : throw new FormatException($"Parameter '{key}' is missing or not an Integer.");
}

internal sealed record StructuredToken(string Value);
