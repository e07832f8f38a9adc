using ApiShield.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// ApiShield's limiter as the middleware drives it: <see cref="RateLimitEngine"/> over the store <c>AddApiShield()</c>
/// registers (Redis when a multiplexer is given, in memory otherwise), called with compiled rules and hashed partitions.
/// </summary>
internal sealed class ApiShieldDecider : IRateLimitDecider
{
    private readonly IHost _host;
    private readonly RateLimitEngine _engine;
    private readonly ReadOnlyMemory<RateLimitCharge>[] _charges;
    private readonly RateLimitVerdict[][] _verdicts;
    private readonly bool _storeOnly;

    private ApiShieldDecider(IHost host, string[] partitions, RateLimitRule[] rules, bool storeOnly)
    {
        _storeOnly = storeOnly;
        _host = host;
        var services = host.Services;
        _engine = services.GetRequiredService<RateLimitEngine>();
        Store = services.GetRequiredService<IRateLimitStore>();
        _charges = new ReadOnlyMemory<RateLimitCharge>[partitions.Length];
        for (var key = 0; key < partitions.Length; key++)
        {
            var charges = new RateLimitCharge[rules.Length];
            for (var i = 0; i < rules.Length; i++)
            {
                charges[i] = new RateLimitCharge(rules[i], partitions[key]);
            }

            _charges[key] = charges;
        }

        _verdicts = new RateLimitVerdict[ConcurrentCallers.Callers][];
        for (var caller = 0; caller < _verdicts.Length; caller++)
        {
            _verdicts[caller] = new RateLimitVerdict[rules.Length];
        }
    }

    /// <summary>The store the engine decides with, for the checks that the benchmark measures the one it names.</summary>
    public IRateLimitStore Store { get; }

    public static ApiShieldDecider CreateRedis(IConnectionMultiplexer multiplexer, string[] partitions, params RateLimitRule[] rules)
        => new(BuildHost(multiplexer), partitions, rules, storeOnly: false);

    /// <summary>The Redis store called directly, without the engine's timeout and circuit breaker: what those cost.</summary>
    public static ApiShieldDecider CreateRedisStoreOnly(IConnectionMultiplexer multiplexer, string[] partitions, params RateLimitRule[] rules)
        => new(BuildHost(multiplexer), partitions, rules, storeOnly: true);

    public static ApiShieldDecider CreateInMemory(string[] partitions, params RateLimitRule[] rules)
        => new(BuildHost(multiplexer: null), partitions, rules, storeOnly: false);

    /// <summary>The in-memory limiter on the given clock instead of <see cref="TimeProvider.System"/>.</summary>
    public static ApiShieldDecider CreateInMemory(TimeProvider time, string[] partitions, params RateLimitRule[] rules)
        => new(BuildHost(multiplexer: null, time), partitions, rules, storeOnly: false);

    public async ValueTask<bool> DecideAsync(int caller, int key) => _storeOnly
        ? await AcquireAsync(caller, key).ConfigureAwait(false)
        : await DecideWithEngineAsync(caller, key).ConfigureAwait(false) == RateLimitOutcome.Admitted;

    /// <summary>
    /// The engine's decision as the middleware awaits it: the engine's own <see cref="ValueTask{TResult}"/>, with no
    /// async method of the benchmark's around it (on the synchronous in-memory path that wrapper is a cost of its own).
    /// </summary>
    public ValueTask<RateLimitOutcome> DecideWithEngineAsync(int caller, int key)
        => _engine.DecideAsync(_charges[key], _verdicts[caller], CancellationToken.None);

    /// <summary>The same decision, for a caller that needs the store's own <see cref="ValueTask{TResult}"/> (the synchronous in-memory path).</summary>
    public ValueTask<bool> AcquireAsync(int caller, int key)
        => Store.AcquireAsync(_charges[key], _verdicts[caller], CancellationToken.None);

    public ValueTask DisposeAsync()
    {
        _host.Dispose();
        return ValueTask.CompletedTask;
    }

    // The services of an app (configuration, environment, logging) without a server: the host is never started.
    private static IHost BuildHost(IConnectionMultiplexer? multiplexer, TimeProvider? time = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = Environments.Production,
            ApplicationName = typeof(ApiShieldDecider).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (time is not null)
        {
            // Registered first: AddApiShield() adds TimeProvider.System only when the app has no clock of its own.
            builder.Services.AddSingleton(time);
        }

        var apiShield = builder.Services.AddApiShield();
        if (multiplexer is not null)
        {
            apiShield.UseRedis(_ => multiplexer);
        }

        return builder.Build();
    }
}
