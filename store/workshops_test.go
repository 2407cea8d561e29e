package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/store"
	"sinergi/store/redistest"
)

// t0 is "now" in these tests.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func workshop(code string, capacity int) *flows.Workshop {
	return &flows.Workshop{
		Code: code, Title: "Workshop " + code, Zone: "Asia/Jakarta",
		Start: t0.Add(7 * 24 * time.Hour), End: t0.Add(7*24*time.Hour + 2*time.Hour),
		Capacity: capacity, Deadline: t0.Add(6 * 24 * time.Hour),
		Facilitators: []int64{1}, CreatedBy: 1, Created: t0,
	}
}

func create(t *testing.T, s *store.Store, w *flows.Workshop) {
	t.Helper()
	if err := s.CreateWorkshop(context.Background(), w); err != nil {
		t.Fatalf("create %s: %v", w.Code, err)
	}
}

func reg(code string, uid int64) *flows.Registration {
	return &flows.Registration{Workshop: code, UserID: uid, Token: flows.NewToken(), Lang: "id", RegisteredAt: t0}
}

func register(t *testing.T, s *store.Store, code string, uid int64) *flows.Registration {
	t.Helper()
	r, err := s.Register(context.Background(), reg(code, uid), t0)
	if err != nil {
		t.Fatalf("register %d in %s: %v", uid, code, err)
	}
	return r
}

func wsKey(r *redistest.Redis, code, name string) string {
	return r.Prefix + "{w:" + code + "}:" + name
}

func uids(rs []*flows.Registration) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.UserID
	}
	return out
}

func TestWorkshopRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	w := workshop("abc", 10)
	w.Question = "Why?"
	create(t, s, w)
	got, err := s.GetWorkshop(ctx, "abc")
	if err != nil || got.Title != w.Title || !got.Start.Equal(w.Start) || got.Capacity != 10 || got.Question != "Why?" {
		t.Fatalf("%+v %v", got, err)
	}
	if err := s.CreateWorkshop(ctx, workshop("abc", 3)); !errors.Is(err, flows.ErrCodeTaken) {
		t.Fatalf("second create: %v", err)
	}
	if got, _ := s.GetWorkshop(ctx, "abc"); got.Capacity != 10 {
		t.Fatalf("taken code overwrote: %+v", got)
	}
	if _, err := s.GetWorkshop(ctx, "nope"); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	if _, err := s.UpdateWorkshop(ctx, workshop("nope", 1)); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("update unknown: %v", err)
	}
	for _, bad := range []string{"", "a}b", "{x", "a b"} {
		if err := s.CreateWorkshop(ctx, workshop(bad, 1)); err == nil {
			t.Errorf("code %q accepted", bad)
		}
	}
	neg := workshop("neg", -1)
	if err := s.CreateWorkshop(ctx, neg); err == nil {
		t.Error("negative capacity accepted")
	}
}

