using System.Buffers;
using System.Text.Json;

namespace ApiShield.Filtering;

/// <summary>
/// Rewrites a JSON (or whitespace-separated JSON values, for NDJSON) byte stream as it flows: a
/// <see cref="Utf8JsonReader"/> with carried <see cref="JsonReaderState"/> tokenizes each chunk, untouched byte ranges
/// are copied through, and only removed or replaced values are rewritten. Only a partial token (with the whitespace
/// before it) and a pending member name are carried between chunks, so memory is bounded by the maximum token size.
/// </summary>
/// <remarks>
/// Removing a member also removes the separator that belongs to it: a member's leading comma is written only when the
/// object already has a written member, so the output is always valid JSON.
/// </remarks>
internal sealed class JsonFilterEngine : IDisposable
{
    private const int MinAppend = 4096;
    private const int StackLimit = FilteringDefaults.MaxDepth + 2;
    private const int InitialFrames = 8;

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    private readonly FilterProgram _program;
    private readonly FilterCaller _caller;
    private readonly IBufferWriter<byte> _output;
    private readonly int _maxTokenSize;
    private readonly JsonReaderOptions _readerOptions;
    private readonly bool _useTypeRules;

    // What a response needs is set up lazily: most bodies are shallow, have nothing for the writer to replace and
    // arrive whole, so the frame stack starts small, and the writer and the carry buffer come only when first needed.
    private Frame[] _frames = new Frame[InitialFrames];
    private Utf8JsonWriter? _writer;

    private JsonReaderState _state;
    private int _depth;

    private byte[] _carry;
    private int _carryLength;
    private byte[]? _held;
    private int _heldLength;
    private int _heldNameOffset;
    private bool _holding;
    private byte[]? _scratch;
    private byte[]? _lower;

    private bool _pendingMember;
    private int _pendingGapStart;
    private int _pendingNameStart;
    private FilterState _childState;
    private bool _childDetect;

    // 0: normal; 1: dropping a container; 2: copying a container nothing inside can match.
    private int _mode;
    private int _modeDepth;
    private int _copyFrom;

    private int _runStart;
    private int _runEnd;
    private bool _sawInput;

    public JsonFilterEngine(FilterProgram program, FilterCaller caller, IBufferWriter<byte> output, int maxTokenSize, bool multipleValues, bool useTypeRules)
    {
        _program = program;
        _caller = caller;
        _output = output;
        _maxTokenSize = maxTokenSize;
        _useTypeRules = useTypeRules;
        _readerOptions = new JsonReaderOptions { AllowMultipleValues = multipleValues, MaxDepth = FilteringDefaults.MaxDepth };
        _state = new JsonReaderState(_readerOptions);
        _carry = [];
        InitializeRoot();
    }

