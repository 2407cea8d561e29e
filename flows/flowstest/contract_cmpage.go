package flowstest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
)

// The page contract: CommitmentsByDue pages through the commitments a
// query selects by due date, then workshop code and id, whatever the page
// size, with the total and whether more follow; it follows overwrites and
// deletes.

// pageAll pages through q with limit, checking each page's total and more
// flag, and returns the ids listed.
func (c *tallyCheck) pageAll(t *testing.T, q flows.CommitmentQuery, limit int, total int) []string {
	t.Helper()
	q.Limit, q.After = limit, nil
	var out []string
	for range 1000 {
		p, err := c.s.CommitmentsByDue(c.ctx, q)
		if err != nil {
			t.Fatalf("CommitmentsByDue: %v", err)
		}
		if p.Total != total {
			t.Errorf("status %q limit %d after %+v: total %d, want %d", q.Status, limit, q.After, p.Total, total)
		}
		out = append(out, cmIDs(p.Commitments)...)
		if len(p.Commitments) > limit || (p.More && len(p.Commitments) < limit) {
			t.Fatalf("status %q limit %d: a page of %d, more %v", q.Status, limit, len(p.Commitments), p.More)
		}
		if limit == 0 {
			if len(p.Commitments) != 0 || p.More != (total > 0) {
				t.Errorf("limit 0: %d listed, more %v, with %d in all", len(p.Commitments), p.More, total)
			}
			return out
		}
		if !p.More {
			return out
		}
		last := p.Commitments[len(p.Commitments)-1]
		q.After = &flows.CommitmentCursor{Due: last.Due, Workshop: last.Workshop, ID: last.ID}
	}
	t.Fatal("no last page")
	return nil
}

