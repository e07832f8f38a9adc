using System.Buffers;

namespace ApiShield.Threats;

/// <summary>
/// The body as read so far, in arrays rented from <see cref="ArrayPool{T}.Shared"/> that double in size: a body of
/// n bytes takes O(log n) rentals and no copy. It is retained until the endpoint is done, then returned to the pool.
/// </summary>
internal sealed class RequestBodyBuffer : IDisposable
{
    private const int MinimumSegment = 4096;
    private const int MaximumSegment = 1024 * 1024;

    private BodySegment? _first;
    private BodySegment? _last;

    public long Length { get; private set; }

    /// <summary>Free space to read into, at most <paramref name="limit"/> bytes; <paramref name="expected"/> sizes the first array.</summary>
    public Memory<byte> GetMemory(long limit, long expected)
    {
        if (_last is null || _last.Written == _last.Array.Length)
        {
            var size = _last is null
                ? (int)Math.Clamp(expected, MinimumSegment, MaximumSegment)
                : Math.Min(_last.Array.Length * 2, MaximumSegment);
            size = (int)Math.Max(Math.Min(size, limit), 1);
            var segment = new BodySegment(ArrayPool<byte>.Shared.Rent(size), Length);
            if (_last is null)
            {
                _first = segment;
            }
            else
            {
                _last.Link(segment);
            }

            _last = segment;
        }

        var free = _last.Array.Length - _last.Written;
        return _last.Array.AsMemory(_last.Written, (int)Math.Min(free, limit));
    }

    public void Advance(int count)
    {
        _last!.Written += count;
        Length += count;
    }

    /// <summary>The bytes from <paramref name="start"/> to the end.</summary>
    public ReadOnlySequence<byte> Slice(long start)
    {
        if (_first is null || start >= Length)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var segment = _first;
        while (start >= segment.RunningIndex + segment.Written)
        {
            segment = (BodySegment)segment.Next!;
        }

        return new ReadOnlySequence<byte>(segment, (int)(start - segment.RunningIndex), _last!, _last!.Written);
    }

    /// <summary>Copies bytes from <paramref name="position"/> into <paramref name="destination"/>; returns how many.</summary>
    public int CopyTo(long position, Span<byte> destination)
    {
        var copied = 0;
        for (var segment = _first; segment is not null && copied < destination.Length; segment = (BodySegment?)segment.Next)
        {
            var end = segment.RunningIndex + segment.Written;
            if (position >= end)
            {
                continue;
            }

            var offset = (int)(position - segment.RunningIndex);
            var count = Math.Min(segment.Written - offset, destination.Length - copied);
            segment.Array.AsSpan(offset, count).CopyTo(destination[copied..]);
            copied += count;
            position += count;
        }

        return copied;
    }

    public void Dispose()
    {
        for (var segment = _first; segment is not null; segment = (BodySegment?)segment.Next)
        {
            ArrayPool<byte>.Shared.Return(segment.Array);
        }

        _first = _last = null;
        Length = 0;
    }
}
