using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace ApiShield.Threats;

/// <summary>Media-type checks for JSON bodies, without allocating for the common <c>application/json</c> cases.</summary>
internal static class JsonMediaType
{
    /// <summary>Whether <paramref name="mediaType"/> (parameters ignored) is <c>application/json</c> or <c>application/*+json</c>.</summary>
    public static bool IsJson(ReadOnlySpan<char> mediaType)
    {
        var type = WithoutParameters(mediaType);
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
                && type.IndexOfAny(' ', '\t', '*') < 0);
    }

    /// <summary>
    /// Whether a request's <c>Content-Type</c> is JSON in UTF-8: a JSON media type whose <c>charset</c>, if present,
    /// is the token <c>utf-8</c>. RFC 8259 §11 defines no charset parameter; UTF-8 is the only encoding JSON may use between systems.
    /// </summary>
    public static bool IsUtf8Json(string? contentType)
    {
        if (contentType is null || !IsJson(contentType))
        {
            return false;
        }

        if (contentType.IndexOf(';', StringComparison.Ordinal) < 0)
        {
            return true;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return false;
        }

        // A quoted charset is valid HTTP (RFC 9110 §5.6.6), but minimal APIs hand it to Encoding.GetEncoding quotes
        // and all and fail with a 500: only the bare token gets through.
        var charset = parsed.Charset;
        return StringSegment.IsNullOrEmpty(charset)
            || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Whether <paramref name="contentType"/> (parameters ignored) is one of <paramref name="mediaTypes"/>, which are
    /// already <see cref="WithoutParameters"/>.
    /// </summary>
    public static bool IsOneOf(string? contentType, string[] mediaTypes)
    {
        if (contentType is null || mediaTypes.Length == 0)
        {
            return false;
        }

        var type = WithoutParameters(contentType);
        foreach (var candidate in mediaTypes)
        {
            if (type.Equals(candidate, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The type/subtype of <paramref name="mediaType"/>, without parameters or surrounding whitespace.</summary>
    public static ReadOnlySpan<char> WithoutParameters(ReadOnlySpan<char> mediaType)
    {
        var semicolon = mediaType.IndexOf(';');
        return (semicolon < 0 ? mediaType : mediaType[..semicolon]).Trim();
    }
}
