-- The agenda scripts' common part (store/agenda.go puts it before each).
-- KEYS: 1 ws (the workshop's JSON), 2 agenda (hash id -> session JSON with
-- from, to (unix ms) and cap), 3 chosen (hash uid -> "<registration
-- number>|<id>,<id>…"), 4 confirmed, 5 agseq, 6 on:confirmed (a hybrid
-- workshop's online mode), then 6+i the seats zset of ARGV[1+i] for
-- i = 1..ARGV[1].
-- A sign-up holds while uid's number in confirmed (or on:confirmed) is the
-- one it was made with: a registration cancelled (or made again, or moved
-- to the other mode) leaves it stale, counted by nobody and dropped where
-- met.
local n = tonumber(ARGV[1])
local seat = {}
for i = 1, n do seat[ARGV[1 + i]] = KEYS[6 + i] end
local rest = n + 2

-- complete: every session of the agenda has its seats key here (the caller
-- read the ids before the script; extra may be a new id not saved yet).
local function complete(extra)
  local len = redis.call('HLEN', KEYS[2])
  if extra and redis.call('HEXISTS', KEYS[2], extra) == 0 then len = len + 1 end
  if len ~= n then return false end
  for i = 1, n do
    local id = ARGV[1 + i]
    if id ~= extra and redis.call('HEXISTS', KEYS[2], id) == 0 then return false end
  end
  return true
end

local function chosenOf(uid)
  local v = redis.call('HGET', KEYS[3], uid)
  if not v then return nil, {} end
  local bar = string.find(v, '|', 1, true)
  local ids = {}
  for id in string.gmatch(string.sub(v, bar + 1), '[^,]+') do ids[#ids + 1] = id end
  return string.sub(v, 1, bar - 1), ids
end

-- confirmedNo is uid's confirmed registration's number (false: none), in
-- either mode.
local function confirmedNo(uid)
  return redis.call('ZSCORE', KEYS[4], uid) or redis.call('ZSCORE', KEYS[6], uid)
end

local function valid(uid, no)
  local sc = confirmedNo(uid)
  return sc ~= false and no ~= nil and tonumber(sc) == tonumber(no)
end

local function setChosen(uid, no, ids)
  if #ids == 0 then
    redis.call('HDEL', KEYS[3], uid)
  else
    redis.call('HSET', KEYS[3], uid, no .. '|' .. table.concat(ids, ','))
  end
end

-- drop: uid leaves every session; the ids they held are returned.
local function drop(uid)
  local _, ids = chosenOf(uid)
  for _, id in ipairs(ids) do
    if seat[id] then redis.call('ZREM', seat[id], uid) end
  end
  redis.call('HDEL', KEYS[3], uid)
  return ids
end

-- leave: uid leaves session id only.
local function leave(uid, id)
  redis.call('ZREM', seat[id], uid)
  local no, ids = chosenOf(uid)
  local keep = {}
  for _, o in ipairs(ids) do
    if o ~= id then keep[#keep + 1] = o end
  end
  if no then setChosen(uid, no, keep) end
end

-- purge: drops the stale holders of session id; returns how many hold it.
local function purge(id)
  local cnt = 0
  for _, u in ipairs(redis.call('ZRANGE', seat[id], 0, -1)) do
    local no = chosenOf(u)
    if valid(u, no) then
      cnt = cnt + 1
    else
      drop(u)
      redis.call('ZREM', seat[id], u)
    end
  end
  return cnt
end
