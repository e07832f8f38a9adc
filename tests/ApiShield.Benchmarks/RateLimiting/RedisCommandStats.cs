using System.Globalization;
using StackExchange.Redis;

namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// <c>--commandstats</c>: for each limiter of the Redis benchmarks, the Redis commands one decision costs, read from
/// <c>INFO commandstats</c> (reset with <c>CONFIG RESETSTAT</c> after a warm-up batch, read after a fixed number of
/// decisions), with the server's CPU time and network bytes per decision. Commands a script runs are counted by Redis
/// too (<c>get</c>, <c>setex</c>, <c>time</c> …); round trips are the <c>evalsha</c>/<c>eval</c> calls.
/// </summary>
internal static class RedisCommandStats
{
    private const int Keys = 1_000;
    private const int Batches = 4;

    public static async Task RunAsync(TextWriter output)
    {
        var decisions = Batches * ConcurrentCallers.Decisions;
        await output.WriteLineAsync($"Redis {BenchmarkRedis.Address}; {ConcurrentCallers.Callers} concurrent callers, {Keys} keys, {decisions} decisions per limiter after a warm-up batch.");
        await output.WriteLineAsync();
        await output.WriteLineAsync("| Limiter | Admitted | Command | Calls per decision | Server µs per call |");
        await output.WriteLineAsync("| --- | ---: | --- | ---: | ---: |");
        var totals = new List<string>();

        var scenarios = new (string Name, Func<IConnectionMultiplexer, string[], IRateLimitDecider> Create)[]
        {
            ("RedisRateLimiting token bucket", (redis, partitions) => RedisScenarios.RedisRateLimitingTokenBucket(redis, partitions, rejecting: false)),
            ("ApiShield Rate", (redis, partitions) => RedisScenarios.ApiShieldTokenBucket(redis, partitions, rejecting: false)),
            ("RedisRateLimiting token bucket, rejecting", (redis, partitions) => RedisScenarios.RedisRateLimitingTokenBucket(redis, partitions, rejecting: true)),
            ("ApiShield Rate, rejecting", (redis, partitions) => RedisScenarios.ApiShieldTokenBucket(redis, partitions, rejecting: true)),
            ("RedisRateLimiting fixed window", RedisScenarios.RedisRateLimitingFixedWindow),
            ("ApiShield Quota (calendar hour)", RedisScenarios.ApiShieldFixedWindow),
            ("RedisRateLimiting, three chained", RedisScenarios.RedisRateLimitingThreePolicies),
            ("ApiShield, three policies", RedisScenarios.ApiShieldThreePolicies),
        };

        foreach (var (name, create) in scenarios)
        {
            await using var redis = await BenchmarkRedis.ConnectAndFlushAsync();
            var server = BenchmarkRedis.Server(redis);
            await using var decider = create(redis, RedisScenarios.Partitions(Keys));

            try
            {
                await ConcurrentCallers.RunAsync(decider, Keys);
            }
            catch (Exception exception) when (exception is NotImplementedException or RedisException)
            {
                await output.WriteLineAsync($"| {name} | - | {exception.GetType().Name}: {exception.Message} | | |");
                continue;
            }

            var cpuBefore = await ServerCpuSecondsAsync(server);
            await server.ConfigResetStatisticsAsync();

            var admitted = 0;
            for (var i = 0; i < Batches; i++)
            {
                admitted += await ConcurrentCallers.RunAsync(decider, Keys);
            }

            var cpuAfter = await ServerCpuSecondsAsync(server);
            var stats = await InfoAsync(server, "stats");
            foreach (var (command, values) in await CommandStatsAsync(server))
            {
                if (command == "info" || command.StartsWith("config", StringComparison.Ordinal))
                {
                    continue;
                }

                var calls = long.Parse(values["calls"], CultureInfo.InvariantCulture);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| {name} | {admitted} | {command} | {(double)calls / decisions:0.000} | {values["usec_per_call"]} |"));
            }

            totals.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"| {name} | {(cpuAfter - cpuBefore) * 1e6 / decisions:0.0} | {double.Parse(stats["total_net_input_bytes"], CultureInfo.InvariantCulture) / decisions:0} | {double.Parse(stats["total_net_output_bytes"], CultureInfo.InvariantCulture) / decisions:0} |"));
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync("| Limiter | Server CPU µs per decision | Bytes in per decision | Bytes out per decision |");
        await output.WriteLineAsync("| --- | ---: | ---: | ---: |");
        foreach (var line in totals)
        {
            await output.WriteLineAsync(line);
        }
    }

    public static async Task<double> ServerCpuSecondsAsync(IServer server)
    {
        var cpu = await InfoAsync(server, "cpu");
        return double.Parse(cpu["used_cpu_user"], CultureInfo.InvariantCulture) + double.Parse(cpu["used_cpu_sys"], CultureInfo.InvariantCulture);
    }

    private static async Task<Dictionary<string, string>> InfoAsync(IServer server, string section)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in await server.InfoAsync(section))
        {
            foreach (var pair in group)
            {
                values[pair.Key] = pair.Value;
            }
        }

        return values;
    }

    private static async Task<List<(string Command, Dictionary<string, string> Values)>> CommandStatsAsync(IServer server)
    {
        var commands = new List<(string, Dictionary<string, string>)>();
        foreach (var (key, value) in await InfoAsync(server, "commandstats"))
        {
            var values = value.Split(',').Select(static part => part.Split('=', 2)).ToDictionary(static part => part[0], static part => part[1], StringComparer.Ordinal);
            commands.Add((key["cmdstat_".Length..], values));
        }

        commands.Sort(static (a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return commands;
    }
}
