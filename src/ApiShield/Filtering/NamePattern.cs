using System.Text;

namespace ApiShield.Filtering;

/// <summary>A property-name glob (<c>*</c> = any run of characters), matched against UTF-8 names ignoring ASCII case.</summary>
internal sealed class NamePattern
{
    private readonly byte[][] _parts;
    private readonly bool _anchoredStart;
    private readonly bool _anchoredEnd;

    public NamePattern(string pattern)
    {
        _anchoredStart = !pattern.StartsWith('*');
        _anchoredEnd = !pattern.EndsWith('*');
        _parts = [.. pattern.Split('*', StringSplitOptions.RemoveEmptyEntries).Select(p => Encoding.UTF8.GetBytes(p.ToLowerInvariant()))];
    }

    /// <summary>The first byte a matching (lower-cased) name must contain, or <see langword="null"/> for a pattern of only <c>*</c>.</summary>
    public byte? LeadByte => _parts.Length == 0 ? null : _parts[0][0];

    /// <summary>The shortest name that can match.</summary>
    public int MinLength => _parts.Sum(p => p.Length);

    /// <summary>Matches a name already lower-cased (ASCII) by the caller, once for all patterns.</summary>
    public bool IsMatch(ReadOnlySpan<byte> lowerName)
    {
        var parts = _parts;
        if (parts.Length == 0)
        {
            return true;
        }

        var position = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var rest = lowerName[position..];
            int found;
            if (i == 0 && _anchoredStart)
            {
                found = rest.StartsWith(part) ? 0 : -1;
            }
            else if (i == parts.Length - 1 && _anchoredEnd)
            {
                found = rest.EndsWith(part) ? rest.Length - part.Length : -1;
            }
            else
            {
                found = rest.IndexOf(part);
            }

            if (found < 0)
            {
                return false;
            }

            position += found + part.Length;
        }

        return !_anchoredEnd || position == lowerName.Length;
    }

    /// <summary>Lower-cases ASCII letters of <paramref name="name"/> into <paramref name="destination"/> (vectorized).</summary>
    public static ReadOnlySpan<byte> ToLower(ReadOnlySpan<byte> name, Span<byte> destination)
    {
        System.Text.Ascii.ToLower(name, destination, out var written);
        if (written < name.Length)
        {
            // Non-ASCII: ToLower stops at the first non-ASCII byte; copy the rest unchanged.
            name[written..].CopyTo(destination[written..]);
        }

        return destination[..name.Length];
    }
}
