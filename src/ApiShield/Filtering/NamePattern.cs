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
        Pattern = pattern;
        _anchoredStart = !pattern.StartsWith('*');
        _anchoredEnd = !pattern.EndsWith('*');
        _parts = [.. pattern.Split('*', StringSplitOptions.RemoveEmptyEntries).Select(p => Encoding.UTF8.GetBytes(p.ToLowerInvariant()))];
    }

    public string Pattern { get; }

    public bool IsMatch(ReadOnlySpan<byte> name)
    {
        if (_parts.Length == 0)
        {
            return true;
        }

        var position = 0;
        for (var i = 0; i < _parts.Length; i++)
        {
            var part = _parts[i];
            var rest = name[position..];
            int found;
            if (i == 0 && _anchoredStart)
            {
                found = StartsWithIgnoreCase(rest, part) ? 0 : -1;
            }
            else if (i == _parts.Length - 1 && _anchoredEnd)
            {
                found = rest.Length >= part.Length && StartsWithIgnoreCase(rest[^part.Length..], part) ? rest.Length - part.Length : -1;
            }
            else
            {
                found = IndexOfIgnoreCase(rest, part);
            }

            if (found < 0)
            {
                return false;
            }

            position += found + part.Length;
        }

        return !_anchoredEnd || position == name.Length;
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerPrefix)
    {
        if (text.Length < lowerPrefix.Length)
        {
            return false;
        }

        for (var i = 0; i < lowerPrefix.Length; i++)
        {
            if (ToLower(text[i]) != lowerPrefix[i])
            {
                return false;
            }
        }

        return true;
    }

    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerPart)
    {
        for (var i = 0; i + lowerPart.Length <= text.Length; i++)
        {
            if (StartsWithIgnoreCase(text[i..], lowerPart))
            {
                return i;
            }
        }

        return -1;
    }

    private static byte ToLower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
}
