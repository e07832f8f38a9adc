-- Appends one revocation change atomically: updates the live list, logs the change under the next version, drops
-- expired entries, trims the log, and refreshes every key's TTL.
-- KEYS[1] meta hash (fields: epoch, version)   KEYS[2] entries hash (field -> change JSON)
-- KEYS[3] expiry sorted set (field, score = expiry in Unix ms)   KEYS[4] log sorted set (member "version:JSON", score = version)
-- ARGV[1] entry field   ARGV[2] change JSON   ARGV[3] "1" for an undo, "0" for a revocation   ARGV[4] entry expiry (Unix ms)
-- ARGV[5] now (Unix ms)   ARGV[6] log length kept   ARGV[7] key TTL (ms)   ARGV[8] epoch to create when the store is empty
-- Result: { epoch, version } of the appended change.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[8]
  redis.call('HSET', KEYS[1], 'epoch', epoch)
end

local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[5], 'LIMIT', 0, 1000)
for _, field in ipairs(expired) do
  redis.call('HDEL', KEYS[2], field)
  redis.call('ZREM', KEYS[3], field)
end

if ARGV[3] == '1' then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
else
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  local current = redis.call('ZSCORE', KEYS[3], ARGV[1])
  if (not current) or tonumber(current) < tonumber(ARGV[4]) then
    redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
  end
end

local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('ZADD', KEYS[4], version, version .. ':' .. ARGV[2])
local excess = redis.call('ZCARD', KEYS[4]) - tonumber(ARGV[6])
if excess > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[4], 0, excess - 1)
end

for i = 1, 4 do
  redis.call('PEXPIRE', KEYS[i], ARGV[7])
end

return { epoch, tostring(version) }
