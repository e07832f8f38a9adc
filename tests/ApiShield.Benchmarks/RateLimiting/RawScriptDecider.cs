using StackExchange.Redis;

namespace ApiShield.Benchmarks.RateLimiting;

/// <summary>
/// The floor under every Redis limiter here: one <c>EVALSHA</c> of a script that reads one key and returns, through the
/// same multiplexer, with a key and an argument per call — what StackExchange.Redis and Redis cost before any limiting.
/// </summary>
internal sealed class RawScriptDecider : IRateLimitDecider
{
    private const string Script = "redis.call('GET', KEYS[1]) return 1";

    private readonly IDatabase _database;
    private readonly RedisKey[] _keys;
    private readonly byte[] _hash;

    public RawScriptDecider(IConnectionMultiplexer redis, string[] partitions)
    {
        _database = redis.GetDatabase();
        _keys = [.. partitions.Select(partition => (RedisKey)("floor:{" + partition + "}"))];
        var server = BenchmarkRedis.Server(redis);
        _hash = server.ScriptLoad(Script);
    }

    public async ValueTask<bool> DecideAsync(int caller, int key)
        => (long)await _database.ScriptEvaluateAsync(_hash, [_keys[key]], [1]).ConfigureAwait(false) == 1;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
