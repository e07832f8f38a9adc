using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ApiShield.Threats;

/// <summary>
/// Checks a JSON body against <see cref="JsonLimits"/> as it arrives, one block at a time, carrying the reader's
/// <see cref="JsonReaderState"/> between blocks. <see cref="Utf8JsonReader"/> is iterative, so nesting never grows the
/// stack; the reader runs with the options System.Text.Json's deserializer uses (no comments, no trailing commas), so
/// every body that passes is one the endpoint's deserializer accepts. Instances are pooled and reused.
/// </summary>
internal sealed class JsonBodyChecker
{
    // A JSON escape (\uXXXX) is the longest spelling of one UTF-16 code unit.
    private const int MaxBytesPerCodeUnit = 6;
    private const int ScratchSize = 1024;

    private readonly PropertyNameSet _names = new();
    private readonly char[] _scratch = new char[ScratchSize];
    private JsonLimits _limits = null!;
    private InjectionMatcher? _injection;
    private JsonReaderState _state;
    private bool _started;
    private bool _validateStrings;
    private int[] _counts = new int[ThreatDefaults.MaxDepth + 2];
    private bool[] _isArray = new bool[ThreatDefaults.MaxDepth + 2];

    /// <summary>The name of the injection rule set that matched a string value, when the result is <see cref="ThreatKind.Injection"/>.</summary>
    public string? MatchedRuleSet { get; private set; }

