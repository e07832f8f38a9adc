using System.Collections.Concurrent;
using System.Diagnostics;
using ApiShield.RateLimiting;
using ApiShield.Stores.InMemory;
using Microsoft.Extensions.Time.Testing;

namespace ApiShield.Tests.Stores.InMemory;

[TestFixture]
public sealed class InMemoryRateLimitStoreTests
{
    private const long Ms = 1_000;

    // 2026-01-15 12:00:00 UTC: a whole second, so segment boundaries of 250 ms fall on it.
    private static readonly DateTimeOffset Start = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private static RateLimitRule Rule(
        RateLimitKind kind,
        long limit,
        TimeSpan window,
        long? burst = null,
        QuotaCalendar calendar = QuotaCalendar.Rolling,
        string zone = "UTC",
        int segments = 10,
        string name = "orders")
        => RateLimitRule.Create(
            name,
            new RateLimitPolicyOptions { Kind = kind, PermitLimit = limit, Window = window, Burst = burst, Calendar = calendar, TimeZone = zone, Segments = segments },
            limit,
            burst);

    private static async Task<(bool Admitted, RateLimitVerdict Verdict)> AcquireAsync(InMemoryRateLimitStore store, RateLimitRule rule, string partition = "0123456789abcdef0123456789abcdef")
    {
        var verdicts = new RateLimitVerdict[1];
        var admitted = await store.AcquireAsync(new[] { new RateLimitCharge(rule, partition) }, verdicts, CancellationToken.None);
        return (admitted, verdicts[0]);
    }

    private static void AssertVerdict(RateLimitVerdict verdict, bool admitted, long remaining, long resetMicros, long retryAfterMicros = 0)
        => Assert.Multiple(() =>
        {
            Assert.That(verdict.Admitted, Is.EqualTo(admitted), "Admitted");
            Assert.That(verdict.Remaining, Is.EqualTo(remaining), "Remaining");
            Assert.That(verdict.ResetMicros, Is.EqualTo(resetMicros), "ResetMicros");
            Assert.That(verdict.RetryAfterMicros, Is.EqualTo(retryAfterMicros), "RetryAfterMicros");
            Assert.That(verdict.Unchecked, Is.False, "Unchecked");
        });

    [Test]
    public async Task AcquireAsync_RateWithBurst_AdmitsBurstAtOnceThenOnePerInterval()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        var rule = Rule(RateLimitKind.Rate, 10, TimeSpan.FromSeconds(1), burst: 5);

        for (var k = 1; k <= 4; k++)
        {
            var (admitted, verdict) = await AcquireAsync(store, rule);
            Assert.That(admitted, Is.True);
            AssertVerdict(verdict, true, remaining: 5 - k, resetMicros: k * 100 * Ms);
        }

        var fifth = await AcquireAsync(store, rule);
        AssertVerdict(fifth.Verdict, true, remaining: 0, resetMicros: 100 * Ms);

        var sixth = await AcquireAsync(store, rule);
        Assert.That(sixth.Admitted, Is.False);
        AssertVerdict(sixth.Verdict, false, remaining: 0, resetMicros: 100 * Ms, retryAfterMicros: 100 * Ms);

        time.Advance(TimeSpan.FromMilliseconds(99));
        var early = await AcquireAsync(store, rule);
        AssertVerdict(early.Verdict, false, remaining: 0, resetMicros: 1 * Ms, retryAfterMicros: 1 * Ms);

        time.Advance(TimeSpan.FromMilliseconds(1));
        var onTime = await AcquireAsync(store, rule);
        AssertVerdict(onTime.Verdict, true, remaining: 0, resetMicros: 100 * Ms);