var pageCases = []tallyCase{
	{"CommitmentsByDue pages by due date, code and id, for every filter and page size", func(t *testing.T, c *tallyCheck) {
		c.workshop(t, "w1", "Asia/Jakarta")
		c.workshop(t, "w2", "Asia/Jayapura")
		c.workshop(t, "w3", "")
		statuses := flows.ChartStatuses()
		type put struct {
			cm    *flows.Commitment
			alive bool
		}
		var puts []put
		// 45 commitments over 9 due instants (many ties, within and across
		// workshops), spread over October to December 2026.
		for i := range 45 {
			code := []string{"w1", "w2", "w3"}[i/3%3]
			due := on2026(time.Month(10+i%3), 1+i%9*3, 17, 0) // 17:00 UTC: the next day in Jayapura on the 30th/1st boundary
			id := fmt.Sprintf("c%02d", (i*17)%45)
			puts = append(puts, put{c.put(t, code, id, int64(i%4+1), statuses[i%len(statuses)], on2026(9, 1, 3, 0), due), true})
		}
		// An overwrite changes a status and a due date; a delete.
		moved := puts[3].cm
		moved.Status, moved.Due = flows.CmDone, on2026(12, 31, 23, 0)
		if err := c.s.SaveCommitment(c.ctx, moved); err != nil {
			t.Fatal(err)
		}
		if err := c.s.DeleteCommitment(c.ctx, puts[10].cm.Workshop, puts[10].cm.ID); err != nil {
			t.Fatal(err)
		}
		puts[10].alive = false
		now := on2026(11, 10, 17, 0)
		want := func(keep func(*flows.Commitment) bool) []string {
			var cs []*flows.Commitment
			for _, p := range puts {
				if p.alive && keep(p.cm) {
					cs = append(cs, p.cm)
				}
			}
			slices.SortFunc(cs, func(a, b *flows.Commitment) int {
				return cmp.Or(a.Due.Compare(b.Due), strings.Compare(a.Workshop, b.Workshop), strings.Compare(a.ID, b.ID))
			})
			return cmIDs(cs)
		}
		nov := func(code string) flows.DueWindow {
			loc := flows.LoadZone(map[string]string{"w1": "Asia/Jakarta", "w2": "Asia/Jayapura"}[code])
			return flows.DueWindow{Code: code, From: time.Date(2026, 11, 1, 0, 0, 0, 0, loc), To: time.Date(2026, 12, 1, 0, 0, 0, 0, loc)}
		}
		inNov := func(cm *flows.Commitment) bool {
			w := nov(cm.Workshop)
			return !cm.Due.Before(w.From) && cm.Due.Before(w.To)
		}
		type filter struct {
			status string
			month  bool
			codes  []string
		}
		filters := []filter{{"", false, nil}, {"overdue", false, nil}, {"", true, nil}, {"overdue", true, nil}, {"", false, []string{"w2"}},
			{flows.CmDone, true, []string{"w1", "w3"}}}
		for _, st := range statuses {
			filters = append(filters, filter{st, false, nil})
		}
		for _, f := range filters {
			codes := f.codes
			if codes == nil {
				codes = []string{"w1", "w2", "w3"}
			}
			q := flows.CommitmentQuery{Status: f.status, Now: now}
			for _, code := range append(slices.Clone(codes), "w9") { // w9: no commitments
				w := flows.DueWindow{Code: code}
				if f.month {
					w = nov(code)
				}
				q.Workshops = append(q.Workshops, w)
			}
			exp := want(func(cm *flows.Commitment) bool {
				return slices.Contains(codes, cm.Workshop) && (!f.month || inNov(cm)) &&
					(f.status == "" || (f.status == "overdue" && cm.Status != flows.CmDone && cm.Due.Before(now)) || cm.Status == f.status)
			})
			if len(exp) == 0 {
				t.Fatalf("filter %+v selects nothing: a weak case", f)
			}
			for _, limit := range []int{1, 2, 3, 5, 7, 50} {
				if got := c.pageAll(t, q, limit, len(exp)); !slices.Equal(got, exp) {
					t.Errorf("filter %+v, pages of %d:\n got %v\nwant %v", f, limit, got, exp)
				}
			}
			c.pageAll(t, q, 0, len(exp))
		}
		// A cursor at a commitment since deleted still pages on from its place.
		gone := puts[10].cm
		p, err := c.s.CommitmentsByDue(c.ctx, flows.CommitmentQuery{Workshops: []flows.DueWindow{{Code: "w1"}, {Code: "w2"}, {Code: "w3"}},
			After: &flows.CommitmentCursor{Due: gone.Due, Workshop: gone.Workshop, ID: gone.ID}, Limit: 100})
		all := want(func(*flows.Commitment) bool { return true })
		after := want(func(cm *flows.Commitment) bool {
			return cmp.Or(cm.Due.Compare(gone.Due), strings.Compare(cm.Workshop, gone.Workshop), strings.Compare(cm.ID, gone.ID)) > 0
		})
		if err != nil || !slices.Equal(cmIDs(p.Commitments), after) || p.More || p.Total != len(all) {
			t.Errorf("after a deleted one: %v of %d (more %v), %v; want %v of %d", cmIDs(p.Commitments), p.Total, p.More, err, after, len(all))
		}
		// CommitmentHeads: every commitment of the workshops asked, its
		// owner, due date (to the millisecond) and status; CommitmentsAt
		// reads those named, in their order, leaving out the deleted.
		heads, err := c.s.CommitmentHeads(c.ctx, []string{"w2", "w9", "w1"})
		var got []string
		for _, h := range heads {
			got = append(got, fmt.Sprintf("%s/%s %d %s %d", h.Workshop, h.ID, h.Owner, h.Status, h.Due.UnixMilli()))
		}
		var exp []string
		for _, p := range puts {
			if p.alive && p.cm.Workshop != "w3" {
				exp = append(exp, fmt.Sprintf("%s/%s %d %s %d", p.cm.Workshop, p.cm.ID, p.cm.Owner, p.cm.Status, p.cm.Due.UnixMilli()))
			}
		}
		slices.Sort(got)
		slices.Sort(exp)
		if err != nil || !slices.Equal(got, exp) {
			t.Errorf("CommitmentHeads(w2, w9, w1) = %v, %v;\nwant %v", got, err, exp)
		}
		named := []flows.CommitmentHead{{Workshop: puts[20].cm.Workshop, ID: puts[20].cm.ID}, {Workshop: gone.Workshop, ID: gone.ID},
			{Workshop: puts[3].cm.Workshop, ID: puts[3].cm.ID}}
		cs, err := c.s.CommitmentsAt(c.ctx, named)
		if err != nil || !slices.Equal(cmIDs(cs), cmIDs([]*flows.Commitment{puts[20].cm, puts[3].cm})) || cs[1].Status != flows.CmDone || cs[0].What != "do "+cs[0].ID {
			t.Errorf("CommitmentsAt = %v, %v; want %v, %v, the second done", cmIDs(cs), err, puts[20].cm.ID, puts[3].cm.ID)
		}
	}},
}
