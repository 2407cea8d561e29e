package store

import (
	"cmp"
	"context"
	_ "embed" // Lua scripts
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// The workshop scripts. ws_promote.lua defines the promotion shared by the
// update and cancel scripts and is prepended to them.
var (
	//go:embed ws_promote.lua
	promoteLua string
	//go:embed ws_create.lua
	createLua string
	//go:embed ws_update.lua
	updateLua string
	//go:embed ws_register.lua
	registerLua string
	//go:embed ws_cancel.lua
	cancelLua string
	//go:embed ws_checkin.lua
	checkinLua string
	//go:embed ws_offer.lua
	offerLua string
	//go:embed ws_decide.lua
	decideLua string

	createScript   = redis.NewScript(createLua)
	updateScript   = redis.NewScript(promoteLua + "\n" + updateLua)
	registerScript = redis.NewScript(registerLua)
	cancelScript   = redis.NewScript(promoteLua + "\n" + cancelLua)
	checkinScript  = redis.NewScript(checkinLua)
	offerScript    = redis.NewScript(promoteLua + "\n" + offerLua)
	decideScript   = redis.NewScript(decideLua)
)

// Workshop key builders. A workshop's keys share the hash tag {w:<code>} so
// every per-workshop script runs in one Cluster slot.
func (s *Store) wsKey(code, name string) string { return s.p + "{w:" + code + "}:" + name }
func (s *Store) checkinKey(token string) string { return s.p + "checkin:" + token }
func (s *Store) upcomingKey() string            { return s.p + "ws:upcoming" }
func (s *Store) allWsKey() string               { return s.p + "ws:all" }
func (s *Store) facilitatesKey(uid int64) string {
	return s.chatKey(uid, "facilitates")
}
func (s *Store) registeredKey(uid int64) string { return s.chatKey(uid, "registered") }

// checkCode refuses codes that would break the key layout (a brace ends the
// hash tag early).
func checkCode(code string) error {
	if code == "" || len(code) > 64 || strings.ContainsAny(code, "{} \t\r\n") {
		return fmt.Errorf("invalid workshop code %q", code)
	}
	return nil
}

// msOrZero is t in unix milliseconds, 0 for the zero time (no deadline).
func msOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func bit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// workshopArgs are the script arguments that save a workshop: its JSON, then
// the meta fields the scripts decide on.
func workshopArgs(w *flows.Workshop) ([]any, error) {
	if err := checkCode(w.Code); err != nil {
		return nil, err
	}
	if w.Capacity < 0 {
		return nil, fmt.Errorf("workshop %s: negative capacity %d", w.Code, w.Capacity)
	}
	b, err := workshopJSON(w)
	if err != nil {
		return nil, err
	}
	return []any{b, w.Capacity, bit(w.Closed), bit(w.Cancelled), msOrZero(w.Deadline),
		w.Start.UnixMilli(), bit(w.Offers), w.OfferFor().Milliseconds(), bit(w.Approval), bit(w.InviteOnly)}, nil
}

// workshopJSON is w as stored under :ws, without its team (kept under
// :team and :meta, teams.go).
func workshopJSON(w *flows.Workshop) ([]byte, error) {
	cp := *w
	cp.Facilitators, cp.Owner = nil, 0
	b, err := json.Marshal(&cp)
	if err != nil {
		return nil, fmt.Errorf("encode workshop %s: %w", w.Code, err)
	}
	return b, nil
}

// index files a saved workshop under ws:all, ws:upcoming (unless cancelled or unlisted)
// and each of members (the team indexes itself as it changes, teams.go).
// One pipeline: the keys are in different slots.
func (s *Store) index(ctx context.Context, w *flows.Workshop, members []int64) error {
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		start := float64(w.Start.UnixMilli())
		p.ZAdd(ctx, s.allWsKey(), redis.Z{Score: start, Member: w.Code})
		if w.Cancelled || w.Hidden() {
			p.ZRem(ctx, s.upcomingKey(), w.Code)
		} else {
			p.ZAdd(ctx, s.upcomingKey(), redis.Z{Score: start, Member: w.Code})
		}
		for _, uid := range members {
			p.SAdd(ctx, s.facilitatesKey(uid), w.Code)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("index workshop %s: %w", w.Code, err)
	}
	return nil
}

// CreateWorkshop implements flows.Workshops: the JSON and the meta hash are
// written by one script (ErrCodeTaken when the code exists), then the
// workshop is indexed. A zero Deadline means registration has no deadline.
func (s *Store) CreateWorkshop(ctx context.Context, w *flows.Workshop) error {
	args, err := workshopArgs(w)
	if err != nil {
		return fmt.Errorf("create workshop: %w", err)
	}
	owner, members := flows.TeamOwner(w), teamMembers(w)
	args = append(args, owner, w.Created.UnixMilli())
	for _, uid := range members {
		args = append(args, uid)
	}
	n, err := createScript.Run(ctx, s.rdb, []string{s.wsKey(w.Code, "ws"), s.wsKey(w.Code, "meta"), s.wsKey(w.Code, "team")}, args...).Int()
	if err != nil {
		return fmt.Errorf("create workshop %s: %w", w.Code, err)
	}
	if n == 0 {
		return fmt.Errorf("create workshop %s: %w", w.Code, flows.ErrCodeTaken)
	}
	if w.Hybrid() { // its online meta (hybrid.go); nobody is registered yet
		if _, err := s.updateHybrid(ctx, w, append(args[:10:10], "")); err != nil {
			return fmt.Errorf("create workshop %s: online meta: %w", w.Code, err)
		}
	}
	return s.index(ctx, w, members)
}

// UpdateWorkshop implements flows.Workshops. One script saves the JSON and
// the meta hash and, unless the workshop is cancelled, promotes as many
// waiting people as the capacity now allows (in list order). Lowering the
// capacity below the confirmed count demotes nobody. The team is not
// touched: w.Owner and w.Facilitators are ignored (teams.go changes them).
func (s *Store) UpdateWorkshop(ctx context.Context, w *flows.Workshop) ([]int64, error) {
	return s.updateWorkshop(ctx, w, "")
}

// UpdateWorkshopAt implements flows.Workshops: UpdateWorkshop, with the
// promotion decided as at now (ws_promote.lua).
func (s *Store) UpdateWorkshopAt(ctx context.Context, w *flows.Workshop, now time.Time) ([]int64, error) {
	return s.updateWorkshop(ctx, w, strconv.FormatInt(now.UnixMilli(), 10))
}

func (s *Store) updateWorkshop(ctx context.Context, w *flows.Workshop, now string) ([]int64, error) {
	args, err := workshopArgs(w)
	if err != nil {
		return nil, fmt.Errorf("update workshop: %w", err)
	}
	// The JSON written has no team: one an older replica saved keeps its
	// team by migrating it first (teams.go).
	if err := s.ensureTeam(ctx, w.Code); err != nil {
		return nil, fmt.Errorf("update workshop %s: %w", w.Code, err)
	}
	args = append(args, now)
	keys := []string{s.wsKey(w.Code, "ws"), s.wsKey(w.Code, "meta"),
		s.wsKey(w.Code, "confirmed"), s.wsKey(w.Code, "waiting"), s.wsKey(w.Code, "seq"), s.wsKey(w.Code, "offers")}
	var res []string
	if w.Hybrid() {
		res, err = s.updateHybrid(ctx, w, args) // both modes (hybrid.go)
	} else {
		res, err = updateScript.Run(ctx, s.rdb, keys, args...).StringSlice()
	}
	if err != nil {
		return nil, fmt.Errorf("update workshop %s: %w", w.Code, err)
	}
	if len(res) < 2 || res[0] != "ok" {
		return nil, fmt.Errorf("update workshop %s: %w", w.Code, flows.ErrNotFound)
	}
	promoted, err := parseIDs(res[2:])
	if err != nil {
		return nil, fmt.Errorf("update workshop %s: %w", w.Code, err)
	}
	if err := s.index(ctx, w, nil); err != nil {
		return promoted, err
	}
	return promoted, nil
}

func parseIDs(ss []string) ([]int64, error) {
	if len(ss) == 0 {
		return nil, nil
	}
	ids := make([]int64, 0, len(ss))
	for _, v := range ss {
		if strings.HasPrefix(v, flows.AnonPrefix) {
			continue // a forgotten user (store/privacy.go): nobody to tell
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad user id %q: %w", v, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// GetWorkshop implements flows.Workshops.
func (s *Store) GetWorkshop(ctx context.Context, code string) (*flows.Workshop, error) {
	ws, err := s.loadWorkshops(ctx, []string{code})
	if err != nil {
		return nil, fmt.Errorf("get workshop %s: %w", code, err)
	}
	if len(ws) == 0 {
		return nil, fmt.Errorf("get workshop %s: %w", code, flows.ErrNotFound)
	}
	return ws[0], nil
}

// loadWorkshops reads workshops in one pipeline, in the order of codes;
// codes without a workshop are skipped.
func (s *Store) loadWorkshops(ctx context.Context, codes []string) ([]*flows.Workshop, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.StringCmd, len(codes))
	teams := make([]teamRead, len(codes))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range codes {
			cmds[i] = p.Get(ctx, s.wsKey(c, "ws"))
			teams[i] = s.queueTeamRead(ctx, p, c)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("load workshops: %w", err)
	}
	out := make([]*flows.Workshop, 0, len(codes))
	for i, cmd := range cmds {
		b, err := cmd.Bytes()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load workshop %s: %w", codes[i], err)
		}
		w := new(flows.Workshop)
		if err := json.Unmarshal(b, w); err != nil {
			return nil, fmt.Errorf("decode workshop %s: %w", codes[i], err)
		}
		if err := teams[i].fill(w); err != nil {
			return nil, fmt.Errorf("team of workshop %s: %w", codes[i], err)
		}
		out = append(out, w)
	}
	return out, nil
}

// Upcoming implements flows.Workshops: a page of ws:upcoming after from
// (exclusive) and the total, in one round trip, then the workshops in a
// second. limit <= 0 means no limit.
func (s *Store) Upcoming(ctx context.Context, from time.Time, offset, limit int) ([]*flows.Workshop, int, error) {
	if offset < 0 {
		offset = 0
	}
	count := int64(limit)
	if limit <= 0 {
		count = -1
	}
	lo := "(" + strconv.FormatInt(from.UnixMilli(), 10)
	var page *redis.StringSliceCmd
	var total *redis.IntCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		page = p.ZRangeByScore(ctx, s.upcomingKey(), &redis.ZRangeBy{Min: lo, Max: "+inf", Offset: int64(offset), Count: count})
		total = p.ZCount(ctx, s.upcomingKey(), lo, "+inf")
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("upcoming workshops: %w", err)
	}
	ws, err := s.loadWorkshops(ctx, page.Val())
	if err != nil {
		return nil, 0, fmt.Errorf("upcoming workshops: %w", err)
	}
	return ws, int(total.Val()), nil
}

// Facilitated implements flows.Workshops: the user's index, each entry
// checked against the workshop's team.
func (s *Store) Facilitated(ctx context.Context, uid int64) ([]*flows.Workshop, error) {
	var codes []string
	var err error
	if uid == 0 {
		codes, err = s.rdb.ZRevRange(ctx, s.allWsKey(), 0, -1).Result()
	} else {
		codes, err = s.rdb.SMembers(ctx, s.facilitatesKey(uid)).Result()
	}
	if err != nil {
		return nil, fmt.Errorf("workshops facilitated by %d: %w", uid, err)
	}
	ws, err := s.loadWorkshops(ctx, codes)
	if err != nil {
		return nil, fmt.Errorf("workshops facilitated by %d: %w", uid, err)
	}
	if uid != 0 {
		// The index follows the team a step behind (teams.go): the team
		// decides, and an entry it does not confirm is dropped.
		ws = slices.DeleteFunc(ws, func(w *flows.Workshop) bool { return !slices.Contains(w.Facilitators, uid) })
		if len(ws) < len(codes) {
			stale := make([]any, 0, len(codes)-len(ws))
			for _, c := range codes {
				if !slices.ContainsFunc(ws, func(w *flows.Workshop) bool { return w.Code == c }) {
					stale = append(stale, c)
				}
			}
			if err := s.rdb.SRem(ctx, s.facilitatesKey(uid), stale...).Err(); err != nil {
				return nil, fmt.Errorf("workshops facilitated by %d: drop stale: %w", uid, err)
			}
		}
	}
	slices.SortFunc(ws, func(a, b *flows.Workshop) int {
		return cmp.Or(b.Start.Compare(a.Start), cmp.Compare(a.Code, b.Code))
	})
	return ws, nil
}

// Register implements flows.Workshops. One script checks the workshop and
// places the user; then, in one pipeline, the check-in token and the user's
// index are written (other slots). An empty Token is filled with
// flows.NewToken, a zero RegisteredAt with now. A repeated registration
// re-writes the token and index of the existing one (repairing them if that
// second step failed before) and returns ErrAlreadyRegistered.
func (s *Store) Register(ctx context.Context, r *flows.Registration, now time.Time) (*flows.Registration, error) {
	return s.register(ctx, r, now, nil, nil)
}

// register runs the registration script of r's workshop and mode
// (registerScript: ws_register.lua or hy_register.lua) or, given extra keys
// and arguments after its own, that script wrapped by an invitation's
// (invitedScript, ws_inv_register.lua).
func (s *Store) register(ctx context.Context, r *flows.Registration, now time.Time, extraKeys []string, extraArgs []any) (*flows.Registration, error) {
	code, uid := r.Workshop, r.UserID
	if err := checkCode(code); err != nil {
		return nil, fmt.Errorf("register %d: %w", uid, err)
	}
	reg := *r
	reg.Status, reg.Position, reg.CheckedInAt = "", 0, time.Time{}
	if reg.Token == "" {
		reg.Token = flows.NewToken()
	}
	if reg.RegisteredAt.IsZero() {
		reg.RegisteredAt = now
	}
	b, err := json.Marshal(&reg)
	if err != nil {
		return nil, fmt.Errorf("register %d for workshop %s: encode: %w", uid, code, err)
	}
	script, mode, err := s.registerScript(ctx, code, reg.Mode)
	if err != nil {
		return nil, fmt.Errorf("register %d for workshop %s: %w", uid, code, err)
	}
	if extraKeys != nil {
		script = invitedScript(script)
	}
	res, err := script.Run(ctx, s.rdb, append(s.registerKeys(code, mode), extraKeys...), append([]any{uid, now.UnixMilli(), b}, extraArgs...)...).Slice()
	if err != nil {
		return nil, fmt.Errorf("register %d for workshop %s: %w", uid, code, err)
	}
	status, _ := res[0].(string)
	switch status {
	case "confirmed":
		reg.Status = flows.RegConfirmed
	case "waiting":
		reg.Status = flows.RegWaiting
		pos, _ := res[1].(int64)
		reg.Position = int(pos)
	case "pending":
		reg.Status = flows.RegPending
	case "dup":
		var old flows.Registration
		if raw, _ := res[1].(string); json.Unmarshal([]byte(raw), &old) == nil && old.Token != "" {
			_ = s.indexRegistration(ctx, code, uid, old.Token)
		}
		return nil, fmt.Errorf("register %d for workshop %s: %w", uid, code, flows.ErrAlreadyRegistered)
	case "notfound":
		return nil, fmt.Errorf("register %d for workshop %s: %w", uid, code, flows.ErrNotFound)
	case "cancelled":
		return nil, fmt.Errorf("register %d for workshop %s: %w", uid, code, flows.ErrWorkshopCancelled)
	case "shut":
		return nil, fmt.Errorf("register %d for workshop %s: %w", uid, code, flows.ErrRegistrationShut)
	case inviteNone, inviteGone, inviteUsed:
		return nil, fmt.Errorf("register %d for workshop %s: %w", uid, code, inviteRefusal(status))
	default:
		return nil, fmt.Errorf("register %d for workshop %s: unexpected script reply %v", uid, code, res)
	}
	if err := s.indexRegistration(ctx, code, uid, reg.Token); err != nil {
		return nil, fmt.Errorf("register %d for workshop %s (registered, not indexed): %w", uid, code, err)
	}
	if reg.Mode != flows.ModeOnline {
		reg.Mode = "" // read back as its list says (regRead)
	}
	return &reg, nil
}

// indexRegistration writes the token lookup and the user's index entry.
func (s *Store) indexRegistration(ctx context.Context, code string, uid int64, token string) error {
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.checkinKey(token), code+":"+strconv.FormatInt(uid, 10), 0)
		p.SAdd(ctx, s.registeredKey(uid), code)
		return nil
	})
	return err
}