    public void Reset(JsonLimits limits, InjectionMatcher? injection)
    {
        _limits = limits;
        _injection = injection;
        _started = false;
        MatchedRuleSet = null;
        _names.Reset(limits.MaxDepth);
        if (_counts.Length < limits.MaxDepth + 2)
        {
            _counts = new int[limits.MaxDepth + 2];
            _isArray = new bool[limits.MaxDepth + 2];
        }

        _state = new JsonReaderState(new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,

            // One more than the limit, so that crossing it is reported as depth rather than as a syntax error.
            MaxDepth = limits.MaxDepth + 1,
        });
    }

    /// <summary>Checks the complete tokens in <paramref name="data"/>; <paramref name="consumed"/> says how far it got.</summary>
    public ThreatKind Check(ReadOnlySequence<byte> data, bool isFinalBlock, out long consumed)
    {
        consumed = 0;
        if (!_started)
        {
            if (data.Length < 4 && !isFinalBlock)
            {
                return ThreatKind.None;
            }

            _started = true;
            if (HasForeignEncoding(data))
            {
                return ThreatKind.InvalidEncoding;
            }
        }

        // Outside strings the reader admits ASCII only, so one vectorised pass over a contiguous block validates every
        // string in it; a block split across buffers validates string by string instead.
        _validateStrings = !data.IsSingleSegment;
        var reader = new Utf8JsonReader(data, isFinalBlock, _state);
        try
        {
            while (reader.Read())
            {
                var kind = CheckToken(ref reader);
                if (kind != ThreatKind.None)
                {
                    return kind;
                }
            }
        }
        catch (JsonException)
        {
            return ThreatKind.MalformedJson;
        }

        _state = reader.CurrentState;
        consumed = reader.BytesConsumed;

        // Token boundaries never split a character, so the consumed bytes are whole characters.
        if (!_validateStrings && !Utf8.IsValid(data.FirstSpan[..(int)consumed]))
        {
            return ThreatKind.InvalidEncoding;
        }

        return ThreatKind.None;
    }

    // RFC 8259 §8.1: JSON is exchanged as UTF-8 without a byte order mark. The deserializer would skip a UTF-8 BOM,
    // other parsers would not; refusing it leaves no room for two readings of one body. A NUL in the first two
    // bytes is UTF-16 or UTF-32 without a BOM (RFC 4627 §3).
    private static bool HasForeignEncoding(ReadOnlySequence<byte> data)
    {
        Span<byte> head = stackalloc byte[3];
        var length = (int)Math.Min(data.Length, 3);
        data.Slice(0, length).CopyTo(head);
        head = head[..length];
        return head switch
        {
            [0xEF, 0xBB, 0xBF, ..] => true,
            [0xFE, 0xFF, ..] or [0xFF, 0xFE, ..] => true,
            [0x00, ..] or [_, 0x00, ..] => true,
            _ => false,
        };
    }

    private ThreatKind CheckToken(ref Utf8JsonReader reader)
    {
        var level = reader.CurrentDepth;
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                if (CountElement(level))
                {
                    return ThreatKind.ArrayLengthExceeded;
                }

                var inner = level + 1;
                if (inner > _limits.MaxDepth)
                {
                    return ThreatKind.DepthExceeded;
                }

                _counts[inner] = 0;
                _isArray[inner] = reader.TokenType == JsonTokenType.StartArray;
                if (!_isArray[inner])
                {
                    _names.Open(inner);
                }

                return ThreatKind.None;

            case JsonTokenType.EndObject:
                _names.Close(level + 1);
                return ThreatKind.None;

            case JsonTokenType.PropertyName:
                if (++_counts[level] > _limits.MaxObjectEntries)
                {
                    return ThreatKind.ObjectEntriesExceeded;
                }

                return CheckString(ref reader, _limits.MaxPropertyNameLength, ThreatKind.PropertyNameTooLong, _limits.RejectDuplicateProperties ? level : 0);

            case JsonTokenType.String:
                if (CountElement(level))
                {
                    return ThreatKind.ArrayLengthExceeded;
                }

                return CheckString(ref reader, _limits.MaxStringLength, ThreatKind.StringTooLong, 0);

            case JsonTokenType.Number:
                if (CountElement(level))
                {
                    return ThreatKind.ArrayLengthExceeded;
                }

                var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
                return length > _limits.MaxNumberLength ? ThreatKind.NumberTooLong : ThreatKind.None;

            case JsonTokenType.True:
            case JsonTokenType.False:
            case JsonTokenType.Null:
                return CountElement(level) ? ThreatKind.ArrayLengthExceeded : ThreatKind.None;

            default:
                return ThreatKind.None;
        }
    }

    /// <summary>Counts a value at <paramref name="level"/>; true when that makes its array too long.</summary>
    private bool CountElement(int level) => level > 0 && _isArray[level] && ++_counts[level] > _limits.MaxArrayLength;

    // nameLevel is the level of the containing object when duplicate names are checked, 0 otherwise.
    private ThreatKind CheckString(ref Utf8JsonReader reader, int maxLength, ThreatKind tooLong, int nameLevel)
    {
        var needChars = _injection is not null && tooLong == ThreatKind.StringTooLong;
        if (!reader.HasValueSequence)
        {
            var raw = reader.ValueSpan;

            // The reader checks structure only; the deserializer would fail on invalid UTF-8 in a string.
            if (_validateStrings && !Utf8.IsValid(raw))
            {
                return ThreatKind.InvalidEncoding;
            }

            if (!reader.ValueIsEscaped)
            {
                // A code unit takes at least one byte, so only a string longer in bytes than the limit needs counting.
                if (raw.Length > maxLength && Encoding.UTF8.GetCharCount(raw) > maxLength)
                {
                    return tooLong;
                }

                if (nameLevel != 0 && !_names.Add(nameLevel, PropertyNameSet.Hash(raw)))
                {
                    return ThreatKind.DuplicateProperty;
                }

                return needChars ? MatchUtf8(raw) : ThreatKind.None;
            }

            // An escape is never shorter than what it stands for, so a short escaped value is within the limit; what
            // is left to check without unescaping it is that escaped surrogates come in pairs.
            if (raw.Length <= maxLength && nameLevel == 0 && !needChars)
            {
                return HasUnpairedSurrogateEscape(raw) ? ThreatKind.InvalidEncoding : ThreatKind.None;
            }
        }

        var rawLength = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (rawLength > (long)maxLength * MaxBytesPerCodeUnit)
        {
            return tooLong;
        }

        var rented = rawLength > ScratchSize ? ArrayPool<char>.Shared.Rent((int)rawLength) : null;
        var chars = rented ?? _scratch;
        try
        {
            int written;
            try
            {
                // Unescapes and transcodes; throws on invalid UTF-8 and on escaped lone surrogates, as the deserializer does.
                written = reader.CopyString(chars);
            }
            catch (InvalidOperationException)
            {
                return ThreatKind.InvalidEncoding;
            }

            var value = chars.AsSpan(0, written);
            if (written > maxLength)
            {
                return tooLong;
            }

            if (nameLevel != 0 && !_names.Add(nameLevel, HashChars(value)))
            {
                return ThreatKind.DuplicateProperty;
            }

            return needChars ? Match(value) : ThreatKind.None;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    // The reader has checked that every '\u' is followed by four hex digits.
    private static bool HasUnpairedSurrogateEscape(ReadOnlySpan<byte> raw)
    {
        var i = raw.IndexOf((byte)'\\');
        while (i >= 0)
        {
            var step = 2;
            if (raw[i + 1] == (byte)'u')
            {
                var unit = ParseHex(raw.Slice(i + 2, 4));
                if (unit is >= 0xDC00 and <= 0xDFFF)
                {
                    return true;
                }

                step = 6;
                if (unit is >= 0xD800 and <= 0xDBFF)
                {
                    if (raw.Length < i + 12 || raw[i + 6] != (byte)'\\' || raw[i + 7] != (byte)'u'
                        || ParseHex(raw.Slice(i + 8, 4)) is < 0xDC00 or > 0xDFFF)
                    {
                        return true;
                    }

                    step = 12;
                }
            }

            var next = raw[(i + step)..].IndexOf((byte)'\\');
            i = next < 0 ? -1 : i + step + next;
        }

        return false;
    }

    private static int ParseHex(ReadOnlySpan<byte> digits)
    {
        var value = 0;
        foreach (var d in digits)
        {
            value = (value << 4) | (d <= '9' ? d - '0' : (d | 0x20) - 'a' + 10);
        }

        return value;
    }

    private ThreatKind MatchUtf8(ReadOnlySpan<byte> raw)
    {
        var chars = ArrayPool<char>.Shared.Rent(raw.Length);
        try
        {
            var written = Encoding.UTF8.GetChars(raw, chars);
            return Match(chars.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private ThreatKind Match(ReadOnlySpan<char> value)
    {
        MatchedRuleSet = _injection!.Match(value);
        return MatchedRuleSet is null ? ThreatKind.None : ThreatKind.Injection;
    }

    private static ulong HashChars(ReadOnlySpan<char> value)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(value.Length));
        try
        {
            var count = Encoding.UTF8.GetBytes(value, bytes);
            return PropertyNameSet.Hash(bytes.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
