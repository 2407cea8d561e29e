-- ch_update.lua: replaces an existing chapter's record (its name and
-- provinces changed; id, kind, author and creation time as read).
-- KEYS[1] {ch}:chapter:<id>
-- ARGV[1] JSON flows.Chapter
-- Returns 1, or 0 when there is no such chapter.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
