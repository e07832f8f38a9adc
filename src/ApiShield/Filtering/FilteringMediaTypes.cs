namespace ApiShield.Filtering;

/// <summary>Decides from the response headers whether and how a body is filtered.</summary>
internal static class FilteringMediaTypes
{
    public static ResponseBodyKind Classify(string? contentType, string? contentEncoding)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return ResponseBodyKind.Other;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).AsSpan().Trim();
        var kind = ClassifyMediaType(mediaType);
        if (kind == ResponseBodyKind.Other)
        {
            return kind;
        }

        // A body compressed by the application (or by compression placed inside UseApiShield) cannot be read.
        if (!string.IsNullOrEmpty(contentEncoding) && !contentEncoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return ResponseBodyKind.Unreadable;
        }

        if (semicolon >= 0 && !IsUtf8Charset(contentType.AsSpan(semicolon + 1)))
        {
            return ResponseBodyKind.Unreadable;
        }

        return kind;
    }

    private static ResponseBodyKind ClassifyMediaType(ReadOnlySpan<char> mediaType)
    {
        if (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        {
            return ResponseBodyKind.Json;
        }

        if (mediaType.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/jsonl", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/x-jsonlines", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json-seq", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/json-seq", StringComparison.OrdinalIgnoreCase))
        {
            return mediaType.EndsWith("json-seq", StringComparison.OrdinalIgnoreCase) ? ResponseBodyKind.Unreadable : ResponseBodyKind.JsonLines;
        }

        if (mediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            return ResponseBodyKind.EventStream;
        }

        return ResponseBodyKind.Other;
    }

    // RFC 8259 §8.1: JSON exchanged between systems is UTF-8; a charset parameter, if present, must say so (ASCII is a subset).
    private static bool IsUtf8Charset(ReadOnlySpan<char> parameters)
    {
        foreach (var range in parameters.Split(';'))
        {
            var parameter = parameters[range].Trim();
            var equals = parameter.IndexOf('=');
            if (equals < 0 || !parameter[..equals].Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = parameter[(equals + 1)..].Trim().Trim('"');
            if (!value.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                && !value.Equals("utf8", StringComparison.OrdinalIgnoreCase)
                && !value.Equals("us-ascii", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}
