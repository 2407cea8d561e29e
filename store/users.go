package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// A user record is a hash, one field per attribute of flows.User, so that
// every writer changes only the fields it means to: a user's own commit
// writes the fields its update changed (see userDiff), /grant writes the
// role, a failed delivery the inactive flag. No writer puts back a whole
// record it read earlier, so a write of another chat (a revocation, an
// inactive mark) can never be undone by the user's own commit.
//
// Empty values are not stored (an absent field is the zero value).
const (
	ufID        = "id"
	ufLang      = "lang"
	ufLangSet   = "lang_set"
	ufRole      = "role"
	ufFirstName = "first_name"
	ufUsername  = "username"
	ufInactive  = "inactive"
	ufNoUpdates = "no_updates"
	ufConsent   = "consent"
	ufChapter   = "chapter"
	ufCreated   = "created"
	ufSeen      = "seen"
)

// userFields lists u's fields as stored; zero values are "" (absent).
func userFields(u *flows.User) [][2]string {
	flag := func(b bool) string {
		if b {
			return "1"
		}
		return ""
	}
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	role := ""
	if u.Role != flows.RoleParticipant {
		role = strconv.Itoa(int(u.Role))
	}
	return [][2]string{
		{ufID, strconv.FormatInt(u.ID, 10)},
		{ufLang, u.Lang},
		{ufLangSet, flag(u.LangSet)},
		{ufRole, role},
		{ufFirstName, u.FirstName},
		{ufUsername, u.Username},
		{ufInactive, flag(u.Inactive)},
		{ufNoUpdates, flag(u.NoUpdates)},
		{ufConsent, u.Consent},
		{ufChapter, u.Chapter},
		{ufCreated, ts(u.Created)},
		{ufSeen, ts(u.Seen)},
	}
}

// userDiff is what turns before into after: the fields to set and the
// fields to delete. With before nil every non-empty field is set.
func userDiff(before, after *flows.User) (set []any, del []string) {
	now := userFields(after)
	var was [][2]string
	if before != nil {
		was = userFields(before)
	}
	for i, f := range now {
		if was != nil && was[i][1] == f[1] {
			continue
		}
		if f[1] == "" {
			if was != nil {
				del = append(del, f[0])
			}
			continue
		}
		set = append(set, f[0], f[1])
	}
	return set, del
}

// decodeUser reads a stored user hash; nil when it is empty (no record).
func decodeUser(m map[string]string) (*flows.User, error) {
	if len(m) == 0 {
		return nil, nil
	}
	u := new(flows.User)
	var err error
	num := func(s string) int64 {
		if s == "" || err != nil {
			return 0
		}
		var n int64
		n, err = strconv.ParseInt(s, 10, 64)
		return n
	}
	ts := func(s string) time.Time {
		if s == "" || err != nil {
			return time.Time{}
		}
		var t time.Time
		t, err = time.Parse(time.RFC3339Nano, s)
		return t
	}
	u.ID = num(m[ufID])
	u.Lang = m[ufLang]
	u.LangSet = m[ufLangSet] == "1"
	u.Role = flows.Role(num(m[ufRole]))
	u.FirstName = m[ufFirstName]
	u.Username = m[ufUsername]
	u.Inactive = m[ufInactive] == "1"
	u.NoUpdates = m[ufNoUpdates] == "1"
	u.Consent = m[ufConsent]
	u.Chapter = m[ufChapter]
	u.Created = ts(m[ufCreated])
	u.Seen = ts(m[ufSeen])
	if err != nil {
		return nil, fmt.Errorf("decode user %s: %w", m[ufID], err)
	}
	if u.ID == 0 {
		// Only fields another writer set on a record that is gone: no
		// record (hsetExisting prevents this; tolerate it anyway).
		return nil, nil
	}
	return u, nil
}

// GetUser implements flows.Users.
func (s *Store) GetUser(ctx context.Context, id int64) (*flows.User, error) {
	m, err := s.rdb.HGetAll(ctx, s.userKey(id)).Result()
	if err != nil {
		return nil, fmt.Errorf("get user %d: %w", id, err)
	}
	u, err := decodeUser(m)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, flows.ErrNotFound
	}
	return u, nil
}