// CancelRegistration implements flows.Workshops. One script removes the
// registration, its check-in and, when a seat (confirmed or offered) frees
// up, moves the head of the waiting list up as ws_promote.lua decides; then
// the token lookup and the user's index entry are removed. The meta hash of
// a workshop saved before it held the start gets it first (from the JSON),
// so that nobody moves up after the start there either.
func (s *Store) CancelRegistration(ctx context.Context, code string, uid int64, now time.Time) (int64, error) {
	var res []string
	// On site, then a hybrid workshop's online lists (hybrid.go): a
	// person is on one of them only.
	for attempt, mode := 0, 0; ; attempt++ {
		var err error
		res, err = cancelScript.Run(ctx, s.rdb, s.modeSeatKeys(code, modes[mode]), uid, now.UnixMilli()).StringSlice()
		if err == nil && len(res) == 1 && res[0] == "notfound" && mode == 0 {
			mode, attempt = 1, attempt-1
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("cancel registration of %d in workshop %s: %w", uid, code, err)
		}
		if len(res) != 1 || res[0] != "nostart" || attempt > 0 {
			break
		}
		if err := s.repairMeta(ctx, code); err != nil {
			return 0, fmt.Errorf("cancel registration of %d in workshop %s: %w", uid, code, err)
		}
	}
	if len(res) < 3 || res[0] != "ok" {
		return 0, fmt.Errorf("cancel registration of %d in workshop %s: %w", uid, code, flows.ErrNotFound)
	}
	var promoted int64
	if res[2] != "" {
		ids, err := parseIDs(res[2:3])
		if err != nil {
			return 0, fmt.Errorf("cancel registration of %d in workshop %s: %w", uid, code, err)
		}
		if len(ids) > 0 {
			promoted = ids[0]
		}
	}
	if err := s.dropIndex(ctx, code, uid, res[1]); err != nil {
		return promoted, fmt.Errorf("cancel registration of %d in workshop %s (cancelled, index not updated): %w", uid, code, err)
	}
	return promoted, nil
}