// TestRegisterCapacity races 200 registrations for 50 seats, then 50
// cancellations of confirmed people.
func TestRegisterCapacity(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	create(t, s, workshop("cap", 50))

	const n = 200
	results := make([]*flows.Registration, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			got, err := s.Register(ctx, reg("cap", int64(1000+i)), t0)
			if err != nil {
				t.Errorf("register %d: %v", 1000+i, err)
				return
			}
			results[i] = got
		}()
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// Exactly 50 confirmed; waiting positions are a permutation of 1..150.
	posOf := map[int64]int{}
	var positions []int
	confirmed := 0
	for _, g := range results {
		switch g.Status {
		case flows.RegConfirmed:
			confirmed++
			if g.Position != 0 {
				t.Errorf("confirmed %d with position %d", g.UserID, g.Position)
			}
		case flows.RegWaiting:
			positions = append(positions, g.Position)
			posOf[g.UserID] = g.Position
		default:
			t.Fatalf("status %q", g.Status)
		}
	}
	slices.Sort(positions)
	if confirmed != 50 || len(positions) != 150 {
		t.Fatalf("confirmed %d, waiting %d", confirmed, len(positions))
	}
	for i, p := range positions {
		if p != i+1 {
			t.Fatalf("waiting positions are not 1..150: %v", positions)
		}
	}
	c, err := s.Counts(ctx, "cap")
	if err != nil || c != (flows.Counts{Confirmed: 50, Waiting: 150}) {
		t.Fatalf("counts %+v %v", c, err)
	}

	// The stored waiting list is in the order the script saw (the positions
	// Register returned), and everyone confirmed registered before anyone
	// waiting.
	all, err := s.Registrations(ctx, "cap")
	if err != nil || len(all) != n {
		t.Fatalf("registrations: %d %v", len(all), err)
	}
	for i, g := range all[50:] {
		if g.Status != flows.RegWaiting || g.Position != i+1 || posOf[g.UserID] != i+1 {
			t.Fatalf("waiting #%d: %+v, Register said position %d", i+1, g, posOf[g.UserID])
		}
	}
	for _, g := range all[:50] {
		if g.Status != flows.RegConfirmed || g.Token == "" || g.Lang != "id" {
			t.Fatalf("confirmed: %+v", g)
		}
	}
	maxConf := r.Client.ZRangeWithScores(ctx, wsKey(r, "cap", "confirmed"), -1, -1).Val()[0].Score
	minWait := r.Client.ZRangeWithScores(ctx, wsKey(r, "cap", "waiting"), 0, 0).Val()[0].Score
	if maxConf >= minWait {
		t.Fatalf("a waiting person registered (%v) before a confirmed one (%v)", minWait, maxConf)
	}

	// 50 concurrent cancellations of confirmed people promote the first 50
	// waiting, each exactly once.
	promoted := make([]int64, 50)
	for i, g := range all[:50] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := s.CancelRegistration(ctx, "cap", g.UserID, t0)
			if err != nil {
				t.Errorf("cancel %d: %v", g.UserID, err)
			}
			promoted[i] = p
		}()
	}
	wg.Wait()
	slices.Sort(promoted)
	want := uids(all[50:100])
	slices.Sort(want)
	if !slices.Equal(promoted, want) {
		t.Fatalf("promoted %v, want the first 50 waiting %v", promoted, want)
	}
	if c, _ := s.Counts(ctx, "cap"); c != (flows.Counts{Confirmed: 50, Waiting: 100}) {
		t.Fatalf("after cancellations: %+v", c)
	}
	after, _ := s.Registrations(ctx, "cap")
	for i, g := range after[50:] {
		if g.UserID != all[100+i].UserID || g.Position != i+1 {
			t.Fatalf("waiting list after promotion: #%d is %d, want %d", i+1, g.UserID, all[100+i].UserID)
		}
	}
	for _, g := range all[:50] {
		if _, err := s.GetRegistration(ctx, "cap", g.UserID); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("cancelled %d still registered: %v", g.UserID, err)
		}
	}
}

