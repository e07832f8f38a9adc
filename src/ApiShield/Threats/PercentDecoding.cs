namespace ApiShield.Threats;

/// <summary>
/// Decodes a URL component exactly once. Matching a value decoded twice would flag what the application never sees
/// (<c>%253C</c> is <c>%3C</c> to it, not <c>&lt;</c>); matching it undecoded would miss <c>%3Cscript</c>.
/// </summary>
internal static class PercentDecoding
{
    public static ReadOnlySpan<char> Decode(ReadOnlySpan<char> value, bool plusIsSpace)
    {
        if (value.IndexOfAny('%', '+') < 0)
        {
            return value;
        }

        var text = plusIsSpace ? value.ToString().Replace('+', ' ') : value.ToString();
        return Uri.UnescapeDataString(text);
    }
}