// repairMeta writes the fields the scripts decide on from the workshop's
// JSON (a meta hash written before it held the start).
func (s *Store) repairMeta(ctx context.Context, code string) error {
	w, err := s.GetWorkshop(ctx, code)
	if err != nil {
		return err
	}
	args, err := workshopArgs(w)
	if err != nil {
		return err
	}
	return s.rdb.HSet(ctx, s.wsKey(code, "meta"), "start", args[5], "offer", args[6], "validity", args[7]).Err()
}

// dropIndex removes the token lookup and the user's index entry of an ended
// registration (its JSON, ” when none).
func (s *Store) dropIndex(ctx context.Context, code string, uid int64, regJSON string) error {
	var old flows.Registration
	_ = json.Unmarshal([]byte(regJSON), &old)
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		if old.Token != "" {
			p.Del(ctx, s.checkinKey(old.Token))
		}
		p.SRem(ctx, s.registeredKey(uid), code)
		return nil
	})
	return err
}

// offer runs ws_offer.lua: action on uid's offer, then every free seat
// offered; an offer that ended takes the registration's index with it.
func (s *Store) offer(ctx context.Context, action, code string, uid int64, now time.Time) ([]int64, error) {
	if action == "fill" { // each mode's seats (hybrid.go)
		var all []int64
		for _, mode := range modes {
			next, err := s.offerIn(ctx, mode, action, code, uid, now)
			all = append(all, next...)
			if err != nil {
				return all, err
			}
		}
		return all, nil
	}
	next, err := s.offerIn(ctx, flows.ModeOnsite, action, code, uid, now)
	if errors.Is(err, flows.ErrNoOffer) {
		return s.offerIn(ctx, flows.ModeOnline, action, code, uid, now)
	}
	return next, err
}

