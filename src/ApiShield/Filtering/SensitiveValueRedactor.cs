using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ApiShield.Filtering;

/// <summary>The replacement values both filtering layers write, so either layer produces the same bytes.</summary>
internal static class SensitiveValueRedactor
{
    public const int HashBytes = 16;

    // Base64url without padding: ceil(16 * 4 / 3).
    private const int EncodedHashLength = 22;

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

    /// <summary>
    /// Writes the same bytes as <see cref="WriteMasked(Utf8JsonWriter, ReadOnlySpan{byte}, int)"/> straight to
    /// <paramref name="output"/> when the kept characters need no escaping; returns <see langword="false"/> otherwise.
    /// </summary>
    public static bool TryWriteMaskedRaw(IBufferWriter<byte> output, ReadOnlySpan<byte> utf8, int keepLast)
    {
        var start = utf8.Length;
        for (var kept = 0; kept < keepLast && start > 0; kept++)
        {
            var b = utf8[start - 1];
            if (!IsPlain(b))
            {
                return false;
            }

            start--;
        }

        if (keepLast <= 0 || start == 0)
        {
            output.Write("\"****\""u8);
            return true;
        }

        var tail = utf8[start..];
        var span = output.GetSpan(tail.Length + 6);
        "\"****"u8.CopyTo(span);
        tail.CopyTo(span[5..]);
        span[5 + tail.Length] = (byte)'"';
        output.Advance(tail.Length + 6);
        return true;
    }

    /// <summary>Writes the same bytes as <see cref="WriteHash(Utf8JsonWriter, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> straight to <paramref name="output"/>: base64url never needs escaping.</summary>
    public static void WriteHashRaw(IBufferWriter<byte> output, ReadOnlySpan<byte> key, ReadOnlySpan<byte> utf8)
    {
        var span = output.GetSpan(EncodedHashLength + 2);
        span[0] = (byte)'"';
        EncodeHash(key, utf8, span.Slice(1, EncodedHashLength));
        span[EncodedHashLength + 1] = (byte)'"';
        output.Advance(EncodedHashLength + 2);
    }

    // Characters the default JSON encoder writes unescaped, conservatively: ASCII letters, digits, space, - _ . @
    private static bool IsPlain(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)' ' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'@';

    /// <summary>Writes HMAC-SHA256(key, value) truncated to 128 bits, base64url: correlatable, not reversible without the key.</summary>
    public static void WriteHash(Utf8JsonWriter writer, ReadOnlySpan<byte> key, ReadOnlySpan<byte> utf8)
    {
        Span<byte> encoded = stackalloc byte[EncodedHashLength];
        EncodeHash(key, utf8, encoded);
        writer.WriteStringValue(encoded);
    }

    // The one place the hash is computed, so the raw and the writer paths cannot drift apart.
    private static void EncodeHash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> utf8, Span<byte> destination)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, utf8, mac);
        Base64Url.EncodeToUtf8(mac[..HashBytes], destination);
    }
}
