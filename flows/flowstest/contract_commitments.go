package flowstest

import (
	"context"
	"errors"
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