// offerIn is offer on the lists of one mode.
func (s *Store) offerIn(ctx context.Context, mode, action, code string, uid int64, now time.Time) ([]int64, error) {
	res, err := offerScript.Run(ctx, s.rdb, s.modeSeatKeys(code, mode), action, uid, now.UnixMilli()).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("%s offer of %d in workshop %s: %w", action, uid, code, err)
	}
	switch {
	case len(res) == 1 && res[0] == "none":
		return nil, fmt.Errorf("%s offer of %d in workshop %s: %w", action, uid, code, flows.ErrNoOffer)
	case len(res) == 1 && res[0] == "confirmed":
		return nil, fmt.Errorf("%s offer of %d in workshop %s: %w", action, uid, code, flows.ErrAlreadyRegistered)
	case len(res) < 2:
		return nil, fmt.Errorf("%s offer of %d in workshop %s: unexpected script reply %q", action, uid, code, res)
	}
	next, err := parseIDs(res[2:])
	if err != nil {
		return nil, fmt.Errorf("%s offer of %d in workshop %s: %w", action, uid, code, err)
	}
	if res[1] != "" {
		if err := s.dropIndex(ctx, code, uid, res[1]); err != nil {
			return next, fmt.Errorf("%s offer of %d in workshop %s (ended, index not updated): %w", action, uid, code, err)
		}
	}
	if res[0] == "expired" {
		return next, fmt.Errorf("accept offer of %d in workshop %s: %w", uid, code, flows.ErrOfferExpired)
	}
	return next, nil
}

