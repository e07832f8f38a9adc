using System.Buffers;
using System.Text;
using System.Text.Json;
using ApiShield.Revocation;

namespace ApiShield.Stores.Redis;

/// <summary>The compact JSON a revocation change is stored as: <c>{"k":0,"v":"…","b":ms,"e":ms,"r":"…","u":true}</c>.</summary>
internal static class RevocationChangeCodec
{
    public static string Field(RevocationEntry entry) => (int)entry.Kind + ":" + entry.Value;

    public static string Encode(RevocationChange change)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var entry = change.Entry;
            writer.WriteStartObject();
            writer.WriteNumber("k", (int)entry.Kind);
            writer.WriteString("v", entry.Value);
            writer.WriteNumber("b", entry.IssuedBefore.ToUnixTimeMilliseconds());
            writer.WriteNumber("e", entry.ExpiresAt.ToUnixTimeMilliseconds());
            if (entry.Reason is not null)
            {
                writer.WriteString("r", entry.Reason);
            }

            if (change.IsUndo)
            {
                writer.WriteBoolean("u", true);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static RevocationChange Decode(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var kind = (RevocationKind)root.GetProperty("k").GetInt32();
        if (!Enum.IsDefined(kind))
        {
            throw new FormatException("Unknown revocation kind.");
        }

        var entry = new RevocationEntry(
            kind,
            root.GetProperty("v").GetString() ?? throw new FormatException("Missing value."),
            DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("b").GetInt64()),
            DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("e").GetInt64()),
            root.TryGetProperty("r", out var reason) ? reason.GetString() : null);
        var isUndo = root.TryGetProperty("u", out var undo) && undo.GetBoolean();
        return new RevocationChange(entry, isUndo);
    }
}
