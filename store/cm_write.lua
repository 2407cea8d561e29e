-- Writes or deletes one commitment of a workshop and keeps the workshop's
-- commitment tallies exact in the same step (commitments.go): the counts by
-- status and due month and by month created, the open (not done) and the
-- blocked commitments by due date, every commitment by due date (:cmdue) and
-- each status's by due date (:cmst:<status>), and each one's head (:cmhead).
-- :cmfacts remembers what each commitment
-- was counted as, so an overwrite or a delete takes back exactly that.
-- KEYS: commits, cmtally, cmfacts, cmopen, cmblocked, cmdue, cmhead, then
--       cmst:<status> of each status
-- ARGV: op ("save" or "del"), id, then for a save: json, status, due month,
--       created month, due unix ms, zone, the index in KEYS of the status's
--       cmst (0: none), the head ("<due ms>|<status>|<owner>")
-- Returns 1, or for a delete 0 when there was no such commitment.
local op, id = ARGV[1], ARGV[2]
local function count(status, due, created, by)
  local f = 's:' .. status .. ':' .. due
  if redis.call('HINCRBY', KEYS[2], f, by) <= 0 then redis.call('HDEL', KEYS[2], f) end
  f = 'c:' .. created
  if redis.call('HINCRBY', KEYS[2], f, by) <= 0 then redis.call('HDEL', KEYS[2], f) end
end
local old = redis.call('HGET', KEYS[3], id)
if old then
  local status, due, created = string.match(old, '^([^|]*)|([^|]*)|([^|]*)$')
  if status then count(status, due, created, -1) end
end
if op == 'del' then
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
  redis.call('HDEL', KEYS[7], id)
  for i = 5, #KEYS do
    if i ~= 7 then redis.call('ZREM', KEYS[i], id) end
  end
  return redis.call('HDEL', KEYS[1], id)
end
local status, due, created = ARGV[4], ARGV[5], ARGV[6]
redis.call('HSET', KEYS[1], id, ARGV[3])
redis.call('HSET', KEYS[3], id, status .. '|' .. due .. '|' .. created)
count(status, due, created, 1)
redis.call('HSET', KEYS[2], 'zone', ARGV[8])
if status == 'done' then
  redis.call('ZREM', KEYS[4], id)
else
  redis.call('ZADD', KEYS[4], ARGV[7], id)
end
if status == 'blocked' then
  redis.call('ZADD', KEYS[5], ARGV[7], id)
else
  redis.call('ZREM', KEYS[5], id)
end
redis.call('ZADD', KEYS[6], ARGV[7], id)
redis.call('HSET', KEYS[7], id, ARGV[10])
local own = tonumber(ARGV[9]) or 0
for i = 8, #KEYS do
  if i == own then redis.call('ZADD', KEYS[i], ARGV[7], id) else redis.call('ZREM', KEYS[i], id) end
end
return 1
