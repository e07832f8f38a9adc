namespace ApiShield.Threats;

/// <summary>
/// What the endpoint reads as <c>Request.Body</c> once the body has been checked: the buffered bytes, unchanged, then
/// (in report-only mode, when checking stopped early) the rest of the original body.
/// </summary>
internal sealed class BufferedBodyStream(RequestBodyBuffer buffer, Stream? rest) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => rest is null;

    public override bool CanWrite => false;

    public override long Length => rest is null ? buffer.Length : throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        var copied = buffer.CopyTo(_position, destination);
        _position += copied;
        if (copied == 0 && rest is not null)
        {
            copied = rest.Read(destination);
            _position += copied;
        }

        return copied;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty)
        {
            return ValueTask.FromResult(0);
        }

        var copied = buffer.CopyTo(_position, destination.Span);
        if (copied > 0 || rest is null)
        {
            _position += copied;
            return ValueTask.FromResult(copied);
        }

        return ReadRestAsync(destination, cancellationToken);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (rest is not null)
        {
            throw new NotSupportedException();
        }

        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => buffer.Length + offset,
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private async ValueTask<int> ReadRestAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var read = await rest!.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        _position += read;
        return read;
    }
}
