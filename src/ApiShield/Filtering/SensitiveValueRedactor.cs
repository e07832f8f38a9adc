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

        Span<byte> buffer = stackalloc byte[FullMask.Length + (4 * 64)];
        FullMask.CopyTo(buffer);
        utf8[start..].CopyTo(buffer[FullMask.Length..]);
        writer.WriteStringValue(buffer[..(FullMask.Length + utf8.Length - start)]);
    }

    public static void WriteMasked(Utf8JsonWriter writer, string value, int keepLast)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
        var rented = maxBytes <= 512 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(maxBytes);
        Span<byte> buffer = rented ?? stackalloc byte[512];
        var length = Encoding.UTF8.GetBytes(value, buffer);
        WriteMasked(writer, buffer[..length], keepLast);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
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
