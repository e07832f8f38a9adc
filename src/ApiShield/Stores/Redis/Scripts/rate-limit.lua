-- Decides a batch of requests, one after another, each atomically against the state its predecessors left
-- (docs/rate-limiting.md): each of a request's charges is evaluated against the state before that request; only when
-- every charge admits it is any state written. A rejected request writes nothing.
-- Time is Unix microseconds, read for each request: a batch decides every request at the moment Redis reaches it, as
-- if each had come in a call of its own. Numbers are passed and returned as integers; arithmetic stays below 2^53, so
-- it is exact in Lua 5.1 doubles (Redis) and in Lua 5.4 integers (Garnet); '/' is always floored, never returned raw.
-- Atomicity is the server's: Redis runs every script atomically, Garnet only with --lua-transaction-mode true.
--
-- ARGV[1]  clock: 0 = the server's TIME (production); otherwise the caller's time in Unix microseconds (tests only)
-- then, per request in order: n (its number of charges), then one group per charge, its first value the algorithm:
--   1 GCRA            1, T (emission interval, us), B (burst capacity)                 1 key:  string tat (us)
--   2 fixed window    2, limit, start, end, next end (the node's current period     2 keys: counters (string) of the
--                     [start, end) and the next one's end, us); the script counts     node's period and of the next one
--                     in the one holding 'now' (the next after a server step back)
--   3 sliding window  3, limit, seg (segment length, us), S (segments)                 1 key:  hash segment -> count
-- KEYS: each charge's keys, request by request, in charge order (all in one hash-tag slot under Redis Cluster).
-- Result: per request, in order, either
--   0, then per charge { remaining if it admits the request, else -1 - remaining; reset (us) }: the request is
--      admitted when every charge admits it, and a refusing charge's retry after is its reset; or
--   1, now: the server's time lies outside a fixed window's two periods [start, next end); nothing is written for this
--      request and the node asks again; or
--   2, message: the request's evaluation failed (a key holding another type or a value that is not a number); what
--      it wrote before the error stays written.
-- Globals read once into locals: a local is a register, a global a table lookup on every use.
local call, tonumber, max, floor, format = redis.call, tonumber, math.max, math.floor, string.format

local server_clock = ARGV[1] == '0'
local caller_now = tonumber(ARGV[1])

local function fmt(n)
  return format('%d', n)
end

local unpack_ = unpack or table.unpack

-- A TTL in whole milliseconds, rounded up. On the caller's clock (tests) the TTL still runs on the server's, so it
-- gets a minute's margin: state must not expire before the caller's clock says it may.
local margin = 0
if not server_clock then
  margin = 60000
end

-- As a string: a Lua number passed to redis.call is formatted with %.17g, which costs more than the command.
local function ttl_ms(us)
  return fmt(floor((us + 999) / 1000) + margin)
end

local result = {}
local r = 0

-- How far one charge moves through ARGV (its algorithm and values) and KEYS, by algorithm.
local argv_width, keys_width = { 3, 5, 4 }, { 1, 2, 1 }

-- The charges of the request being decided, by position: tables shared by every request of the call and overwritten,
-- because a table per charge and request cost more than the commands the script runs (a batch decides many requests).
-- GCRA: x = T, y = B, z = base, w = new tat. Fixed window: x = limit, y = count, z = end. Sliding window: x = a table.
local c_alg, c_key, c_ok, c_x, c_y, c_z, c_w = {}, {}, {}, {}, {}, {}, {}

-- Decides the request whose values start at ARGV[a] and keys at KEYS[k], appends its answer to the result, and
-- returns where the next request's values and keys start.
local function decide(a, k)
  local now
  if server_clock then
    local t = call('TIME')
    now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  else
    now = caller_now
  end

  local n = tonumber(ARGV[a])
  a = a + 1
  local all = true
  local outside = false

  for j = 1, n do
    local alg = tonumber(ARGV[a])
    local ok = true
    c_alg[j] = alg
    if alg == 1 then
      local T, B = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
      local tat = tonumber(call('GET', KEYS[k]) or now)
      local base = max(tat, now)
      local newTat = base + T
      ok = newTat - now <= B * T
      c_key[j], c_x[j], c_y[j], c_z[j], c_w[j] = KEYS[k], T, B, base, newTat
    elseif alg == 2 then
      local limit, start, e, nextEnd = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
      if now < start or now >= nextEnd then
        -- The node's clock is more than a period off the server's: it asks again with the period around 'now'. The
        -- rest of the request's values are still read past, so the next request starts where it should.
        outside = true
      else
        local key, stored
        if now >= e then
          -- The node's clock is behind the server's across a boundary: the server's period is the node's next one.
          key, e = KEYS[k + 1], nextEnd
          stored = call('GET', key)
        else
          key = KEYS[k]
          stored = call('GET', key)
          -- A server clock that stepped back keeps counting in the next period if it was already written: going back
          -- never resets a count. Only a period's first request looks (its own counter is absent): the steady state
          -- pays nothing for it.
          if not stored and call('EXISTS', KEYS[k + 1]) == 1 then
            key, e = KEYS[k + 1], nextEnd
            stored = call('GET', key)
          end
        end
        local count = tonumber(stored or 0)
        ok = count + 1 <= limit
        c_key[j], c_x[j], c_y[j], c_z[j] = key, limit, count, e
      end
    else
      local limit, seg, S = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
      local cur = floor(now / seg)
      local counters, stale = {}, {}
      local count = 0
      local flat = call('HGETALL', KEYS[k])
      -- After a server clock step back the newest segment written stays current: 'future' counts are never forgotten.
      for i = 1, #flat, 2 do
        local index = tonumber(flat[i])
        if index > cur then
          cur = index
        end
      end
      for i = 1, #flat, 2 do
        local index, m = tonumber(flat[i]), tonumber(flat[i + 1])
        if index < cur - S then
          stale[#stale + 1] = flat[i]
        else
          counters[index] = m
          count = count + m
        end
      end
      ok = count + 1 <= limit
      c_key[j] = KEYS[k]
      c_x[j] = { limit = limit, seg = seg, S = S, cur = cur, counters = counters, stale = stale, count = count }
    end
    a, k = a + argv_width[alg], k + keys_width[alg]
    c_ok[j] = ok
    if not ok then
      all = false
    end
  end

  if outside then
    result[r + 1], result[r + 2] = 1, now
    r = r + 2
    return a, k
  end

  -- A policy that admits a request another refuses is "not charged": it reports the state as it was
  -- (docs/rate-limiting.md).
  result[r + 1] = 0
  r = r + 1
  for j = 1, n do
    local alg, key = c_alg[j], c_key[j]
    local remaining, reset = 0, 0
    if alg == 1 then
      local T, B, base, newTat = c_x[j], c_y[j], c_z[j], c_w[j]
      local used = base - now
      if all then
        used = newTat - now
        call('SET', key, fmt(newTat), 'PX', ttl_ms(used))
      end
      remaining = max(0, floor((B * T - used) / T))
      if remaining > 0 then reset = used else reset = used - (B - 1) * T end
    elseif alg == 2 then
      local limit, count, e = c_x[j], c_y[j], c_z[j]
      local left = max(0, e - now)
      if all then
        -- A counter is created with its TTL and then only incremented (INCR keeps the TTL): the cheapest write there
        -- is. No request charges one key twice: an endpoint's policies are distinct, and so are their keys.
        if count == 0 then
          call('SET', key, '1', 'PX', ttl_ms(left + 1000000))
        else
          call('INCR', key)
        end
        count = count + 1
      end
      remaining = max(0, limit - count)
      if count > 0 or not c_ok[j] then reset = left end
    else
      local c = c_x[j]
      local count = c.count
      if all then
        -- Set from the state before the request.
        count = count + 1
        c.counters[c.cur] = (c.counters[c.cur] or 0) + 1
        call('HSET', key, fmt(c.cur), fmt(c.counters[c.cur]))
        if #c.stale > 0 then
          call('HDEL', key, unpack_(c.stale))
        end
        call('PEXPIRE', key, ttl_ms((c.S + 1) * c.seg + 1000000))
      end
      remaining = max(0, c.limit - count)
      if remaining == 0 then
        -- Until enough of the oldest segments leave for one more request: the next permit.
        local left = count
        for i = c.cur - c.S, c.cur do
          left = left - (c.counters[i] or 0)
          if left + 1 <= c.limit then
            reset = (i + c.S + 1) * c.seg - now
            break
          end
        end
      elseif all then
        reset = (c.cur + c.S + 1) * c.seg - now
      elseif count > 0 then
        -- Not charged: until the newest counted segment leaves.
        for i = c.cur, c.cur - c.S, -1 do
          if (c.counters[i] or 0) > 0 then
            reset = (i + c.S + 1) * c.seg - now
            break
          end
        end
      end
    end
    if c_ok[j] then
      result[r + 1] = remaining
    else
      result[r + 1] = -1 - remaining
    end
    result[r + 2] = reset
    r = r + 2
  end

  return a, k
end

-- Where the request after the one at ARGV[a], KEYS[k] starts, read from the algorithms alone: a request whose
-- evaluation failed is stepped over.
local function skip(a, k)
  local n = tonumber(ARGV[a])
  a = a + 1
  for _ = 1, n do
    local alg = tonumber(ARGV[a])
    a, k = a + argv_width[alg], k + keys_width[alg]
  end
  return a, k
end

-- A request that fails (a command error on one of its keys, state that is not a number) answers 2 and the error, and
-- the next one goes on: one caller's broken key does not fail the others. Redis does not undo what that request wrote
-- before the error.
local a, k = 2, 1
while a <= #ARGV do
  local before = r
  local ok, nextA, nextK = pcall(decide, a, k)
  if not ok then
    for j = before + 1, r do
      result[j] = nil
    end
    r = before
    local err = nextA
    if type(err) == 'table' then
      err = err.err
    end
    result[r + 1], result[r + 2] = 2, tostring(err)
    r = r + 2
    nextA, nextK = skip(a, k)
  end
  a, k = nextA, nextK
end

return result
