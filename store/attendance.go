package store

import (
	"context"
	_ "embed" // Lua script
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// Attendance: the team's corrections of who was at a workshop. Check-in
// itself (the QR code, the door, the online button) is CheckIn's.

//go:embed att_set.lua
var attSetLua string

var attSetScript = redis.NewScript(attSetLua)

// SetAttendance implements attendance.Store: one script over the
// workshop's confirmed sets (on site and online), check-ins and excused absences. ErrNotFound
// when uid is not confirmed.
func (s *Store) SetAttendance(ctx context.Context, code string, uid int64, status string, now time.Time) error {
	if !slices.Contains(flows.AttendanceStatuses(), status) {
		return fmt.Errorf("set attendance of %d at %s: unknown status %q", uid, code, status)
	}
	keys := []string{s.wsKey(code, "confirmed"), s.wsKey(code, "checkin"), s.wsKey(code, "excused"),
		s.modeKey(code, flows.ModeOnline, "confirmed")}
	n, err := attSetScript.Run(ctx, s.rdb, keys, uid, status, now.UnixMilli()).Int()
	if err != nil {
		return fmt.Errorf("set attendance of %d at %s: %w", uid, code, err)
	}
	if n < 0 {
		return fmt.Errorf("set attendance of %d at %s: %w", uid, code, flows.ErrNotFound)
	}
	return nil
}

// Excused implements attendance.Store: the registrants of workshop code the
// team marked absent (excused).
func (s *Store) Excused(ctx context.Context, code string) (map[int64]bool, error) {
	all, err := s.rdb.HKeys(ctx, s.wsKey(code, "excused")).Result()
	if err != nil {
		return nil, fmt.Errorf("excused at %s: %w", code, err)
	}
	out := make(map[int64]bool, len(all))
	for _, f := range all {
		if uid, err := strconv.ParseInt(f, 10, 64); err == nil {
			out[uid] = true
		}
	}
	return out, nil
}
