-- Reads the changes after a reader's position, or the whole live list when the reader has none, is behind what
-- the log still holds, or knew another epoch (the store was emptied since).
-- KEYS[1] meta hash (fields: epoch, version)   KEYS[2] entries hash   KEYS[3] log sorted set (score = version)
-- ARGV[1] reader's epoch ("" for none)   ARGV[2] reader's version   ARGV[3] most changes returned
-- Result: { epoch, version, mode, item... } where mode is "changes" (items: "version:JSON" log members, oldest
-- first; version is the store's current one) or "snapshot" (items: change JSON of every live entry). epoch is ""
-- when the store is empty.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  return { '', '0', 'snapshot' }
end

local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
local after = tonumber(ARGV[2])
if epoch == ARGV[1] and after <= version then
  if after == version then
    return { epoch, tostring(version), 'changes' }
  end

  local oldest = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  if oldest[2] and tonumber(oldest[2]) <= after + 1 then
    local result = { epoch, tostring(version), 'changes' }
    local changes = redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. ARGV[2], '+inf', 'LIMIT', 0, tonumber(ARGV[3]))
    for _, change in ipairs(changes) do
      result[#result + 1] = change
    end
    return result
  end
end

local result = { epoch, tostring(version), 'snapshot' }
local entries = redis.call('HVALS', KEYS[2])
for _, change in ipairs(entries) do
  result[#result + 1] = change
end
return result
