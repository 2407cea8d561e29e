package flowstest

import (
	"context"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
)

// The workshop listings contract: Upcoming (not cancelled, starting after
// the moment asked, by start time, equal starts by code, paged, with the
// total) and Facilitated (newest start first, equal starts by code; every
// workshop for uid 0). Redis (store/workshops.go: sorted sets by start,
// whose equal scores go by member) is the reference.

type listCheck struct {
	ctx context.Context
	s   flows.Workshops
}

// ws creates workshop code starting at regClock+start, facilitated by facs.
func (c *listCheck) ws(t *testing.T, code string, start time.Duration, facs ...int64) *flows.Workshop {
	t.Helper()
	w := &flows.Workshop{Code: code, Title: "Workshop " + code, Zone: "Asia/Jakarta",
		Start: regClock.Add(start), End: regClock.Add(start + 2*time.Hour), Facilitators: facs, Created: regClock}
	if err := c.s.CreateWorkshop(c.ctx, w); err != nil {
		t.Fatalf("CreateWorkshop %s: %v", code, err)
	}
	return w
}

func codes(ws []*flows.Workshop) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return out
}

// upcoming checks a page of Upcoming from regClock+from and the total.
func (c *listCheck) upcoming(t *testing.T, from time.Duration, offset, limit, total int, want ...string) {
	t.Helper()
	ws, n, err := c.s.Upcoming(c.ctx, regClock.Add(from), offset, limit)
	if err != nil || n != total || !slices.Equal(codes(ws), want) {
		t.Fatalf("Upcoming(+%v, %d, %d) = %v of %d, %v; want %v of %d", from, offset, limit, codes(ws), n, err, want, total)
	}
}

func (c *listCheck) facilitated(t *testing.T, uid int64, want ...string) {
	t.Helper()
	ws, err := c.s.Facilitated(c.ctx, uid)
	if err != nil || !slices.Equal(codes(ws), want) {
		t.Fatalf("Facilitated(%d) = %v, %v; want %v", uid, codes(ws), err, want)
	}
}

const day = 24 * time.Hour

var listCases = []struct {
	name string
	run  func(t *testing.T, c *listCheck)
}{
	{"upcoming: by start, equal starts by code, after the moment asked", func(t *testing.T, c *listCheck) {
		c.ws(t, "w-b", 2*day)
		c.ws(t, "w-c", day)
		c.ws(t, "w-a", 2*day)
		c.ws(t, "w-0", 2*day)
		c.ws(t, "past", -day)
		c.upcoming(t, 0, 0, 10, 4, "w-c", "w-0", "w-a", "w-b")
		c.upcoming(t, day, 0, 10, 3, "w-0", "w-a", "w-b") // a workshop starting at that moment is not after it
		c.upcoming(t, -2*day, 0, 10, 5, "past", "w-c", "w-0", "w-a", "w-b")
	}},
	{"upcoming in pages", func(t *testing.T, c *listCheck) {
		for i, code := range []string{"w1", "w2", "w3", "w4", "w5", "w6", "w7"} {
			c.ws(t, code, time.Duration(i%3)*day+day) // w1 w4 w7 on day 1, w2 w5 on day 2, w3 w6 on day 3
		}
		c.upcoming(t, 0, 0, 3, 7, "w1", "w4", "w7")
		c.upcoming(t, 0, 3, 3, 7, "w2", "w5", "w3")
		c.upcoming(t, 0, 6, 3, 7, "w6")
		c.upcoming(t, 0, 9, 3, 7)
		c.upcoming(t, 0, 2, 0, 7, "w7", "w2", "w5", "w3", "w6") // no limit
	}},
	{"upcoming leaves out the cancelled, and follows a moved workshop", func(t *testing.T, c *listCheck) {
		c.ws(t, "w1", day)
		w2 := c.ws(t, "w2", 2*day)
		w3 := c.ws(t, "w3", 3*day)
		w3.Cancelled = true
		if _, err := c.s.UpdateWorkshop(c.ctx, w3); err != nil {
			t.Fatal(err)
		}
		w2.Start, w2.End = regClock.Add(day/2), regClock.Add(day/2+time.Hour)
		if _, err := c.s.UpdateWorkshop(c.ctx, w2); err != nil {
			t.Fatal(err)
		}
		c.upcoming(t, 0, 0, 10, 2, "w2", "w1")
	}},
	{"upcoming leaves out the unlisted; listed again, it is back", func(t *testing.T, c *listCheck) {
		c.ws(t, "w1", day)
		w2 := c.ws(t, "w2", 2*day)
		w2.Unlisted = true
		if _, err := c.s.UpdateWorkshop(c.ctx, w2); err != nil {
			t.Fatal(err)
		}
		c.upcoming(t, 0, 0, 10, 1, "w1")
		if got, err := c.s.GetWorkshop(c.ctx, "w2"); err != nil || !got.Unlisted {
			t.Fatalf("the unlisted workshop by its code: %+v, %v", got, err)
		}
		w2.Unlisted = false
		if _, err := c.s.UpdateWorkshop(c.ctx, w2); err != nil {
			t.Fatal(err)
		}
		c.upcoming(t, 0, 0, 10, 2, "w1", "w2")
	}},
	{"facilitated: newest start first, equal starts by code, every workshop for 0", func(t *testing.T, c *listCheck) {
		c.ws(t, "w-b", 2*day, 1)
		c.ws(t, "w-a", 2*day, 1, 2)
		c.ws(t, "w-c", day, 1)
		c.ws(t, "w-d", 3*day, 2)
		old := c.ws(t, "old", -day, 1)
		old.Cancelled = true
		if _, err := c.s.UpdateWorkshop(c.ctx, old); err != nil {
			t.Fatal(err)
		}
		c.facilitated(t, 1, "w-a", "w-b", "w-c", "old")
		c.facilitated(t, 2, "w-d", "w-a")
		c.facilitated(t, 3)
		c.facilitated(t, 0, "w-d", "w-a", "w-b", "w-c", "old")
	}},
	{"an edit does not change who lists a workshop (the team does: RunTeamsContract)", func(t *testing.T, c *listCheck) {
		w := c.ws(t, "w1", day, 1, 2)
		w.Facilitators = []int64{2, 3}
		if _, err := c.s.UpdateWorkshop(c.ctx, w); err != nil {
			t.Fatal(err)
		}
		c.facilitated(t, 1, "w1")
		c.facilitated(t, 2, "w1")
		c.facilitated(t, 3)
	}},
}

// RunListingsContract runs the workshop listings contract against stores
// open makes, a fresh one per case.
func RunListingsContract(t *testing.T, open func(t *testing.T) flows.Workshops) {
	for _, tc := range listCases {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, &listCheck{ctx: context.Background(), s: open(t)})
		})
	}
}