func TestRegisterRefusals(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	closed := workshop("closed", 10)
	closed.Closed = true
	cancelled := workshop("cancelled", 10)
	cancelled.Cancelled = true
	late := workshop("late", 10)
	late.Deadline = t0
	for _, w := range []*flows.Workshop{closed, cancelled, late} {
		create(t, s, w)
	}
	for _, c := range []struct {
		code string
		want error
	}{
		{"unknown", flows.ErrNotFound},
		{"closed", flows.ErrRegistrationShut},
		{"cancelled", flows.ErrWorkshopCancelled},
		{"late", flows.ErrRegistrationShut}, // now == deadline
	} {
		rg := reg(c.code, 7)
		if got, err := s.Register(ctx, rg, t0); !errors.Is(err, c.want) || got != nil {
			t.Errorf("%s: %+v %v, want %v", c.code, got, err, c.want)
		}
		for _, name := range []string{"confirmed", "waiting", "regs", "seq"} {
			if n := r.Client.Exists(ctx, wsKey(r, c.code, name)).Val(); n != 0 {
				t.Errorf("%s: %s written", c.code, name)
			}
		}
		if n := r.Client.Exists(ctx, r.Prefix+"checkin:"+rg.Token, r.Prefix+"{c:7}:registered").Val(); n != 0 {
			t.Errorf("%s: token or user index written", c.code)
		}
		if _, _, err := s.CheckinToken(ctx, rg.Token); !errors.Is(err, flows.ErrNotFound) {
			t.Errorf("%s: token resolves: %v", c.code, err)
		}
	}
	if _, err := s.Register(ctx, reg("a}b", 7), t0); err == nil {
		t.Error("bad code accepted")
	}

	// Before the deadline it works; a second registration is refused and
	// changes nothing.
	late.Deadline = t0.Add(time.Minute)
	if _, err := s.UpdateWorkshop(ctx, late); err != nil {
		t.Fatal(err)
	}
	first := register(t, s, "late", 7)
	if first.Status != flows.RegConfirmed || first.Workshop != "late" || first.UserID != 7 {
		t.Fatalf("%+v", first)
	}
	again := reg("late", 7)
	if got, err := s.Register(ctx, again, t0); !errors.Is(err, flows.ErrAlreadyRegistered) || got != nil {
		t.Fatalf("double registration: %+v %v", got, err)
	}
	if _, _, err := s.CheckinToken(ctx, again.Token); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("second token resolves: %v", err)
	}
	if code, uid, err := s.CheckinToken(ctx, first.Token); code != "late" || uid != 7 || err != nil {
		t.Errorf("first token: %s %d %v", code, uid, err)
	}
	if got, _ := s.GetRegistration(ctx, "late", 7); got.Token != first.Token {
		t.Errorf("second registration overwrote the first: %+v", got)
	}
	if c, _ := s.Counts(ctx, "late"); c.Confirmed != 1 || c.Waiting != 0 {
		t.Errorf("counts %+v", c)
	}
	if seq := r.Client.Get(ctx, wsKey(r, "late", "seq")).Val(); seq != "1" {
		t.Errorf("seq %s", seq)
	}
	// Registration for a waiting person is refused just the same.
	late.Capacity = 1
	_, _ = s.UpdateWorkshop(ctx, late)
	if w := register(t, s, "late", 8); w.Status != flows.RegWaiting || w.Position != 1 {
		t.Fatalf("%+v", w)
	}
	if _, err := s.Register(ctx, reg("late", 8), t0); !errors.Is(err, flows.ErrAlreadyRegistered) {
		t.Fatalf("double waiting registration: %v", err)
	}
}

func TestRegisterFillsTokenAndTime(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	create(t, s, workshop("w", 0))
	in := &flows.Registration{Workshop: "w", UserID: 5, Answer: "because", Status: flows.RegWaiting, Position: 9}
	got, err := s.Register(ctx, in, t0)
	if err != nil || got.Token == "" || !got.RegisteredAt.Equal(t0) || got.Status != flows.RegConfirmed || got.Position != 0 {
		t.Fatalf("%+v %v", got, err)
	}
	if in.Token != "" || in.Status != flows.RegWaiting {
		t.Fatalf("input changed: %+v", in)
	}
	stored, err := s.GetRegistration(ctx, "w", 5)
	if err != nil || stored.Token != got.Token || stored.Answer != "because" || !stored.RegisteredAt.Equal(t0) || stored.Status != flows.RegConfirmed {
		t.Fatalf("%+v %v", stored, err)
	}
}

func TestUnlimitedCapacity(t *testing.T) {
	s, _ := newStore(t)
	create(t, s, workshop("open", 0))
	for uid := range int64(30) {
		if g := register(t, s, "open", uid+1); g.Status != flows.RegConfirmed {
			t.Fatalf("%d: %+v", uid+1, g)
		}
	}
	if c, _ := s.Counts(context.Background(), "open"); c.Confirmed != 30 || c.Waiting != 0 {
		t.Fatalf("%+v", c)
	}
}

