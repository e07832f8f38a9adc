using System.Net;

namespace ApiShield.Tests.TestSupport;

/// <summary>
/// A request body produced on demand in small chunks, optionally without a Content-Length (sent chunked), that counts
/// how many bytes the server actually pulled.
/// </summary>
internal sealed class StreamedJsonContent : HttpContent
{
    private readonly byte[] _prefix;
    private readonly byte _filler;
    private readonly long _total;
    private readonly bool _declareLength;
    private readonly int _chunk;

    public StreamedJsonContent(byte[] prefix, byte filler, long total, bool declareLength, int chunk = 4096)
    {
        _prefix = prefix;
        _filler = filler;
        _total = total;
        _declareLength = declareLength;
        _chunk = chunk;
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
    }

    public long BytesProduced { get; private set; }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var buffer = new byte[_chunk];
        while (BytesProduced < _total)
        {
            var count = (int)Math.Min(_chunk, _total - BytesProduced);
            for (var i = 0; i < count; i++)
            {
                var position = BytesProduced + i;
                buffer[i] = position < _prefix.Length ? _prefix[position] : _filler;
            }

            await stream.WriteAsync(buffer.AsMemory(0, count));
            BytesProduced += count;
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _total;
        return _declareLength;
    }
}
