using System.Buffers;

namespace ApiShield.Filtering;

/// <summary>
/// Filters a <c>text/event-stream</c> body line by line (HTML Living Standard §9.2.5): the payload of each
/// <c>data:</c> line that holds JSON goes through the JSON filter as its own document; other data lines go through the
/// detectors as text; field lines such as <c>event:</c> and <c>id:</c> pass unchanged. A line is held until it ends,
/// bounded by the maximum token size.
/// </summary>
internal sealed class EventStreamFilter : IDisposable
{
    private readonly JsonFilterEngine _engine;
    private readonly IBufferWriter<byte> _output;
    private readonly FilterProgram _program;
    private readonly FilterCaller _caller;
    private readonly int _maxLine;
    private readonly PooledBufferWriter _line = new(1024);

    public EventStreamFilter(FilterProgram program, FilterCaller caller, IBufferWriter<byte> output, int maxTokenSize, bool useTypeRules)
    {
        _program = program;
        _caller = caller;
        _output = output;
        _maxLine = maxTokenSize;
        _engine = new JsonFilterEngine(program, caller, output, maxTokenSize, multipleValues: false, useTypeRules);
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var end = data.IndexOfAny((byte)'\n', (byte)'\r');
            if (end < 0)
            {
                Append(data);
                return;
            }

            Append(data[..end]);
            FilterLine(_line.WrittenSpan);
            _output.Write(data.Slice(end, 1));
            _line.Clear();
            data = data[(end + 1)..];
        }
    }

    public void Complete()
    {
        if (_line.WrittenCount > 0)
        {
            FilterLine(_line.WrittenSpan);
            _line.Clear();
        }
    }

    public void Dispose()
    {
        _engine.Dispose();
        _line.Dispose();
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_line.WrittenCount + data.Length > _maxLine)
        {
            throw new ResponseFilterException("an event-stream line is larger than ApiShield:Filtering:MaxTokenSize");
        }

        _line.Write(data);
    }

    private void FilterLine(ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith("data:"u8))
        {
            _output.Write(line);
            return;
        }

        var prefix = line.Length > 5 && line[5] == ' ' ? 6 : 5;
        var payload = line[prefix..];
        _output.Write(line[..prefix]);
        var first = payload.TrimStart(" \t"u8);
        if (!first.IsEmpty && first[0] is (byte)'{' or (byte)'[' or (byte)'"')
        {
            _engine.Reset();
            _engine.Write(payload);
            _engine.Complete();
            return;
        }

        WriteText(payload);
    }

    private void WriteText(ReadOnlySpan<byte> text)
    {
        if (_program.Detectors == SensitiveDataDetectors.None
            || !SensitiveDataDetector.TryFind(text, 0, _program.Detectors, out _, out _, out _))
        {
            _output.Write(text);
            return;
        }

        var copy = ArrayPool<byte>.Shared.Rent(text.Length);
        var masked = copy.AsSpan(0, text.Length);
        text.CopyTo(masked);
        var position = 0;
        while (SensitiveDataDetector.TryMaskNext(masked, ref position, _program.Detectors, out var bit))
        {
            _caller.DetectorHit(bit);
            _caller.Applied(_program.DetectorRules[bit], SensitiveAction.Mask);
        }

        _output.Write(masked);
        ArrayPool<byte>.Shared.Return(copy);
    }
}