func TestCancelRegistration(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	create(t, s, workshop("one", 1))
	a, b, c := register(t, s, "one", 1), register(t, s, "one", 2), register(t, s, "one", 3)
	if a.Status != flows.RegConfirmed || b.Position != 1 || c.Position != 2 {
		t.Fatalf("%+v %+v %+v", a, b, c)
	}
	// Cancelling a waiting person promotes nobody; the list closes up.
	if p, err := s.CancelRegistration(ctx, "one", 2, t0); p != 0 || err != nil {
		t.Fatalf("cancel waiting: %d %v", p, err)
	}
	if g, _ := s.GetRegistration(ctx, "one", 3); g.Status != flows.RegWaiting || g.Position != 1 {
		t.Fatalf("%+v", g)
	}
	if _, _, err := s.CheckinToken(ctx, b.Token); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("cancelled waiting token: %v", err)
	}
	// Cancelling the confirmed one promotes the head of the list.
	if p, err := s.CancelRegistration(ctx, "one", 1, t0); p != 3 || err != nil {
		t.Fatalf("cancel confirmed: %d %v", p, err)
	}
	if g, _ := s.GetRegistration(ctx, "one", 3); g.Status != flows.RegConfirmed || g.Position != 0 {
		t.Fatalf("%+v", g)
	}
	for _, uid := range []int64{1, 2, 99} {
		if _, err := s.CancelRegistration(ctx, "one", uid, t0); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("cancel %d again: %v", uid, err)
		}
	}
	if _, err := s.CancelRegistration(ctx, "nope", 1, t0); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("cancel in unknown workshop: %v", err)
	}
	// Cancelling the last one leaves nothing; nobody is waiting.
	if p, err := s.CancelRegistration(ctx, "one", 3, t0); p != 0 || err != nil {
		t.Fatalf("%d %v", p, err)
	}
	if c, _ := s.Counts(ctx, "one"); c != (flows.Counts{}) {
		t.Fatalf("%+v", c)
	}
	// One can register again after cancelling, with a new token.
	again := register(t, s, "one", 1)
	if again.Status != flows.RegConfirmed {
		t.Fatalf("%+v", again)
	}
	if _, _, err := s.CheckinToken(ctx, a.Token); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("old token resolves: %v", err)
	}
	if code, uid, err := s.CheckinToken(ctx, again.Token); code != "one" || uid != 1 || err != nil {
		t.Fatalf("new token: %s %d %v", code, uid, err)
	}
}

func TestUpdateWorkshopPromotes(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	w := workshop("grow", 2)
	create(t, s, w)
	for uid := int64(1); uid <= 7; uid++ {
		register(t, s, "grow", uid)
	}
	w.Capacity = 4
	w.Title = "Bigger room"
	p, err := s.UpdateWorkshop(ctx, w)
	if err != nil || !slices.Equal(p, []int64{3, 4}) {
		t.Fatalf("promoted %v %v", p, err)
	}
	if got, _ := s.GetWorkshop(ctx, "grow"); got.Title != "Bigger room" || got.Capacity != 4 {
		t.Fatalf("%+v", got)
	}
	// Shrinking demotes nobody; the new capacity then keeps newcomers out.
	w.Capacity = 1
	if p, err := s.UpdateWorkshop(ctx, w); len(p) != 0 || err != nil {
		t.Fatalf("shrink: %v %v", p, err)
	}
	if c, _ := s.Counts(ctx, "grow"); c.Confirmed != 4 || c.Waiting != 3 {
		t.Fatalf("%+v", c)
	}
	if p, _ := s.CancelRegistration(ctx, "grow", 1, t0); p != 0 {
		t.Fatalf("promoted %d though still over capacity", p)
	}
	// While cancelled nobody is promoted; un-cancelling with room promotes.
	w.Capacity = 0
	w.Cancelled = true
	if p, err := s.UpdateWorkshop(ctx, w); len(p) != 0 || err != nil {
		t.Fatalf("cancelled: %v %v", p, err)
	}
	if p, _ := s.CancelRegistration(ctx, "grow", 2, t0); p != 0 {
		t.Fatalf("promoted %d in a cancelled workshop", p)
	}
	w.Cancelled = false
	if p, err := s.UpdateWorkshop(ctx, w); !slices.Equal(p, []int64{5, 6, 7}) || err != nil {
		t.Fatalf("unlimited: %v %v", p, err)
	}
	all, _ := s.Registrations(ctx, "grow")
	if got := uids(all); !slices.Equal(got, []int64{3, 4, 5, 6, 7}) {
		t.Fatalf("confirmed order %v", got)
	}
	for _, g := range all {
		if g.Status != flows.RegConfirmed {
			t.Fatalf("%+v", g)
		}
	}
}

