-- Decides every charge of one request atomically (docs/rate-limiting.md): each charge is evaluated against the state
-- before the request; only when every charge admits it is any state written. A rejected request writes nothing.
-- Time is Unix microseconds. Numbers are passed and returned as integers; arithmetic stays below 2^53, so it is
-- exact in Lua 5.1 doubles (Redis) and in Lua 5.4 integers (Garnet); '/' is always floored, never returned raw.
--
-- ARGV[1]  clock: 0 = the server's TIME (production); otherwise the caller's time in Unix microseconds (tests only)
-- then one group per charge, in order, its first value the algorithm:
--   1 GCRA            1, T (emission interval, us), B (burst capacity)                 1 key:  string tat (us)
--   2 fixed window    2, limit, b0, b1, b2, b3 (node's period boundaries, us)          3 keys: counters of the periods
--                     starting at b0, b1, b2; the script uses the one whose period holds 'now' (clamped to the ends)
--   3 sliding window  3, limit, seg (segment length, us), S (segments)                 1 key:  hash segment -> count
-- KEYS: each charge's keys, in charge order (all in one hash-tag slot).
-- Result: { admitted (1/0), then per charge: admitted (1/0), remaining, reset (us), retry after (us) }.

local now
if ARGV[1] == '0' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[1])
end

local function fmt(n)
  return string.format('%d', n)
end

local function ceil_ms(us)
  return math.floor((us + 999) / 1000)
end

-- One entry per charge: { algorithm, key, values needed to write and to report }, each built by one table
-- constructor, which sizes it once (filling an empty table field by field rehashes it as it grows).
local charges = {}
local all = true
local a, k = 2, 1

while a <= #ARGV do
  local alg = tonumber(ARGV[a])
  local c
  if alg == 1 then
    local T, B = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
    local tat = tonumber(redis.call('GET', KEYS[k]) or now)
    local base = math.max(tat, now)
    local newTat = base + T
    c = { alg = alg, key = KEYS[k], T = T, B = B, base = base, newTat = newTat, ok = newTat - now <= B * T }
    a, k = a + 3, k + 1
  elseif alg == 2 then
    local limit = tonumber(ARGV[a + 1])
    local i = 0
    while i < 2 and now >= tonumber(ARGV[a + 3 + i]) do
      i = i + 1
    end
    local count = tonumber(redis.call('GET', KEYS[k + i]) or 0)
    c = { alg = alg, key = KEYS[k + i], limit = limit, count = count, e = tonumber(ARGV[a + 3 + i]), ok = count + 1 <= limit }
    a, k = a + 6, k + 3
  else
    local limit, seg, S = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
    local cur = math.floor(now / seg)
    local counters, stale = {}, {}
    local count = 0
    local flat = redis.call('HGETALL', KEYS[k])
    for j = 1, #flat, 2 do
      local index, n = tonumber(flat[j]), tonumber(flat[j + 1])
      if index < cur - S then
        stale[#stale + 1] = flat[j]
      elseif index <= cur then
        counters[index] = n
        count = count + n
      end
    end
    c = { alg = alg, key = KEYS[k], limit = limit, seg = seg, S = S, cur = cur, counters = counters, stale = stale, count = count, ok = count + 1 <= limit }
    a, k = a + 4, k + 1
  end
  if not c.ok then
    all = false
  end
  charges[#charges + 1] = c
end

local result = { all and 1 or 0 }
for _, c in ipairs(charges) do
  local remaining, reset, retry = 0, 0, 0
  if c.alg == 1 then
    local used = c.base - now
    if all then
      used = c.newTat - now
      redis.call('SET', c.key, fmt(c.newTat), 'PX', ceil_ms(used))
    end
    remaining = math.max(0, math.floor((c.B * c.T - used) / c.T))
    if remaining > 0 then reset = used else reset = used - (c.B - 1) * c.T end
    if not c.ok then retry = c.newTat - now - c.B * c.T end
  elseif c.alg == 2 then
    local count = c.count
    if all then
      count = count + 1
      redis.call('SET', c.key, fmt(count), 'PX', ceil_ms(math.max(0, c.e - now) + 1000000))
    end
    remaining = math.max(0, c.limit - count)
    reset = math.max(0, c.e - now)
    if not c.ok then retry = reset end
  else
    local count = c.count
    if all then
      count = count + 1
      c.counters[c.cur] = (c.counters[c.cur] or 0) + 1
      redis.call('HINCRBY', c.key, fmt(c.cur), 1)
      if #c.stale > 0 then
        redis.call('HDEL', c.key, unpack and unpack(c.stale) or table.unpack(c.stale))
      end
      redis.call('PEXPIRE', c.key, ceil_ms((c.S + 1) * c.seg + 1000000))
    end
    remaining = math.max(0, c.limit - count)
    if remaining > 0 then
      reset = (c.cur + c.S + 1) * c.seg - now
    else
      -- Until enough of the oldest segments leave for one more request: the next permit.
      local left = count
      for j = c.cur - c.S, c.cur do
        left = left - (c.counters[j] or 0)
        if left + 1 <= c.limit then
          reset = (j + c.S + 1) * c.seg - now
          break
        end
      end
    end
    if not c.ok then retry = reset end
  end
  result[#result + 1] = c.ok and 1 or 0
  result[#result + 1] = remaining
  result[#result + 1] = reset
  result[#result + 1] = retry
end

return result
