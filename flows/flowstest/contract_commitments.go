package flowstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
)

// The commitments contract: a commitment is saved whole and read back,
// listed under its workshop (oldest first) and under its owner (soonest due
// first), follows its owner when the owner changes, and is gone everywhere
// once deleted. Redis (store/commitments.go) is the reference.

type cmCase struct {
	name string
	run  func(t *testing.T, c *cmCheck)
}

type cmCheck struct {
	ctx context.Context
	s   flows.Commitments
}

// save stores commitment id of workshop code, owned by owner, created at
// regClock+created and due at regClock+due.
func (c *cmCheck) save(t *testing.T, code, id string, owner int64, created, due time.Duration) *flows.Commitment {
	t.Helper()
	cm := &flows.Commitment{ID: id, Workshop: code, What: "do " + id, Owner: owner, By: owner,
		Due: regClock.Add(due), Status: flows.CmOpen, Created: regClock.Add(created)}
	if err := c.s.SaveCommitment(c.ctx, cm); err != nil {
		t.Fatalf("SaveCommitment %s/%s: %v", code, id, err)
	}
	return cm
}

func cmIDs(cs []*flows.Commitment) []string {
	var out []string
	for _, cm := range cs {
		out = append(out, cm.Workshop+"/"+cm.ID)
	}
	return out
}

func (c *cmCheck) workshop(t *testing.T, code string, want ...string) {
	t.Helper()
	cs, err := c.s.WorkshopCommitments(c.ctx, code)
	if err != nil || !slices.Equal(cmIDs(cs), want) {
		t.Fatalf("WorkshopCommitments(%s) = %v, %v; want %v", code, cmIDs(cs), err, want)
	}
}

func (c *cmCheck) owner(t *testing.T, uid int64, want ...string) {
	t.Helper()
	cs, err := c.s.UserCommitments(c.ctx, uid)
	if err != nil || !slices.Equal(cmIDs(cs), want) {
		t.Fatalf("UserCommitments(%d) = %v, %v; want %v", uid, cmIDs(cs), err, want)
	}
}

