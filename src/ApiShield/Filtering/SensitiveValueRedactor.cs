using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ApiShield.Filtering;

/// <summary>The replacement values both filtering layers write, so either layer produces the same bytes.</summary>
internal static class SensitiveValueRedactor
{
    public const int HashBytes = 16;

    private static readonly byte[] FullMask = "****"u8.ToArray();

    /// <summary>Writes the masked form of a string: <c>****</c>, or <c>****</c> and its last <paramref name="keepLast"/> characters.</summary>
    /// <remarks>A fixed-width prefix hides the length; a string no longer than what would be kept is masked whole.</remarks>
    public static void WriteMasked(Utf8JsonWriter writer, ReadOnlySpan<byte> utf8, int keepLast)
    {
        if (keepLast <= 0)
        {
            writer.WriteStringValue(FullMask);
            return;
        }

        var start = utf8.Length;
        for (var kept = 0; kept < keepLast; kept++)
        {
            if (start == 0 || Rune.DecodeLastFromUtf8(utf8[..start], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                writer.WriteStringValue(FullMask);
                return;
            }

            start -= consumed;
        }

        if (start == 0)
        {
            writer.WriteStringValue(FullMask);
            return;
        }

        var length = FullMask.Length + utf8.Length - start;
        Span<byte> buffer = stackalloc byte[length];
        FullMask.CopyTo(buffer);
        utf8[start..].CopyTo(buffer[FullMask.Length..]);
        writer.WriteStringValue(buffer);
    }

    /// <summary>The same as the UTF-8 overload for a string value: trailing characters are counted in code points.</summary>
    public static void WriteMasked(Utf8JsonWriter writer, string value, int keepLast)
    {
        var start = value.Length;
        for (var kept = 0; kept < keepLast; kept++)
        {
            if (start == 0)
            {
                break;
            }

            start -= start >= 2 && char.IsSurrogatePair(value[start - 2], value[start - 1]) ? 2 : 1;
        }

        if (keepLast <= 0 || start == 0)
        {
            writer.WriteStringValue(FullMask);
            return;
        }

        Span<char> buffer = stackalloc char[4 + value.Length - start];
        "****".CopyTo(buffer);
        value.AsSpan(start).CopyTo(buffer[4..]);
        writer.WriteStringValue(buffer);
    }

    /// <summary>Writes HMAC-SHA256(key, value) truncated to 128 bits, base64url: correlatable, not reversible without the key.</summary>
    public static void WriteHash(Utf8JsonWriter writer, ReadOnlySpan<byte> key, ReadOnlySpan<byte> utf8)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, utf8, mac);
        Span<byte> encoded = stackalloc byte[Base64Url.GetEncodedLength(HashBytes)];
        Base64Url.EncodeToUtf8(mac[..HashBytes], encoded);
        writer.WriteStringValue(encoded);
    }
}
