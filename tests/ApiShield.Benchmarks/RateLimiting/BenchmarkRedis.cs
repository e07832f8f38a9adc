using StackExchange.Redis;

namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// The Redis server the rate-limit benchmarks use, named by <c>APISHIELD_BENCH_REDIS</c> (default <c>127.0.0.1:6390</c>).
/// It must be a server of its own: the benchmarks flush it.
/// </summary>
internal static class BenchmarkRedis
{
    public const string AddressVariable = "APISHIELD_BENCH_REDIS";

    public const string DefaultAddress = "127.0.0.1:6390";

    public static string Address => Environment.GetEnvironmentVariable(AddressVariable) is { Length: > 0 } address ? address : DefaultAddress;

    /// <summary>Connects (admin commands allowed, for <c>FLUSHDB</c> and <c>CONFIG RESETSTAT</c>) and empties the database.</summary>
    public static async Task<ConnectionMultiplexer> ConnectAndFlushAsync()
    {
        var options = ConfigurationOptions.Parse(Address);
        options.AllowAdmin = true;
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        if (!multiplexer.IsConnected)
        {
            throw new InvalidOperationException($"No Redis at {Address}: start one (docs/benchmarks.md) or set {AddressVariable}.");
        }

        await Server(multiplexer).FlushDatabaseAsync().ConfigureAwait(false);
        return multiplexer;
    }

    public static IServer Server(IConnectionMultiplexer multiplexer) => multiplexer.GetServer(multiplexer.GetEndPoints()[0]);
}
