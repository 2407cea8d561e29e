-- Appends a question to a workshop's registration form, unless the form
-- holds ARGV[2] questions already.
-- KEYS: ws (the workshop's JSON), form (list of question JSON)
-- ARGV: question JSON, the most questions the list may hold
-- Returns 'notfound', 'full' or 'ok'.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 'notfound'
end
if redis.call('LLEN', KEYS[2]) >= tonumber(ARGV[2]) then
  return 'full'
end
redis.call('RPUSH', KEYS[2], ARGV[1])
return 'ok'