// SaveUser writes a whole user record and indexes it. It is for seeding
// (the playground, tests, tools): a flow never writes a record it read
// before, only fields (SetRole, MarkInactive, the update's own commit).
func (s *Store) SaveUser(ctx context.Context, u *flows.User) error {
	set, _ := userDiff(nil, u)
	if _, err := s.runUserWrite(ctx, u.ID, "replace", set, nil); err != nil {
		return fmt.Errorf("save user %d: %w", u.ID, err)
	}
	if err := s.rdb.SAdd(ctx, s.usersKey(), u.ID).Err(); err != nil {
		return fmt.Errorf("index user %d: %w", u.ID, err)
	}
	return nil
}

// hsetExistingLua sets fields of a hash that exists, and does nothing to a
// missing one (a forgotten user must not come back as a stub record).
var hsetExistingLua = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1`)

// SetRole implements flows.Users: it writes only the role, so the user's
// own update in flight cannot put the old one back.
func (s *Store) SetRole(ctx context.Context, id int64, role flows.Role) error {
	n, err := hsetExistingLua.Run(ctx, s.rdb, []string{s.userKey(id)}, ufRole, strconv.Itoa(int(role))).Int()
	if err != nil {
		return fmt.Errorf("set role of %d: %w", id, err)
	}
	if n == 0 {
		return flows.ErrNotFound
	}
	return nil
}

// MarkInactive flags a user who blocked the bot or deleted their account
// (broadcasts skip them until they write again). A missing user is not an
// error.
func (s *Store) MarkInactive(ctx context.Context, id int64) error {
	if _, err := s.runUserWrite(ctx, id, "existing", []any{ufInactive, "1"}, nil); err != nil {
		return fmt.Errorf("mark user %d inactive: %w", id, err)
	}
	return nil
}

// queueUserWrite queues the field writes of a commit's user record.
func (s *Store) queueUserWrite(ctx context.Context, p redis.Pipeliner, c *commitReq) {
	key := s.userKey(c.User.ID)
	if !s.cluster && touchesReceivers(c.userSet, c.userDel) {
		// The index of receivers with the record, in the commit's MULTI.
		keys, args := s.userWrite(c.User.ID, "set", c.userSet, c.userDel)
		c.cmds = append(c.cmds, p.Eval(ctx, userWriteLua, keys, args...))
		return
	}
	if len(c.userDel) > 0 {
		c.cmds = append(c.cmds, p.HDel(ctx, key, c.userDel...))
	}
	if len(c.userSet) > 0 {
		c.cmds = append(c.cmds, p.HSet(ctx, key, c.userSet...))
	}
}

// migrateUserLua turns a user record of the old form (a JSON string) into
// the hash, unless it changed since it was read.
var migrateUserLua = redis.NewScript(`
if redis.call('TYPE', KEYS[1]).ok ~= 'string' then return 0 end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
redis.call('DEL', KEYS[1])
if #ARGV > 1 then redis.call('HSET', KEYS[1], unpack(ARGV, 2)) end
return 1`)

// MigrateUsers converts user records stored as JSON strings (builds before
// the per-field hash) into hashes. It is idempotent and safe to run from
// several replicas at once; it returns how many it converted.
func (s *Store) MigrateUsers(ctx context.Context) (int, error) {
	ids, err := s.rdb.SMembers(ctx, s.usersKey()).Result()
	if err != nil {
		return 0, fmt.Errorf("migrate users: %w", err)
	}
	n := 0
	for _, raw := range ids {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			continue
		}
		key := s.userKey(id)
		for attempt := 0; attempt < 3; attempt++ {
			typ, err := s.rdb.Type(ctx, key).Result()
			if err != nil {
				return n, fmt.Errorf("migrate user %d: %w", id, err)
			}
			if typ != "string" {
				break
			}
			b, err := s.rdb.Get(ctx, key).Result()
			if errors.Is(err, redis.Nil) {
				break
			}
			if err != nil {
				return n, fmt.Errorf("migrate user %d: %w", id, err)
			}
			var u flows.User
			if err := json.Unmarshal([]byte(b), &u); err != nil {
				return n, fmt.Errorf("migrate user %d: decode: %w", id, err)
			}
			u.ID = id
			set, _ := userDiff(nil, &u)
			args := append([]any{b}, set...)
			res, err := migrateUserLua.Run(ctx, s.rdb, []string{key}, args...).Int()
			if err != nil {
				return n, fmt.Errorf("migrate user %d: %w", id, err)
			}
			if res == 1 {
				n++
			}
			if res >= 0 {
				break
			}
		}
	}
	return n, nil
}
