package store

import (
	"context"
	_ "embed" // Lua scripts
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// A workshop's partner meetings live beside it under its hash tag
// {w:<code>}, so every booking is one Lua script on one slot (doc.go):
// mt:setup, mt:slots, mt:tables, mt:conf, mt:m:<id>, mt:ids, mt:busy, mt:n,
// mt:pairs, mt:u:<uid>; mt:of:<uid> lists the workshops a user had a
// meeting at (for /meetings and forgetting).

var (
	//go:embed mt_book.lua
	mtBookLua    string
	mtBookScript = redis.NewScript(mtBookLua)
	//go:embed mt_close.lua
	mtCloseLua    string
	mtCloseScript = redis.NewScript(mtCloseLua)
	//go:embed mt_setup.lua
	mtSetupLua    string
	mtSetupScript = redis.NewScript(mtSetupLua)
	//go:embed mt_request.lua
	mtRequestLua    string
	mtRequestScript = redis.NewScript(mtRequestLua)
)

func (s *Store) mtKey(code, name string) string { return s.wsKey(code, "mt:"+name) }
func (s *Store) mtMeetingKey(code, id string) string {
	return s.mtKey(code, "m:"+id)
}
func (s *Store) mtUserKey(code string, uid int64) string {
	return s.mtKey(code, "u:"+strconv.FormatInt(uid, 10))
}
func (s *Store) mtOfKey(uid int64) string { return s.p + "mt:of:" + strconv.FormatInt(uid, 10) }

func pairField(a, b int64) string {
	if a > b {
		a, b = b, a
	}
	return strconv.FormatInt(a, 10) + ":" + strconv.FormatInt(b, 10)
}

// checkMeetingID: meeting ids are short lower-case words (keys are built of them).
func checkMeetingID(id string) error {
	if id == "" || len(id) > 24 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		return flows.ErrNotFound
	}
	return nil
}

// MeetingSetup implements flows.Meetings.
func (s *Store) MeetingSetup(ctx context.Context, code string) (*flows.MeetingSetup, error) {
	if checkCode(code) != nil {
		return nil, flows.ErrNotFound
	}
	raw, err := s.rdb.Get(ctx, s.mtKey(code, "setup")).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, flows.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("meeting setup of %s: %w", code, err)
	}
	var st flows.MeetingSetup
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, fmt.Errorf("decode meeting setup of %s: %w", code, err)
	}
	return &st, nil
}

// SaveMeetingSetup implements flows.Meetings (mt_setup.lua).
func (s *Store) SaveMeetingSetup(ctx context.Context, st *flows.MeetingSetup, force bool, now time.Time) ([]*flows.Meeting, error) {
	code := st.Workshop
	if checkCode(code) != nil {
		return nil, flows.ErrNotFound
	}
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encode meeting setup: %w", err)
	}
	slots := st.Slots()
	args := []any{b, st.MaxPerOrg, boolArg(force), now.UnixMilli(), s.mtKey(code, "m:"), len(slots)}
	for _, at := range slots {
		args = append(args, at.Unix())
	}
	for _, t := range st.Tables {
		args = append(args, t.ID)
	}
	keys := []string{s.mtKey(code, "setup"), s.mtKey(code, "slots"), s.mtKey(code, "tables"), s.mtKey(code, "conf"),
		s.mtKey(code, "busy"), s.mtKey(code, "n"), s.mtKey(code, "pairs")}
	res, err := mtSetupScript.Run(ctx, s.rdb, keys, args...).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("save meeting setup of %s: %w", code, err)
	}
	if res[0] == "conflict" {
		n, _ := strconv.Atoi(res[1])
		return nil, &flows.MeetConflictError{Count: n}
	}
	return s.getMeetings(ctx, code, res[1:])
}

func boolArg(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func unixList(ts []time.Time) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = strconv.FormatInt(t.Unix(), 10)
	}
	return strings.Join(parts, ",")
}

// meetingFields are m as the hash's field, value pairs.
func meetingFields(m *flows.Meeting) []any {
	slot := ""
	if !m.Slot.IsZero() {
		slot = strconv.FormatInt(m.Slot.Unix(), 10)
	}
	return []any{"id", m.ID, "ws", m.Workshop, "from", m.From, "to", m.To, "from_org", m.FromOrg, "to_org", m.ToOrg,
		"note", m.Note, "slots", unixList(m.Slots), "awaiting", m.Awaiting, "status", string(m.Status), "slot", slot,
		"table", m.Table, "by_team", boolArg(m.ByTeam), "ok_from", boolArg(m.OkFrom), "ok_to", boolArg(m.OkTo),
		"created", m.Created.UnixMilli(), "decided", "0"}
}

