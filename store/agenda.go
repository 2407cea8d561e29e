package store

import (
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

// A workshop's agenda (flows.Agenda) lives beside the workshop under its
// hash tag: {w:<code>}:agenda (the sessions), {w:<code>}:seats:<id> (who
// holds a seat of a parallel session, in sign-up order, numbered from
// {w:<code>}:agseq) and {w:<code>}:chosen (each person's sessions with the
// number of the confirmed registration they were chosen under). Every
// change is one script (agenda_*.lua, after agenda_lib.lua) over all of
// them and :confirmed, so a seat is never taken twice nor past the
// capacity, and a sign-up counts only while the registration it was made
// under stays confirmed: a cancellation frees the seat in the same atomic
// step that ends the registration, without its script knowing sessions.

var (
	//go:embed agenda_lib.lua
	agendaLibLua string
	//go:embed agenda_join.lua
	agendaJoinLua string
	//go:embed agenda_leave.lua
	agendaLeaveLua string
	//go:embed agenda_release.lua
	agendaReleaseLua string
	//go:embed agenda_save.lua
	agendaSaveLua string
	//go:embed agenda_delete.lua
	agendaDeleteLua string

	agendaJoinScript    = redis.NewScript(agendaLibLua + "\n" + agendaJoinLua)
	agendaLeaveScript   = redis.NewScript(agendaLibLua + "\n" + agendaLeaveLua)
	agendaReleaseScript = redis.NewScript(agendaLibLua + "\n" + agendaReleaseLua)
	agendaSaveScript    = redis.NewScript(agendaLibLua + "\n" + agendaSaveLua)
	agendaDeleteScript  = redis.NewScript(agendaLibLua + "\n" + agendaDeleteLua)
)

// sessionRecord is a session as stored: its JSON with the times in unix
// milliseconds for the scripts' overlap check.
type sessionRecord struct {
	flows.AgendaSession
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

// agendaRetries bounds the runs of a script whose agenda changed between
// the read of its ids and the script.
const agendaRetries = 20

// runAgenda runs script over the workshop's agenda keys, the ids read
// first (with extra, a session not saved yet), and args; it runs again
// while the script answers that the agenda changed meanwhile.
func (s *Store) runAgenda(ctx context.Context, script *redis.Script, code, extra string, args ...any) ([]string, error) {
	for range agendaRetries {
		ids, err := s.rdb.HKeys(ctx, s.wsKey(code, "agenda")).Result()
		if err != nil {
			return nil, err
		}
		if extra != "" && !slices.Contains(ids, extra) {
			ids = append(ids, extra)
		}
		keys := []string{s.wsKey(code, "ws"), s.wsKey(code, "agenda"), s.wsKey(code, "chosen"), s.wsKey(code, "confirmed"), s.wsKey(code, "agseq"),
			s.modeKey(code, flows.ModeOnline, "confirmed")}
		argv := []any{len(ids)}
		for _, id := range ids {
			keys = append(keys, s.wsKey(code, "seats:"+id))
			argv = append(argv, id)
		}
		res, err := script.Run(ctx, s.rdb, keys, append(argv, args...)...).StringSlice()
		if err != nil {
			return nil, err
		}
		if len(res) == 0 || res[0] != "retry" {
			return res, nil
		}
	}
	return nil, errors.New("agenda kept changing")
}

// checkSessionID refuses ids that would break the key layout.
func checkSessionID(id string) error {
	if id == "" || len(id) > 32 || strings.ContainsAny(id, "{}:|, \t\r\n") {
		return fmt.Errorf("invalid session id %q", id)
	}
	return nil
}

// Sessions implements flows.Agenda.
func (s *Store) Sessions(ctx context.Context, code string) ([]flows.AgendaSession, error) {
	if checkCode(code) != nil {
		return nil, nil
	}
	raw, err := s.rdb.HGetAll(ctx, s.wsKey(code, "agenda")).Result()
	if err != nil {
		return nil, fmt.Errorf("agenda of %s: %w", code, err)
	}
	out := make([]flows.AgendaSession, 0, len(raw))
	for _, v := range raw {
		var r sessionRecord
		if err := json.Unmarshal([]byte(v), &r); err != nil {
			return nil, fmt.Errorf("decode session of %s: %w", code, err)
		}
		out = append(out, r.AgendaSession)
	}
	flows.SortSessions(out)
	return out, nil
}

// SaveSession implements flows.Agenda (agenda_save.lua).
func (s *Store) SaveSession(ctx context.Context, code string, ss flows.AgendaSession, max int) ([]int64, error) {
	if checkCode(code) != nil {
		return nil, flows.ErrNotFound
	}
	if err := checkSessionID(ss.ID); err != nil {
		return nil, err
	}
	ss.Start, ss.End = ss.Start.UTC(), ss.End.UTC()
	b, err := json.Marshal(sessionRecord{AgendaSession: ss, From: ss.Start.UnixMilli(), To: ss.End.UnixMilli()})
	if err != nil {
		return nil, fmt.Errorf("encode session: %w", err)
	}
	res, err := s.runAgenda(ctx, agendaSaveScript, code, ss.ID, ss.ID, b, ss.Capacity, max)
	if err != nil {
		return nil, fmt.Errorf("save session %s of %s: %w", ss.ID, code, err)
	}
	switch res[0] {
	case "notfound":
		return nil, flows.ErrNotFound
	case "full":
		return nil, flows.ErrAgendaFull
	case "below":
		n, _ := strconv.Atoi(res[1])
		return nil, &flows.SessionCapacityError{SignedUp: n}
	}
	return parseIDs(res[1:])
}

// DeleteSession implements flows.Agenda (agenda_delete.lua).
func (s *Store) DeleteSession(ctx context.Context, code, id string) ([]int64, error) {
	if checkCode(code) != nil || checkSessionID(id) != nil {
		return nil, flows.ErrNotFound
	}
	res, err := s.runAgenda(ctx, agendaDeleteScript, code, "", id)
	if err != nil {
		return nil, fmt.Errorf("delete session %s of %s: %w", id, code, err)
	}
	if res[0] == "notfound" {
		return nil, flows.ErrNotFound
	}
	return parseIDs(res[1:])
}

// SignUp implements flows.Agenda (agenda_join.lua).
func (s *Store) SignUp(ctx context.Context, code, id string, uid int64) error {
	if checkCode(code) != nil || checkSessionID(id) != nil {
		return flows.ErrNotFound
	}
	res, err := s.runAgenda(ctx, agendaJoinScript, code, "", id, uid)
	if err != nil {
		return fmt.Errorf("sign %d up for %s of %s: %w", uid, id, code, err)
	}
	switch res[0] {
	case "ok":
		return nil
	case "notfound":
		return flows.ErrNotFound
	case "plenary":
		return flows.ErrPlenarySession
	case "notconfirmed":
		return flows.ErrNotConfirmed
	case "already":
		return flows.ErrAlreadySignedUp
	case "overlap":
		return &flows.SessionOverlapError{With: res[1]}
	case "full":
		return flows.ErrSessionFull
	}
	return fmt.Errorf("sign %d up for %s of %s: script answered %q", uid, id, code, res)
}

// LeaveSession implements flows.Agenda (agenda_leave.lua).
func (s *Store) LeaveSession(ctx context.Context, code, id string, uid int64) error {
	if checkCode(code) != nil || checkSessionID(id) != nil {
		return flows.ErrNotFound
	}
	res, err := s.runAgenda(ctx, agendaLeaveScript, code, "", id, uid)
	if err != nil {
		return fmt.Errorf("%d leaves %s of %s: %w", uid, id, code, err)
	}
	if res[0] != "ok" {
		return flows.ErrNotFound
	}
	return nil
}

// ReleaseSessions implements flows.Agenda (agenda_release.lua).
func (s *Store) ReleaseSessions(ctx context.Context, code string, uid int64) ([]string, error) {
	if checkCode(code) != nil {
		return nil, nil
	}
	res, err := s.runAgenda(ctx, agendaReleaseScript, code, "", uid)
	if err != nil {
		return nil, fmt.Errorf("release sessions of %d in %s: %w", uid, code, err)
	}
	return res[1:], nil
}

// ChosenSessions implements flows.Agenda: the sessions of uid's entry in
// :chosen while its number is their confirmed registration's (on site or,
// in a hybrid workshop, online).
func (s *Store) ChosenSessions(ctx context.Context, code string, uid int64) ([]string, error) {
	if checkCode(code) != nil {
		return nil, nil
	}
	field := strconv.FormatInt(uid, 10)
	var chosen *redis.StringCmd
	var onsite, online *redis.FloatCmd
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		chosen = p.HGet(ctx, s.wsKey(code, "chosen"), field)
		onsite = p.ZScore(ctx, s.wsKey(code, "confirmed"), field)
		online = p.ZScore(ctx, s.modeKey(code, flows.ModeOnline, "confirmed"), field)
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("sessions of %d in %s: %w", uid, code, err)
	}
	no, ids, ok := parseChosen(chosen.Val())
	score := onsite
	if score.Err() != nil {
		score = online
	}
	if !ok || score.Err() != nil || score.Val() != no {
		return nil, nil
	}
	return ids, nil
}

// parseChosen reads an entry of :chosen, "<number>|<id>,<id>…".
func parseChosen(v string) (no float64, ids []string, ok bool) {
	head, tail, found := strings.Cut(v, "|")
	n, err := strconv.ParseFloat(head, 64)
	if !found || err != nil {
		return 0, nil, false
	}
	return n, strings.Split(tail, ","), true
}

// SignUps implements flows.Agenda: each session's holders whose sign-up
// still stands, read in one transaction.
func (s *Store) SignUps(ctx context.Context, code string) (map[string][]int64, error) {
	if checkCode(code) != nil {
		return nil, nil
	}
	ids, err := s.rdb.HKeys(ctx, s.wsKey(code, "agenda")).Result()
	if err != nil {
		return nil, fmt.Errorf("sign-ups of %s: %w", code, err)
	}
	seats := make([]*redis.ZSliceCmd, len(ids))
	var chosen *redis.MapStringStringCmd
	var confirmed, online *redis.ZSliceCmd
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			seats[i] = p.ZRangeWithScores(ctx, s.wsKey(code, "seats:"+id), 0, -1)
		}
		chosen = p.HGetAll(ctx, s.wsKey(code, "chosen"))
		confirmed = p.ZRangeWithScores(ctx, s.wsKey(code, "confirmed"), 0, -1)
		online = p.ZRangeWithScores(ctx, s.modeKey(code, flows.ModeOnline, "confirmed"), 0, -1)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("sign-ups of %s: %w", code, err)
	}
	number := map[string]float64{}
	for _, z := range append(confirmed.Val(), online.Val()...) {
		number[z.Member.(string)] = z.Score
	}
	out := map[string][]int64{}
	for i, id := range ids {
		for _, z := range seats[i].Val() {
			u := z.Member.(string)
			no, held, ok := parseChosen(chosen.Val()[u])
			if n, in := number[u]; !ok || !in || n != no || !slices.Contains(held, id) {
				continue
			}
			if uid, err := strconv.ParseInt(u, 10, 64); err == nil {
				out[id] = append(out[id], uid)
			}
		}
	}
	return out, nil
}

// forgetSessions drops uid's sign-ups in every workshop (ForgetUser), found
// by their entry in each workshop's :chosen.
func (s *Store) forgetSessions(ctx context.Context, uid int64, _ time.Time) error {
	codes, err := s.rdb.ZRange(ctx, s.allWsKey(), 0, -1).Result()
	if err != nil {
		return err
	}
	codes = slices.DeleteFunc(codes, func(c string) bool { return checkCode(c) != nil })
	has := make([]*redis.BoolCmd, len(codes))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, code := range codes {
			has[i] = p.HExists(ctx, s.wsKey(code, "chosen"), strconv.FormatInt(uid, 10))
		}
		return nil
	}); err != nil {
		return err
	}
	for i, code := range codes {
		if has[i].Val() {
			if _, err := s.ReleaseSessions(ctx, code, uid); err != nil {
				return err
			}
		}
	}
	return nil
}