var cmCases = []cmCase{
	{"a commitment is read back whole, the latest save wins", func(t *testing.T, c *cmCheck) {
		cm := c.save(t, "w1", "c1", 1, 0, 48*time.Hour)
		cm.Indicator, cm.Partners, cm.Status, cm.Nudges, cm.By = "3 villages", "Org B", flows.CmBlocked, 2, 9
		cm.History = []flows.StatusEntry{{At: regClock.Add(time.Hour), Status: flows.CmBlocked, Note: "no funds", By: 1}}
		cm.Escalated = []string{flows.CmBlocked}
		if err := c.s.SaveCommitment(c.ctx, cm); err != nil {
			t.Fatal(err)
		}
		saved := cm.History[0]
		cm.History[0].Note = "changed by the writer after saving"
		got, err := c.s.GetCommitment(c.ctx, "w1", "c1")
		if err != nil {
			t.Fatal(err)
		}
		cm.History[0] = saved
		if got.What != cm.What || got.Owner != 1 || got.By != 9 || !got.Due.Equal(cm.Due) || !got.Created.Equal(cm.Created) ||
			got.Indicator != cm.Indicator || got.Partners != cm.Partners || got.Status != flows.CmBlocked || got.Nudges != 2 ||
			len(got.History) != 1 || got.History[0].Note != "no funds" || !got.History[0].At.Equal(cm.History[0].At) ||
			!slices.Equal(got.Escalated, cm.Escalated) {
			t.Fatalf("GetCommitment = %+v, want %+v", got, cm)
		}
		got.History[0].Note = "changed by the reader"
		if again, err := c.s.GetCommitment(c.ctx, "w1", "c1"); err != nil || again.History[0].Note != "no funds" {
			t.Fatalf("a reader's change reached the store: %+v, %v", again, err)
		}
		c.workshop(t, "w1", "w1/c1")
	}},
	{"unknown commitments are not found", func(t *testing.T, c *cmCheck) {
		c.save(t, "w1", "c1", 1, 0, time.Hour)
		for _, k := range [][2]string{{"w1", "c2"}, {"w2", "c1"}} {
			if _, err := c.s.GetCommitment(c.ctx, k[0], k[1]); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("GetCommitment %s/%s: %v, want not found", k[0], k[1], err)
			}
			if err := c.s.DeleteCommitment(c.ctx, k[0], k[1]); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("DeleteCommitment %s/%s: %v, want not found", k[0], k[1], err)
			}
		}
		c.workshop(t, "w2")
		c.owner(t, 2)
	}},
	{"a workshop lists its own commitments, oldest first", func(t *testing.T, c *cmCheck) {
		c.save(t, "w1", "c3", 1, 2*time.Hour, time.Hour)
		c.save(t, "w1", "c1", 2, 0, 3*time.Hour)
		c.save(t, "w2", "c2", 1, time.Hour, 2*time.Hour)
		c.save(t, "w1", "c2", 3, time.Hour, 2*time.Hour)
		c.save(t, "w1", "c0", 3, time.Hour, 2*time.Hour) // same time as c2: by id
		c.workshop(t, "w1", "w1/c1", "w1/c0", "w1/c2", "w1/c3")
		c.workshop(t, "w2", "w2/c2")
	}},
	{"an owner lists theirs across workshops, soonest due first", func(t *testing.T, c *cmCheck) {
		c.save(t, "w1", "c1", 1, 0, 3*time.Hour)
		c.save(t, "w2", "c1", 1, 0, time.Hour)
		c.save(t, "w1", "c2", 2, 0, 2*time.Hour)
		c.save(t, "w3", "c9", 1, 0, 2*time.Hour)
		c.owner(t, 1, "w2/c1", "w3/c9", "w1/c1")
		c.owner(t, 2, "w1/c2")
		c.owner(t, 3)
	}},
	{"a commitment follows its new owner", func(t *testing.T, c *cmCheck) {
		cm := c.save(t, "w1", "c1", 1, 0, time.Hour)
		cm.Owner = 2
		if err := c.s.SaveCommitment(c.ctx, cm); err != nil {
			t.Fatal(err)
		}
		c.owner(t, 1)
		c.owner(t, 2, "w1/c1")
	}},
	{"a deleted commitment is gone from every list", func(t *testing.T, c *cmCheck) {
		c.save(t, "w1", "c1", 1, 0, time.Hour)
		c.save(t, "w1", "c2", 1, time.Minute, 2*time.Hour)
		if err := c.s.DeleteCommitment(c.ctx, "w1", "c1"); err != nil {
			t.Fatalf("DeleteCommitment: %v", err)
		}
		if _, err := c.s.GetCommitment(c.ctx, "w1", "c1"); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("GetCommitment after delete: %v", err)
		}
		c.workshop(t, "w1", "w1/c2")
		c.owner(t, 1, "w1/c2")
		if err := c.s.DeleteCommitment(c.ctx, "w1", "c1"); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("DeleteCommitment twice: %v, want not found", err)
		}
	}},
}

// RunCommitmentsContract runs the commitments contract against stores open
// makes, a fresh one per case.
func RunCommitmentsContract(t *testing.T, open func(t *testing.T) flows.Commitments) {
	for _, tc := range cmCases {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, &cmCheck{ctx: context.Background(), s: open(t)})
		})
	}
}

// The commitment tallies contract: what the dashboard reads instead of
// every commitment (flows.CommitmentTallies) follows each save, overwrite,
// delete and forgotten owner exactly. Months are in the workshop's zone.

// TallyStore is what the tallies contract runs on.
type TallyStore interface {
	flows.Commitments
	flows.CommitmentTallies
	CreateWorkshop(ctx context.Context, w *flows.Workshop) error
	ForgetUser(ctx context.Context, uid int64, now time.Time) ([]flows.Promotion, error)
}

type tallyCase struct {
	name string
	run  func(t *testing.T, c *tallyCheck)
}

type tallyCheck struct {
	ctx context.Context
	s   TallyStore
}

// on2026 is the time at hh:mm UTC on that day of 2026.
func on2026(month time.Month, d, hh, mm int) time.Time {
	return time.Date(2026, month, d, hh, mm, 0, 0, time.UTC)
}