func TestCheckIn(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	create(t, s, workshop("ci", 1))
	register(t, s, "ci", 1)
	register(t, s, "ci", 2) // waiting
	if first, err := s.CheckIn(ctx, "ci", 1, t0); !first || err != nil {
		t.Fatalf("first: %v %v", first, err)
	}
	if first, err := s.CheckIn(ctx, "ci", 1, t0.Add(time.Hour)); first || err != nil {
		t.Fatalf("second: %v %v", first, err)
	}
	for _, uid := range []int64{2, 3} {
		if _, err := s.CheckIn(ctx, "ci", uid, t0); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("check in %d: %v", uid, err)
		}
	}
	g, _ := s.GetRegistration(ctx, "ci", 1)
	if !g.CheckedInAt.Equal(t0) {
		t.Fatalf("checked in at %v, want the first time %v", g.CheckedInAt, t0)
	}
	all, _ := s.Registrations(ctx, "ci")
	if !all[0].CheckedInAt.Equal(t0) || !all[1].CheckedInAt.IsZero() {
		t.Fatalf("%+v %+v", all[0], all[1])
	}
	if c, _ := s.Counts(ctx, "ci"); c != (flows.Counts{Confirmed: 1, Waiting: 1, CheckedIn: 1}) {
		t.Fatalf("%+v", c)
	}
	// Cancelling removes the check-in; the promoted person is not checked in.
	if p, _ := s.CancelRegistration(ctx, "ci", 1, t0); p != 2 {
		t.Fatalf("promoted %d", p)
	}
	if c, _ := s.Counts(ctx, "ci"); c != (flows.Counts{Confirmed: 1}) {
		t.Fatalf("%+v", c)
	}
}

func TestCheckinToken(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	create(t, s, workshop("tok", 5))
	g := register(t, s, "tok", 42)
	if code, uid, err := s.CheckinToken(ctx, g.Token); code != "tok" || uid != 42 || err != nil {
		t.Fatalf("%s %d %v", code, uid, err)
	}
	if _, _, err := s.CheckinToken(ctx, "unknown"); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	if _, err := s.CancelRegistration(ctx, "tok", 42, t0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CheckinToken(ctx, g.Token); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("cancelled: %v", err)
	}
	if n := r.Client.Exists(ctx, r.Prefix+"checkin:"+g.Token).Val(); n != 0 {
		t.Fatal("token key left behind")
	}
	// A lookup key that outlived its registration does not resolve.
	r.Client.Set(ctx, r.Prefix+"checkin:stale", "tok:42", 0)
	if _, _, err := s.CheckinToken(ctx, "stale"); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("stale: %v", err)
	}
}

