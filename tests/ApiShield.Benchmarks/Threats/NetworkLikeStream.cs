namespace ApiShield.Benchmarks.Threats;

/// <summary>A body that arrives 16 KiB per read, as a server's request stream hands it over, rather than all at once.</summary>
internal sealed class NetworkLikeStream(byte[] body) : MemoryStream(body, writable: false)
{
    private const int ReadSize = 16 * 1024;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        base.ReadAsync(buffer.Length > ReadSize ? buffer[..ReadSize] : buffer, cancellationToken);
}
