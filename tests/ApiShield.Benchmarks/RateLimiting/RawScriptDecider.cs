using StackExchange.Redis;

namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// The floor under every Redis limiter here: one <c>EVALSHA</c> of a script that reads one key and returns, through the
/// same multiplexer, with a key and an argument per call — what StackExchange.Redis and Redis cost before any limiting.
/// </summary>
internal sealed class RawScriptDecider : IRateLimitDecider
{
    private const string Script = "redis.call('GET', KEYS[1]) return 1";
    private const string ShapedScript = "redis.call('GET', KEYS[1]) return { 1, 2 }";

    private readonly IDatabase _database;
    private readonly RedisKey[] _keys;
    private readonly byte[] _hash;
    private readonly bool _shaped;

    /// <param name="redis">The multiplexer.</param>
    /// <param name="partitions">The partitions (one key each).</param>
    /// <param name="shaped">Sends what ApiShield's store sends for one <c>Rate</c> charge (four integers) and reads two back.</param>
    public RawScriptDecider(IConnectionMultiplexer redis, string[] partitions, bool shaped = false)
    {
        _database = redis.GetDatabase();
        _keys = [.. partitions.Select(partition => (RedisKey)("floor:{" + partition + "}"))];
        var server = BenchmarkRedis.Server(redis);
        _shaped = shaped;
        _hash = server.ScriptLoad(shaped ? ShapedScript : Script);
    }

    public async ValueTask<bool> DecideAsync(int caller, int key)
    {
        if (!_shaped)
        {
            return (long)await _database.ScriptEvaluateAsync(_hash, [_keys[key]], [1]).ConfigureAwait(false) == 1;
        }

        var result = await _database.ScriptEvaluateAsync(_hash, [_keys[key]], [0, 1, 1, 1_000_000]).ConfigureAwait(false);
        return (long)result[0] == 1 && (long)result[1] == 2;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
