using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ApiShield.Diagnostics;
using ApiShield.Filtering;
using ApiShield.Scopes;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ApiShield.Benchmarks.Filtering;

/// <summary>Serialization-time filtering (the contract modifier) against plain serialization of the same objects.</summary>
[MemoryDiagnoser]
[Config(typeof(FilteringBenchmarkConfig))]
public class SerializationFilterBenchmarks
{
    private readonly MemoryStream _stream = new();
    private List<BenchOrder> _orders = [];
    private JsonSerializerOptions _plain = null!;
    private JsonSerializerOptions _filtered = null!;

    [Params(100, 10_000)]
    public int Orders { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _orders = [.. Enumerable.Range(0, Orders).Select(i => new BenchOrder(
            i,
            "shipped",
            new BenchCustomer($"Customer {i}", $"customer{i}@example.com", "078-05-1120", "4111111111111111"),
            [new BenchItem($"SKU-{i % 97}", 1 + (i % 5), 19.99m), new BenchItem("SKU-1", 1, 5.5m)],
            45.48m))];

        var options = Options.Create(new ApiShieldOptions());
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var evaluator = new ScopeEvaluator(options);
        var accessor = new HttpContextAccessor();
        var context = new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("scope", "orders:read")], "bench")) };
        context.Features.Set(new FilteringFeature(new FilterCaller(context.User, evaluator, null, NullLogger.Instance), FilterProgram.Empty));
        accessor.HttpContext = context;
        var modifier = new SensitiveJsonModifier(accessor, evaluator, new ScopeRegistry(), new ApiShieldMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), options, NullLogger<SensitiveJsonModifier>.Instance);

        _plain = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        _filtered = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver().WithAddedModifier(modifier.Modify) };
    }

    [Benchmark(Baseline = true)]
    public long PlainSerialization()
    {
        _stream.Position = 0;
        JsonSerializer.Serialize(_stream, _orders, _plain);
        return _stream.Position;
    }

    [Benchmark]
    public long FilteredSerialization()
    {
        _stream.Position = 0;
        JsonSerializer.Serialize(_stream, _orders, _filtered);
        return _stream.Position;
    }
}

public sealed record BenchOrder(int Id, string Status, BenchCustomer Customer, IReadOnlyList<BenchItem> Items, decimal Total);

public sealed record BenchCustomer(
    string Name,
    [property: Sensitive(VisibleWithScope = "pii:read", Otherwise = SensitiveAction.Mask)] string Email,
    [property: Sensitive] string Ssn,
    [property: Sensitive(Otherwise = SensitiveAction.Mask, KeepLast = 4)] string Card);

public sealed record BenchItem(string Sku, int Quantity, decimal Price);
