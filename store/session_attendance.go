package store

import (
	"context"
	_ "embed" // Lua script
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// Per-session attendance (flows.SessionAttendance): one hash beside the
// workshop, {w:<code>}:satt, uid -> JSON {session id: unix ms}, changed
// only by satt_mark.lua, which checks the session and the registration in
// the same step, so team members marking one person at once leave one
// consistent record.

//go:embed satt_mark.lua
var sattMarkLua string

var sattMarkScript = redis.NewScript(sattMarkLua)

// MarkSession implements flows.SessionAttendance.
func (s *Store) MarkSession(ctx context.Context, code, sid string, uid int64, present bool, now time.Time) (bool, error) {
	fail := func(err error) (bool, error) {
		return false, fmt.Errorf("mark session %s of %s for %d: %w", sid, code, uid, err)
	}
	if checkCode(code) != nil || checkSessionID(sid) != nil {
		return fail(flows.ErrNotFound)
	}
	keys := []string{s.wsKey(code, "agenda"), s.modeKey(code, flows.ModeOnsite, "confirmed"),
		s.modeKey(code, flows.ModeOnline, "confirmed"), s.wsKey(code, "satt")}
	p := 0
	if present {
		p = 1
	}
	n, err := sattMarkScript.Run(ctx, s.rdb, keys, sid, uid, p, now.UnixMilli()).Int()
	switch {
	case err != nil:
		return fail(err)
	case n == -1:
		return fail(flows.ErrNotFound)
	case n == -2:
		return fail(flows.ErrNotConfirmed)
	}
	return n == 1, nil
}

// SessionMarks implements flows.SessionAttendance.
func (s *Store) SessionMarks(ctx context.Context, code string) (map[string]map[int64]time.Time, error) {
	out := map[string]map[int64]time.Time{}
	if checkCode(code) != nil {
		return out, nil
	}
	all, err := s.rdb.HGetAll(ctx, s.wsKey(code, "satt")).Result()
	if err != nil {
		return nil, fmt.Errorf("session marks of %s: %w", code, err)
	}
	for f, v := range all {
		uid, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("session marks of %s: field %q: %w", code, f, err)
		}
		var marks map[string]int64
		if err := json.Unmarshal([]byte(v), &marks); err != nil {
			return nil, fmt.Errorf("session marks of %s, %d: %w", code, uid, err)
		}
		for sid, ms := range marks {
			if out[sid] == nil {
				out[sid] = map[int64]time.Time{}
			}
			out[sid][uid] = time.UnixMilli(ms).UTC()
		}
	}
	return out, nil
}
