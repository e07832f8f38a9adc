using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ApiShield.Stores.Redis;

/// <summary>
/// The one multiplexer ApiShield's Redis stores share: the host's own, or one opened lazily from
/// <see cref="RedisOptions.ConnectionString"/> on first use.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly string? _connectionString;
    private readonly ILogger _logger;
    private readonly IServiceProvider _services;
    private readonly RedisMultiplexerSource? _source;
    private IConnectionMultiplexer? _multiplexer;
    private bool _owned;

    public RedisConnection(IOptions<ApiShieldOptions> options, ILogger<RedisConnection> logger, IServiceProvider services)
    {
        _logger = logger;
        _services = services;
        _source = services.GetService(typeof(RedisMultiplexerSource)) as RedisMultiplexerSource;
        _connectionString = options.Value.Redis.ConnectionString;
        InstanceName = options.Value.Redis.InstanceName;
        if (_source is null && string.IsNullOrWhiteSpace(_connectionString))
        {
            throw new InvalidOperationException("ApiShield:Redis:ConnectionString is not set; set it or call UseRedis(...) on the ApiShield builder.");
        }
    }

    public string InstanceName { get; }

    /// <summary>Whether the host named a Redis server (a connection string or its own multiplexer): shared stores go there.</summary>
    public static bool IsConfigured(IServiceProvider services)
        => services.GetService(typeof(RedisMultiplexerSource)) is not null
            || (services.GetService(typeof(IOptions<ApiShieldOptions>)) as IOptions<ApiShieldOptions>)?.Value.Redis.ConnectionString is { Length: > 0 };

    public async ValueTask<IConnectionMultiplexer> GetAsync()
    {
        if (Volatile.Read(ref _multiplexer) is { } existing)
        {
            return existing;
        }

        await _connectLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_multiplexer is null && _source is not null)
            {
                Volatile.Write(ref _multiplexer, _source.Get(_services));
            }

            if (_multiplexer is null)
            {
                var configuration = ConfigurationOptions.Parse(_connectionString!);

                // Start and keep retrying in the background rather than fail the host (and its replica) on a Redis
                // that is down; a write while disconnected fails at once instead of waiting in a backlog, so a
                // revocation is either durable or reported as failed.
                configuration.AbortOnConnectFail = false;
                configuration.BacklogPolicy = BacklogPolicy.FailFast;
                configuration.ReconnectRetryPolicy ??= new LinearRetry(1000);
                var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
                multiplexer.ConnectionFailed += (_, e) => StoresLog.RedisConnectionFailed(_logger, e.FailureType, e.Exception);
                multiplexer.ConnectionRestored += (_, _) => StoresLog.RedisConnectionRestored(_logger);
                _owned = true;
                Volatile.Write(ref _multiplexer, multiplexer);
            }

            return _multiplexer;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned && _multiplexer is { } multiplexer)
        {
            await multiplexer.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            multiplexer.Dispose();
        }

        _connectLock.Dispose();
    }
}