func parseMeeting(h map[string]string) (*flows.Meeting, error) {
	if h["id"] == "" {
		return nil, flows.ErrNotFound
	}
	num := func(k string) int64 {
		n, _ := strconv.ParseInt(h[k], 10, 64)
		return n
	}
	m := &flows.Meeting{ID: h["id"], Workshop: h["ws"], From: num("from"), To: num("to"), FromOrg: h["from_org"],
		ToOrg: h["to_org"], Note: h["note"], Awaiting: num("awaiting"), Status: flows.MeetStatus(h["status"]),
		Table: int(num("table")), ByTeam: h["by_team"] == "1", OkFrom: h["ok_from"] == "1", OkTo: h["ok_to"] == "1",
		OutcomeFrom: h["out_from"], OutcomeTo: h["out_to"]}
	if h["slot"] != "" {
		m.Slot = time.Unix(num("slot"), 0).UTC()
	}
	for p := range strings.SplitSeq(h["slots"], ",") {
		if n, err := strconv.ParseInt(p, 10, 64); err == nil {
			m.Slots = append(m.Slots, time.Unix(n, 0).UTC())
		}
	}
	if ms := num("created"); ms > 0 {
		m.Created = time.UnixMilli(ms).UTC()
	}
	if ms := num("decided"); ms > 0 {
		m.Decided = time.UnixMilli(ms).UTC()
	}
	return m, nil
}

// RequestMeeting implements flows.Meetings (mt_request.lua).
func (s *Store) RequestMeeting(ctx context.Context, m *flows.Meeting) error {
	code := m.Workshop
	if checkCode(code) != nil || checkMeetingID(m.ID) != nil {
		return flows.ErrMeetingsOff
	}
	if err := s.indexMeetingUsers(ctx, code, m.From, m.To); err != nil {
		return err
	}
	args := append([]any{"request", m.From, m.Created.UnixMilli(), pairField(m.From, m.To), m.ID}, meetingFields(m)...)
	res, err := mtRequestScript.Run(ctx, s.rdb, s.mtRequestKeys(code, m.ID, m.From, m.To), args...).Text()
	if err != nil {
		return fmt.Errorf("request meeting at %s: %w", code, err)
	}
	return mtRefusal(res, 0)
}

// indexMeetingUsers adds the workshop to both sides' lists first (another
// hash slot: an entry without a meeting is harmless, a meeting without an
// entry would be missed by forgetting).
func (s *Store) indexMeetingUsers(ctx context.Context, code string, uids ...int64) error {
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, u := range uids {
			p.SAdd(ctx, s.mtOfKey(u), code)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("index meeting users: %w", err)
	}
	return nil
}

func (s *Store) mtRequestKeys(code, id string, from, to int64) []string {
	return []string{s.mtMeetingKey(code, id), s.mtKey(code, "pairs"), s.mtKey(code, "ids"),
		s.mtUserKey(code, from), s.mtUserKey(code, to), s.mtKey(code, "conf"), s.mtKey(code, "slots"), s.wsKey(code, "meta")}
}

// mtRefusal maps a script's answer to the interface's error.
func mtRefusal(res string, uid int64) error {
	switch res {
	case "ok":
		return nil
	case "off":
		return flows.ErrMeetingsOff
	case "open", "exists":
		return flows.ErrMeetOpen
	case "notfound":
		return flows.ErrNotFound
	case "decided":
		return flows.ErrMeetDecided
	case "forbidden":
		return flows.ErrMeetForbidden
	case "badslot":
		return flows.ErrMeetBadSlot
	case "taken":
		return flows.ErrMeetSlotTaken
	case "full":
		return flows.ErrMeetTablesFull
	case "cap":
		return &flows.MeetCapError{UserID: uid}
	case "cancelled":
		return flows.ErrWorkshopCancelled
	}
	return fmt.Errorf("meeting script answered %q", res)
}

// GetMeeting implements flows.Meetings.
func (s *Store) GetMeeting(ctx context.Context, code, id string) (*flows.Meeting, error) {
	if checkCode(code) != nil || checkMeetingID(id) != nil {
		return nil, flows.ErrNotFound
	}
	h, err := s.rdb.HGetAll(ctx, s.mtMeetingKey(code, id)).Result()
	if err != nil {
		return nil, fmt.Errorf("get meeting %s/%s: %w", code, id, err)
	}
	return parseMeeting(h)
}

func (s *Store) getMeetings(ctx context.Context, code string, ids []string) ([]*flows.Meeting, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.HGetAll(ctx, s.mtMeetingKey(code, id))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get meetings of %s: %w", code, err)
	}
	out := make([]*flows.Meeting, 0, len(ids))
	for _, c := range cmds {
		if m, err := parseMeeting(c.Val()); err == nil {
			out = append(out, m)
		}
	}
	flows.SortMeetings(out)
	return out, nil
}

