using System.Net;
using System.Net.Sockets;
using Garnet;
using StackExchange.Redis;

namespace ApiShield.Tests.TestSupport;

/// <summary>
/// A real Redis-protocol server over TCP for Redis-backed tests: an embedded Microsoft Garnet on a free loopback port,
/// or the server named by <c>APISHIELD_TEST_REDIS</c> (a StackExchange.Redis connection string) when that is set.
/// Tests isolate themselves with <see cref="NewInstanceName"/>; one server is shared by the whole run.
/// </summary>
internal sealed class RedisServerFixture : IAsyncDisposable
{
    public const string EnvironmentVariable = "APISHIELD_TEST_REDIS";

    private static readonly Lazy<RedisServerFixture> SharedInstance = new(() => new RedisServerFixture(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Lock _lock = new();
    private readonly int _port;
    private readonly string _adminConnectionString;
    private readonly TcpOutageProxy? _proxy;
    private GarnetServer? _garnet;
    private ConnectionMultiplexer? _admin;

    private RedisServerFixture()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            // The API hosts reach the external server through a proxy this run can cut, to stage outages.
            IsExternal = true;
            _adminConnectionString = external;
            var (host, port) = EndPointOf(external);
            _proxy = new TcpOutageProxy(host, port == 0 ? 6379 : port);
            var options = ConfigurationOptions.Parse(external);
            options.EndPoints.Clear();
            options.EndPoints.Add(IPAddress.Loopback, _proxy.Port);
            ConnectionString = options.ToString();
            return;
        }

        _port = FreePort();
        ConnectionString = $"127.0.0.1:{_port}";
        _adminConnectionString = ConnectionString;
        _garnet = StartGarnet(_port);
    }

    /// <summary>The server every Redis test of this run uses.</summary>
    public static RedisServerFixture Shared => SharedInstance.Value;

    /// <summary>Whether the server is the one named by <c>APISHIELD_TEST_REDIS</c> rather than embedded Garnet.</summary>
    public bool IsExternal { get; }

    public string ConnectionString { get; }

    /// <summary>The host and port of a StackExchange.Redis connection string's first endpoint.</summary>
    public static (string Host, int Port) EndPointOf(string connectionString)
        => ConfigurationOptions.Parse(connectionString).EndPoints[0] switch
        {
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            DnsEndPoint dns => (dns.Host, dns.Port),
            _ => throw new InvalidOperationException($"'{connectionString}' names an endpoint of an unknown kind."),
        };

    /// <summary>A key prefix no other test uses.</summary>
    public static string NewInstanceName(string test) => $"t-{test}-{Guid.NewGuid():N}:";

    /// <summary>
    /// Takes the server away: embedded Garnet stops (and restarts empty, as a Redis without persistence does); an
    /// external server, which this run cannot restart, becomes unreachable (its data stays).
    /// </summary>
    public Task StopAsync()
    {
        if (_proxy is not null)
        {
            _proxy.Cut();
            return Task.CompletedTask;
        }

        lock (_lock)
        {
            _garnet?.Dispose();
            _garnet = null;
        }

        return Task.CompletedTask;
    }

    /// <summary>Brings the server back on the same port (embedded Garnet starts empty, as a Redis without persistence does).</summary>
    public Task StartAsync()
    {
        if (_proxy is not null)
        {
            _proxy.Restore();
            return Task.CompletedTask;
        }

        lock (_lock)
        {
            _garnet ??= StartGarnet(_port);
        }

        return Task.CompletedTask;
    }

    /// <summary>A connection for tests' own inspection of the server.</summary>
    public async Task<ConnectionMultiplexer> AdminAsync()
    {
        if (_admin is { } admin)
        {
            return admin;
        }

        var options = ConfigurationOptions.Parse(_adminConnectionString);
        options.AllowAdmin = true;
        options.AbortOnConnectFail = false;
        _admin = await ConnectionMultiplexer.ConnectAsync(options);
        return _admin;
    }

    public async ValueTask DisposeAsync()
    {
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        _garnet?.Dispose();
        _proxy?.Dispose();
    }

    private static GarnetServer StartGarnet(int port)
    {
        // Garnet's command-line options fill in the defaults its options object leaves null (Lua's among them).
        var server = new GarnetServer(
        [
            "--bind", "127.0.0.1",
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--lua", "true",

            // Without it Garnet runs a script without locking its keys, so two scripts can interleave (a rate-limit
            // decision is then not atomic: over-admission under concurrency). Redis always runs scripts atomically.
            "--lua-transaction-mode", "true",
            "--memory", "64m",
            "--index", "16m",
        ]);
        server.Start();
        return server;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
