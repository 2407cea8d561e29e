package store

import (
	"context"
	_ "embed" // Lua scripts
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// A hybrid workshop's online mode has its own lists under the workshop's
// hash tag, beside the on-site ones (which are the lists of any other
// workshop): {w:<code>}:on:meta, :on:confirmed, :on:waiting, :on:offers,
// :on:pending. The registrations (:regs), their numbers (:seq) and
// check-ins are shared; a person is on one mode's lists only, and their
// Registration.Mode is read from which.
var (
	//go:embed hy_register.lua
	hyRegisterLua string
	//go:embed hy_switch.lua
	hySwitchLua string
	//go:embed hy_update.lua
	hyUpdateLua string

	hyRegisterScript = redis.NewScript(hyRegisterLua)
	hySwitchScript   = redis.NewScript(promoteLua + "\n" + hySwitchLua)
	hyUpdateScript   = redis.NewScript(promoteLua + "\n" + hyUpdateLua)
)

// modes are the two modes, on site first: the order the store tries them
// in for someone whose mode it does not know.
var modes = [2]string{flows.ModeOnsite, flows.ModeOnline}

// modeKey is the key of one mode's list (meta, confirmed, waiting, offers,
// pending): the workshop's own for on site, :on:<name> for online.
func (s *Store) modeKey(code, mode, name string) string {
	if mode == flows.ModeOnline {
		return s.wsKey(code, "on:"+name)
	}
	return s.wsKey(code, name)
}

// modeSeatKeys are the keys of the scripts that free and offer seats
// (ws_cancel.lua, ws_offer.lua) on the lists of mode.
func (s *Store) modeSeatKeys(code, mode string) []string {
	return []string{s.modeKey(code, mode, "meta"), s.modeKey(code, mode, "confirmed"), s.modeKey(code, mode, "waiting"),
		s.wsKey(code, "seq"), s.wsKey(code, "regs"), s.wsKey(code, "checkin"), s.modeKey(code, mode, "offers"),
		s.modeKey(code, mode, "pending")}
}

// otherMode is the mode that is not m.
func otherMode(m string) string {
	if m == flows.ModeOnline {
		return flows.ModeOnsite
	}
	return flows.ModeOnline
}

// registerKeys are the keys of ws_register.lua for mode (hy_register.lua
// adds the other mode's lists to refuse someone on them).
func (s *Store) registerKeys(code, mode string) []string {
	keys := []string{s.modeKey(code, mode, "meta"), s.modeKey(code, mode, "confirmed"), s.modeKey(code, mode, "waiting"),
		s.wsKey(code, "seq"), s.wsKey(code, "regs"), s.modeKey(code, mode, "offers"), s.modeKey(code, mode, "pending")}
	if mode == "" {
		return keys
	}
	o := otherMode(mode)
	return append(keys, s.modeKey(code, o, "confirmed"), s.modeKey(code, o, "waiting"),
		s.modeKey(code, o, "offers"), s.modeKey(code, o, "pending"))
}

// registerScript is the script that registers in mode, and the mode: a
// mode's list of a hybrid workshop (hy_register.lua, refusing someone on
// the other mode's lists), or, for "", the only list of any other workshop
// (ws_register.lua) — a hybrid one's (it has an online meta) on-site list.
func (s *Store) registerScript(ctx context.Context, code, mode string) (*redis.Script, string, error) {
	if mode == "" {
		n, err := s.rdb.Exists(ctx, s.modeKey(code, flows.ModeOnline, "meta")).Result()
		if err != nil {
			return nil, "", err
		}
		if n == 0 {
			return registerScript, "", nil
		}
		mode = flows.ModeOnsite
	}
	return hyRegisterScript, mode, nil
}

// updateHybrid saves a hybrid workshop with both modes' metas
// (hy_update.lua); now as updateWorkshop.
func (s *Store) updateHybrid(ctx context.Context, w *flows.Workshop, args []any) ([]string, error) {
	if w.OnlineCapacity < 0 {
		return nil, fmt.Errorf("workshop %s: negative online capacity %d", w.Code, w.OnlineCapacity)
	}
	keys := []string{s.wsKey(w.Code, "ws"), s.wsKey(w.Code, "meta"),
		s.wsKey(w.Code, "confirmed"), s.wsKey(w.Code, "waiting"), s.wsKey(w.Code, "seq"), s.wsKey(w.Code, "offers"),
		s.modeKey(w.Code, flows.ModeOnline, "meta"), s.modeKey(w.Code, flows.ModeOnline, "confirmed"),
		s.modeKey(w.Code, flows.ModeOnline, "waiting"), s.modeKey(w.Code, flows.ModeOnline, "offers")}
	return hyUpdateScript.Run(ctx, s.rdb, keys, append(args, w.OnlineCapacity)...).StringSlice()
}

// SwitchMode implements flows.HybridSeats (hy_switch.lua).
func (s *Store) SwitchMode(ctx context.Context, code string, uid int64, to string, giveUp bool, now time.Time) (*flows.Registration, []int64, error) {
	if to != flows.ModeOnsite && to != flows.ModeOnline {
		return nil, nil, fmt.Errorf("switch %d in workshop %s: unknown mode %q", uid, code, to)
	}
	if err := checkCode(code); err != nil {
		return nil, nil, fmt.Errorf("switch %d: %w", uid, err)
	}
	from := otherMode(to)
	keys := []string{s.modeKey(code, from, "meta"), s.modeKey(code, from, "confirmed"), s.modeKey(code, from, "waiting"),
		s.modeKey(code, from, "offers"), s.modeKey(code, from, "pending"),
		s.modeKey(code, to, "meta"), s.modeKey(code, to, "confirmed"), s.modeKey(code, to, "waiting"),
		s.modeKey(code, to, "offers"), s.modeKey(code, to, "pending"), s.wsKey(code, "seq")}
	res, err := hySwitchScript.Run(ctx, s.rdb, keys, uid, now.UnixMilli(), bit(giveUp)).StringSlice()
	if err != nil {
		return nil, nil, fmt.Errorf("switch %d in workshop %s to %s: %w", uid, code, to, err)
	}
	fail := func(e error) (*flows.Registration, []int64, error) {
		return nil, nil, fmt.Errorf("switch %d in workshop %s to %s: %w", uid, code, to, e)
	}
	switch res[0] {
	case "notfound":
		return fail(flows.ErrNotFound)
	case "same":
		return fail(flows.ErrSameMode)
	case "offered":
		return fail(flows.ErrSwitchOffered)
	case "cancelled":
		return fail(flows.ErrWorkshopCancelled)
	case "started":
		return fail(flows.ErrSwitchStarted)
	case "full":
		return fail(flows.ErrModeFull)
	case "confirmed", "waiting", "pending":
	default:
		return nil, nil, fmt.Errorf("switch %d in workshop %s to %s: unexpected script reply %q", uid, code, to, res)
	}
	promoted, err := parseIDs(res[2:])
	if err != nil {
		return nil, nil, fmt.Errorf("switch %d in workshop %s: %w", uid, code, err)
	}
	r, err := s.GetRegistration(ctx, code, uid)
	if err != nil {
		return nil, promoted, fmt.Errorf("switch %d in workshop %s (switched): %w", uid, code, err)
	}
	return r, promoted, nil
}

// ModeCounts implements flows.HybridSeats (one round trip); check-ins are
// counted by Counts only.
func (s *Store) ModeCounts(ctx context.Context, code string) (flows.Counts, flows.Counts, error) {
	onsite, online, _, err := s.modeCounts(ctx, code)
	if err != nil {
		return flows.Counts{}, flows.Counts{}, fmt.Errorf("mode counts of workshop %s: %w", code, err)
	}
	return onsite, online, nil
}

// CountsOf is Counts of each of the workshops codes (in that order), in
// one pipeline: the overview reads a national forum's 1,000 workshops in
// one round trip.
func (s *Store) CountsOf(ctx context.Context, codes []string) ([]flows.Counts, error) {
	type cmds struct {
		n   [2][4]*redis.IntCmd
		chk *redis.IntCmd
	}
	all := make([]*cmds, len(codes))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for k, code := range codes {
			if checkCode(code) != nil {
				continue
			}
			c := new(cmds)
			for i, m := range modes {
				for j, name := range []string{"confirmed", "offers", "waiting", "pending"} {
					c.n[i][j] = p.ZCard(ctx, s.modeKey(code, m, name))
				}
			}
			c.chk = p.HLen(ctx, s.wsKey(code, "checkin"))
			all[k] = c
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("counts of workshops: %w", err)
	}
	out := make([]flows.Counts, len(codes))
	for k, c := range all {
		if c == nil {
			continue
		}
		for i := range modes {
			out[k].Confirmed += int(c.n[i][0].Val())
			out[k].Offered += int(c.n[i][1].Val())
			out[k].Waiting += int(c.n[i][2].Val())
			out[k].Pending += int(c.n[i][3].Val())
		}
		out[k].CheckedIn = int(c.chk.Val())
	}
	return out, nil
}

// modeCounts reads each mode's counts and the number of check-ins in one
// pipeline.
func (s *Store) modeCounts(ctx context.Context, code string) (flows.Counts, flows.Counts, int, error) {
	var cmds [2][4]*redis.IntCmd
	var chk *redis.IntCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, m := range modes {
			for j, name := range []string{"confirmed", "offers", "waiting", "pending"} {
				cmds[i][j] = p.ZCard(ctx, s.modeKey(code, m, name))
			}
		}
		chk = p.HLen(ctx, s.wsKey(code, "checkin"))
		return nil
	})
	if err != nil {
		return flows.Counts{}, flows.Counts{}, 0, err
	}
	var out [2]flows.Counts
	for i := range modes {
		out[i] = flows.Counts{Confirmed: int(cmds[i][0].Val()), Offered: int(cmds[i][1].Val()),
			Waiting: int(cmds[i][2].Val()), Pending: int(cmds[i][3].Val())}
	}
	return out[0], out[1], int(chk.Val()), nil
}