// OfferSeats implements flows.Workshops (ws_offer.lua, fill).
func (s *Store) OfferSeats(ctx context.Context, code string, now time.Time) ([]int64, error) {
	return s.offer(ctx, "fill", code, 0, now)
}

// AcceptOffer implements flows.Workshops (ws_offer.lua, accept).
func (s *Store) AcceptOffer(ctx context.Context, code string, uid int64, now time.Time) ([]int64, error) {
	return s.offer(ctx, "accept", code, uid, now)
}

// DeclineOffer implements flows.Workshops (ws_offer.lua, decline).
func (s *Store) DeclineOffer(ctx context.Context, code string, uid int64, now time.Time) ([]int64, error) {
	return s.offer(ctx, "decline", code, uid, now)
}

// ExpireOffer implements flows.Workshops (ws_offer.lua, expire).
func (s *Store) ExpireOffer(ctx context.Context, code string, uid int64, now time.Time) ([]int64, error) {
	return s.offer(ctx, "expire", code, uid, now)
}

// DecideRegistration implements flows.Workshops (ws_decide.lua); a
// declined registration's token lookup and index entry go after it.
func (s *Store) DecideRegistration(ctx context.Context, code string, uid int64, approve bool) (*flows.Registration, error) {
	action := "decline"
	if approve {
		action = "approve"
	}
	var res []any
	var status string
	for _, mode := range modes { // the mode whose list holds them (hybrid.go)
		var err error
		res, err = decideScript.Run(ctx, s.rdb, s.registerKeys(code, mode)[:7], action, uid).Slice()
		if err != nil {
			return nil, fmt.Errorf("%s registration of %d in workshop %s: %w", action, uid, code, err)
		}
		if status, _ = res[0].(string); status != "decided" {
			break
		}
	}
	switch status {
	case "decided":
		return nil, fmt.Errorf("%s registration of %d in workshop %s: %w", action, uid, code, flows.ErrAlreadyDecided)
	case "cancelled":
		return nil, fmt.Errorf("%s registration of %d in workshop %s: %w", action, uid, code, flows.ErrWorkshopCancelled)
	case "declined":
		raw, _ := res[1].(string)
		if err := s.dropIndex(ctx, code, uid, raw); err != nil {
			return nil, fmt.Errorf("decline registration of %d in workshop %s (declined, index not updated): %w", uid, code, err)
		}
		return nil, nil
	case "confirmed", "waiting":
		r, err := s.GetRegistration(ctx, code, uid)
		if err != nil {
			return nil, fmt.Errorf("approve registration of %d in workshop %s: %w", uid, code, err)
		}
		return r, nil
	}
	return nil, fmt.Errorf("%s registration of %d in workshop %s: unexpected script reply %v", action, uid, code, res)
}