func TestUpcoming(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	for i, code := range []string{"d", "b", "e", "a", "c"} {
		w := workshop(code, 0)
		w.Start = t0.Add(time.Duration(i+1) * time.Hour) // d, b, e, a, c
		create(t, s, w)
	}
	past := workshop("past", 0)
	past.Start = t0.Add(-time.Hour)
	create(t, s, past)
	gone := workshop("gone", 0)
	gone.Start = t0.Add(90 * time.Minute)
	create(t, s, gone)
	gone.Cancelled = true
	if _, err := s.UpdateWorkshop(ctx, gone); err != nil {
		t.Fatal(err)
	}
	codes := func(ws []*flows.Workshop) []string {
		var out []string
		for _, w := range ws {
			out = append(out, w.Code)
		}
		return out
	}
	for _, c := range []struct {
		offset, limit int
		want          []string
	}{
		{0, 10, []string{"d", "b", "e", "a", "c"}},
		{0, 2, []string{"d", "b"}},
		{2, 2, []string{"e", "a"}},
		{4, 2, []string{"c"}},
		{6, 2, nil},
		{1, 0, []string{"b", "e", "a", "c"}},
	} {
		ws, total, err := s.Upcoming(ctx, t0, c.offset, c.limit)
		if err != nil || total != 5 || !slices.Equal(codes(ws), c.want) {
			t.Errorf("offset %d limit %d: %v total %d %v, want %v", c.offset, c.limit, codes(ws), total, err, c.want)
		}
	}
	// From is exclusive: a workshop starting exactly then has begun.
	if ws, total, _ := s.Upcoming(ctx, t0.Add(time.Hour), 0, 10); total != 4 || codes(ws)[0] != "b" {
		t.Errorf("%v %d", codes(ws), total)
	}
	// Moving a workshop's start moves it in the index.
	d, _ := s.GetWorkshop(ctx, "d")
	d.Start = t0.Add(10 * time.Hour)
	if _, err := s.UpdateWorkshop(ctx, d); err != nil {
		t.Fatal(err)
	}
	if ws, _, _ := s.Upcoming(ctx, t0, 0, 10); !slices.Equal(codes(ws), []string{"b", "e", "a", "c", "d"}) {
		t.Errorf("after move: %v", codes(ws))
	}
}

