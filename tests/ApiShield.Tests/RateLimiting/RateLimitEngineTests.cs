using ApiShield.Diagnostics;
using ApiShield.RateLimiting;
using ApiShield.Stores.InMemory;
using ApiShield.Stores.Redis;
using ApiShield.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static ApiShield.Tests.TestSupport.RateLimitTestNodes;

namespace ApiShield.Tests.RateLimiting;

/// <summary>
/// The engine in front of a real Redis-protocol server reached through a proxy the test cuts and restores, as a Redis
/// outage and its recovery look to an app node.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RateLimitEngineTests
{
    private static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(5);

    // A call gives up between StoreTimeout and a tenth of it later (StoreTimeoutSlices).
    private static readonly TimeSpan TimeoutSlice = RateLimitingDefaults.StoreTimeout / 10;

    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly List<InMemoryRateLimitStore> _localStores = [];
    private FakeTimeProvider _time = null!;
    private FakeLogCollector _logs = null!;
    private ServiceProvider _services = null!;
    private MetricCollector<long> _failures = null!;
    private TcpOutageProxy _proxy = null!;
    private string _partition = null!;

    private static RedisServerFixture Redis => RedisServerFixture.Shared;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
        _logs = new FakeLogCollector();
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _failures = new MetricCollector<long>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), ApiShieldMetrics.MeterName, "apishield.rate_limiting.store_failures");
        var (host, port) = RedisServerFixture.EndPointOf(Redis.ConnectionString);
        _proxy = new TcpOutageProxy(host, port);
        _partition = Partition(Guid.NewGuid().ToString("N"));
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }

        _disposables.Clear();
        foreach (var local in _localStores)
        {
            local.Dispose();
        }

        _localStores.Clear();
        _proxy.Dispose();
        _failures.Dispose();
        await _services.DisposeAsync();
    }

    [Test]
    public async Task DecideAsync_RedisAnswers_VerdictsFromRedis()
    {
        var (engine, counting) = RedisEngine();
        var charge = Charge(Rate("orders", 2, TimeSpan.FromMinutes(1)));

        var (first, v1) = await DecideAsync(engine, charge);
        var (second, _) = await DecideAsync(engine, charge);
        var (third, v3) = await DecideAsync(engine, charge);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(RateLimitOutcome.Admitted));
            Assert.That(v1[0].Remaining, Is.EqualTo(1));
            Assert.That(v1[0].Unchecked, Is.False);
            Assert.That(second, Is.EqualTo(RateLimitOutcome.Admitted));
            Assert.That(third, Is.EqualTo(RateLimitOutcome.Rejected));
            Assert.That(v3[0].RetryAfterMicros, Is.InRange(20_000_000, 30_000_000), "30 s on the server's clock, less the test's own time");
            Assert.That(counting.Calls, Is.EqualTo(3));
            Assert.That(_failures.GetMeasurementSnapshot(), Is.Empty);
        });
    }

    [Test]
    public async Task DecideAsync_RedisDownClosedPolicy_UnavailableWithRetryAfter()
    {
        var (engine, _) = RedisEngine();
        var charges = new[] { Charge(Rate("strict", 5, TimeSpan.FromMinutes(1))), Charge(Rate("lenient", 5, TimeSpan.FromMinutes(1), mode: RateLimitFailureMode.Open)) };
        await DecideAsync(engine, charges);

        _proxy.Cut();
        var (outcome, verdicts) = await DecideAsync(engine, charges);

        Assert.Multiple(() =>
        {
            Assert.That(outcome, Is.EqualTo(RateLimitOutcome.Unavailable));
            Assert.That(verdicts[0].Admitted, Is.False);
            Assert.That(verdicts[0].RetryAfterMicros, Is.EqualTo(1_000_000), "at least one second while the circuit is still closed");
            Assert.That(verdicts[1].Unchecked, Is.True);
            Assert.That(_failures.GetMeasurementSnapshot().Select(m => m.Tags["failure_mode"]), Is.EqualTo(new[] { "closed" }));
            Assert.That(_logs.GetSnapshot().Select(r => r.Id.Name), Does.Contain("RedisUnavailable"));
        });
    }

    [Test]
    public async Task DecideAsync_RedisDownClosedAndLocalPolicies_NothingChargedLocally()
    {
        var connection = Connect($"127.0.0.1:{_proxy.Port}", RedisServerFixture.NewInstanceName(TestContext.CurrentContext.Test.MethodName ?? "test"));
        _disposables.Add(connection);
        var local = LocalStore();
        var engine = new RateLimitEngine(new RedisRateLimitStore(connection, _time), local, Options.Create(new ApiShieldOptions()), _time, Metrics(), new FakeLogger<RateLimitEngine>(_logs));
        var charges = new[] { Charge(Rate("strict", 5, TimeSpan.FromMinutes(1))), Charge(Rate("local", 5, TimeSpan.FromMinutes(1), mode: RateLimitFailureMode.Local)) };
        await DecideAsync(engine, charges);

        _proxy.Cut();
        var (outcome, verdicts) = await DecideAsync(engine, charges);

        Assert.Multiple(() =>
        {
            Assert.That(outcome, Is.EqualTo(RateLimitOutcome.Unavailable));
            Assert.That(verdicts[1].Unchecked, Is.True);
            Assert.That(local.Count, Is.Zero, "a refused request is charged nowhere, not even locally");
        });
    }

    [Test]
    public async Task DecideAsync_RedisDownOpenPolicy_AdmittedUnchecked()
    {
        var (engine, _) = RedisEngine();
        var charge = Charge(Rate("lenient", 1, TimeSpan.FromMinutes(1), mode: RateLimitFailureMode.Open));
        await DecideAsync(engine, charge);

        _proxy.Cut();
        var outcomes = new List<RateLimitOutcome>();
        RateLimitVerdict[] last = [];
        for (var i = 0; i < 5; i++)
        {
            (var outcome, last) = await DecideAsync(engine, charge);
            outcomes.Add(outcome);
        }

        Assert.Multiple(() =>
        {
            Assert.That(outcomes, Has.All.EqualTo(RateLimitOutcome.Admitted), "over the limit of 1, unchecked");
            Assert.That(last[0].Admitted, Is.True);
            Assert.That(last[0].Unchecked, Is.True);
            Assert.That(_failures.GetMeasurementSnapshot().Select(m => m.Tags["failure_mode"]).ToList(), Has.Count.EqualTo(5).And.All.EqualTo("open"));
        });
    }

    [Test]
    public async Task DecideAsync_RedisDownLocalPolicy_DecidedByThisNodesMemory()
    {
        var (engine, _) = RedisEngine();
        var local = Charge(Rate("local", 2, TimeSpan.FromMinutes(1), mode: RateLimitFailureMode.Local));
        var open = Charge(Rate("lenient", 1, TimeSpan.FromMinutes(1), mode: RateLimitFailureMode.Open));
        await DecideAsync(engine, local, open);

        _proxy.Cut();
        var (first, v1) = await DecideAsync(engine, local, open);
        var (second, _) = await DecideAsync(engine, local, open);
        var (third, v3) = await DecideAsync(engine, local, open);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(RateLimitOutcome.Admitted));
            Assert.That(v1[0].Unchecked, Is.False, "checked, locally");
            Assert.That(v1[0].Remaining, Is.EqualTo(1));
            Assert.That(v1[1].Unchecked, Is.True);
            Assert.That(second, Is.EqualTo(RateLimitOutcome.Admitted));
            Assert.That(third, Is.EqualTo(RateLimitOutcome.Rejected), "the local limit of 2 applies on this node");
            Assert.That(v3[0].Admitted, Is.False);
            Assert.That(v3[0].RetryAfterMicros, Is.GreaterThan(0));
            Assert.That(_failures.GetMeasurementSnapshot().Count(m => (string?)m.Tags["failure_mode"] == "local"), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task DecideAsync_RedisStopsAndStarts_CircuitOpensProbesAndCloses()
    {
        var (engine, counting) = RedisEngine();
        var charge = Charge(Rate("strict", 3, TimeSpan.FromHours(1)));
        var (before, _) = await DecideAsync(engine, charge);

        // Three consecutive failures open the circuit...
        _proxy.Cut();
        for (var i = 0; i < 3; i++)
        {
            Assert.That((await DecideAsync(engine, charge)).Outcome, Is.EqualTo(RateLimitOutcome.Unavailable));
        }

        var callsWhenOpened = counting.Calls;
        var openedLogged = _logs.GetSnapshot().Any(r => r.Id.Name == "CircuitOpened" && r.Level == LogLevel.Error);

        // ...while it is open no request waits on Redis, and Retry-After is the break's remaining time.
        var whileOpen = new List<RateLimitOutcome>();
        for (var i = 0; i < 10; i++)
        {
            whileOpen.Add((await DecideAsync(engine, charge)).Outcome);
        }

        _time.Advance(TimeSpan.FromSeconds(2));
        var (_, retry) = await DecideAsync(engine, charge);
        var callsWhileOpen = counting.Calls - callsWhenOpened;

        // After the break one probe goes to Redis; still down, so the circuit opens again without a second call.
        _time.Advance(BreakDuration);
        await DecideAsync(engine, charge);
        await DecideAsync(engine, charge);
        var callsAfterFailedProbe = counting.Calls - callsWhenOpened;

        // Redis comes back: a probe after the next break succeeds and closes the circuit, with no restart.
        _proxy.Restore();
        await Eventually.HoldsAsync(
            async () =>
            {
                _time.Advance(BreakDuration);
                return (await DecideAsync(engine, charge)).Outcome == RateLimitOutcome.Admitted;
            },
            TimeSpan.FromSeconds(20),
            "A successful probe");
        var callsBeforeClosed = counting.Calls;
        var (next, nextVerdicts) = await DecideAsync(engine, charge);
        var (overLimit, _) = await DecideAsync(engine, charge);

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo(RateLimitOutcome.Admitted));
            Assert.That(callsWhenOpened, Is.EqualTo(4), "one call before the outage and three failures");
            Assert.That(openedLogged, Is.True);
            Assert.That(whileOpen, Has.All.EqualTo(RateLimitOutcome.Unavailable));
            Assert.That(callsWhileOpen, Is.Zero, "no call while the circuit is open");
            Assert.That(retry[0].RetryAfterMicros, Is.EqualTo(3_000_000), "the break's remaining 3 s");
            Assert.That(callsAfterFailedProbe, Is.EqualTo(1), "one probe");
            Assert.That(engine.IsCircuitClosed, Is.True);
            Assert.That(_logs.GetSnapshot().Select(r => r.Id.Name), Does.Contain("CircuitClosed"));
            Assert.That(next, Is.EqualTo(RateLimitOutcome.Admitted), "the third request of the limit of 3");
            Assert.That(nextVerdicts[0].Unchecked, Is.False);
            Assert.That(overLimit, Is.EqualTo(RateLimitOutcome.Rejected), "Redis enforces the limit again");
            Assert.That(counting.Calls - callsBeforeClosed, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task DecideAsync_ServerRestarts_ScriptReloadedWithoutRestartingTheApp()
    {
        // Embedded Garnet really restarts, empty and without its script cache; an external server is cut off instead.
        var connection = Connect(Redis.ConnectionString, RedisServerFixture.NewInstanceName(TestContext.CurrentContext.Test.MethodName ?? "test"));
        _disposables.Add(connection);
        var counting = new CountingRateLimitStore(new RedisRateLimitStore(connection, _time));
        var engine = Engine(counting, new ApiShieldOptions());
        var charge = Charge(Rate("strict", 100, TimeSpan.FromHours(1)));
        var (before, _) = await DecideAsync(engine, charge);

        RateLimitOutcome during;
        try
        {
            await Redis.StopAsync();
            (during, _) = await DecideAsync(engine, charge);
        }
        finally
        {
            await Redis.StartAsync();
        }

        await Eventually.HoldsAsync(
            async () =>
            {
                _time.Advance(BreakDuration);
                return (await DecideAsync(engine, charge)).Outcome == RateLimitOutcome.Admitted;
            },
            TimeSpan.FromSeconds(20),
            "A decision by the restarted server");
        var (after, verdicts) = await DecideAsync(engine, charge);

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo(RateLimitOutcome.Admitted));
            Assert.That(during, Is.EqualTo(RateLimitOutcome.Unavailable));
            Assert.That(after, Is.EqualTo(RateLimitOutcome.Admitted));
            Assert.That(verdicts[0].Unchecked, Is.False);
            Assert.That(engine.IsCircuitClosed, Is.True);
        });
    }

    [Test]
    public async Task DecideAsync_RedisStallsWhileConnecting_GivesUpAtTheStoreTimeout()
    {
        // The first request connects. A server that accepts the connection and never answers must cost it the store
        // timeout, not StackExchange.Redis's connect timeout (20 s here), and the failure mode decides it.
        _proxy.Stall();
        var connection = Connect($"127.0.0.1:{_proxy.Port},connectTimeout=20000", RedisServerFixture.NewInstanceName(TestContext.CurrentContext.Test.MethodName ?? "test"));
        _disposables.Add(connection);
        var engine = Engine(new RedisRateLimitStore(connection, _time), new ApiShieldOptions());
        var verdicts = new RateLimitVerdict[1];

        var pending = engine.DecideAsync(new[] { Charge(Rate("strict", 5, TimeSpan.FromMinutes(1))) }, verdicts, CancellationToken.None).AsTask();
        _time.Advance(RateLimitingDefaults.StoreTimeout + TimeoutSlice);
        await Eventually.HoldsAsync(() => pending.IsCompleted, TimeSpan.FromSeconds(10), "The decision's end at the store timeout");
        _proxy.Resume();

        Assert.Multiple(async () =>
        {
            Assert.That(await pending, Is.EqualTo(RateLimitOutcome.Unavailable));
            Assert.That(verdicts[0].Admitted, Is.False);
            Assert.That(_logs.GetSnapshot().Single(r => r.Id.Name == "RedisUnavailable").Message, Does.Contain("timeout"));
        });
    }

    [Test]
    public async Task DecideAsync_StoreStalls_TimesOutAndLateAnswerIsIgnored()
    {
        var stalled = new StalledRateLimitStore();
        var engine = Engine(stalled, new ApiShieldOptions { RateLimiting = { FailuresBeforeBreak = 1 } });
        var charge = Charge(Rate("lenient", 5, TimeSpan.FromMinutes(1), mode: RateLimitFailureMode.Open));
        var verdicts = new RateLimitVerdict[1];

        var pending = engine.DecideAsync(new[] { charge }, verdicts, CancellationToken.None).AsTask();
        _time.Advance(RateLimitingDefaults.StoreTimeout - TimeSpan.FromMilliseconds(1));
        var completedEarly = pending.IsCompleted;
        _time.Advance(TimeSpan.FromMilliseconds(1) + TimeoutSlice);
        var completedAfterOneSlice = pending.IsCompleted;
        var outcome = await pending;

        stalled.Release(admitted: false);
        await Eventually.HoldsAsync(() => Task.FromResult(stalled.Completed == 1), TimeSpan.FromSeconds(5), "The stalled call's late answer");

        Assert.Multiple(() =>
        {
            Assert.That(completedEarly, Is.False, "waits up to StoreTimeout");
            Assert.That(completedAfterOneSlice, Is.True, "gives up at most a tenth of StoreTimeout later");
            Assert.That(outcome, Is.EqualTo(RateLimitOutcome.Admitted));
            Assert.That(verdicts[0].Unchecked, Is.True);
            Assert.That(verdicts[0].Remaining, Is.Zero, "the late answer does not overwrite the verdict");
            Assert.That(_logs.GetSnapshot().Single(r => r.Id.Name == "RedisUnavailable").Message, Does.Contain("timeout"));
        });
    }

    [Test]
    public async Task DecideAsync_HalfOpen_OneProbeAtATime()
    {
        var stalled = new StalledRateLimitStore();
        var engine = Engine(stalled, new ApiShieldOptions { RateLimiting = { FailuresBeforeBreak = 1 } });
        var charge = Charge(Rate("strict", 5, TimeSpan.FromMinutes(1)));

        var first = engine.DecideAsync(new[] { charge }, new RateLimitVerdict[1], CancellationToken.None).AsTask();
        _time.Advance(RateLimitingDefaults.StoreTimeout + TimeoutSlice);
        var firstOutcome = await first;

        _time.Advance(BreakDuration);
        var probe = engine.DecideAsync(new[] { charge }, new RateLimitVerdict[1], CancellationToken.None).AsTask();
        var (duringProbe, verdicts) = await DecideAsync(engine, charge);
        var callsDuringProbe = stalled.Calls;
        _time.Advance(RateLimitingDefaults.StoreTimeout + TimeoutSlice);
        var probeOutcome = await probe;

        Assert.Multiple(() =>
        {
            Assert.That(firstOutcome, Is.EqualTo(RateLimitOutcome.Unavailable));
            Assert.That(callsDuringProbe, Is.EqualTo(2), "the first call and the probe; the request beside the probe did not call");
            Assert.That(duringProbe, Is.EqualTo(RateLimitOutcome.Unavailable));
            Assert.That(verdicts[0].RetryAfterMicros, Is.EqualTo(1_000_000));
            Assert.That(probeOutcome, Is.EqualTo(RateLimitOutcome.Unavailable));
            Assert.That(engine.IsCircuitClosed, Is.False);
        });
    }

    [Test]
    public async Task DecideAsync_StoreIsInMemory_NoBreakerAndNoStartupFailureModeLogs()
    {
        var local = LocalStore();
        var engine = new RateLimitEngine(local, local, Options.Create(OptionsWithPolicies()), _time, Metrics(), new FakeLogger<RateLimitEngine>(_logs));
        var charge = Charge(Rate("strict", 1, TimeSpan.FromMinutes(1)));

        var (first, _) = await DecideAsync(engine, charge);
        var (second, _) = await DecideAsync(engine, charge);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(RateLimitOutcome.Admitted));
            Assert.That(second, Is.EqualTo(RateLimitOutcome.Rejected));
            Assert.That(_logs.GetSnapshot(), Is.Empty);
        });
    }

    [Test]
    public void Constructor_RedisStore_LogsEveryPolicysFailureModeAndWarnsOfFailOpen()
    {
        _ = Engine(new StalledRateLimitStore(), OptionsWithPolicies());

        var records = _logs.GetSnapshot();
        Assert.Multiple(() =>
        {
            Assert.That(records.Where(r => r.Id.Name == "PolicyFailsOpen").Select(r => (r.Level, r.Message)), Is.EqualTo(new[]
            {
                (LogLevel.Warning, "Rate-limit policy 'public' fails open: while Redis cannot answer, its requests are admitted without any limit."),
            }));
            Assert.That(records.Where(r => r.Id.Name == "PolicyFailureMode").Select(r => r.Message), Is.EquivalentTo(new[]
            {
                "Rate-limit policy 'orders' is kept in Redis; while Redis cannot answer it fails Closed.",
                "Rate-limit policy 'search' is kept in Redis; while Redis cannot answer it fails Local.",
            }));
            Assert.That(records.Select(r => r.Id.Id), Has.All.InRange(640, 669));
        });
    }

    private static ApiShieldOptions OptionsWithPolicies()
    {
        var options = new ApiShieldOptions();
        options.RateLimiting.Policies["orders"] = new RateLimitPolicyOptions { PermitLimit = 10, FailureMode = RateLimitFailureMode.Closed };
        options.RateLimiting.Policies["public"] = new RateLimitPolicyOptions { PermitLimit = 10, FailureMode = RateLimitFailureMode.Open };
        options.RateLimiting.Policies["search"] = new RateLimitPolicyOptions { PermitLimit = 10, FailureMode = RateLimitFailureMode.Local };
        return options;
    }

    private static async Task<(RateLimitOutcome Outcome, RateLimitVerdict[] Verdicts)> DecideAsync(RateLimitEngine engine, params RateLimitCharge[] charges)
    {
        var verdicts = new RateLimitVerdict[charges.Length];
        var outcome = await engine.DecideAsync(charges, verdicts, CancellationToken.None);
        return (outcome, verdicts);
    }

    private RateLimitCharge Charge(RateLimitRule rule) => new(rule, _partition);

    private (RateLimitEngine Engine, CountingRateLimitStore Store) RedisEngine()
    {
        var connection = Connect($"127.0.0.1:{_proxy.Port}", RedisServerFixture.NewInstanceName(TestContext.CurrentContext.Test.MethodName ?? "test"));
        _disposables.Add(connection);
        var counting = new CountingRateLimitStore(new RedisRateLimitStore(connection, _time));
        return (Engine(counting, new ApiShieldOptions()), counting);
    }

    private RateLimitEngine Engine(IRateLimitStore store, ApiShieldOptions options)
        => new(store, LocalStore(), Options.Create(options), _time, Metrics(), new FakeLogger<RateLimitEngine>(_logs));

    private InMemoryRateLimitStore LocalStore()
    {
        var local = new InMemoryRateLimitStore(_time);
        _localStores.Add(local);
        return local;
    }

    private ApiShieldMetrics Metrics() => new(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
}