        // Quiet for longer than the burst takes to refill: the full burst is back.
        time.Advance(TimeSpan.FromMilliseconds(600));
        var rested = await AcquireAsync(store, rule);
        AssertVerdict(rested.Verdict, true, remaining: 4, resetMicros: 100 * Ms);
    }

    [Test]
    public async Task AcquireAsync_RateWithoutBurst_BurstIsPermitLimit()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        var rule = Rule(RateLimitKind.Rate, 3, TimeSpan.FromMinutes(1));

        var results = new List<bool>();
        for (var i = 0; i < 4; i++)
        {
            results.Add((await AcquireAsync(store, rule)).Admitted);
        }

        Assert.That(results, Is.EqualTo(new[] { true, true, true, false }));
    }

    [Test]
    public async Task AcquireAsync_SpikeArrestTenPerSecond_AdmitsOnePerHundredMilliseconds()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        var rule = Rule(RateLimitKind.SpikeArrest, 10, TimeSpan.FromSeconds(1));

        var first = await AcquireAsync(store, rule);
        AssertVerdict(first.Verdict, true, remaining: 0, resetMicros: 100 * Ms);

        var admittedAtOnce = 1;
        for (var i = 0; i < 9; i++)
        {
            var (admitted, verdict) = await AcquireAsync(store, rule);
            admittedAtOnce += admitted ? 1 : 0;
            AssertVerdict(verdict, false, remaining: 0, resetMicros: 100 * Ms, retryAfterMicros: 100 * Ms);
        }

        Assert.That(admittedAtOnce, Is.EqualTo(1));

        time.Advance(TimeSpan.FromMilliseconds(99));
        var early = await AcquireAsync(store, rule);
        AssertVerdict(early.Verdict, false, remaining: 0, resetMicros: 1 * Ms, retryAfterMicros: 1 * Ms);

        time.Advance(TimeSpan.FromMilliseconds(1));
        var onTime = await AcquireAsync(store, rule);
        AssertVerdict(onTime.Verdict, true, remaining: 0, resetMicros: 100 * Ms);
    }

    [Test]
    public async Task AcquireAsync_SpikeArrestOverOneSecond_AdmitsExactlyTen()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        var rule = Rule(RateLimitKind.SpikeArrest, 10, TimeSpan.FromSeconds(1));

        // One attempt per millisecond for a second: one admitted per 100 ms slot, never two.
        var admitted = new List<long>();
        for (var ms = 0; ms < 1000; ms++)
        {
            if ((await AcquireAsync(store, rule)).Admitted)
            {
                admitted.Add(ms);
            }

            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.That(admitted, Is.EqualTo(Enumerable.Range(0, 10).Select(i => i * 100L)));
    }

    [Test]
    public async Task AcquireAsync_CalendarDayInBerlin_ResetsAtLocalMidnight()
    {
        // 22:30 UTC is 23:30 in Berlin (CET): the local day ends at 23:00 UTC, not at UTC midnight.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 15, 22, 30, 0, TimeSpan.Zero));
        using var store = new InMemoryRateLimitStore(time);
        var rule = Rule(RateLimitKind.Quota, 2, TimeSpan.FromDays(1), calendar: QuotaCalendar.Day, zone: "Europe/Berlin");
        var halfHour = 30 * 60 * 1000 * Ms;

        AssertVerdict((await AcquireAsync(store, rule)).Verdict, true, remaining: 1, resetMicros: halfHour);
        AssertVerdict((await AcquireAsync(store, rule)).Verdict, true, remaining: 0, resetMicros: halfHour);
        AssertVerdict((await AcquireAsync(store, rule)).Verdict, false, remaining: 0, resetMicros: halfHour, retryAfterMicros: halfHour);

        time.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromTicks(10));
        AssertVerdict((await AcquireAsync(store, rule)).Verdict, false, remaining: 0, resetMicros: 1, retryAfterMicros: 1);

        time.Advance(TimeSpan.FromTicks(10));
        var day = 24 * 3600 * 1000 * Ms;
        AssertVerdict((await AcquireAsync(store, rule)).Verdict, true, remaining: 1, resetMicros: day);
    }

    [Test]
    public async Task AcquireAsync_CalendarDayInNewYork_DoesNotResetAtUtcMidnight()
    {
        // 23:30 UTC is 18:30 in New York (EST): the local day ends at 05:00 UTC.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 15, 23, 30, 0, TimeSpan.Zero));
        using var store = new InMemoryRateLimitStore(time);
        var rule = Rule(RateLimitKind.Quota, 1, TimeSpan.FromDays(1), calendar: QuotaCalendar.Day, zone: "America/New_York");

        Assert.That((await AcquireAsync(store, rule)).Admitted, Is.True);
        time.Advance(TimeSpan.FromMinutes(31));
        var afterUtcMidnight = await AcquireAsync(store, rule);
        var untilLocalMidnight = (long)TimeSpan.FromHours(4).Add(TimeSpan.FromMinutes(59)).TotalMicroseconds;
        AssertVerdict(afterUtcMidnight.Verdict, false, remaining: 0, resetMicros: untilLocalMidnight, retryAfterMicros: untilLocalMidnight);

        time.Advance(TimeSpan.FromHours(4).Add(TimeSpan.FromMinutes(59)));
        Assert.That((await AcquireAsync(store, rule)).Admitted, Is.True);
    }

    [Test]
    public async Task AcquireAsync_CalendarMonth_ResetsAtLocalMonthBoundary()
    {
        // 2026-02-01 04:59 UTC is 23:59 on 31 January in New York.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 2, 1, 4, 59, 0, TimeSpan.Zero));
        using var store = new InMemoryRateLimitStore(time);
        var rule = Rule(RateLimitKind.Quota, 1, TimeSpan.FromDays(30), calendar: QuotaCalendar.Month, zone: "America/New_York");
        var minute = 60 * 1000 * Ms;

        AssertVerdict((await AcquireAsync(store, rule)).Verdict, true, remaining: 0, resetMicros: minute);
        AssertVerdict((await AcquireAsync(store, rule)).Verdict, false, remaining: 0, resetMicros: minute, retryAfterMicros: minute);

        time.Advance(TimeSpan.FromMinutes(1));
        var february = (long)TimeSpan.FromDays(28).TotalMicroseconds;
        AssertVerdict((await AcquireAsync(store, rule)).Verdict, true, remaining: 0, resetMicros: february);
    }

    [TestCase("2026-03-28T23:00:00Z", 23, TestName = "AcquireAsync_CalendarDayOfSpringForward_LastsTwentyThreeHours")]
    [TestCase("2026-10-24T22:00:00Z", 25, TestName = "AcquireAsync_CalendarDayOfFallBack_LastsTwentyFiveHours")]
    public async Task AcquireAsync_CalendarDayAcrossDaylightSavingChange(string localMidnightUtc, int hours)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse(localMidnightUtc, System.Globalization.CultureInfo.InvariantCulture));
        using var store = new InMemoryRateLimitStore(time);
        var rule = Rule(RateLimitKind.Quota, 1, TimeSpan.FromDays(1), calendar: QuotaCalendar.Day, zone: "Europe/Berlin");
        var day = (long)TimeSpan.FromHours(hours).TotalMicroseconds;

        AssertVerdict((await AcquireAsync(store, rule)).Verdict, true, remaining: 0, resetMicros: day);
        AssertVerdict((await AcquireAsync(store, rule)).Verdict, false, remaining: 0, resetMicros: day, retryAfterMicros: day);

        time.Advance(TimeSpan.FromHours(hours) - TimeSpan.FromTicks(10));
        Assert.That((await AcquireAsync(store, rule)).Admitted, Is.False);
        time.Advance(TimeSpan.FromTicks(10));
        Assert.That((await AcquireAsync(store, rule)).Admitted, Is.True);
    }

    [Test]
    public async Task AcquireAsync_SlidingWindow_RemainingResetAndRetryAfterAreExact()
    {
        // Window 1 s in 4 segments of 250 ms; Start is on a segment boundary (segment j0).
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        var rule = Rule(RateLimitKind.Quota, 3, TimeSpan.FromSeconds(1), segments: 4);

        // Everything counted is gone when segment j0 + 4 has left, at j0 + 5 = +1250 ms.
        AssertVerdict((await AcquireAsync(store, rule)).Verdict, true, remaining: 2, resetMicros: 1250 * Ms);
        time.Advance(TimeSpan.FromMilliseconds(300));
        AssertVerdict((await AcquireAsync(store, rule)).Verdict, true, remaining: 1, resetMicros: 1200 * Ms);
        time.Advance(TimeSpan.FromMilliseconds(300));

        // Full: the next permit comes when segment j0 (the first request) leaves, at +1250 ms.
        AssertVerdict((await AcquireAsync(store, rule)).Verdict, true, remaining: 0, resetMicros: 650 * Ms);
        time.Advance(TimeSpan.FromMilliseconds(100));
        AssertVerdict((await AcquireAsync(store, rule)).Verdict, false, remaining: 0, resetMicros: 550 * Ms, retryAfterMicros: 550 * Ms);

        time.Advance(TimeSpan.FromMilliseconds(549));
        AssertVerdict((await AcquireAsync(store, rule)).Verdict, false, remaining: 0, resetMicros: 1 * Ms, retryAfterMicros: 1 * Ms);

        // +1250 ms: segment j0 has left; the requests of j0+1 and j0+2 still count, so one more fits, and the
        // next permit comes when j0+1 leaves, at +1500 ms.
        time.Advance(TimeSpan.FromMilliseconds(1));
        AssertVerdict((await AcquireAsync(store, rule)).Verdict, true, remaining: 0, resetMicros: 250 * Ms);
    }

    [Test]
    public async Task AcquireAsync_SlidingWindowAboveLoweredLimit_RetryAfterWaitsForEnoughSegmentsToLeave()
    {
        // Two requests in j0 and two in j0+2 under a limit of 4; then the caller's limit drops to 2 (a tier change
        // keeps the counter). At j0+3 one more fits only when both j0 and j0+2 have left: at j0+7 = +1750 ms.
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        var four = Rule(RateLimitKind.Quota, 4, TimeSpan.FromSeconds(1), segments: 4);
        var two = Rule(RateLimitKind.Quota, 2, TimeSpan.FromSeconds(1), segments: 4);
        await AcquireAsync(store, four);
        await AcquireAsync(store, four);
        time.Advance(TimeSpan.FromMilliseconds(500));
        await AcquireAsync(store, four);
        await AcquireAsync(store, four);
        time.Advance(TimeSpan.FromMilliseconds(300));

        var refused = await AcquireAsync(store, two);

        AssertVerdict(refused.Verdict, false, remaining: 0, resetMicros: 950 * Ms, retryAfterMicros: 950 * Ms);
    }

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(42)]
    public async Task AcquireAsync_SlidingWindowRandomTraffic_NeverMoreThanLimitInAnyWindow(int seed)
    {
        var random = new Random(seed);
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        const int limit = 7;
        var window = TimeSpan.FromMilliseconds(1000);
        var rule = Rule(RateLimitKind.Quota, limit, window, segments: 3);
        var admitted = new List<long>();
        var refusals = 0;

        for (var i = 0; i < 3000; i++)
        {
            time.Advance(TimeSpan.FromMicroseconds(random.Next(0, 120_000)));
            var (ok, verdict) = await AcquireAsync(store, rule);
            var now = RateLimitClock.NowMicros(time);
            if (ok)
            {
                admitted.Add(now);
            }
            else
            {
                refusals++;
                Assert.That(verdict.RetryAfterMicros, Is.GreaterThan(0));
            }
        }

        var windowMicros = (long)window.TotalMicroseconds;
        var first = 0;
        for (var last = 0; last < admitted.Count; last++)
        {
            while (admitted[first] < admitted[last] - windowMicros)
            {
                first++;
            }

            Assert.That(last - first + 1, Is.LessThanOrEqualTo(limit), $"admitted in [{admitted[last] - windowMicros}, {admitted[last]}]");
        }

        Assert.That(refusals, Is.GreaterThan(0), "the traffic must exceed the limit for the check to mean anything");
    }

    [Test]
    public async Task AcquireAsync_SlidingWindowRetryAfter_IsWhenTheNextRequestIsAdmitted()
    {
        var random = new Random(3);
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        var rule = Rule(RateLimitKind.Quota, 5, TimeSpan.FromMilliseconds(700), segments: 7);

        for (var i = 0; i < 300; i++)
        {
            time.Advance(TimeSpan.FromMicroseconds(random.Next(0, 90_000)));
            var (ok, verdict) = await AcquireAsync(store, rule);
            if (!ok)
            {
                // One microsecond before the retry-after, still refused; at it, admitted.
                time.Advance(TimeSpan.FromMicroseconds(verdict.RetryAfterMicros - 1));
                Assert.That((await AcquireAsync(store, rule)).Admitted, Is.False);
                time.Advance(TimeSpan.FromMicroseconds(1));
                Assert.That((await AcquireAsync(store, rule)).Admitted, Is.True);
            }
        }
    }

    [Test]
    public async Task AcquireAsync_OnePolicyRefuses_NoPolicyIsCharged()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        var daily = Rule(RateLimitKind.Quota, 5, TimeSpan.FromDays(1), calendar: QuotaCalendar.Day, name: "daily");
        var rolling = Rule(RateLimitKind.Quota, 5, TimeSpan.FromMinutes(1), segments: 6, name: "rolling");
        var rate = Rule(RateLimitKind.Rate, 5, TimeSpan.FromMinutes(1), name: "rate");
        var spike = Rule(RateLimitKind.SpikeArrest, 1, TimeSpan.FromSeconds(1), name: "spike");
        const string partition = "00000000000000000000000000000001";
        RateLimitCharge[] charges = [new(daily, partition), new(rolling, partition), new(rate, partition), new(spike, partition)];
        var verdicts = new RateLimitVerdict[4];

        Assert.That(await store.AcquireAsync(charges, verdicts, CancellationToken.None), Is.True);
        Assert.That(verdicts.Select(v => v.Remaining), Is.EqualTo(new long[] { 4, 4, 4, 0 }));

        // The spike arrest refuses; the others would admit and report their remaining as it was.
        Assert.That(await store.AcquireAsync(charges, verdicts, CancellationToken.None), Is.False);
        var rolledReset = (long)TimeSpan.FromSeconds(70).TotalMicroseconds;
        var endOfDay = (long)TimeSpan.FromHours(12).TotalMicroseconds;
        AssertVerdict(verdicts[0], true, remaining: 4, resetMicros: endOfDay);
        AssertVerdict(verdicts[1], true, remaining: 4, resetMicros: rolledReset);
        AssertVerdict(verdicts[2], true, remaining: 4, resetMicros: 12 * 1000 * Ms);
        AssertVerdict(verdicts[3], false, remaining: 0, resetMicros: 1000 * Ms, retryAfterMicros: 1000 * Ms);

        // Each policy alone: charged once so far, not twice.
        foreach (var rule in new[] { daily, rolling, rate })
        {
            Assert.That((await AcquireAsync(store, rule, partition)).Verdict.Remaining, Is.EqualTo(3), rule.PolicyName);
        }
    }

    [Test]
    public async Task AcquireAsync_OnePolicyRefusesOnFreshCounters_ReportsFullRemainingWithoutReset()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        var daily = Rule(RateLimitKind.Quota, 5, TimeSpan.FromDays(1), calendar: QuotaCalendar.Day, name: "daily");
        var rolling = Rule(RateLimitKind.Quota, 5, TimeSpan.FromMinutes(1), name: "rolling");
        var rate = Rule(RateLimitKind.Rate, 5, TimeSpan.FromMinutes(1), name: "rate");
        var spike = Rule(RateLimitKind.SpikeArrest, 1, TimeSpan.FromSeconds(1), name: "spike");
        await AcquireAsync(store, spike, "p");
        RateLimitCharge[] charges = [new(daily, "p"), new(rolling, "p"), new(rate, "p"), new(spike, "p")];
        var verdicts = new RateLimitVerdict[4];

        Assert.That(await store.AcquireAsync(charges, verdicts, CancellationToken.None), Is.False);

        AssertVerdict(verdicts[0], true, remaining: 5, resetMicros: 0);
        AssertVerdict(verdicts[1], true, remaining: 5, resetMicros: 0);
        AssertVerdict(verdicts[2], true, remaining: 5, resetMicros: 0);
    }

    [TestCase(RateLimitKind.Rate, QuotaCalendar.Rolling, 50)]
    [TestCase(RateLimitKind.SpikeArrest, QuotaCalendar.Rolling, 1)]
    [TestCase(RateLimitKind.Quota, QuotaCalendar.Rolling, 50)]
    [TestCase(RateLimitKind.Quota, QuotaCalendar.Day, 50)]
    public async Task AcquireAsync_ConcurrentRequestsOnOneKey_AdmitExactlyTheLimit(RateLimitKind kind, QuotaCalendar calendar, long expected)
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        var rule = Rule(kind, 50, TimeSpan.FromHours(1), calendar: calendar);
        var admitted = 0;
        using var go = new ManualResetEventSlim();

        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            go.Wait();
            var verdicts = new RateLimitVerdict[1];
            RateLimitCharge[] charges = [new(rule, "shared")];
            for (var i = 0; i < 63; i++)
            {
                if (await store.AcquireAsync(charges, verdicts, CancellationToken.None))
                {
                    Interlocked.Increment(ref admitted);
                }
            }
        })).ToArray();
        go.Set();
        await Task.WhenAll(workers);

        Assert.That(admitted, Is.EqualTo(expected));
    }

    [Test]
    public async Task AcquireAsync_ConcurrentMultiChargeRequestsInOpposingOrders_AdmitExactlyAndNeverDeadlock()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        var a = Rule(RateLimitKind.Quota, 100, TimeSpan.FromHours(1), name: "a");
        var b = Rule(RateLimitKind.Rate, 1000, TimeSpan.FromHours(1), name: "b");
        var admitted = 0;
        using var go = new ManualResetEventSlim();

        // Half the workers charge (a, b), half (b, a), on partitions that share and cross keys.
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            go.Wait();
            RateLimitCharge[] charges = w % 2 == 0 ? [new(a, "x"), new(b, "y")] : [new(b, "y"), new(a, "x")];
            var verdicts = new RateLimitVerdict[2];
            for (var i = 0; i < 200; i++)
            {
                if (await store.AcquireAsync(charges, verdicts, CancellationToken.None))
                {
                    Interlocked.Increment(ref admitted);
                }
            }
        })).ToArray();
        go.Set();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(admitted, Is.EqualTo(100));

        // b was charged only for the 100 admitted requests.
        Assert.That((await AcquireAsync(store, b, "y")).Verdict.Remaining, Is.EqualTo(1000 - 101));
    }

    [Test]
    public async Task Acquire_ManyThreadsOnGrowingSharedShards_LoseNoCharge()
    {
        // Every charge is admitted, so each one must show in the counters: a write lost between two threads, or a
        // dictionary corrupted by a resize, breaks the sums. New partitions keep the shards growing under their locks
        // while a sweep walks them, and half the requests charge three partitions (up to three shards, taken in
        // opposing orders by different requests). Threads of their own, not pool tasks: on two cores the pool would
        // run the workers one or two at a time.
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        const int Workers = 8;
        const int Rounds = 40_000;
        const int Limit = 1_000_000;
        var rate = Rule(RateLimitKind.Rate, Limit, TimeSpan.FromHours(1), burst: Limit);
        var quota = Rule(RateLimitKind.Quota, Limit, TimeSpan.FromHours(1), name: "daily");
        string[] hot = ["hot-0", "hot-1", "hot-2", "hot-3"];
        var refused = 0;
        var running = Workers;
        var failures = new ConcurrentQueue<Exception>();
        using var go = new ManualResetEventSlim();

        Thread Spawn(Action work)
        {
            var thread = new Thread(() =>
            {
                go.Wait();
                try
                {
                    work();
                }
                catch (Exception exception)
                {
                    failures.Enqueue(exception);
                }
            }) { IsBackground = true };
            thread.Start();
            return thread;
        }

        var threads = Enumerable.Range(0, Workers).Select(w => Spawn(() =>
        {
            try
            {
                var verdicts = new RateLimitVerdict[3];
                for (var i = 0; i < Rounds; i++)
                {
                    var partition = hot[i / 2 % hot.Length];
                    RateLimitCharge[] charges = i % 2 == 0
                        ? [new(rate, partition)]
                        : [new(rate, partition), new(quota, hot[(i / 2 + 1) % hot.Length]), new(rate, $"new-{w}-{i}")];
                    if (!store.Acquire(charges, verdicts))
                    {
                        Interlocked.Increment(ref refused);
                    }
                }
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        })).ToList();
        threads.Add(Spawn(() =>
        {
            while (Volatile.Read(ref running) > 0)
            {
                store.Sweep();
            }
        }));
        go.Set();
        var elapsed = Stopwatch.StartNew();
        foreach (var thread in threads)
        {
            var left = TimeSpan.FromSeconds(60) - elapsed.Elapsed;
            Assert.That(thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero), Is.True, "a thread still running after 60 s: a deadlock");
        }

        const int RatePerHot = Workers * Rounds / 4;
        Assert.That(failures, Is.Empty);
        Assert.That(refused, Is.Zero);
        Assert.That(store.Count, Is.EqualTo((2 * hot.Length) + (Workers * Rounds / 2)), "one counter per policy and partition, none lost or doubled");
        foreach (var partition in hot)
        {
            Assert.That((await AcquireAsync(store, rate, partition)).Verdict.Remaining, Is.EqualTo(Limit - RatePerHot - 1), partition);
            Assert.That((await AcquireAsync(store, quota, partition)).Verdict.Remaining, Is.EqualTo(Limit - (RatePerHot / 2) - 1), partition);
        }
    }

    [Test]
    public async Task Sweep_AfterTimeToLive_RemovesExpiredCountersOnly()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        var spike = Rule(RateLimitKind.SpikeArrest, 10, TimeSpan.FromSeconds(1), name: "spike");
        var hourly = Rule(RateLimitKind.Rate, 10, TimeSpan.FromHours(1), name: "hourly");
        for (var i = 0; i < 100; i++)
        {
            await AcquireAsync(store, spike, $"partition-{i}");
        }

        // One request at 10 per hour: its state lives for 6 minutes.
        await AcquireAsync(store, hourly, "slow");
        Assert.That(store.Count, Is.EqualTo(101));

        time.Advance(InMemoryRateLimitStore.SweepInterval);
        Assert.That(store.Count, Is.EqualTo(1));

        time.Advance(TimeSpan.FromMinutes(6));
        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public async Task Sweep_CalendarAndSlidingCounters_LiveUntilTheirWindowsEnd()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 15, 23, 58, 0, TimeSpan.Zero));
        using var store = new InMemoryRateLimitStore(time);
        var daily = Rule(RateLimitKind.Quota, 10, TimeSpan.FromDays(1), calendar: QuotaCalendar.Day, name: "daily");
        var rolling = Rule(RateLimitKind.Quota, 10, TimeSpan.FromMinutes(5), segments: 5, name: "rolling");
        await AcquireAsync(store, daily);
        await AcquireAsync(store, rolling);

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.That(store.Count, Is.EqualTo(2));

        // The day ended at 00:00 (TTL + 1 s); the rolling counter lives (S + 1) segments + 1 s = 6 min 1 s.
        time.Advance(TimeSpan.FromMinutes(1.5));
        Assert.That(store.Count, Is.EqualTo(1));

        time.Advance(TimeSpan.FromMinutes(4));
        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public async Task Sweep_RefusedRequestOnNewPartition_LeavesNothingBehind()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        var spike = Rule(RateLimitKind.SpikeArrest, 1, TimeSpan.FromHours(1), name: "spike");
        var daily = Rule(RateLimitKind.Quota, 10, TimeSpan.FromDays(1), calendar: QuotaCalendar.Day, name: "daily");
        await AcquireAsync(store, spike, "p");
        RateLimitCharge[] charges = [new(daily, "p"), new(spike, "p")];

        Assert.That(await store.AcquireAsync(charges, new RateLimitVerdict[2], CancellationToken.None), Is.False);
        time.Advance(InMemoryRateLimitStore.SweepInterval);

        Assert.That(store.Count, Is.EqualTo(1), "only the spike arrest's written state remains");
    }

    [Test]
    public async Task Dispose_StopsTheSweep()
    {
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryRateLimitStore(time);
        await AcquireAsync(store, Rule(RateLimitKind.SpikeArrest, 10, TimeSpan.FromSeconds(1)));

        store.Dispose();
        time.Advance(InMemoryRateLimitStore.SweepInterval);

        Assert.That(store.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AcquireAsync_DifferentPartitionsPoliciesAndAlgorithms_AreCountedSeparately()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        var orders = Rule(RateLimitKind.SpikeArrest, 1, TimeSpan.FromSeconds(1), name: "orders");
        var ordersUpper = Rule(RateLimitKind.SpikeArrest, 1, TimeSpan.FromSeconds(1), name: "ORDERS");
        var ordersQuota = Rule(RateLimitKind.Quota, 1, TimeSpan.FromSeconds(1), name: "ORDERS");
        var invoices = Rule(RateLimitKind.SpikeArrest, 1, TimeSpan.FromSeconds(1), name: "invoices");

        Assert.That((await AcquireAsync(store, orders, "a")).Admitted, Is.True);
        Assert.That((await AcquireAsync(store, orders, "b")).Admitted, Is.True, "another partition");
        Assert.That((await AcquireAsync(store, invoices, "a")).Admitted, Is.True, "another policy");
        Assert.That((await AcquireAsync(store, ordersQuota, "a")).Admitted, Is.True, "another algorithm");
        Assert.That((await AcquireAsync(store, ordersUpper, "a")).Admitted, Is.False, "policy names are not case-sensitive");
    }

    private static bool CompletedSynchronously(ValueTask<bool> acquire) => acquire.IsCompletedSuccessfully;

    [Test]
    public void AcquireAsync_Always_CompletesSynchronously()
    {
        using var store = new InMemoryRateLimitStore(new FakeTimeProvider(Start));
        var rule = Rule(RateLimitKind.SpikeArrest, 1, TimeSpan.FromSeconds(1));
        RateLimitCharge[] one = [new(rule, "p")];
        RateLimitCharge[] two = [new(rule, "p"), new(rule, "q")];

        Assert.Multiple(() =>
        {
            Assert.That(CompletedSynchronously(store.AcquireAsync(one, new RateLimitVerdict[1], CancellationToken.None)), Is.True);
            Assert.That(CompletedSynchronously(store.AcquireAsync(two, new RateLimitVerdict[2], CancellationToken.None)), Is.True);
        });
    }

    [Test]
    public async Task AcquireAsync_NoCharges_Admits()
    {
        using var store = new InMemoryRateLimitStore(new FakeTimeProvider(Start));

        Assert.That(await store.AcquireAsync(ReadOnlyMemory<RateLimitCharge>.Empty, Memory<RateLimitVerdict>.Empty, CancellationToken.None), Is.True);
    }

    [Test]
    public void AcquireAsync_FewerVerdictsThanCharges_Throws()
    {
        using var store = new InMemoryRateLimitStore(new FakeTimeProvider(Start));
        var rule = Rule(RateLimitKind.SpikeArrest, 1, TimeSpan.FromSeconds(1));

        Assert.That(
            async () => await store.AcquireAsync(new[] { new RateLimitCharge(rule, "p"), new RateLimitCharge(rule, "q") }, new RateLimitVerdict[1], CancellationToken.None),
            Throws.ArgumentException);
    }

    [Test]
    public async Task AcquireAsync_MoreChargesThanFitOnTheStack_StillAllOrNothing()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        var rules = Enumerable.Range(0, 12).Select(i => Rule(RateLimitKind.Quota, i == 11 ? 1 : 5, TimeSpan.FromMinutes(1), name: $"policy{i}")).ToArray();
        var charges = rules.Select((r, i) => new RateLimitCharge(r, $"partition-{i % 3}")).ToArray();
        var verdicts = new RateLimitVerdict[charges.Length];

        Assert.That(await store.AcquireAsync(charges, verdicts, CancellationToken.None), Is.True);
        Assert.That(await store.AcquireAsync(charges, verdicts, CancellationToken.None), Is.False);

        Assert.Multiple(() =>
        {
            Assert.That(verdicts.Take(11).Select(v => (v.Admitted, v.Remaining)), Is.All.EqualTo((true, 4L)));
            Assert.That(verdicts[11].Admitted, Is.False);
        });
    }

    [Test]
    public async Task AcquireAsync_SameKeyTwiceInOneRequest_ChargesItOnce()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InMemoryRateLimitStore(time);
        var rule = Rule(RateLimitKind.Quota, 5, TimeSpan.FromMinutes(1));
        RateLimitCharge[] charges = [new(rule, "p"), new(rule, "p")];
        var verdicts = new RateLimitVerdict[2];

        Assert.That(await store.AcquireAsync(charges, verdicts, CancellationToken.None), Is.True);

        Assert.That((await AcquireAsync(store, rule, "p")).Verdict.Remaining, Is.EqualTo(3));
    }

    [Test]
    public async Task AcquireAsync_SlidingWindowAtTheEpoch_CountsSegmentsBeforeIt()
    {
        // The window reaches back before 1970 (negative segment indexes): still counted, still exact.
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddMilliseconds(100));
        using var store = new InMemoryRateLimitStore(time);
        var rule = Rule(RateLimitKind.Quota, 2, TimeSpan.FromSeconds(1), segments: 4);

        Assert.That((await AcquireAsync(store, rule)).Admitted, Is.True);
        Assert.That((await AcquireAsync(store, rule)).Admitted, Is.True);
        var refused = await AcquireAsync(store, rule);

        AssertVerdict(refused.Verdict, false, remaining: 0, resetMicros: 1150 * Ms, retryAfterMicros: 1150 * Ms);
    }
}