func TestFacilitated(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	for i, code := range []string{"x", "y", "z"} {
		w := workshop(code, 0)
		w.Start = t0.Add(time.Duration(i) * time.Hour)
		w.Facilitators = []int64{1}
		if code != "x" {
			w.Facilitators = append(w.Facilitators, 2)
		}
		create(t, s, w)
	}
	codes := func(uid int64) string {
		ws, err := s.Facilitated(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		out := ""
		for _, w := range ws {
			out += w.Code
		}
		return out
	}
	if got := codes(1); got != "zyx" {
		t.Errorf("uid 1: %s", got)
	}
	if got := codes(2); got != "zy" {
		t.Errorf("uid 2: %s", got)
	}
	if got := codes(0); got != "zyx" {
		t.Errorf("everyone: %s", got)
	}
	if got := codes(3); got != "" {
		t.Errorf("uid 3: %s", got)
	}
	// Saving the workshop leaves its team alone (an edit cannot undo a
	// change of the team, teams.go) …
	y, _ := s.GetWorkshop(ctx, "y")
	y.Facilitators = []int64{3}
	if _, err := s.UpdateWorkshop(ctx, y); err != nil {
		t.Fatal(err)
	}
	if a, b, c := codes(1), codes(2), codes(3); a != "zyx" || b != "zy" || c != "" {
		t.Errorf("after an update: %s %s %s", a, b, c)
	}
	// … and the team's changes move the workshop between indexes.
	if err := s.RemoveFromTeam(ctx, "y", 2); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateTeamInvite(ctx, &flows.TeamInvite{Token: "tok", Workshop: "y", By: 1, Created: t0, Expires: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.JoinTeam(ctx, "y", "tok", 3, t0); err != nil {
		t.Fatal(err)
	}
	if a, b, c := codes(1), codes(2), codes(3); a != "zyx" || b != "z" || c != "y" {
		t.Errorf("after the team changed: %s %s %s", a, b, c)
	}
}

func TestUserRegistrations(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	for _, code := range []string{"u1", "u2", "u3"} {
		create(t, s, workshop(code, 1))
	}
	register(t, s, "u1", 9) // confirmed
	register(t, s, "u2", 8)
	register(t, s, "u2", 9) // waiting #1
	register(t, s, "u3", 9)
	// u3's registration vanishes behind the index's back.
	r.Client.ZRem(ctx, wsKey(r, "u3", "confirmed"), "9")
	got, err := s.UserRegistrations(ctx, 9)
	if err != nil || len(got) != 2 {
		t.Fatalf("%v %v", got, err)
	}
	byCode := map[string]*flows.Registration{}
	for _, g := range got {
		byCode[g.Workshop] = g
	}
	if g := byCode["u1"]; g == nil || g.Status != flows.RegConfirmed || g.UserID != 9 {
		t.Errorf("u1: %+v", g)
	}
	if g := byCode["u2"]; g == nil || g.Status != flows.RegWaiting || g.Position != 1 {
		t.Errorf("u2: %+v", g)
	}
	if idx := r.Client.SMembers(ctx, r.Prefix+"{c:9}:registered").Val(); len(idx) != 2 || slices.Contains(idx, "u3") {
		t.Errorf("stale entry kept: %v", idx)
	}
	// Fresh status: 8 leaves u2, 9 is promoted.
	if p, _ := s.CancelRegistration(ctx, "u2", 8, t0); p != 9 {
		t.Fatalf("promoted %d", p)
	}
	got, _ = s.UserRegistrations(ctx, 9)
	for _, g := range got {
		if g.Status != flows.RegConfirmed || g.Position != 0 {
			t.Errorf("%+v", g)
		}
	}
	if got, err := s.UserRegistrations(ctx, 8); len(got) != 0 || err != nil {
		t.Errorf("user 8: %v %v", got, err)
	}
}

func TestFeedback(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	create(t, s, workshop("fb", 0))
	if fs, err := s.Feedback(ctx, "fb"); len(fs) != 0 || err != nil {
		t.Fatalf("%v %v", fs, err)
	}
	_ = s.SaveFeedback(ctx, "fb", &flows.Feedback{UserID: 1, Rating: 2, At: t0})
	_ = s.SaveFeedback(ctx, "fb", &flows.Feedback{UserID: 2, Rating: 5, Comment: "<b>great</b>", At: t0.Add(time.Minute)})
	_ = s.SaveFeedback(ctx, "fb", &flows.Feedback{UserID: 1, Rating: 4, At: t0.Add(2 * time.Minute)})
	fs, err := s.Feedback(ctx, "fb")
	if err != nil || len(fs) != 2 {
		t.Fatalf("%v %v", fs, err)
	}
	if fs[0].UserID != 2 || fs[0].Comment != "<b>great</b>" || fs[1].UserID != 1 || fs[1].Rating != 4 {
		t.Fatalf("%+v %+v", fs[0], fs[1])
	}
}

// TestRegistrationsManyWorkshops checks that workshops do not share state.
func TestRegistrationsManyWorkshops(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	var codes []string
	for i := range 5 {
		code := "m" + strconv.Itoa(i)
		codes = append(codes, code)
		create(t, s, workshop(code, 2))
	}
	for _, code := range codes {
		for uid := int64(1); uid <= 3; uid++ {
			register(t, s, code, uid)
		}
	}
	for _, code := range codes {
		c, _ := s.Counts(ctx, code)
		if c.Confirmed != 2 || c.Waiting != 1 {
			t.Errorf("%s: %+v", code, c)
		}
	}
	got, _ := s.UserRegistrations(ctx, 3)
	var ws []string
	for _, g := range got {
		ws = append(ws, g.Workshop)
		if g.Status != flows.RegWaiting || g.Position != 1 {
			t.Errorf("%+v", g)
		}
	}
	sort.Strings(ws)
	if fmt.Sprint(ws) != fmt.Sprint(codes) {
		t.Errorf("%v", ws)
	}
}