// book runs mt_book.lua.
func (s *Store) book(ctx context.Context, code, id, mode string, actor int64, slot, now time.Time, m *flows.Meeting) (*flows.Meeting, error) {
	if checkCode(code) != nil || checkMeetingID(id) != nil {
		return nil, flows.ErrNotFound
	}
	var from, to int64
	args := []any{mode, actor, slot.Unix(), now.UnixMilli(), id, ""}
	if m != nil {
		from, to = m.From, m.To
		args[5] = pairField(from, to)
		args = append(args, meetingFields(m)...)
	}
	keys := []string{s.mtMeetingKey(code, id), s.mtKey(code, "busy"), s.mtKey(code, "n"), s.mtKey(code, "slots"),
		s.mtKey(code, "tables"), s.mtKey(code, "conf"), s.mtKey(code, "pairs"), s.mtKey(code, "ids"),
		s.mtUserKey(code, from), s.mtUserKey(code, to), s.wsKey(code, "meta")}
	res, err := mtBookScript.Run(ctx, s.rdb, keys, args...).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("%s meeting %s/%s: %w", mode, code, id, err)
	}
	if res[0] != "ok" {
		var uid int64
		if len(res) > 1 {
			uid, _ = strconv.ParseInt(res[1], 10, 64)
		}
		return nil, mtRefusal(res[0], uid)
	}
	return s.GetMeeting(ctx, code, id)
}

// AcceptMeeting implements flows.Meetings (mt_book.lua).
func (s *Store) AcceptMeeting(ctx context.Context, code, id string, actor int64, slot, now time.Time) (*flows.Meeting, error) {
	return s.book(ctx, code, id, "accept", actor, slot, now, nil)
}

// MoveMeeting implements flows.Meetings (mt_book.lua).
func (s *Store) MoveMeeting(ctx context.Context, code, id string, actor int64, slot, now time.Time) (*flows.Meeting, error) {
	return s.book(ctx, code, id, "move", actor, slot, now, nil)
}

// PlaceMeeting implements flows.Meetings (mt_book.lua).
func (s *Store) PlaceMeeting(ctx context.Context, m *flows.Meeting) (*flows.Meeting, error) {
	if err := s.indexMeetingUsers(ctx, m.Workshop, m.From, m.To); err != nil {
		return nil, err
	}
	return s.book(ctx, m.Workshop, m.ID, "place", 0, m.Slot, m.Created, m)
}

// ProposeMeeting implements flows.Meetings (mt_request.lua).
func (s *Store) ProposeMeeting(ctx context.Context, code, id string, actor int64, slot, now time.Time) (*flows.Meeting, error) {
	return s.edit(ctx, code, id, "propose", actor, now, slot.Unix())
}

// ConfirmMeeting implements flows.Meetings (mt_request.lua).
func (s *Store) ConfirmMeeting(ctx context.Context, code, id string, actor int64, now time.Time) (*flows.Meeting, error) {
	return s.edit(ctx, code, id, "confirm", actor, now)
}

func (s *Store) edit(ctx context.Context, code, id, mode string, actor int64, now time.Time, extra ...any) (*flows.Meeting, error) {
	if checkCode(code) != nil || checkMeetingID(id) != nil {
		return nil, flows.ErrNotFound
	}
	args := append([]any{mode, actor, now.UnixMilli(), "", id}, extra...)
	res, err := mtRequestScript.Run(ctx, s.rdb, s.mtRequestKeys(code, id, 0, 0), args...).Text()
	if err != nil {
		return nil, fmt.Errorf("%s meeting %s/%s: %w", mode, code, id, err)
	}
	if err := mtRefusal(res, 0); err != nil {
		return nil, err
	}
	return s.GetMeeting(ctx, code, id)
}

// CloseMeeting implements flows.Meetings (mt_close.lua).
func (s *Store) CloseMeeting(ctx context.Context, code, id string, actor int64, status flows.MeetStatus, now time.Time) (*flows.Meeting, error) {
	if checkCode(code) != nil || checkMeetingID(id) != nil {
		return nil, flows.ErrNotFound
	}
	res, err := s.close(ctx, code, status, actor, now, id)
	if err != nil {
		return nil, err
	}
	if err := mtRefusal(res[0], 0); err != nil {
		return nil, err
	}
	return s.GetMeeting(ctx, code, id)
}

func (s *Store) close(ctx context.Context, code string, status flows.MeetStatus, actor int64, now time.Time, ids ...string) ([]string, error) {
	args := []any{string(status), actor, now.UnixMilli(), s.mtKey(code, "m:")}
	for _, id := range ids {
		args = append(args, id)
	}
	res, err := mtCloseScript.Run(ctx, s.rdb, []string{s.mtKey(code, "busy"), s.mtKey(code, "n"), s.mtKey(code, "pairs")}, args...).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("close meetings at %s: %w", code, err)
	}
	return res, nil
}