// workshop creates code in zone.
func (c *tallyCheck) workshop(t *testing.T, code, zone string) {
	t.Helper()
	if err := c.s.CreateWorkshop(c.ctx, &flows.Workshop{Code: code, Title: "Workshop " + code, Zone: zone,
		Start: regClock.Add(-30 * 24 * time.Hour), End: regClock.Add(-30*24*time.Hour + 2*time.Hour),
		Facilitators: []int64{100}, CreatedBy: 100, Created: regClock.Add(-60 * 24 * time.Hour)}); err != nil {
		t.Fatalf("CreateWorkshop %s: %v", code, err)
	}
}

func (c *tallyCheck) put(t *testing.T, code, id string, owner int64, status string, created, due time.Time) *flows.Commitment {
	t.Helper()
	cm := &flows.Commitment{ID: id, Workshop: code, What: "do " + id, Owner: owner, By: owner, Due: due, Status: status, Created: created,
		History: []flows.StatusEntry{{At: created, Status: status, Note: "by the owner", By: owner}}}
	if err := c.s.SaveCommitment(c.ctx, cm); err != nil {
		t.Fatalf("SaveCommitment %s/%s: %v", code, id, err)
	}
	return cm
}

// tallies checks the tallies of codes at now, each as tallyText.
func (c *tallyCheck) tallies(t *testing.T, now time.Time, want map[string]string) {
	t.Helper()
	var codes []string
	for code := range want {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	got, err := c.s.CommitmentTallies(c.ctx, codes, now)
	if err != nil {
		t.Fatalf("CommitmentTallies: %v", err)
	}
	for _, code := range codes {
		if g := tallyText(got[code]); g != want[code] {
			t.Errorf("tally of %s at %v:\n got %s\nwant %s", code, now, g, want[code])
		}
	}
	if len(got) != len(codes) {
		t.Errorf("tallies of %d workshops, want %d", len(got), len(codes))
	}
}

// tallyText shows a tally (maps print sorted by key).
func tallyText(x flows.CommitmentTally) string {
	return fmt.Sprintf("due %v created %v overdue %v (%d)", x.Due, x.Created, x.Overdue, x.OverdueTotal)
}

// lists checks OverdueCommitments and BlockedCommitments.
func (c *tallyCheck) lists(t *testing.T, codes []string, now time.Time, limit int, overdue []string, overdueTotal int, blocked []string, blockedTotal int) {
	t.Helper()
	got, n, err := c.s.OverdueCommitments(c.ctx, codes, now, limit)
	if err != nil || !slices.Equal(cmIDs(got), overdue) || n != overdueTotal {
		t.Errorf("OverdueCommitments(%v, %v, %d) = %v of %d, %v; want %v of %d", codes, now, limit, cmIDs(got), n, err, overdue, overdueTotal)
	}
	for _, cm := range got {
		if cm.What != "do "+cm.ID || len(cm.History) != 1 {
			t.Errorf("overdue %s read back as %+v", cm.ID, cm)
		}
	}
	got, n, err = c.s.BlockedCommitments(c.ctx, codes, limit)
	if err != nil || !slices.Equal(cmIDs(got), blocked) || n != blockedTotal {
		t.Errorf("BlockedCommitments(%v, %d) = %v of %d, %v; want %v of %d", codes, limit, cmIDs(got), n, err, blocked, blockedTotal)
	}
}

var tallyCases = []tallyCase{
	{"counts by status and due month and by month written down, in the workshop's zone", func(t *testing.T, c *tallyCheck) {
		c.workshop(t, "w1", "Asia/Jayapura")                                                  // UTC+9
		c.put(t, "w1", "a", 1, flows.CmOpen, on2026(10, 31, 20, 0), on2026(11, 10, 0, 0))     // written 1 Nov WIT; overdue this month
		c.put(t, "w1", "b", 1, flows.CmBlocked, on2026(9, 15, 3, 0), on2026(10, 5, 0, 0))     // overdue, a month wholly past
		c.put(t, "w1", "c", 2, flows.CmDone, on2026(9, 15, 3, 0), on2026(10, 20, 0, 0))       // done: never overdue
		c.put(t, "w1", "d", 2, flows.CmOpen, on2026(11, 1, 3, 0), on2026(12, 2, 0, 0))        // ahead
		c.put(t, "w1", "e", 3, flows.CmProposed, on2026(11, 1, 3, 0), on2026(11, 30, 15, 30)) // 1 Dec WIT
		c.put(t, "w1", "f", 3, flows.CmOnTrack, on2026(11, 2, 3, 0), regClock)                // due this very instant: not overdue yet
		c.put(t, "w2", "a", 1, flows.CmOpen, on2026(10, 31, 20, 0), on2026(11, 30, 15, 30))   // no such workshop: UTC
		c.tallies(t, regClock, map[string]string{
			"w1": "due map[2026-10:map[blocked:1 done:1] 2026-11:map[ontrack:1 open:1] 2026-12:map[open:1 proposed:1]] " +
				"created map[2026-09:2 2026-11:4] overdue map[2026-10:1 2026-11:1] (2)",
			"w2": "due map[2026-11:map[open:1]] created map[2026-10:1] overdue map[] (0)",
			"w9": "due map[] created map[] overdue map[] (0)",
		})
		// A month later November is wholly past: all of its open ones are
		// overdue, and so are December's so far (d and e, due on the 2nd and 1st).
		c.tallies(t, on2026(12, 23, 0, 0), map[string]string{
			"w1": "due map[2026-10:map[blocked:1 done:1] 2026-11:map[ontrack:1 open:1] 2026-12:map[open:1 proposed:1]] " +
				"created map[2026-09:2 2026-11:4] overdue map[2026-10:1 2026-11:2 2026-12:2] (5)",
		})
	}},
	{"an overwrite moves the counts: status, due date and date written down", func(t *testing.T, c *tallyCheck) {
		c.workshop(t, "w1", "Asia/Jakarta")
		cm := c.put(t, "w1", "a", 1, flows.CmBlocked, on2026(9, 1, 3, 0), on2026(10, 1, 3, 0))
		c.put(t, "w1", "b", 1, flows.CmOpen, on2026(9, 1, 3, 0), on2026(10, 1, 3, 0))
		c.tallies(t, regClock, map[string]string{"w1": "due map[2026-10:map[blocked:1 open:1]] created map[2026-09:2] overdue map[2026-10:2] (2)"})
		c.lists(t, []string{"w1"}, regClock, 10, []string{"w1/a", "w1/b"}, 2, []string{"w1/a"}, 1)
		cm.Status = flows.CmDone
		if err := c.s.SaveCommitment(c.ctx, cm); err != nil {
			t.Fatal(err)
		}
		c.tallies(t, regClock, map[string]string{"w1": "due map[2026-10:map[done:1 open:1]] created map[2026-09:2] overdue map[2026-10:1] (1)"})
		c.lists(t, []string{"w1"}, regClock, 10, []string{"w1/b"}, 1, nil, 0)
		cm.Status, cm.Due, cm.Created = flows.CmBlocked, on2026(12, 5, 2, 0), on2026(10, 31, 18, 0) // 1 Nov WIB
		if err := c.s.SaveCommitment(c.ctx, cm); err != nil {
			t.Fatal(err)
		}
		c.tallies(t, regClock, map[string]string{
			"w1": "due map[2026-10:map[open:1] 2026-12:map[blocked:1]] created map[2026-09:1 2026-11:1] overdue map[2026-10:1] (1)"})
		c.lists(t, []string{"w1"}, regClock, 10, []string{"w1/b"}, 1, []string{"w1/a"}, 1)
		// Saved again unchanged: counted once.
		if err := c.s.SaveCommitment(c.ctx, cm); err != nil {
			t.Fatal(err)
		}
		c.tallies(t, regClock, map[string]string{
			"w1": "due map[2026-10:map[open:1] 2026-12:map[blocked:1]] created map[2026-09:1 2026-11:1] overdue map[2026-10:1] (1)"})
	}},
	{"a deleted commitment leaves the tallies and the lists", func(t *testing.T, c *tallyCheck) {
		c.workshop(t, "w1", "Asia/Jakarta")
		c.put(t, "w1", "a", 1, flows.CmBlocked, on2026(9, 1, 3, 0), on2026(10, 1, 3, 0))
		c.put(t, "w1", "b", 2, flows.CmOpen, on2026(9, 1, 3, 0), on2026(10, 2, 3, 0))
		if err := c.s.DeleteCommitment(c.ctx, "w1", "a"); err != nil {
			t.Fatal(err)
		}
		c.tallies(t, regClock, map[string]string{"w1": "due map[2026-10:map[open:1]] created map[2026-09:1] overdue map[2026-10:1] (1)"})
		c.lists(t, []string{"w1"}, regClock, 10, []string{"w1/b"}, 1, nil, 0)
		if err := c.s.DeleteCommitment(c.ctx, "w1", "b"); err != nil {
			t.Fatal(err)
		}
		c.tallies(t, regClock, map[string]string{"w1": "due map[] created map[] overdue map[] (0)"})
		c.lists(t, []string{"w1"}, regClock, 10, nil, 0, nil, 0)
	}},
	{"forgetting an owner keeps their commitments counted and listed", func(t *testing.T, c *tallyCheck) {
		c.workshop(t, "w1", "Asia/Makassar")
		c.put(t, "w1", "a", 7, flows.CmBlocked, on2026(9, 1, 3, 0), on2026(10, 1, 3, 0))
		c.put(t, "w1", "b", 7, flows.CmDone, on2026(9, 1, 3, 0), on2026(10, 1, 3, 0))
		want := map[string]string{"w1": "due map[2026-10:map[blocked:1 done:1]] created map[2026-09:2] overdue map[2026-10:1] (1)"}
		c.tallies(t, regClock, want)
		if _, err := c.s.ForgetUser(c.ctx, 7, regClock); err != nil {
			t.Fatal(err)
		}
		c.tallies(t, regClock, want)
		got, n, err := c.s.BlockedCommitments(c.ctx, []string{"w1"}, 10)
		if err != nil || n != 1 || len(got) != 1 || got[0].Owner != 0 || got[0].History[0].Note != "" {
			t.Fatalf("blocked after forgetting: %+v of %d, %v; want a, its owner and note blanked", got, n, err)
		}
	}},
	{"the lists: by due date across workshops, then code and id, limited, with totals", func(t *testing.T, c *tallyCheck) {
		c.workshop(t, "w1", "Asia/Jakarta")
		c.workshop(t, "w2", "Asia/Jayapura")
		c.put(t, "w2", "x", 1, flows.CmBlocked, on2026(9, 1, 3, 0), on2026(10, 3, 2, 0))
		c.put(t, "w1", "y", 1, flows.CmOpen, on2026(9, 1, 3, 0), on2026(10, 3, 2, 0)) // same due: w1 first
		c.put(t, "w1", "z", 1, flows.CmBlocked, on2026(9, 1, 3, 0), on2026(10, 1, 2, 0))
		c.put(t, "w1", "a", 1, flows.CmBlocked, on2026(9, 1, 3, 0), on2026(12, 1, 2, 0)) // blocked, not yet due
		c.put(t, "w2", "b", 1, flows.CmDone, on2026(9, 1, 3, 0), on2026(9, 1, 2, 0))
		c.put(t, "w3", "c", 1, flows.CmProposed, on2026(9, 1, 3, 0), on2026(10, 2, 2, 0))
		all := []string{"w1", "w2", "w3"}
		c.lists(t, all, regClock, 10, []string{"w1/z", "w3/c", "w1/y", "w2/x"}, 4, []string{"w1/z", "w2/x", "w1/a"}, 3)
		c.lists(t, all, regClock, 2, []string{"w1/z", "w3/c"}, 4, []string{"w1/z", "w2/x"}, 3)
		c.lists(t, all, regClock, 0, nil, 4, nil, 3)
		c.lists(t, []string{"w2", "w9"}, regClock, 10, []string{"w2/x"}, 1, []string{"w2/x"}, 1)
		c.lists(t, nil, regClock, 10, nil, 0, nil, 0)
		// Before any was due: none overdue.
		c.lists(t, all, on2026(9, 1, 0, 0), 10, nil, 0, []string{"w1/z", "w2/x", "w1/a"}, 3)
	}},
}

// RunCommitmentTalliesContract runs the tallies contract against stores
// open makes, a fresh one per case.
func RunCommitmentTalliesContract(t *testing.T, open func(t *testing.T) TallyStore) {
	for _, tc := range slices.Concat(tallyCases, pageCases) {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, &tallyCheck{ctx: context.Background(), s: open(t)})
		})
	}
}
