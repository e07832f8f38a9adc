using ApiShield.Benchmarks.Infrastructure;
using ApiShield.Tokens;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;

namespace ApiShield.Benchmarks.Tokens;

/// <summary>
/// Reading one well-formed bearer token from the <c>Authorization</c> header: ApiShield's RFC 6750 reader, which also
/// checks the query, the b64token syntax and the length, against the <c>StartsWith</c> + <c>Substring</c> most code does.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SharedMachineConfig))]
public class BearerCredentialReaderBenchmarks
{
    private const string Prefix = "Bearer ";

    private HttpRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var tokens = new BenchmarkTokens();
        var token = tokens.Create(new Dictionary<string, object> { ["sub"] = "client-1", ["scope"] = "orders:read orders:write" });
        _request = new DefaultHttpContext().Request;
        _request.Headers.Authorization = Prefix + token;

        if (Naive_StartsWithSubstring() != token || !ApiShield_Read())
        {
            throw new InvalidOperationException("The readers disagree on a well-formed bearer token.");
        }
    }

    [Benchmark(Baseline = true)]
    public string? Naive_StartsWithSubstring()
    {
        string header = _request.Headers.Authorization!;
        return header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? header.Substring(Prefix.Length).Trim() : null;
    }

    [Benchmark]
    public bool ApiShield_Read() => BearerCredentialReader.Read(_request, TokenDefaults.MaxTokenLength) == BearerCredentialStatus.Present;
}