// regRead is one registration read in a pipeline.
type regRead struct {
	code  string
	uid   int64
	reg   *redis.StringCmd
	conf  *redis.FloatCmd
	wait  *redis.IntCmd
	chk   *redis.StringCmd
	offer *redis.FloatCmd
	pend  *redis.FloatCmd
	on    *regRead // the online lists of a hybrid workshop (hybrid.go); nil in on
}

func (s *Store) queueRegRead(ctx context.Context, p redis.Pipeliner, code string, uid int64) *regRead {
	u := strconv.FormatInt(uid, 10)
	return &regRead{
		code: code, uid: uid,
		reg:   p.HGet(ctx, s.wsKey(code, "regs"), u),
		conf:  p.ZScore(ctx, s.wsKey(code, "confirmed"), u),
		wait:  p.ZRank(ctx, s.wsKey(code, "waiting"), u),
		chk:   p.HGet(ctx, s.wsKey(code, "checkin"), u),
		offer: p.ZScore(ctx, s.wsKey(code, "offers"), u),
		pend:  p.ZScore(ctx, s.wsKey(code, "pending"), u),
		on: &regRead{code: code, uid: uid, reg: new(redis.StringCmd), chk: new(redis.StringCmd),
			conf:  p.ZScore(ctx, s.modeKey(code, flows.ModeOnline, "confirmed"), u),
			wait:  p.ZRank(ctx, s.modeKey(code, flows.ModeOnline, "waiting"), u),
			offer: p.ZScore(ctx, s.modeKey(code, flows.ModeOnline, "offers"), u),
			pend:  p.ZScore(ctx, s.modeKey(code, flows.ModeOnline, "pending"), u)},
	}
}

// result is the registration, or ErrNotFound when uid is neither confirmed
// nor waiting.
func (rr *regRead) result() (*flows.Registration, error) {
	for _, c := range []redis.Cmder{rr.reg, rr.conf, rr.wait, rr.chk, rr.offer, rr.pend} {
		if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) {
			return nil, err
		}
	}
	var status flows.RegStatus
	var expires time.Time
	pos := 0
	switch {
	case rr.conf.Err() == nil:
		status = flows.RegConfirmed
	case rr.offer.Err() == nil:
		status, expires = flows.RegOffered, fromMS(int64(rr.offer.Val()))
	case rr.wait.Err() == nil:
		status, pos = flows.RegWaiting, int(rr.wait.Val())+1
	case rr.pend.Err() == nil:
		status = flows.RegPending
	case rr.on != nil:
		on := *rr.on // the online lists, with this read's JSON and check-in
		on.reg, on.chk = rr.reg, rr.chk
		r, err := on.result()
		if err == nil {
			r.Mode = flows.ModeOnline
		}
		return r, err
	default:
		return nil, flows.ErrNotFound
	}
	r, err := decodeReg(rr.code, rr.uid, rr.reg.Val(), rr.chk.Val())
	if err != nil {
		return nil, err
	}
	r.Status, r.Position, r.OfferExpires = status, pos, expires
	return r, nil
}

// decodeReg builds a registration from its stored JSON (tolerating a missing
// one) and check-in time.
func decodeReg(code string, uid int64, raw, checkin string) (*flows.Registration, error) {
	r := new(flows.Registration)
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), r); err != nil {
			return nil, fmt.Errorf("decode registration of %d in workshop %s: %w", uid, code, err)
		}
	}
	r.Workshop, r.UserID = code, uid
	if ms, err := strconv.ParseInt(checkin, 10, 64); err == nil {
		r.CheckedInAt = fromMS(ms)
	}
	return r, nil
}

