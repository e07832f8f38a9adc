using System.Text;
using System.Text.Json;
using ApiShield.Threats;
using BenchmarkDotNet.Attributes;

namespace ApiShield.Benchmarks.Threats;

/// <summary>
/// A JSON body through the limit checker (the same read-and-check loop the middleware runs, with every limit on)
/// against a plain read of the same body into the same pooled buffer, and against a bare System.Text.Json token walk
/// (what any JSON parser pays to read it) and the endpoint's own deserialization to a model.
/// </summary>
[MemoryDiagnoser]
public class JsonLimitBenchmarks
{
    private readonly JsonBodyChecker _checker = new();
    private byte[] _body = [];
    private JsonLimits _limits = null!;

    [Params(10 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var json = new StringBuilder("{\"orders\":[");
        var bytes = json.Length + 2;
        for (var i = 0; ; i++)
        {
            var order = new StringBuilder(i == 0 ? "" : ",")
                .Append("{\"id\":").Append(i)
                .Append(",\"product\":\"Widget n\\u00b0").Append(i).Append(" \u2013 blue\",\"quantity\":").Append(i % 17)
                .Append(",\"price\":").Append(((i * 0.25) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(",\"gift\":").Append(i % 2 == 0 ? "true" : "false")
                .Append(",\"tags\":[\"a\",\"bb\",\"ccc\"],\"note\":null}")
                .ToString();
            var size = Encoding.UTF8.GetByteCount(order);
            if (bytes + size > Size)
            {
                break;
            }

            json.Append(order);
            bytes += size;
        }

        json.Append("]}").Append(' ', Size - bytes);
        _body = Encoding.UTF8.GetBytes(json.ToString());
        _limits = new JsonLimits(new JsonLimitOptions { MaxBodySize = 2 * 1024 * 1024, MaxArrayLength = 100_000 });
    }

    [Benchmark(Baseline = true)]
    public async Task<long> PlainRead()
    {
        using var stream = new NetworkLikeStream(_body);
        using var buffer = new RequestBodyBuffer();
        while (true)
        {
            var read = await stream.ReadAsync(buffer.GetMemory(_limits.MaxBodySize + 1 - buffer.Length, _body.Length));
            if (read == 0)
            {
                return buffer.Length;
            }

            buffer.Advance(read);
        }
    }

    [Benchmark]
    public async Task<long> LimitChecker()
    {
        using var stream = new NetworkLikeStream(_body);
        using var buffer = new RequestBodyBuffer();
        _checker.Reset(_limits, injection: null);
        var (kind, _) = await JsonBodyReader.ReadAsync(stream, _body.Length, buffer, _checker, _limits, CancellationToken.None);
        return kind == ThreatKind.None ? buffer.Length : throw new InvalidOperationException(kind.ToString());
    }

    /// <summary>What the endpoint pays anyway: System.Text.Json binding the body to its model.</summary>
    [Benchmark]
    public int Deserialize() => JsonSerializer.Deserialize<OrderBatch>(_body, JsonSerializerOptions.Web)!.Orders.Count;

    [Benchmark]
    public int TokenWalk()
    {
        var reader = new Utf8JsonReader(_body);
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }
}