// CancelUserMeetings implements flows.Meetings.
func (s *Store) CancelUserMeetings(ctx context.Context, code string, uid int64, now time.Time) ([]*flows.Meeting, error) {
	mine, err := s.UserMeetings(ctx, code, uid)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, m := range mine {
		if m.Status.Open() {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	res, err := s.close(ctx, code, flows.MeetCancelled, 0, now, ids...)
	if err != nil {
		return nil, err
	}
	var done []string
	for i, r := range res {
		if r == "ok" {
			done = append(done, ids[i])
		}
	}
	return s.getMeetings(ctx, code, done)
}

// SetMeetingOutcome implements flows.Meetings.
func (s *Store) SetMeetingOutcome(ctx context.Context, code, id string, actor int64, outcome string) error {
	m, err := s.GetMeeting(ctx, code, id)
	if err != nil {
		return err
	}
	field := "out_from"
	switch {
	case actor == m.To:
		field = "out_to"
	case actor != m.From:
		return flows.ErrMeetForbidden
	}
	if m.Status != flows.MeetAccepted {
		return flows.ErrMeetDecided
	}
	if err := s.rdb.HSet(ctx, s.mtMeetingKey(code, id), field, outcome).Err(); err != nil {
		return fmt.Errorf("meeting outcome %s/%s: %w", code, id, err)
	}
	return nil
}

// WorkshopMeetings implements flows.Meetings.
func (s *Store) WorkshopMeetings(ctx context.Context, code string) ([]*flows.Meeting, error) {
	if checkCode(code) != nil {
		return nil, nil
	}
	ids, err := s.rdb.ZRange(ctx, s.mtKey(code, "ids"), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("meetings of %s: %w", code, err)
	}
	return s.getMeetings(ctx, code, ids)
}

// UserMeetings implements flows.Meetings.
func (s *Store) UserMeetings(ctx context.Context, code string, uid int64) ([]*flows.Meeting, error) {
	if checkCode(code) != nil {
		return nil, nil
	}
	ids, err := s.rdb.SMembers(ctx, s.mtUserKey(code, uid)).Result()
	if err != nil {
		return nil, fmt.Errorf("meetings of %d at %s: %w", uid, code, err)
	}
	return s.getMeetings(ctx, code, ids)
}

// MeetingWorkshops implements flows.Meetings.
func (s *Store) MeetingWorkshops(ctx context.Context, uid int64) ([]string, error) {
	codes, err := s.rdb.SMembers(ctx, s.mtOfKey(uid)).Result()
	if err != nil {
		return nil, fmt.Errorf("meeting workshops of %d: %w", uid, err)
	}
	return codes, nil
}

// ForgetMeetings implements flows.Meetings: per workshop, the open
// meetings are cancelled (mt_close.lua), then each of uid's meetings is
// deleted and leaves both sides' lists.
func (s *Store) ForgetMeetings(ctx context.Context, uid int64, now time.Time) ([]*flows.Meeting, error) {
	codes, err := s.MeetingWorkshops(ctx, uid)
	if err != nil {
		return nil, err
	}
	var told []*flows.Meeting
	for _, code := range codes {
		open, err := s.CancelUserMeetings(ctx, code, uid, now)
		if err != nil {
			return told, err
		}
		told = append(told, open...)
		mine, err := s.UserMeetings(ctx, code, uid)
		if err != nil {
			return told, err
		}
		_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for _, m := range mine {
				other, _ := m.Other(uid)
				p.Del(ctx, s.mtMeetingKey(code, m.ID))
				p.ZRem(ctx, s.mtKey(code, "ids"), m.ID)
				p.SRem(ctx, s.mtUserKey(code, other), m.ID)
			}
			p.Del(ctx, s.mtUserKey(code, uid))
			p.HDel(ctx, s.mtKey(code, "n"), strconv.FormatInt(uid, 10))
			return nil
		})
		if err != nil {
			return told, fmt.Errorf("forget meetings of %d at %s: %w", uid, code, err)
		}
	}
	if err := s.rdb.Del(ctx, s.mtOfKey(uid)).Err(); err != nil {
		return told, fmt.Errorf("forget meeting workshops of %d: %w", uid, err)
	}
	return told, nil
}

// forgetMeetings is ForgetUser's step for partner meetings.
func (s *Store) forgetMeetings(ctx context.Context, uid int64, now time.Time) error {
	_, err := s.ForgetMeetings(ctx, uid, now)
	return err
}