    /// <summary>Filters the next chunk of the body.</summary>
    /// <exception cref="ResponseFilterException">The body is not valid JSON or holds a token over the size bound.</exception>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        _sawInput = true;
        var position = 0;
        while (position < data.Length)
        {
            if (_carryLength == 0)
            {
                var consumed = Process(data[position..], isFinalBlock: false);
                var tail = data[(position + consumed)..];
                if (tail.Length > _maxTokenSize)
                {
                    throw new ResponseFilterException("a JSON token is larger than ApiShield:Filtering:MaxTokenSize");
                }

                EnsureCarry(tail.Length);
                tail.CopyTo(_carry);
                _carryLength = tail.Length;
                return;
            }

            var old = _carryLength;
            var append = Math.Min(data.Length - position, Math.Max(old, MinAppend));
            EnsureCarry(old + append);
            data.Slice(position, append).CopyTo(_carry.AsSpan(old));
            var total = old + append;
            var used = Process(_carry.AsSpan(0, total), isFinalBlock: false);
            if (used >= old)
            {
                // The rest lies in the chunk itself: continue from there without copying.
                _carryLength = 0;
                position += used - old;
            }
            else
            {
                _carry.AsSpan(used, total - used).CopyTo(_carry);
                _carryLength = total - used;
                position += append;
                if (_carryLength > _maxTokenSize)
                {
                    throw new ResponseFilterException("a JSON token is larger than ApiShield:Filtering:MaxTokenSize");
                }
            }
        }
    }

    /// <summary>Filters what is left at the end of the body and checks the document is complete.</summary>
    public void Complete()
    {
        if (!_sawInput)
        {
            return;
        }

        Process(_carry.AsSpan(0, _carryLength), isFinalBlock: true);
        _carryLength = 0;
        if (_depth != 0 || _pendingMember || _mode != 0)
        {
            throw new ResponseFilterException("the JSON document is incomplete");
        }
    }

    /// <summary>Resets for another independent document (the next server-sent event line).</summary>
    public void Reset()
    {
        _state = new JsonReaderState(_readerOptions);
        _carryLength = 0;
        _holding = false;
        _pendingMember = false;
        _mode = 0;
        _sawInput = false;
        InitializeRoot();
    }

    public void Dispose()
    {
        _writer?.Dispose();
        if (_carry.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_carry);
        }

        if (_held is not null)
        {
            ArrayPool<byte>.Shared.Return(_held);
        }

        if (_scratch is not null)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
        }
    }

    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_childState))]
    private void InitializeRoot()
    {
        _depth = 0;
        var root = _useTypeRules ? _program.Automaton.RootWithTypes : _program.Automaton.Root;
        _childState = root;
        _frames[0] = new Frame(root, Written: false, Detect: _program.DetectorsEverywhere || root.EnablesDetectors, IsObject: false);
    }

    private int Process(ReadOnlySpan<byte> buffer, bool isFinalBlock)
    {
        // The token loop lives in its own method: locals of a method with a try block are not kept in registers.
        try
        {
            return ProcessTokens(buffer, isFinalBlock);
        }
        catch (JsonException ex)
        {
            throw new ResponseFilterException("the response is not valid JSON", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new ResponseFilterException("the response is not valid JSON", ex);
        }
        catch (ArgumentException ex)
        {
            throw new ResponseFilterException("the response holds a string that is not valid UTF-8", ex);
        }
    }

    private int ProcessTokens(ReadOnlySpan<byte> buffer, bool isFinalBlock)
    {
        var reader = new Utf8JsonReader(buffer, isFinalBlock, _state);
        _runStart = 0;
        _runEnd = 0;
        _copyFrom = 0;
        var lastEnd = 0;
        while (reader.Read())
        {
            var tokenStart = (int)reader.TokenStartIndex;
            var tokenEnd = (int)reader.BytesConsumed;
            var type = reader.TokenType;
            if (tokenEnd - tokenStart > _maxTokenSize)
            {
                // Enforced on every token, not only on those split across writes, so the outcome does not depend on chunking.
                throw new ResponseFilterException("a JSON token is larger than ApiShield:Filtering:MaxTokenSize");
            }

            if (_mode != 0)
            {
                if (type is JsonTokenType.EndObject or JsonTokenType.EndArray && reader.CurrentDepth == _modeDepth)
                {
                    if (_mode == 2)
                    {
                        Approve(_copyFrom, tokenEnd, buffer);
                    }

                    _mode = 0;
                }

                lastEnd = tokenEnd;
                continue;
            }

            Handle(ref reader, buffer, type, lastEnd, tokenStart, tokenEnd);
            lastEnd = tokenEnd;
        }

        // After a partial token the reader has skipped the whitespace before it but not kept it; carrying from the end
        // of the last whole token keeps that whitespace in the output (the reader skips it again harmlessly).
        var consumed = isFinalBlock ? (int)reader.BytesConsumed : lastEnd;
        _state = reader.CurrentState;
        if (_mode == 2)
        {
            Approve(_copyFrom, consumed, buffer);
        }
        else if (_mode == 0 && isFinalBlock && !_pendingMember)
        {
            Approve(lastEnd, consumed, buffer);
        }

        FlushRun(buffer);
        if (_pendingMember && _mode == 0 && !_holding)
        {
            // The name is here, its value in a later chunk: keep the member's bytes until the value decides their fate.
            var length = consumed - _pendingGapStart;
            EnsureHeld(length);
            buffer[_pendingGapStart..consumed].CopyTo(_held);
            _heldLength = length;
            _heldNameOffset = _pendingNameStart - _pendingGapStart;
            _holding = true;
        }

        return consumed;
    }

    private void Handle(ref Utf8JsonReader reader, ReadOnlySpan<byte> buffer, JsonTokenType type, int gapStart, int tokenStart, int tokenEnd)
    {
        var frame = _depth;
        if (type == JsonTokenType.PropertyName)
        {
            _pendingMember = true;
            _holding = false;
            _pendingGapStart = gapStart;
            _pendingNameStart = tokenStart;
            ComputeChild(frame, ref reader, isElement: false);
            return;
        }

        if (type is JsonTokenType.EndObject or JsonTokenType.EndArray)
        {
            Approve(gapStart, tokenEnd, buffer);
            _depth--;
            return;
        }

        var isMember = _frames[frame].IsObject && frame > 0;
        var isElement = !isMember && frame > 0;
        if (isElement)
        {
            ComputeChild(frame, ref reader, isElement: true);
        }
        else if (!isMember)
        {
            // A top-level value: the root set applies to its members, no rule to the value itself.
            _childState = _frames[0].State;
            _childDetect = _frames[0].Detect;
        }

        var rule = frame == 0 || !_childState.HasRules ? null : _caller.Effective(_childState);
        var container = type is JsonTokenType.StartObject or JsonTokenType.StartArray;
        SensitiveAction? action = rule?.Action;
        var detectorBit = -1;
        if (rule is null && _childDetect && !container && _program.Detectors != SensitiveDataDetectors.None)
        {
            detectorBit = Detect(ref reader, type);
            if (detectorBit >= 0)
            {
                rule = _program.DetectorRules[detectorBit];
                action = rule.Action;
                _caller.DetectorHit(detectorBit);
            }
        }

        if (action == SensitiveAction.Remove && frame > 0)
        {
            _caller.Applied(rule!, SensitiveAction.Remove);
            _pendingMember = false;
            _holding = false;
            if (container)
            {
                _mode = 1;
                _modeDepth = reader.CurrentDepth;
            }

            return;
        }

        if (action is SensitiveAction.Mask or SensitiveAction.Hash || (action == SensitiveAction.Remove && frame == 0))
        {
            _caller.Applied(rule!, action.Value);
            ApprovePrefix(buffer, frame, isMember, gapStart, tokenStart);
            FlushRun(buffer);
            WriteReplacement(ref reader, type, rule!, action.Value == SensitiveAction.Remove ? SensitiveAction.Mask : action.Value, detectorBit);
            _frames[frame].Written = true;
            _pendingMember = false;
            _holding = false;
            if (container)
            {
                _mode = 1;
                _modeDepth = reader.CurrentDepth;
            }

            return;
        }

        ApprovePrefix(buffer, frame, isMember, gapStart, tokenStart);
        Approve(tokenStart, tokenEnd, buffer);
        _frames[frame].Written = true;
        _pendingMember = false;
        _holding = false;
        if (!container)
        {
            return;
        }

        if (_childState.IsEmpty && !_childDetect)
        {
            // Nothing below can match: copy the container through without looking at its tokens.
            _mode = 2;
            _modeDepth = reader.CurrentDepth;
            _copyFrom = tokenEnd;
            return;
        }

        var next = frame + 1;
        if (next >= StackLimit)
        {
            throw new ResponseFilterException("the JSON document is nested too deeply");
        }

        if (next == _frames.Length)
        {
            Array.Resize(ref _frames, Math.Min(next * 2, StackLimit));
        }

        _frames[next] = new Frame(_childState, Written: false, Detect: _childDetect, IsObject: type == JsonTokenType.StartObject);
        _depth = next;
    }

    // Writes what precedes a kept value: for a member its separator, name and colon; for an element its separator.
    // The separator is dropped while the container has written nothing, since what it separated from was removed.
    private void ApprovePrefix(ReadOnlySpan<byte> buffer, int frame, bool isMember, int gapStart, int tokenStart)
    {
        var written = _frames[frame].Written || frame == 0;
        if (isMember && _holding)
        {
            FlushRun(buffer);
            var held = _held.AsSpan(0, _heldLength);
            WriteSeparatorGap(held[.._heldNameOffset], written);
            _output.Write(held[_heldNameOffset..]);
            Approve(0, tokenStart, buffer);
            return;
        }

        var prefixStart = isMember ? _pendingGapStart : gapStart;
        var nameStart = isMember ? _pendingNameStart : tokenStart;
        if (written)
        {
            Approve(prefixStart, tokenStart, buffer);
            return;
        }

        var comma = buffer[prefixStart..nameStart].IndexOf((byte)',');
        if (comma < 0)
        {
            Approve(prefixStart, tokenStart, buffer);
        }
        else
        {
            Approve(prefixStart, prefixStart + comma, buffer);
            Approve(prefixStart + comma + 1, tokenStart, buffer);
        }
    }

    private void WriteSeparatorGap(ReadOnlySpan<byte> gap, bool written)
    {
        var comma = written ? -1 : gap.IndexOf((byte)',');
        if (comma < 0)
        {
            _output.Write(gap);
            return;
        }

        _output.Write(gap[..comma]);
        _output.Write(gap[(comma + 1)..]);
    }

    private void Approve(int start, int end, ReadOnlySpan<byte> buffer)
    {
        if (start == end)
        {
            return;
        }

        if (start != _runEnd)
        {
            FlushRun(buffer);
            _runStart = start;
        }

        _runEnd = end;
    }

    private void FlushRun(ReadOnlySpan<byte> buffer)
    {
        if (_runEnd > _runStart)
        {
            _output.Write(buffer[_runStart.._runEnd]);
        }

        _runStart = _runEnd;
    }

    private void ComputeChild(int frame, ref Utf8JsonReader reader, bool isElement)
    {
        ref var parentFrame = ref _frames[frame];
        var parent = parentFrame.State;
        if (parent.IsEmpty)
        {
            _childState = parent;
            _childDetect = parentFrame.Detect;
            return;
        }

        if (isElement)
        {
            _childState = parent.Element();
        }
        else
        {
            var name = reader.ValueIsEscaped ? Unescape(ref reader) : reader.ValueSpan;
            ReadOnlySpan<byte> lower = default;
            var testPatterns = parent.MayMatchPattern(name);
            if (testPatterns)
            {
                if (_lower is null || _lower.Length < name.Length)
                {
                    _lower = new byte[Math.Max(name.Length, 64)];
                }

                lower = NamePattern.ToLower(name, _lower);
            }

            _childState = parent.Member(name, lower, testPatterns);
        }

        _childDetect = parentFrame.Detect || _childState.EnablesDetectors;
    }

    private int Detect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (type == JsonTokenType.Number)
        {
            return (_program.Detectors & SensitiveDataDetectors.PaymentCard) != 0 && SensitiveDataDetector.IsCardNumber(reader.ValueSpan) ? 0 : -1;
        }

        if (type != JsonTokenType.String)
        {
            return -1;
        }

        var value = reader.ValueIsEscaped ? Unescape(ref reader) : reader.ValueSpan;
        if (value.Length < 11 || !SensitiveDataDetector.TryFind(value, 0, _program.Detectors, out _, out _, out var kind))
        {
            return -1;
        }

        return System.Numerics.BitOperations.Log2((uint)kind);
    }

    private void WriteReplacement(ref Utf8JsonReader reader, JsonTokenType type, FilterRule rule, SensitiveAction action, int detectorBit)
    {
        // The common replacements go straight to the output; they are byte-for-byte what the writer would produce.
        if (detectorBit < 0)
        {
            if (type is JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False && action == SensitiveAction.Hash)
            {
                var key = _caller.HashKey ?? throw new ResponseFilterException("a rule hashes but ApiShield:Filtering:HashKey is not set");
                SensitiveValueRedactor.WriteHashRaw(_output, key, type == JsonTokenType.String && reader.ValueIsEscaped ? Unescape(ref reader) : reader.ValueSpan);
                return;
            }

            if (type != JsonTokenType.String)
            {
                _output.Write("null"u8);
                return;
            }

            if (SensitiveValueRedactor.TryWriteMaskedRaw(_output, reader.ValueIsEscaped ? Unescape(ref reader) : reader.ValueSpan, rule.KeepLast))
            {
                return;
            }
        }

        // Only scalars get here: a string that needs escaping, or a string or number a detector matched (detectors
        // never look at containers).
        var writer = _writer ??= new Utf8JsonWriter(_output, WriterOptions);
        writer.Reset();
        var value = type == JsonTokenType.String && reader.ValueIsEscaped ? Unescape(ref reader) : reader.ValueSpan;
        if (action == SensitiveAction.Hash)
        {
            var key = _caller.HashKey ?? throw new ResponseFilterException("a rule hashes but ApiShield:Filtering:HashKey is not set");
            SensitiveValueRedactor.WriteHash(writer, key, value);
        }
        else if (type != JsonTokenType.String)
        {
            writer.WriteNullValue();
        }
        else if (detectorBit >= 0)
        {
            WriteDetectorMasked(writer, value);
        }
        else
        {
            SensitiveValueRedactor.WriteMasked(writer, value, rule.KeepLast);
        }

        writer.Flush();
    }

    // Masks each detected span in place, keeping the text around it. The first match was counted when the value was
    // detected; only the further matches in the same string are counted here.
    private void WriteDetectorMasked(Utf8JsonWriter writer, ReadOnlySpan<byte> value)
    {
        var copy = ArrayPool<byte>.Shared.Rent(value.Length);
        try
        {
            var text = copy.AsSpan(0, value.Length);
            value.CopyTo(text);
            var position = 0;
            var matches = 0;
            while (SensitiveDataDetector.TryMaskNext(text, ref position, _program.Detectors, out var bit))
            {
                if (matches++ > 0)
                {
                    _caller.DetectorHit(bit);
                }
            }

            writer.WriteStringValue(text);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private ReadOnlySpan<byte> Unescape(scoped ref Utf8JsonReader reader)
    {
        var length = reader.ValueSpan.Length;
        if (_scratch is null || _scratch.Length < length)
        {
            if (_scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
            }

            _scratch = ArrayPool<byte>.Shared.Rent(Math.Max(length, 256));
        }

        var written = reader.CopyString(_scratch);
        return _scratch.AsSpan(0, written);
    }

    private void EnsureCarry(int length)
    {
        if (_carry.Length >= length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(length, Math.Max(MinAppend * 2, _carry.Length * 2)));
        _carry.AsSpan(0, _carryLength).CopyTo(larger);
        if (_carry.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_carry);
        }

        _carry = larger;
    }

    private void EnsureHeld(int length)
    {
        if (_held is not null && _held.Length >= length)
        {
            return;
        }

        if (_held is not null)
        {
            ArrayPool<byte>.Shared.Return(_held);
        }

        _held = ArrayPool<byte>.Shared.Rent(Math.Max(length, 256));
    }

    private record struct Frame(FilterState State, bool Written, bool Detect, bool IsObject);
}
