using System.Globalization;
using ApiShield.RateLimiting;
using ApiShield.Stores.Redis;
using ApiShield.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using StackExchange.Redis.Profiling;
using static ApiShield.Tests.TestSupport.RateLimitTestNodes;

namespace ApiShield.Tests.Stores.Redis;

/// <summary>
/// The Redis rate-limit store against a real Redis-protocol server (embedded Garnet, or <c>APISHIELD_TEST_REDIS</c>),
/// checked against docs/rate-limiting.md's algorithms.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RedisRateLimitStoreTests
{
    /// <summary>A Redis Cluster's connection string, for the test of batches split by slot.</summary>
    private const string ClusterVariable = "APISHIELD_TEST_REDIS_CLUSTER";

    // Half a second into a second, so that segment and period arithmetic is not trivially aligned.
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 12, 0, 0, 500, TimeSpan.Zero);

    private readonly List<RedisConnection> _connections = [];
    private readonly List<TcpOutageProxy> _proxies = [];
    private string _instance = null!;
    private FakeTimeProvider _time = null!;

    private static RedisServerFixture Redis => RedisServerFixture.Shared;

    [SetUp]
    public void SetUp()
    {
        _instance = RedisServerFixture.NewInstanceName(TestContext.CurrentContext.Test.MethodName ?? "test");
        _time = new FakeTimeProvider(Start);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        _connections.Clear();
        foreach (var proxy in _proxies)
        {
            proxy.Dispose();
        }

        _proxies.Clear();
    }

    [Test]
    public async Task AcquireAsync_Rate_FollowsGcra()
    {
        var store = CallerClockStore();
        var rule = Rate("orders", 5, TimeSpan.FromSeconds(1));
        var charge = new RateLimitCharge(rule, Partition("alice"));

        var remaining = new List<long>();
        var resets = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var (ok, v) = await AcquireAsync(store, charge);
            Assert.That(ok && v[0].Admitted, Is.True, $"request {i + 1}");
            remaining.Add(v[0].Remaining);
            resets.Add(v[0].ResetMicros);
        }

        var (sixth, rejected) = await AcquireAsync(store, charge);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        var (afterInterval, again) = await AcquireAsync(store, charge);

        Assert.Multiple(() =>
        {
            Assert.That(remaining, Is.EqualTo(new long[] { 4, 3, 2, 1, 0 }));
            Assert.That(resets, Is.EqualTo(new long[] { 200_000, 400_000, 600_000, 800_000, 200_000 }), "until back to full; at 0, until the next permit");
            Assert.That(sixth, Is.False);
            Assert.That(rejected[0].Admitted, Is.False);
            Assert.That(rejected[0].Remaining, Is.Zero);
            Assert.That(rejected[0].RetryAfterMicros, Is.EqualTo(200_000));
            Assert.That(rejected[0].ResetMicros, Is.EqualTo(200_000));
            Assert.That(afterInterval, Is.True);
            Assert.That(again[0].Remaining, Is.Zero);
        });
    }

    [Test]
    public async Task AcquireAsync_SpikeArrest_AdmitsOnePerInterval()
    {
        var store = CallerClockStore();
        var charge = new RateLimitCharge(SpikeArrest("smooth", 10, TimeSpan.FromSeconds(1)), Partition("alice"));

        var (first, v1) = await AcquireAsync(store, charge);
        _time.Advance(TimeSpan.FromMilliseconds(40));
        var (second, v2) = await AcquireAsync(store, charge);
        _time.Advance(TimeSpan.FromMilliseconds(60));
        var (third, _) = await AcquireAsync(store, charge);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.True);
            Assert.That(v1[0].Remaining, Is.Zero);
            Assert.That(v1[0].ResetMicros, Is.EqualTo(100_000));
            Assert.That(second, Is.False, "10/s admits one request per 100 ms, never two at once");
            Assert.That(v2[0].RetryAfterMicros, Is.EqualTo(60_000));
            Assert.That(third, Is.True);
        });
    }

    [Test]
    public async Task AcquireAsync_FixedWindow_ClockStepsBackOverPeriodStart_KeepsCounting()
    {
        // The same counter seen at 00:00:00.5 of the next day, then at 23:00 of the day before (a clock stepped back).
        var connection = Connection(Redis.ConnectionString);
        var ahead = new RedisRateLimitStore(connection, new FakeTimeProvider(Start + TimeSpan.FromHours(12))) { UseCallerClock = true };
        var behind = new RedisRateLimitStore(connection, new FakeTimeProvider(Start + TimeSpan.FromHours(11))) { UseCallerClock = true };
        var charge = new RateLimitCharge(FixedQuota("daily", 3, QuotaCalendar.Day), Partition("alice"));

        for (var i = 0; i < 3; i++)
        {
            Assert.That((await AcquireAsync(ahead, charge)).Item1, Is.True);
        }

        var (steppedBack, verdicts) = await AcquireAsync(behind, charge);

        Assert.That(steppedBack, Is.False, "a clock stepping back must not start the count again");
        Assert.That(verdicts[0].Remaining, Is.Zero);
    }

    [Test]
    public async Task AcquireAsync_FixedWindow_CountsPerCalendarPeriod()
    {
        var store = CallerClockStore();
        var charge = new RateLimitCharge(FixedQuota("daily", 3, QuotaCalendar.Day), Partition("alice"));
        var untilMidnight = RateLimitClock.ToMicros(TimeSpan.FromHours(12) - TimeSpan.FromMilliseconds(500));

        var remaining = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var (ok, v) = await AcquireAsync(store, charge);
            Assert.That(ok, Is.True);
            Assert.That(v[0].ResetMicros, Is.EqualTo(untilMidnight));
            remaining.Add(v[0].Remaining);
        }

        var (fourth, rejected) = await AcquireAsync(store, charge);
        _time.Advance(TimeSpan.FromHours(12));
        var (nextDay, fresh) = await AcquireAsync(store, charge);

        Assert.Multiple(() =>
        {
            Assert.That(remaining, Is.EqualTo(new long[] { 2, 1, 0 }));
            Assert.That(fourth, Is.False);
            Assert.That(rejected[0].RetryAfterMicros, Is.EqualTo(untilMidnight));
            Assert.That(nextDay, Is.True);
            Assert.That(fresh[0].Remaining, Is.EqualTo(2));
            Assert.That(fresh[0].ResetMicros, Is.EqualTo(RateLimitClock.ToMicros(TimeSpan.FromHours(24) - TimeSpan.FromMilliseconds(500))));
        });
    }

    [Test]
    public async Task AcquireAsync_SlidingWindow_CountsUntilTheSegmentLeaves()
    {
        // Three per 10 s in 1 s segments; the clock sits half-way through segment 'cur0'.
        var store = CallerClockStore();
        var charge = new RateLimitCharge(RollingQuota("rolling", 3, TimeSpan.FromSeconds(10)), Partition("alice"));

        var (_, v1) = await AcquireAsync(store, charge);
        _time.Advance(TimeSpan.FromSeconds(1));
        await AcquireAsync(store, charge);
        _time.Advance(TimeSpan.FromSeconds(1));
        var (_, v3) = await AcquireAsync(store, charge);
        _time.Advance(TimeSpan.FromSeconds(1));
        var (fourth, v4) = await AcquireAsync(store, charge);

        // Ten seconds after the first request its segment is still counted (S + 1 segments)...
        _time.Advance(TimeSpan.FromSeconds(7));
        var (atTen, _) = await AcquireAsync(store, charge);

        // ...and half a second later it has left.
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var (atTenAndHalf, v6) = await AcquireAsync(store, charge);

        Assert.Multiple(() =>
        {
            Assert.That(v1[0].Remaining, Is.EqualTo(2));
            Assert.That(v1[0].ResetMicros, Is.EqualTo(10_500_000), "until the current segment leaves");
            Assert.That(v3[0].Remaining, Is.Zero);
            Assert.That(v3[0].ResetMicros, Is.EqualTo(8_500_000), "until the first request's segment leaves");
            Assert.That(fourth, Is.False);
            Assert.That(v4[0].RetryAfterMicros, Is.EqualTo(7_500_000));
            Assert.That(atTen, Is.False);
            Assert.That(atTenAndHalf, Is.True);
            Assert.That(v6[0].Remaining, Is.Zero);
        });
    }

    [Test]
    public async Task AcquireAsync_OnePolicyRejects_NoPolicyIsCharged()
    {
        var store = CallerClockStore();
        var partition = Partition("alice");
        RateLimitCharge[] charges =
        [
            new(Rate("burst", 10, TimeSpan.FromMinutes(1)), partition),
            new(FixedQuota("daily", 2, QuotaCalendar.Day), partition),
            new(RollingQuota("hourly", 10, TimeSpan.FromHours(1)), partition),
        ];

        await AcquireAsync(store, charges);
        var (_, second) = await AcquireAsync(store, charges);
        var (third, rejected) = await AcquireAsync(store, charges);
        var (fourth, rejectedAgain) = await AcquireAsync(store, charges);

        Assert.Multiple(() =>
        {
            Assert.That(second.Select(v => v.Remaining), Is.EqualTo(new long[] { 8, 0, 8 }));
            Assert.That(third, Is.False);
            Assert.That(rejected.Select(v => v.Admitted), Is.EqualTo(new[] { true, false, true }));
            Assert.That(rejected.Select(v => v.Remaining), Is.EqualTo(new long[] { 8, 0, 8 }), "as before the refused request");
            Assert.That(rejected[0].RetryAfterMicros, Is.Zero);
            Assert.That(fourth, Is.False);
            Assert.That(rejectedAgain.Select(v => v.Remaining), Is.EqualTo(new long[] { 8, 0, 8 }), "refused requests charged nothing");
        });
    }

    private static IEnumerable<TestCaseData> ParityCases()
    {
        yield return new TestCaseData("rate", 180_000L).SetArgDisplayNames("Rate");
        yield return new TestCaseData("spike", 150_000L).SetArgDisplayNames("SpikeArrest");
        yield return new TestCaseData("fixed", 90_000_000L).SetArgDisplayNames("FixedQuota");
        yield return new TestCaseData("rolling", 2_000_000L).SetArgDisplayNames("RollingQuota");
        yield return new TestCaseData("mixed", 3_000_000L).SetArgDisplayNames("MultiCharge");
    }

    [TestCaseSource(nameof(ParityCases))]
    public async Task AcquireAsync_SeededSequence_SameVerdictsAsInMemoryStore(string kind, long maxStepMicros)
    {
        // The same times and requests through both stores (the script on the caller's clock), verdict for verdict.
        var redisTime = new FakeTimeProvider(Start);
        var memoryTime = new FakeTimeProvider(Start);
        var redis = new RedisRateLimitStore(Connection(Redis.ConnectionString), redisTime) { UseCallerClock = true };
        using var memory = new ApiShield.Stores.InMemory.InMemoryRateLimitStore(memoryTime);
        RateLimitRule[] rules = kind switch
        {
            "rate" => [Rate("rate", 5, TimeSpan.FromSeconds(1), burst: 3)],
            "spike" => [SpikeArrest("spike", 7, TimeSpan.FromSeconds(1))],
            "fixed" => [FixedQuota("fixed", 20, QuotaCalendar.Hour, "Asia/Kolkata")],
            "rolling" => [RollingQuota("rolling", 12, TimeSpan.FromSeconds(30), segments: 7)],
            _ =>
            [
                Rate("rate", 10, TimeSpan.FromMinutes(1), burst: 4),
                SpikeArrest("spike", 40, TimeSpan.FromMinutes(1)),
                FixedQuota("fixed", 25, QuotaCalendar.Hour),
                RollingQuota("rolling", 15, TimeSpan.FromMinutes(5), segments: 5),
            ],
        };
        string[] partitions = [Partition("alice"), Partition("bob")];
        var random = new Random(20261127);
        var fromRedis = new List<string>();
        var fromMemory = new List<string>();
        for (var step = 0; step < 400; step++)
        {
            var elapsed = TimeSpan.FromMicroseconds(random.NextInt64(0, maxStepMicros));
            redisTime.Advance(elapsed);
            memoryTime.Advance(elapsed);
            var partition = partitions[random.Next(partitions.Length)];
            var charges = rules.Where(_ => rules.Length == 1 || random.Next(3) > 0).Select(rule => new RateLimitCharge(rule, partition)).ToArray();
            if (charges.Length == 0)
            {
                continue;
            }

            fromRedis.Add(await DescribeAsync(redis, step, charges));
            fromMemory.Add(await DescribeAsync(memory, step, charges));
        }

        var rejected = fromRedis.Count(line => line.Contains("rejected", StringComparison.Ordinal));
        TestContext.Out.WriteLine($"{kind}: {fromRedis.Count} requests, {rejected} rejected.");
        Assert.Multiple(() =>
        {
            Assert.That(rejected, Is.InRange(fromRedis.Count / 10, fromRedis.Count * 9 / 10), "the sequence exercises both verdicts");
            Assert.That(fromRedis, Is.EqualTo(fromMemory));
        });
    }

    [Test]
    public async Task AcquireAsync_Keys_HashTaggedHashedAndExpiring()
    {
        var store = ServerClockStore();
        const string raw = "alice@example.com";
        var partition = Partition(raw);
        RateLimitCharge[] charges =
        [
            new(Rate("Orders", 10, TimeSpan.FromMinutes(1)), partition),
            new(SpikeArrest("smooth", 10, TimeSpan.FromMinutes(1)), partition),
            new(FixedQuota("daily", 10, QuotaCalendar.Day), partition),
            new(RollingQuota("hourly", 10, TimeSpan.FromHours(1)), partition),
        ];
        var (admitted, _) = await AcquireAsync(store, charges);
        var (again, _) = await AcquireAsync(store, charges[2]);

        var keys = await KeysAsync();
        var server = (await Redis.AdminAsync()).GetDatabase();
        var ttls = new List<double>();
        foreach (var key in keys)
        {
            ttls.Add((await server.KeyTimeToLiveAsync(key))?.TotalMilliseconds ?? -1);
        }

        Assert.Multiple(() =>
        {
            Assert.That(admitted && again, Is.True);
            Assert.That(keys, Has.Count.EqualTo(4));
            Assert.That(keys, Has.All.StartsWith(_instance + "rl:{" + partition + "}:"));
            Assert.That(keys, Has.None.Contains(raw).And.None.Contains("alice"));
            Assert.That(keys, Has.Some.EqualTo($"{_instance}rl:{{{partition}}}:orders:1"));
            Assert.That(
                keys.Where(k => k.StartsWith($"{_instance}rl:{{{partition}}}:daily:2:", StringComparison.Ordinal)).Select(k => long.TryParse(k.AsSpan(k.LastIndexOf(':') + 1), CultureInfo.InvariantCulture, out _)),
                Is.EqualTo(new[] { true }),
                "a fixed window's key ends in its period start");
            Assert.That(ttls, Has.All.GreaterThan(0), "every key has a TTL, a fixed window's still after INCR");
        });
    }

    [Test]
    public async Task AcquireAsync_Rejected_WritesNothing()
    {
        var store = CallerClockStore();
        var partition = Partition("alice");
        RateLimitCharge[] charges =
        [
            new(Rate("burst", 5, TimeSpan.FromMinutes(1)), partition),
            new(FixedQuota("daily", 1, QuotaCalendar.Day), partition),
            new(RollingQuota("hourly", 5, TimeSpan.FromHours(1)), partition),
        ];
        var (first, _) = await AcquireAsync(store, charges);
        var before = await SnapshotAsync();

        // A later time moves GCRA and the sliding window's segment on; a write would show in the values.
        _time.Advance(TimeSpan.FromSeconds(30));
        var (second, _) = await AcquireAsync(store, charges);
        var after = await SnapshotAsync();

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.True);
            Assert.That(second, Is.False);
            Assert.That(before, Has.Count.EqualTo(3));
            Assert.That(after, Is.EqualTo(before));
        });
    }

    [Test]
    public async Task AcquireAsync_EachDecision_IsOneScriptCall()
    {
        var connection = Connection(Redis.ConnectionString);
        var store = new RedisRateLimitStore(connection, TimeProvider.System);
        var partition = Partition("alice");
        RateLimitCharge[] charges =
        [
            new(Rate("burst", 5, TimeSpan.FromMinutes(1)), partition),
            new(FixedQuota("daily", 3, QuotaCalendar.Day), partition),
            new(RollingQuota("hourly", 50, TimeSpan.FromHours(1)), partition),
        ];
        await AcquireAsync(store, charges);
        var multiplexer = await connection.GetAsync();
        var session = new ProfilingSession();
        multiplexer.RegisterProfiler(() => session);
        var serverCalls = await ScriptCallsOnServerAsync();

        const int Decisions = 10;
        for (var i = 0; i < Decisions; i++)
        {
            await AcquireAsync(store, charges);
        }

        multiplexer.RegisterProfiler(() => null);
        var commands = session.FinishProfiling().Select(c => c.Command).ToList();
        var serverCallsAfter = await ScriptCallsOnServerAsync();
        TestContext.Out.WriteLine($"Commands sent for {Decisions} decisions: {string.Join(", ", commands.GroupBy(c => c).Select(g => $"{g.Key} x{g.Count()}"))}; server script calls {serverCalls} -> {serverCallsAfter}.");

        Assert.Multiple(() =>
        {
            Assert.That(commands, Has.Count.EqualTo(Decisions));
            Assert.That(commands, Has.All.EqualTo("EVALSHA"));
            if (serverCalls is not null)
            {
                Assert.That(serverCallsAfter - serverCalls, Is.EqualTo(Decisions), "INFO commandstats");
            }
        });
    }

    [Test]
    public async Task AcquireAsync_ScriptCacheFlushed_LoadsTheScriptAgain()
    {
        var store = CallerClockStore();
        var charge = new RateLimitCharge(Rate("burst", 5, TimeSpan.FromMinutes(1)), Partition("alice"));
        await AcquireAsync(store, charge);
        var admin = await Redis.AdminAsync();
        await admin.GetServers()[0].ScriptFlushAsync();

        var (afterFlush, v) = await AcquireAsync(store, charge);
        var (next, v2) = await AcquireAsync(store, charge);

        Assert.Multiple(() =>
        {
            Assert.That(afterFlush, Is.True);
            Assert.That(v[0].Remaining, Is.EqualTo(3));
            Assert.That(next, Is.True);
            Assert.That(v2[0].Remaining, Is.EqualTo(2));
        });
    }

    private static IEnumerable<TestCaseData> Kinds()
    {
        yield return new TestCaseData("rate", 20L).SetArgDisplayNames("Rate");
        yield return new TestCaseData("spike", 1L).SetArgDisplayNames("SpikeArrest");
        yield return new TestCaseData("fixed", 20L).SetArgDisplayNames("FixedQuota");
        yield return new TestCaseData("rolling", 20L).SetArgDisplayNames("RollingQuota");
    }

    [TestCaseSource(nameof(Kinds))]
    public async Task AcquireAsync_ThreeNodesBurstFiveTimesTheLimit_AdmitExactlyTheLimit(string kind, long expected)
    {
        // Windows long enough that nothing refills during the burst: spike arrest's 20 per hour admits one at a time.
        var rule = kind switch
        {
            "rate" => Rate("rate", 20, TimeSpan.FromHours(1)),
            "spike" => SpikeArrest("spike", 20, TimeSpan.FromHours(1)),
            "fixed" => FixedQuota("fixed", 20, QuotaCalendar.Month),
            _ => RollingQuota("rolling", 20, TimeSpan.FromHours(1)),
        };
        var charge = new RateLimitCharge(rule, Partition("burst"));
        var nodes = Enumerable.Range(0, 3).Select(_ => new RedisRateLimitStore(Connection(Redis.ConnectionString), TimeProvider.System)).ToArray();
        foreach (var node in nodes)
        {
            // Connect every node first, so the burst is concurrent rather than queued behind a handshake.
            await AcquireAsync(node, new RateLimitCharge(rule, Partition("warm-up")));
        }

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, (int)(5 * rule.PermitLimit)).Select(async i =>
        {
            await go.Task;
            var verdicts = new RateLimitVerdict[1];
            return await nodes[i % 3].AcquireAsync(new[] { charge }, verdicts, CancellationToken.None);
        }).ToArray();
        go.SetResult();
        var results = await Task.WhenAll(attempts);

        Assert.That(results.Count(admitted => admitted), Is.EqualTo(expected));
    }

    [Test]
    public async Task AcquireAsync_NodeClocksHoursApart_ShareTheServersWindow()
    {
        var now = TimeProvider.System.GetUtcNow();
        var behind = new FakeTimeProvider(now - TimeSpan.FromHours(5));
        var ahead = new FakeTimeProvider(now + TimeSpan.FromHours(5));
        var nodeA = new RedisRateLimitStore(Connection(Redis.ConnectionString), behind);
        var nodeB = new RedisRateLimitStore(Connection(Redis.ConnectionString), ahead);
        var partition = Partition("alice");
        var rate = new RateLimitCharge(Rate("rate", 5, TimeSpan.FromHours(1)), partition);
        var daily = new RateLimitCharge(FixedQuota("daily", 5, QuotaCalendar.Day), partition);
        var rolling = new RateLimitCharge(RollingQuota("rolling", 5, TimeSpan.FromHours(1)), partition);

        var admitted = new Dictionary<string, int>();
        foreach (var (name, charge) in new[] { ("rate", rate), ("daily", daily), ("rolling", rolling) })
        {
            var count = 0;
            for (var i = 0; i < 3; i++)
            {
                count += (await AcquireAsync(nodeA, charge)).Admitted ? 1 : 0;
            }

            for (var i = 0; i < 5; i++)
            {
                count += (await AcquireAsync(nodeB, charge)).Admitted ? 1 : 0;
            }

            admitted[name] = count;
        }

        var keys = await KeysAsync();
        Assert.Multiple(() =>
        {
            Assert.That(admitted, Is.EqualTo(new Dictionary<string, int> { ["rate"] = 5, ["daily"] = 5, ["rolling"] = 5 }));
            Assert.That(keys.Count(k => k.Contains(":daily:", StringComparison.Ordinal)), Is.EqualTo(1), "one period, chosen by the server's time");
        });
    }

    [TestCase(0L, "counts in the node's period", "1", null)]
    [TestCase(3_600_000_000L, "counts in the next period: a node behind the server across a boundary", null, "1")]
    [TestCase(7_200_000_000L, "asks again: beyond the next period", null, null)]
    [TestCase(-1L, "asks again: before the node's period", null, null)]
    public async Task RateLimitScript_FixedWindow_TakesTheNodesPeriodAndTheNext(long offset, string what, string? thisPeriod, string? nextPeriod)
    {
        // The node names the hour [start, end) and the next one; the script's clock (ARGV[1]) stands for Redis's TIME.
        const long Start = 1_795_910_400_000_000, End = Start + 3_600_000_000, NextEnd = End + 3_600_000_000;
        var now = Start + offset;
        var database = (await Redis.AdminAsync()).GetDatabase();
        RedisKey[] keys = [$"{_instance}rl:{{p}}:hourly:2:{Start}", $"{_instance}rl:{{p}}:hourly:2:{End}"];

        var result = await database.ScriptEvaluateAsync(RedisScripts.RateLimit, keys, [now, 1, 2, 10, Start, End, NextEnd]);

        var asksAgain = thisPeriod is null && nextPeriod is null;
        Assert.Multiple(async () =>
        {
            Assert.That(result.Length, Is.EqualTo(asksAgain ? 2 : 3), what);
            Assert.That((long)result[0], Is.EqualTo(asksAgain ? 1 : 0), what);
            Assert.That((long)result[1], Is.EqualTo(asksAgain ? now : 9), what);
            Assert.That((string?)await database.StringGetAsync(keys[0]), Is.EqualTo(thisPeriod), what);
            Assert.That((string?)await database.StringGetAsync(keys[1]), Is.EqualTo(nextPeriod), what);
        });
    }

    [Test]
    public async Task RateLimitScript_SeveralRequests_EachSeesWhatThoseBeforeItWrote()
    {
        // Three requests in one call: the second finds the first's write and is refused (writing nothing), the third,
        // on another key, is admitted; the answer is one part per request, in order.
        var database = (await Redis.AdminAsync()).GetDatabase();
        RedisKey a = $"{_instance}rl:{{a}}:strict:1", b = $"{_instance}rl:{{b}}:strict:1";
        const long Now = 1_795_910_400_000_000, T = 1_000_000;

        var result = await database.ScriptEvaluateAsync(RedisScripts.RateLimit, [a, a, b], [Now, 1, 1, T, 1, 1, 1, T, 1, 1, 1, T, 1]);

        Assert.Multiple(async () =>
        {
            Assert.That(((RedisResult[])result!).Select(r => (long)r), Is.EqualTo(new[] { 0, 0, T, 0, -1, T, 0, 0, T }));
            Assert.That((long)await database.StringGetAsync(a), Is.EqualTo(Now + T), "the refusal wrote nothing");
            Assert.That((long)await database.StringGetAsync(b), Is.EqualTo(Now + T));
        });
    }

    [Test]
    public async Task RateLimitScript_OneRequestsStateIsCorrupt_FailsThatRequestAlone()
    {
        var database = (await Redis.AdminAsync()).GetDatabase();
        RedisKey a = $"{_instance}rl:{{a}}:strict:1", b = $"{_instance}rl:{{b}}:strict:1";
        const long Now = 1_795_910_400_000_000, T = 1_000_000;
        await database.StringSetAsync(a, "not a time");

        var result = (RedisResult[])(await database.ScriptEvaluateAsync(RedisScripts.RateLimit, [a, b], [Now, 1, 1, T, 1, 1, 1, T, 1]))!;

        Assert.Multiple(async () =>
        {
            Assert.That(result, Has.Length.EqualTo(5));
            Assert.That((long)result[0], Is.EqualTo(2), "the first request failed");
            Assert.That((string?)result[1], Is.Not.Empty, "the error");
            Assert.That(result.Skip(2).Select(r => (long)r), Is.EqualTo(new[] { 0, 0, T }), "the second was decided");
            Assert.That((long)await database.StringGetAsync(b), Is.EqualTo(Now + T));
        });
    }

    [TestCase(-3)]
    [TestCase(3)]
    public async Task AcquireAsync_FixedWindow_NodeClockDaysOff_AsksAgainWithTheServersPeriod(int days)
    {
        // A node whose clock is more than a period off names a period that does not hold Redis's time: the script
        // writes nothing and the store asks once more with the server's period, so that node still shares the one
        // daily counter instead of keeping (or poisoning) a counter of another day. It learns the offset from the
        // answer and names the server's period at once afterwards.
        var now = TimeProvider.System.GetUtcNow();
        var connection = Connection(Redis.ConnectionString);
        var skewed = new RedisRateLimitStore(connection, new FakeTimeProvider(now + TimeSpan.FromDays(days)));
        var accurate = new RedisRateLimitStore(Connection(Redis.ConnectionString), new FakeTimeProvider(now));
        var daily = new RateLimitCharge(FixedQuota("daily", 5, QuotaCalendar.Day), Partition("alice"));
        var multiplexer = await connection.GetAsync();
        var session = new ProfilingSession();
        multiplexer.RegisterProfiler(() => session);

        var admitted = 0;
        for (var i = 0; i < 3; i++)
        {
            admitted += (await AcquireAsync(skewed, daily)).Admitted ? 1 : 0;
        }

        multiplexer.RegisterProfiler(() => null);
        var skewedCalls = session.FinishProfiling().Count(c => c.Command == "EVALSHA");
        var verdicts = new List<RateLimitVerdict>();
        for (var i = 0; i < 4; i++)
        {
            var (ok, v) = await AcquireAsync(accurate, daily);
            admitted += ok ? 1 : 0;
            verdicts.Add(v[0]);
        }

        var keys = await KeysAsync();
        var stored = (string?)await (await Redis.AdminAsync()).GetDatabase().StringGetAsync(keys.Single());
        var serverDayStart = new CalendarPeriods(QuotaCalendar.Day, TimeZoneInfo.Utc).Find(RateLimitClock.ToUnixMicros(now)).Start;
        Assert.Multiple(() =>
        {
            Assert.That(admitted, Is.EqualTo(5), "both nodes count against one daily quota");
            Assert.That(skewedCalls, Is.EqualTo(4), "the skewed node's first decision took a second script call; it then named the server's period itself");
            Assert.That(verdicts.Select(v => v.Remaining), Is.EqualTo(new long[] { 1, 0, 0, 0 }));
            Assert.That(keys.Single(), Does.EndWith($":daily:2:{serverDayStart}"), "the counter is the server's day's");
            Assert.That(stored, Is.EqualTo("5"));
        });
    }

    [Test]
    public async Task AcquireAsync_ServerStallsAndTheTokenIsCancelled_StopsWaitingAndNeverWritesTheLateAnswer()
    {
        // The engine's store timeout is this token: a Redis that accepts the script and does not answer must not hold
        // the request, and its answer, arriving after the store gave up, must not land in the verdicts.
        var (host, port) = RedisServerFixture.EndPointOf(Redis.ConnectionString);
        using var proxy = new TcpOutageProxy(host, port);
        var connection = Connection($"127.0.0.1:{proxy.Port}");
        var store = new RedisRateLimitStore(connection, _time) { UseCallerClock = true };
        var partition = Partition("alice");
        var charge = new RateLimitCharge(Rate("burst", 5, TimeSpan.FromMinutes(1)), partition);
        var (before, _) = await AcquireAsync(store, charge);
        proxy.Stall();
        using var timeout = new CancellationTokenSource();
        var verdicts = new RateLimitVerdict[1];

        var pending = store.AcquireAsync(new[] { charge }, verdicts, timeout.Token).AsTask();
        var pendingWhileStalled = !pending.IsCompleted;
        await timeout.CancelAsync();
        await Eventually.HoldsAsync(() => pending.IsCompleted, TimeSpan.FromSeconds(5), "The cancelled call's end");
        proxy.Resume();
        var twoCharges = (RateLimitClock.NowMicros(_time) + (2 * charge.Rule.IntervalMicros)).ToString(CultureInfo.InvariantCulture);
        var database = (await Redis.AdminAsync()).GetDatabase();
        await Eventually.HoldsAsync(
            async () => (string?)await database.StringGetAsync($"{_instance}rl:{{{partition}}}:burst:1") == twoCharges,
            TimeSpan.FromSeconds(10),
            "The held script's run once the server answered again");

        // The store's own connection has read the late reply once a PING sent after it on the same connection answers.
        await (await connection.GetAsync()).GetDatabase().PingAsync();

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.True);
            Assert.That(pendingWhileStalled, Is.True, "the stalled call waits");
            Assert.That(pending.IsCanceled, Is.True, "it ends as cancelled, the engine's timeout signal");
            Assert.That(verdicts[0], Is.EqualTo(default(RateLimitVerdict)), "the late answer was not written");
        });
    }

    [Test]
    public async Task AcquireAsync_RequestsArriveWhileCallsAreInFlight_ShareOneCallAndAreDecidedInArrivalOrder()
    {
        // MaxCallsInFlight calls go out at once, each alone; the requests that arrive while they are held queue and
        // share the next call. The script decides them one after another, so the count is exact and in arrival order.
        var charge = new RateLimitCharge(Rate("burst", 5, TimeSpan.FromMinutes(1)), Partition("alice"));

        var (pending, heldWhileStalled, scriptCalls) = await DecideQueuedAsync(charge, 12);

        Assert.Multiple(() =>
        {
            Assert.That(heldWhileStalled, Is.True);
            Assert.That(scriptCalls, Is.EqualTo(RedisRateLimitStore.MaxCallsInFlight + 1), "the first requests alone, then one call for all that queued");
            Assert.That(pending.Select(p => p.Task.Result), Is.EqualTo(Enumerable.Repeat(true, 5).Concat(Enumerable.Repeat(false, 7))));
            Assert.That(pending.Take(5).Select(p => p.Verdicts[0].Remaining), Is.EqualTo(new long[] { 4, 3, 2, 1, 0 }));
            Assert.That(pending.Skip(5).Select(p => p.Verdicts[0].RetryAfterMicros), Is.All.EqualTo(12_000_000), "refused, each on the state its predecessors left");
        });
    }

    [Test]
    public async Task AcquireAsync_MoreQueuedThanOneCallTakes_SplitsThemIntoCallsOfMaxBatch()
    {
        // MaxCallsInFlight requests go alone; the MaxBatch + 10 that queue behind them take two calls. Those two leave
        // when two of the first calls end, from two threads, so either may reach Redis first (CI saw both): each call
        // decides its requests in arrival order, and together they admit exactly the limit.
        const int Limit = 50;
        var charge = new RateLimitCharge(Rate("burst", Limit, TimeSpan.FromMinutes(1)), Partition("alice"));

        var (pending, _, scriptCalls) = await DecideQueuedAsync(charge, RedisRateLimitStore.MaxCallsInFlight + RedisRateLimitStore.MaxBatch + 10);

        var admitted = pending.Select(p => p.Task.Result).ToList();
        var alone = admitted.Take(RedisRateLimitStore.MaxCallsInFlight).ToList();
        var fullCall = admitted.Skip(RedisRateLimitStore.MaxCallsInFlight).Take(RedisRateLimitStore.MaxBatch).ToList();
        var lastCall = admitted.Skip(RedisRateLimitStore.MaxCallsInFlight + RedisRateLimitStore.MaxBatch).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(scriptCalls, Is.EqualTo(RedisRateLimitStore.MaxCallsInFlight + 2));
            Assert.That(admitted.Count(a => a), Is.EqualTo(Limit), "exactly the limit");
            Assert.That(alone, Is.All.True, "the requests sent alone came first");
            Assert.That(fullCall, Is.EqualTo(AdmittedThenRefused(fullCall)), "the full call decides in arrival order");
            Assert.That(lastCall, Is.EqualTo(AdmittedThenRefused(lastCall)), "the last call decides in arrival order");
        });

        static IEnumerable<bool> AdmittedThenRefused(List<bool> decisions)
            => Enumerable.Repeat(true, decisions.Count(d => d)).Concat(Enumerable.Repeat(false, decisions.Count(d => !d)));
    }

    [Test]
    public async Task AcquireAsync_QueuedRequestGivenUp_IsNeverSentAndEndsCancelledAtOnce()
    {
        // A queued request whose caller gives up (the engine's store timeout) ends at once and is dropped from the
        // queue: it is not charged, and no verdict is written for it.
        var (store, proxy, _) = await StalledStoreAsync();
        const int Limit = RedisRateLimitStore.MaxCallsInFlight + 1;
        var charge = new RateLimitCharge(Rate("burst", Limit, TimeSpan.FromMinutes(1)), Partition("alice"));
        using var timeout = new CancellationTokenSource();

        var pending = Enumerable.Range(0, RedisRateLimitStore.MaxCallsInFlight).Select(_ => Pending(store, charge)).ToList();
        var givenUp = Pending(store, charge, timeout.Token);
        pending.Add(givenUp);
        pending.Add(Pending(store, charge));
        await timeout.CancelAsync();
        await Eventually.HoldsAsync(() => givenUp.Task.IsCompleted, TimeSpan.FromSeconds(5), "The given-up request's end while the server is stalled");
        proxy.Resume();
        var others = pending.Where(p => p != givenUp).ToList();
        await Task.WhenAll(others.Select(p => p.Task));

        Assert.Multiple(() =>
        {
            Assert.That(givenUp.Task.IsCanceled, Is.True);
            Assert.That(givenUp.Verdicts[0], Is.EqualTo(default(RateLimitVerdict)));
            Assert.That(others.Select(p => p.Task.Result), Is.All.True, "as many requests as the limit: the given-up one took nothing");
            Assert.That(others.Select(p => p.Verdicts[0].Remaining), Is.EqualTo(Enumerable.Range(0, Limit).Reverse().Select(r => (long)r)));
        });
    }

    [Test]
    public async Task AcquireAsync_OneQueuedRequestsKeyIsBroken_FailsThatRequestAndDecidesTheOthers()
    {
        var (store, proxy, _) = await StalledStoreAsync();
        var good = new RateLimitCharge(Rate("burst", 50, TimeSpan.FromMinutes(1)), Partition("alice"));
        var broken = new RateLimitCharge(Rate("burst", 50, TimeSpan.FromMinutes(1)), Partition("mallory"));
        await (await Redis.AdminAsync()).GetDatabase().StringSetAsync($"{_instance}rl:{{{broken.Partition}}}:burst:1", "not a time");

        var inFlight = Enumerable.Range(0, RedisRateLimitStore.MaxCallsInFlight).Select(_ => Pending(store, good)).ToList();
        var queued = new[] { Pending(store, good), Pending(store, broken), Pending(store, good) };
        proxy.Resume();
        await Task.WhenAll(inFlight.Concat(queued).Select(p => p.Task.ContinueWith(_ => { }, TaskScheduler.Default)));

        Assert.Multiple(() =>
        {
            Assert.That(queued[1].Task.Exception?.InnerException, Is.InstanceOf<RateLimitStoreUnavailableException>());
            Assert.That(inFlight.Concat([queued[0], queued[2]]).Select(p => p.Task.Result), Is.All.True, "the requests sharing its call are decided");
            Assert.That(queued[2].Verdicts[0].Remaining, Is.EqualTo(50 - RedisRateLimitStore.MaxCallsInFlight - 2));
        });
    }

    [Test]
    public async Task AcquireAsync_ConnectionLostWithRequestsQueued_FailsEveryOneAsUnavailable()
    {
        var (store, proxy, _) = await StalledStoreAsync();
        var charge = new RateLimitCharge(Rate("burst", 5, TimeSpan.FromMinutes(1)), Partition("alice"));
        var pending = Enumerable.Range(0, 6).Select(_ => Pending(store, charge)).ToList();

        proxy.Cut();
        await Eventually.HoldsAsync(() => pending.All(p => p.Task.IsCompleted), TimeSpan.FromSeconds(10), "Every request's end");

        Assert.That(pending.Select(p => p.Task.Exception?.InnerException), Is.All.InstanceOf<RateLimitStoreUnavailableException>(), "in flight and queued alike");
    }

    [Test]
    public async Task AcquireAsync_NodeClockDaysOffWithRequestsQueued_AsksAgainAndCountsExactly()
    {
        // Concurrent requests from a node whose clock is three days ahead: every one the script asks again is sent
        // again, before newer ones, with the server's period; together they spend the daily quota exactly once.
        var now = TimeProvider.System.GetUtcNow();
        var (host, port) = RedisServerFixture.EndPointOf(Redis.ConnectionString);
        var proxy = new TcpOutageProxy(host, port);
        _proxies.Add(proxy);
        var store = new RedisRateLimitStore(Connection($"127.0.0.1:{proxy.Port}"), new FakeTimeProvider(now + TimeSpan.FromDays(3)));
        await AcquireAsync(store, new RateLimitCharge(Rate("warm", 5, TimeSpan.FromMinutes(1)), Partition("warm-up")));
        proxy.Stall();
        var daily = new RateLimitCharge(FixedQuota("daily", 5, QuotaCalendar.Day), Partition("alice"));

        var pending = Enumerable.Range(0, 8).Select(_ => Pending(store, daily)).ToList();
        proxy.Resume();
        await Task.WhenAll(pending.Select(p => p.Task));

        var keys = (await KeysAsync()).Where(k => k.Contains(":daily:", StringComparison.Ordinal)).ToList();
        var serverDayStart = new CalendarPeriods(QuotaCalendar.Day, TimeZoneInfo.Utc).Find(RateLimitClock.ToUnixMicros(now)).Start;
        Assert.Multiple(() =>
        {
            Assert.That(pending.Count(p => p.Task.Result), Is.EqualTo(5));
            Assert.That(keys, Has.Count.EqualTo(1));
            Assert.That(keys[0], Does.EndWith($":daily:2:{serverDayStart}"), "the counter is the server's day's");
        });
    }

    [Test]
    public async Task AcquireAsync_RedisClusterWithQueuedRequestsOfManySlots_SendsOneCallPerSlot()
    {
        // A script's keys must share a slot (CROSSSLOT otherwise), so a batch of many callers is split by slot. Needs a
        // real cluster: .ci/run starts a one-node redis-server cluster, which enforces slots as a larger one does.
        var cluster = Environment.GetEnvironmentVariable(ClusterVariable);
        if (string.IsNullOrEmpty(cluster))
        {
            Assert.Ignore($"Needs a Redis Cluster: set {ClusterVariable} to one (.ci/run starts a one-node cluster on loopback).");
        }

        var connection = Connection(cluster);
        var store = new RedisRateLimitStore(connection, _time) { UseCallerClock = true };
        var multiplexer = await connection.GetAsync();
        var charges = Enumerable.Range(0, 10).Select(i => new RateLimitCharge(Rate("burst", 5, TimeSpan.FromMinutes(1)), Partition($"caller-{i}"))).ToArray();

        // The first calls go out alone; the rest queue behind them and are taken in batches that mix every caller. One
        // request among them has two policies partitioned differently (two slots): it fails alone.
        var pending = Enumerable.Range(0, 100).Select(i => (Charge: charges[i % charges.Length], Pending(store, charges[i % charges.Length]).Task)).ToList();
        var crossSlot = store.AcquireAsync(new[] { charges[0], new RateLimitCharge(Rate("global", 5, TimeSpan.FromMinutes(1)), Partition("everyone")) }, new RateLimitVerdict[2], CancellationToken.None).AsTask();
        pending.AddRange(Enumerable.Range(100, 100).Select(i => (Charge: charges[i % charges.Length], Pending(store, charges[i % charges.Length]).Task)));
        await Task.WhenAll(pending.Select(p => p.Task));

        Assert.Multiple(() =>
        {
            Assert.That(multiplexer.HashSlot($"{{{Partition("everyone")}}}"), Is.Not.EqualTo(multiplexer.HashSlot($"{{{charges[0].Partition}}}")));
            Assert.ThrowsAsync<RateLimitStoreUnavailableException>(() => crossSlot);
            Assert.That(charges.Select(c => multiplexer.HashSlot($"{_instance}rl:{{{c.Partition}}}:burst:1")).Distinct().Count(), Is.GreaterThan(1), "the callers lie in several slots");
            Assert.That(charges.Select(c => pending.Count(p => p.Charge == c && p.Task.Result)), Is.All.EqualTo(5), "each caller's limit, exactly");
        });
    }

    [Test]
    public async Task AcquireAsync_ServerUnreachable_ThrowsStoreUnavailable()
    {
        var (host, port) = RedisServerFixture.EndPointOf(Redis.ConnectionString);
        using var proxy = new TcpOutageProxy(host, port);
        var store = new RedisRateLimitStore(Connection($"127.0.0.1:{proxy.Port}"), _time);
        var charge = new RateLimitCharge(Rate("burst", 5, TimeSpan.FromMinutes(1)), Partition("alice"));
        var (before, _) = await AcquireAsync(store, charge);

        proxy.Cut();

        Assert.That(before, Is.True);
        Assert.ThrowsAsync<RateLimitStoreUnavailableException>(async () => await AcquireAsync(store, charge));
    }

    private static async Task<(bool Admitted, RateLimitVerdict[] Verdicts)> AcquireAsync(RedisRateLimitStore store, params RateLimitCharge[] charges)
    {
        var verdicts = new RateLimitVerdict[charges.Length];
        var admitted = await store.AcquireAsync(charges, verdicts, CancellationToken.None);
        return (admitted, verdicts);
    }

    private static async Task<string> DescribeAsync(IRateLimitStore store, int step, RateLimitCharge[] charges)
    {
        var verdicts = new RateLimitVerdict[charges.Length];
        var admitted = await store.AcquireAsync(charges, verdicts, CancellationToken.None);
        var line = new System.Text.StringBuilder().Append(CultureInfo.InvariantCulture, $"#{step} {(admitted ? "admitted" : "rejected")}:");
        for (var i = 0; i < charges.Length; i++)
        {
            var v = verdicts[i];
            line.Append(CultureInfo.InvariantCulture, $" {charges[i].Rule.PolicyName}(admitted={v.Admitted}, remaining={v.Remaining}, reset={v.ResetMicros}, retry={v.RetryAfterMicros})");
        }

        return line.ToString();
    }

    private static async Task<long?> ScriptCallsOnServerAsync()
    {
        var admin = await Redis.AdminAsync();
        try
        {
            var info = await admin.GetServers()[0].InfoAsync("commandstats");
            long? calls = null;
            foreach (var pair in info.SelectMany(group => group))
            {
                if (pair.Key is "cmdstat_evalsha" or "cmdstat_eval")
                {
                    var field = pair.Value.Split(',').First(f => f.StartsWith("calls=", StringComparison.Ordinal));
                    calls = (calls ?? 0) + long.Parse(field.AsSpan(6), CultureInfo.InvariantCulture);
                }
            }

            return calls;
        }
        catch (RedisException)
        {
            return null;
        }
    }

    private static (Task<bool> Task, RateLimitVerdict[] Verdicts) Pending(RedisRateLimitStore store, RateLimitCharge charge, CancellationToken cancellationToken = default)
    {
        var verdicts = new RateLimitVerdict[1];
        return (store.AcquireAsync(new[] { charge }, verdicts, cancellationToken).AsTask(), verdicts);
    }

    /// <summary>
    /// Asks <paramref name="count"/> decisions of a stalled store, then lets the server answer: the first ones go out
    /// alone and the rest queue behind them.
    /// </summary>
    /// <returns>The decisions, whether none had ended while the server was stalled, and the script calls sent.</returns>
    private async Task<(List<(Task<bool> Task, RateLimitVerdict[] Verdicts)> Pending, bool HeldWhileStalled, int ScriptCalls)> DecideQueuedAsync(RateLimitCharge charge, int count)
    {
        var (store, proxy, multiplexer) = await StalledStoreAsync();
        var session = new ProfilingSession();
        multiplexer.RegisterProfiler(() => session);

        var pending = Enumerable.Range(0, count).Select(_ => Pending(store, charge)).ToList();
        var heldWhileStalled = pending.All(p => !p.Task.IsCompleted);
        proxy.Resume();
        await Task.WhenAll(pending.Select(p => p.Task));
        multiplexer.RegisterProfiler(() => null);
        return (pending, heldWhileStalled, session.FinishProfiling().Count(c => c.Command == "EVALSHA"));
    }

    /// <summary>A caller-clock store behind a proxy, connected (one decision on another partition), then stalled.</summary>
    private async Task<(RedisRateLimitStore Store, TcpOutageProxy Proxy, IConnectionMultiplexer Multiplexer)> StalledStoreAsync()
    {
        var (host, port) = RedisServerFixture.EndPointOf(Redis.ConnectionString);
        var proxy = new TcpOutageProxy(host, port);
        _proxies.Add(proxy);
        var connection = Connection($"127.0.0.1:{proxy.Port}");
        var store = new RedisRateLimitStore(connection, _time) { UseCallerClock = true };
        await AcquireAsync(store, new RateLimitCharge(Rate("warm", 5, TimeSpan.FromMinutes(1)), Partition("warm-up")));
        proxy.Stall();
        return (store, proxy, await connection.GetAsync());
    }

    private RedisRateLimitStore CallerClockStore() => new(Connection(Redis.ConnectionString), _time) { UseCallerClock = true };

    private RedisRateLimitStore ServerClockStore() => new(Connection(Redis.ConnectionString), TimeProvider.System);

    private RedisConnection Connection(string connectionString)
    {
        var connection = Connect(connectionString, _instance);
        _connections.Add(connection);
        return connection;
    }

    private async Task<List<string>> KeysAsync()
    {
        var admin = await Redis.AdminAsync();
        var keys = new List<string>();
        await foreach (var key in admin.GetServers()[0].KeysAsync(pattern: _instance + "*"))
        {
            keys.Add(key.ToString());
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    private async Task<Dictionary<string, string>> SnapshotAsync()
    {
        var database = (await Redis.AdminAsync()).GetDatabase();
        var snapshot = new Dictionary<string, string>();
        foreach (var key in await KeysAsync())
        {
            snapshot[key] = await database.KeyTypeAsync(key) == RedisType.Hash
                ? string.Join(",", (await database.HashGetAllAsync(key)).OrderBy(e => (string)e.Name!, StringComparer.Ordinal).Select(e => $"{e.Name}={e.Value}"))
                : (string)(await database.StringGetAsync(key))!;
        }

        return snapshot;
    }
}