// GetRegistration implements flows.Workshops (one round trip).
func (s *Store) GetRegistration(ctx context.Context, code string, uid int64) (*flows.Registration, error) {
	var rr *regRead
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		rr = s.queueRegRead(ctx, p, code, uid)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("get registration of %d in workshop %s: %w", uid, code, err)
	}
	r, err := rr.result()
	if err != nil {
		return nil, fmt.Errorf("get registration of %d in workshop %s: %w", uid, code, err)
	}
	return r, nil
}

// Registrations implements flows.Workshops (one round trip). An unknown
// code has no registrations. A hybrid workshop lists its on-site lists,
// then its online ones (hybrid.go).
func (s *Store) Registrations(ctx context.Context, code string) ([]*flows.Registration, error) {
	var lists [2]modeLists
	var regs, chk *redis.MapStringStringCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, m := range modes {
			lists[i] = modeLists{
				conf:   p.ZRange(ctx, s.modeKey(code, m, "confirmed"), 0, -1),
				offers: p.ZRangeWithScores(ctx, s.modeKey(code, m, "offers"), 0, -1),
				pend:   p.ZRange(ctx, s.modeKey(code, m, "pending"), 0, -1),
				wait:   p.ZRange(ctx, s.modeKey(code, m, "waiting"), 0, -1),
			}
		}
		regs = p.HGetAll(ctx, s.wsKey(code, "regs"))
		chk = p.HGetAll(ctx, s.wsKey(code, "checkin"))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("registrations of workshop %s: %w", code, err)
	}
	var out []*flows.Registration
	for i, m := range modes {
		mode := m
		if mode == flows.ModeOnsite {
			mode = ""
		}
		if out, err = lists[i].add(out, code, mode, regs.Val(), chk.Val()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// modeLists are one mode's lists read in a pipeline.
type modeLists struct {
	conf, wait, pend *redis.StringSliceCmd
	offers           *redis.ZSliceCmd
}

// add appends the registrations of the lists to out: the confirmed in
// registration order, the offered by expiry, the waiting, the pending.
func (l modeLists) add(out []*flows.Registration, code, mode string, regMap, chkMap map[string]string) ([]*flows.Registration, error) {
	conf, offers, pend, wait := l.conf, l.offers, l.pend, l.wait
	add := func(uids []string, status flows.RegStatus) error {
		for i, u := range uids {
			if strings.HasPrefix(u, flows.AnonPrefix) {
				continue // a forgotten user (store/privacy.go): counted, not listed
			}
			uid, err := strconv.ParseInt(u, 10, 64)
			if err != nil {
				return fmt.Errorf("registrations of workshop %s: bad user id %q", code, u)
			}
			r, err := decodeReg(code, uid, regMap[u], chkMap[u])
			if err != nil {
				return fmt.Errorf("registrations of workshop %s: %w", code, err)
			}
			r.Status, r.Mode = status, mode
			if status == flows.RegWaiting {
				r.Position = i + 1
			}
			out = append(out, r)
		}
		return nil
	}
	if err := add(conf.Val(), flows.RegConfirmed); err != nil {
		return nil, err
	}
	offered := make([]string, len(offers.Val()))
	expiry := make(map[int64]time.Time, len(offered))
	for i, z := range offers.Val() {
		offered[i], _ = z.Member.(string)
		if uid, err := strconv.ParseInt(offered[i], 10, 64); err == nil {
			expiry[uid] = fromMS(int64(z.Score))
		}
	}
	n := len(out)
	if err := add(offered, flows.RegOffered); err != nil {
		return nil, err
	}
	for _, r := range out[n:] {
		r.OfferExpires = expiry[r.UserID]
	}
	if err := add(wait.Val(), flows.RegWaiting); err != nil {
		return nil, err
	}
	if err := add(pend.Val(), flows.RegPending); err != nil {
		return nil, err
	}
	return out, nil
}

// UserRegistrations implements flows.Workshops: the user's index, then each
// registration read fresh in one pipeline; index entries without a
// registration are dropped. Sorted by registration time.
func (s *Store) UserRegistrations(ctx context.Context, uid int64) ([]*flows.Registration, error) {
	codes, err := s.rdb.SMembers(ctx, s.registeredKey(uid)).Result()
	if err != nil {
		return nil, fmt.Errorf("registrations of user %d: %w", uid, err)
	}
	if len(codes) == 0 {
		return nil, nil
	}
	reads := make([]*regRead, len(codes))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range codes {
			reads[i] = s.queueRegRead(ctx, p, c, uid)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("registrations of user %d: %w", uid, err)
	}
	var out []*flows.Registration
	var stale []any
	for _, rr := range reads {
		r, err := rr.result()
		if errors.Is(err, flows.ErrNotFound) {
			stale = append(stale, rr.code)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("registrations of user %d: %w", uid, err)
		}
		out = append(out, r)
	}
	if len(stale) > 0 {
		if err := s.rdb.SRem(ctx, s.registeredKey(uid), stale...).Err(); err != nil {
			return nil, fmt.Errorf("registrations of user %d: drop stale: %w", uid, err)
		}
	}
	slices.SortFunc(out, func(a, b *flows.Registration) int {
		return cmp.Or(a.RegisteredAt.Compare(b.RegisteredAt), cmp.Compare(a.Workshop, b.Workshop))
	})
	return out, nil
}

// Counts implements flows.Workshops: both modes' lists of a hybrid
// workshop together (ModeCounts, hybrid.go), and the check-ins; one round
// trip.
func (s *Store) Counts(ctx context.Context, code string) (flows.Counts, error) {
	onsite, online, chk, err := s.modeCounts(ctx, code)
	if err != nil {
		return flows.Counts{}, fmt.Errorf("counts of workshop %s: %w", code, err)
	}
	return flows.Counts{Confirmed: onsite.Confirmed + online.Confirmed, Waiting: onsite.Waiting + online.Waiting,
		CheckedIn: int(chk), Offered: onsite.Offered + online.Offered, Pending: onsite.Pending + online.Pending}, nil
}

// CheckinToken implements flows.Workshops. The token must still be the one
// of the stored registration, so a cancelled registration's token never
// resolves, even if its lookup key outlived it.
func (s *Store) CheckinToken(ctx context.Context, token string) (string, int64, error) {
	v, err := s.rdb.Get(ctx, s.checkinKey(token)).Result()
	if errors.Is(err, redis.Nil) {
		return "", 0, fmt.Errorf("check-in token: %w", flows.ErrNotFound)
	}
	if err != nil {
		return "", 0, fmt.Errorf("check-in token: %w", err)
	}
	i := strings.LastIndexByte(v, ':')
	if i < 0 {
		return "", 0, fmt.Errorf("check-in token: bad value %q", v)
	}
	code := v[:i]
	uid, err := strconv.ParseInt(v[i+1:], 10, 64)
	if err != nil {
		return "", 0, fmt.Errorf("check-in token: bad value %q", v)
	}
	raw, err := s.rdb.HGet(ctx, s.wsKey(code, "regs"), v[i+1:]).Result()
	if errors.Is(err, redis.Nil) {
		return "", 0, fmt.Errorf("check-in token for %d in workshop %s: %w", uid, code, flows.ErrNotFound)
	}
	if err != nil {
		return "", 0, fmt.Errorf("check-in token for %d in workshop %s: %w", uid, code, err)
	}
	var r flows.Registration
	if err := json.Unmarshal([]byte(raw), &r); err != nil || r.Token != token {
		return "", 0, fmt.Errorf("check-in token for %d in workshop %s: %w", uid, code, flows.ErrNotFound)
	}
	return code, uid, nil
}

// CheckIn implements flows.Workshops (one script: confirmed check and
// HSETNX).
func (s *Store) CheckIn(ctx context.Context, code string, uid int64, now time.Time) (bool, error) {
	keys := []string{s.wsKey(code, "confirmed"), s.wsKey(code, "checkin")}
	n, err := checkinScript.Run(ctx, s.rdb, keys, uid, now.UnixMilli()).Int()
	if err != nil {
		return false, fmt.Errorf("check in %d at workshop %s: %w", uid, code, err)
	}
	if n < 0 {
		return false, fmt.Errorf("check in %d at workshop %s: %w", uid, code, flows.ErrNotFound)
	}
	return n == 1, nil
}

// SaveFeedback implements flows.Workshops: one per user, the latest wins.
func (s *Store) SaveFeedback(ctx context.Context, code string, f *flows.Feedback) error {
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("save feedback of %d on workshop %s: %w", f.UserID, code, err)
	}
	if err := s.rdb.HSet(ctx, s.wsKey(code, "feedback"), strconv.FormatInt(f.UserID, 10), b).Err(); err != nil {
		return fmt.Errorf("save feedback of %d on workshop %s: %w", f.UserID, code, err)
	}
	return nil
}

// Feedback implements flows.Workshops, oldest first.
func (s *Store) Feedback(ctx context.Context, code string) ([]*flows.Feedback, error) {
	m, err := s.rdb.HGetAll(ctx, s.wsKey(code, "feedback")).Result()
	if err != nil {
		return nil, fmt.Errorf("feedback on workshop %s: %w", code, err)
	}
	out := make([]*flows.Feedback, 0, len(m))
	for u, v := range m {
		f := new(flows.Feedback)
		if err := json.Unmarshal([]byte(v), f); err != nil {
			return nil, fmt.Errorf("feedback on workshop %s: decode %s: %w", code, u, err)
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b *flows.Feedback) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.UserID, b.UserID))
	})
	return out, nil
}
