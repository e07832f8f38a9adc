using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ApiShield.Tests.TestSupport;

/// <summary>
/// Middleware placed in front of ApiShield that counts the body bytes the rest of the pipeline reads, per request
/// (keyed by the <c>X-Probe</c> header): what the server would have pulled off the connection.
/// </summary>
internal sealed class BodyProbe
{
    public const string Header = "X-Probe";

    private readonly ConcurrentDictionary<string, CountingStream> _streams = new();

    public long BytesRead(string probe) => _streams.TryGetValue(probe, out var s) ? s.BytesRead : 0;

    public void Use(IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.Headers[Header].ToString() is { Length: > 0 } probe)
        {
            var counting = new CountingStream(context.Request.Body);
            _streams[probe] = counting;
            context.Request.Body = counting;
        }

        return next(context);
    });

    private sealed class CountingStream(Stream inner) : Stream
    {
        private long _read;

        public long BytesRead => Interlocked.Read(ref _read);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            Interlocked.Add(ref _read, read);
            return read;
        }
    }
}
