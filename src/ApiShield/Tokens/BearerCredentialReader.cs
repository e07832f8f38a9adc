using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace ApiShield.Tokens;

/// <summary>Reads bearer credentials the way RFC 6750 §2 defines them, without allocating.</summary>
internal static class BearerCredentialReader
{
    private const string QueryParameter = "access_token";

    private static readonly SearchValues<char> B64TokenChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");

    public static BearerCredentialStatus Read(HttpRequest request, int maxTokenLength)
    {
        var inQuery = HasQueryToken(request);
        var values = request.Headers.Authorization;

        if (values.Count == 0)
        {
            return inQuery ? BearerCredentialStatus.InQuery : BearerCredentialStatus.None;
        }

        if (values.Count > 1)
        {
            return BearerCredentialStatus.Duplicated;
        }

        var status = ReadHeader(values[0], maxTokenLength);
        if (inQuery && status != BearerCredentialStatus.None)
        {
            // RFC 6750 §3.1: "uses more than one method for including an access token".
            return BearerCredentialStatus.Duplicated;
        }

        return inQuery ? BearerCredentialStatus.InQuery : status;
    }

    internal static BearerCredentialStatus ReadHeader(ReadOnlySpan<char> value, int maxTokenLength)
    {
        value = value.Trim();
        var space = value.IndexOfAny(' ', '\t');
        var scheme = space < 0 ? value : value[..space];

        // RFC 9110 §11.1: the authentication scheme is case-insensitive.
        if (!scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return BearerCredentialStatus.None;
        }

        if (space < 0)
        {
            return BearerCredentialStatus.Malformed;
        }

        var token = value[(space + 1)..].TrimStart();
        if (token.IsEmpty)
        {
            return BearerCredentialStatus.Malformed;
        }

        if (token.Length > maxTokenLength)
        {
            return BearerCredentialStatus.TooLong;
        }

        return IsB64Token(token) ? BearerCredentialStatus.Present : BearerCredentialStatus.Malformed;
    }

    // RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    // A vectorized scan: the token is the longest header a request carries, and it is checked on every request.
    private static bool IsB64Token(ReadOnlySpan<char> token)
    {
        var end = token.IndexOfAnyExcept(B64TokenChars);
        if (end < 0)
        {
            return !token.IsEmpty;
        }

        return end > 0 && !token[end..].ContainsAnyExcept('=');
    }

    private static bool HasQueryToken(HttpRequest request)
    {
        var query = request.QueryString.Value;

        // The cheap ordinal scan keeps the common case from parsing the query string.
        return query is not null
            && query.Contains(QueryParameter, StringComparison.Ordinal)
            && request.Query.ContainsKey(QueryParameter);
    }
}
