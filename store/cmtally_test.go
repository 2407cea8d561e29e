package store_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
	"sinergi/store"
	"sinergi/store/seed"
)

// The commitment tallies agree with a linear scan of every commitment
// (WorkshopCommitments) on random data: commitments saved, overwritten
// (status, due date, date written down, owner), deleted and their owners
// forgotten, across workshops of the three Indonesian zones, checked after
// every round at several moments; then, the tallies deleted,
// MigrateCommitmentTallies builds the same again.
func TestCommitmentTalliesAgreeWithScan(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 22))
	zones := []string{"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}
	var codes []string
	for i := range 6 {
		code := fmt.Sprintf("TAL%03d", i)
		if err := s.CreateWorkshop(ctx, &flows.Workshop{Code: code, Title: code, Zone: zones[i%3], Start: t0.Add(-90 * 24 * time.Hour),
			End: t0.Add(-90*24*time.Hour + time.Hour), Facilitators: []int64{900}, Created: t0.Add(-100 * 24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		codes = append(codes, code)
	}
	statuses := []string{flows.CmProposed, flows.CmOpen, flows.CmOnTrack, flows.CmBlocked, flows.CmDone}
	// Times on the hour or half hour, so that many fall on a month's edge
	// in one zone and not in another.
	at := func(from time.Time, days int) time.Time {
		return from.Add(time.Duration(rng.IntN(days*48)) * 30 * time.Minute).Truncate(30 * time.Minute)
	}
	type ref struct{ code, id string }
	var live []ref
	next := 0
	for round := range 8 {
		for range 40 {
			switch op := rng.IntN(10); {
			case op < 5 || len(live) == 0: // a new commitment
				next++
				c := &flows.Commitment{ID: "c" + strconv.Itoa(next), Workshop: codes[rng.IntN(len(codes))], What: "x",
					Owner: int64(1 + rng.IntN(8)), By: int64(1 + rng.IntN(8)), Status: statuses[rng.IntN(len(statuses))],
					Created: at(t0.Add(-200*24*time.Hour), 200), Due: at(t0.Add(-150*24*time.Hour), 240)}
				if err := s.SaveCommitment(ctx, c); err != nil {
					t.Fatal(err)
				}
				live = append(live, ref{c.Workshop, c.ID})
			case op < 8: // an overwrite
				x := live[rng.IntN(len(live))]
				c, err := s.GetCommitment(ctx, x.code, x.id)
				if err != nil {
					t.Fatal(err)
				}
				switch rng.IntN(4) {
				case 0:
					c.Status = statuses[rng.IntN(len(statuses))]
				case 1:
					c.Due = at(t0.Add(-150*24*time.Hour), 240)
				case 2:
					c.Created = at(t0.Add(-200*24*time.Hour), 200)
				default:
					c.Owner, c.Status = int64(1+rng.IntN(8)), statuses[rng.IntN(len(statuses))]
				}
				if err := s.SaveCommitment(ctx, c); err != nil {
					t.Fatal(err)
				}
			case op < 9: // a delete
				i := rng.IntN(len(live))
				if err := s.DeleteCommitment(ctx, live[i].code, live[i].id); err != nil {
					t.Fatal(err)
				}
				live = slices.Delete(live, i, i+1)
			default: // an owner forgotten
				if _, err := s.ForgetUser(ctx, int64(1+rng.IntN(8)), t0); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, now := range []time.Time{t0, at(t0.Add(-150*24*time.Hour), 240), t0.Add(120 * 24 * time.Hour)} {
			checkTallies(t, s, codes, now, 1+rng.IntN(20), fmt.Sprintf("round %d", round))
		}
	}

	// Built again from the commitments alone.
	var keys []string
	for _, code := range codes {
		for _, name := range append([]string{"cmtally", "cmfacts", "cmopen", "cmblocked", "cmdue", "cmhead"}, statusKeys()...) {
			keys = append(keys, r.Prefix+"{w:"+code+"}:"+name)
		}
	}
	for _, k := range keys {
		if err := s.Client().Del(ctx, k).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.MigrateCommitmentTallies(ctx); n != len(live) || err != nil {
		t.Fatalf("migrated %d, %v; want %d", n, err, len(live))
	}
	if n, err := s.MigrateCommitmentTallies(ctx); n != 0 || err != nil {
		t.Fatalf("second run: %d, %v", n, err)
	}
	for _, now := range []time.Time{t0, t0.Add(-40 * 24 * time.Hour), t0.Add(120 * 24 * time.Hour)} {
		checkTallies(t, s, codes, now, 1+rng.IntN(20), "after the migration")
	}
	// And the writes go on from what it built.
	if len(live) > 0 {
		c, err := s.GetCommitment(ctx, live[0].code, live[0].id)
		if err != nil {
			t.Fatal(err)
		}
		c.Status, c.Due = flows.CmBlocked, t0.Add(-24*time.Hour)
		if err := s.SaveCommitment(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCommitment(ctx, live[1%len(live)].code, live[1%len(live)].id); err != nil {
			t.Fatal(err)
		}
		checkTallies(t, s, codes, t0, 10, "after writes on the migrated tallies")
	}
}

// checkTallies compares CommitmentTallies, OverdueCommitments and
// BlockedCommitments of codes at now with a scan of their commitments.
func checkTallies(t *testing.T, s *store.Store, codes []string, now time.Time, limit int, when string) {
	t.Helper()
	ctx := context.Background()
	want := map[string]flows.CommitmentTally{}
	var overdue, blocked, every []*flows.Commitment
	for _, code := range codes {
		w, err := s.GetWorkshop(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		loc := flows.LoadZone(w.Zone)
		cs, err := s.WorkshopCommitments(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		x := flows.CommitmentTally{Due: map[string]map[string]int{}, Created: map[string]int{}, Overdue: map[string]int{}}
		every = append(every, cs...)
		for _, c := range cs {
			m := c.Due.In(loc).Format("2006-01")
			if x.Due[m] == nil {
				x.Due[m] = map[string]int{}
			}
			x.Due[m][c.Status]++
			x.Created[c.Created.In(loc).Format("2006-01")]++
			if c.Status != flows.CmDone && c.Due.Before(now) {
				x.Overdue[m]++
				x.OverdueTotal++
				overdue = append(overdue, c)
			}
			if c.Status == flows.CmBlocked {
				blocked = append(blocked, c)
			}
		}
		want[code] = x
	}
	got, err := s.CommitmentTallies(ctx, codes, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range codes {
		if !reflect.DeepEqual(got[code], want[code]) {
			t.Errorf("%s, %s at %v: tally\n got %+v\nwant %+v", when, code, now, got[code], want[code])
		}
	}
	byDue := func(a, b *flows.Commitment) int {
		return cmp.Or(a.Due.Compare(b.Due), strings.Compare(a.Workshop, b.Workshop), strings.Compare(a.ID, b.ID))
	}
	ids := func(cs []*flows.Commitment) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Workshop+"/"+c.ID+"/"+c.Status)
		}
		return out
	}
	for _, l := range []struct {
		name string
		all  []*flows.Commitment
		read func() ([]*flows.Commitment, int, error)
	}{
		{"overdue", overdue, func() ([]*flows.Commitment, int, error) { return s.OverdueCommitments(ctx, codes, now, limit) }},
		{"blocked", blocked, func() ([]*flows.Commitment, int, error) { return s.BlockedCommitments(ctx, codes, limit) }},
	} {
		slices.SortFunc(l.all, byDue)
		first := l.all[:min(limit, len(l.all))]
		got, n, err := l.read()
		if err != nil || n != len(l.all) || !slices.Equal(ids(got), ids(first)) {
			t.Errorf("%s at %v: %s (first %d) = %v of %d, %v; want %v of %d", when, now, l.name, limit, ids(got), n, err, ids(first), len(l.all))
		}
	}
	// CommitmentHeads: each commitment's owner, due date and status.
	heads, err := s.CommitmentHeads(ctx, codes)
	var gotHeads, wantHeads []string
	for _, h := range heads {
		gotHeads = append(gotHeads, fmt.Sprintf("%s/%s %d %d %s", h.Workshop, h.ID, h.Owner, h.Due.UnixMilli(), h.Status))
	}
	for _, c := range every {
		wantHeads = append(wantHeads, fmt.Sprintf("%s/%s %d %d %s", c.Workshop, c.ID, c.Owner, c.Due.UnixMilli(), c.Status))
	}
	slices.Sort(gotHeads)
	slices.Sort(wantHeads)
	if err != nil || !slices.Equal(gotHeads, wantHeads) {
		t.Errorf("%s: CommitmentHeads %v, %v;\nwant %v", when, gotHeads, err, wantHeads)
	}
	// CommitmentsByDue, paged through by limit, for every status filter.
	windows := make([]flows.DueWindow, len(codes))
	for i, code := range codes {
		windows[i] = flows.DueWindow{Code: code}
	}
	slices.SortFunc(every, byDue)
	for _, status := range append([]string{"", "overdue"}, flows.ChartStatuses()...) {
		var want []*flows.Commitment
		for _, c := range every {
			if status == "" || c.Status == status || status == "overdue" && c.Status != flows.CmDone && c.Due.Before(now) {
				want = append(want, c)
			}
		}
		q := flows.CommitmentQuery{Workshops: windows, Status: status, Now: now, Limit: limit}
		var got []*flows.Commitment
		for range len(every) + 1 {
			p, err := s.CommitmentsByDue(ctx, q)
			if err != nil || p.Total != len(want) {
				t.Fatalf("%s at %v: CommitmentsByDue %q: total %d, %v; want %d", when, now, status, p.Total, err, len(want))
			}
			got = append(got, p.Commitments...)
			if !p.More {
				break
			}
			last := p.Commitments[len(p.Commitments)-1]
			q.After = &flows.CommitmentCursor{Due: last.Due, Workshop: last.Workshop, ID: last.ID}
		}
		if !slices.Equal(ids(got), ids(want)) {
			t.Errorf("%s at %v: CommitmentsByDue %q by %d:\n got %v\nwant %v", when, now, status, limit, ids(got), ids(want))
		}
	}
}

// statusKeys are the names of the zsets of each status.
func statusKeys() []string {
	var out []string
	for _, st := range flows.ChartStatuses() {
		out = append(out, "cmst:"+st)
	}
	return out
}

// hgetallHook runs fire once, right after the first HGETALL of key
// answers.
type hgetallHook struct {
	key  string
	fire func()
	done bool
}

func (h *hgetallHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *hgetallHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *hgetallHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if args := cmd.Args(); !h.done && len(args) == 2 && strings.EqualFold(cmd.Name(), "hgetall") && args[1] == h.key {
			h.done = true
			h.fire()
		}
		return err
	}
}

// A commitment written while MigrateCommitmentTallies reads a workshop's
// commitments makes it read them again (it watches them): the tallies it
// leaves count that commitment too.
func TestMigrateCommitmentTalliesRereadsOnAWrite(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	if err := s.CreateWorkshop(ctx, &flows.Workshop{Code: "MIG001", Title: "M", Zone: "Asia/Jakarta", Start: t0, End: t0.Add(time.Hour),
		Facilitators: []int64{9}}); err != nil {
		t.Fatal(err)
	}
	for i, st := range []string{flows.CmOpen, flows.CmBlocked} {
		if err := s.SaveCommitment(ctx, &flows.Commitment{ID: "c" + strconv.Itoa(i), Workshop: "MIG001", What: "x", Owner: 1, By: 1,
			Status: st, Created: t0.Add(-48 * time.Hour), Due: t0.Add(-24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Client().Del(ctx, r.Prefix+"{w:MIG001}:cmtally", r.Prefix+"{w:MIG001}:cmfacts", r.Prefix+"{w:MIG001}:cmopen",
		r.Prefix+"{w:MIG001}:cmblocked").Err(); err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(r.Client.Options())
	t.Cleanup(func() { _ = c.Close() })
	c.AddHook(&hgetallHook{key: r.Prefix + "{w:MIG001}:commits", fire: func() {
		if err := s.SaveCommitment(ctx, &flows.Commitment{ID: "late", Workshop: "MIG001", What: "x", Owner: 2, By: 2,
			Status: flows.CmBlocked, Created: t0.Add(-48 * time.Hour), Due: t0.Add(-24 * time.Hour)}); err != nil {
			t.Error(err)
		}
	}})
	migrating := store.New(c, store.Options{Prefix: r.Prefix})
	if n, err := migrating.MigrateCommitmentTallies(ctx); n != 3 || err != nil {
		t.Fatalf("migrated %d, %v; want the 3 read again", n, err)
	}
	checkTallies(t, s, []string{"MIG001"}, t0, 10, "after the migration")
}

// CountsOf answers for many workshops at once what Counts answers for each
// (a hybrid workshop's two modes added up), in the order asked; a code no
// key can be built of counts nothing.
func TestCountsOfAgreesWithCounts(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	f := seed.Generate(seed.Config{Seed: 5, Members: 300, Workshops: 12, Big: 1, BigRegs: 80, Commitments: 10, Now: seed.National(1).Now})
	if err := seed.Write(ctx, s, f, 4, nil); err != nil {
		t.Fatal(err)
	}
	hy := &flows.Workshop{Code: "HYB001", Title: "H", Zone: "Asia/Jakarta", Start: t0.Add(72 * time.Hour), End: t0.Add(75 * time.Hour),
		Capacity: 1, OnlineCapacity: 1, Format: flows.FormatHybrid, Deadline: t0.Add(48 * time.Hour), Facilitators: []int64{9}}
	if err := s.CreateWorkshop(ctx, hy); err != nil {
		t.Fatal(err)
	}
	for i, mode := range []string{flows.ModeOnsite, flows.ModeOnline, flows.ModeOnline} {
		if _, err := s.Register(ctx, &flows.Registration{Workshop: hy.Code, UserID: int64(100 + i), Mode: mode, RegisteredAt: t0,
			Token: flows.NewToken(), Lang: "id"}, t0); err != nil {
			t.Fatal(err)
		}
	}
	codes := []string{hy.Code, "bad code", "NOSUCH"}
	for _, w := range f.Workshops {
		codes = append(codes, w.Code)
	}
	got, err := s.CountsOf(ctx, codes)
	if err != nil || len(got) != len(codes) {
		t.Fatalf("CountsOf: %d, %v", len(got), err)
	}
	if want := (flows.Counts{Confirmed: 2, Waiting: 1}); got[0] != want {
		t.Errorf("hybrid: %+v, want %+v", got[0], want)
	}
	for i, code := range codes {
		want, err := s.Counts(ctx, code)
		if err != nil {
			want = flows.Counts{}
		}
		if got[i] != want {
			t.Errorf("%s: CountsOf %+v, Counts %+v", code, got[i], want)
		}
	}
}
