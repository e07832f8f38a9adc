namespace ApiShield.Benchmarks.Threats;

/// <summary>The model the benchmark body binds to.</summary>
public sealed record OrderBatch(IReadOnlyList<BenchmarkOrder> Orders);

/// <summary>One order of <see cref="OrderBatch"/>.</summary>
public sealed record BenchmarkOrder(int Id, string Product, int Quantity, decimal Price, bool Gift, string[] Tags, string? Note);
