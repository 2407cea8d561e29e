package webapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// trendOf is the overview's trend as uid sees it, one line per month:
// "YYYY-MM reg/att created due overdue status=n…", and the months' labels.
func trendOf(t *testing.T, f *fixture, uid int64) ([]string, []string) {
	t.Helper()
	rec := f.do(t, "GET", "/app/api/overview", uid, "")
	if rec.Code != 200 {
		t.Fatalf("%d: %d %s", uid, rec.Code, rec.Body)
	}
	var out struct {
		Trend []struct {
			Month, Label            string
			Registrations, Attended int
			Created                 int `json:"commitments_created"`
			Due                     int `json:"commitments_due"`
			Overdue                 int
			ByStatus                map[string]int `json:"by_status"`
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	var lines, labels []string
	for _, m := range out.Trend {
		st := ""
		for _, k := range slices.Sorted(maps.Keys(m.ByStatus)) {
			st += fmt.Sprintf(" %s=%d", k, m.ByStatus[k])
		}
		lines = append(lines, fmt.Sprintf("%s %d/%d %d %d %d%s", m.Month, m.Registrations, m.Attended, m.Created, m.Due, m.Overdue, st))
		labels = append(labels, m.Label)
	}
	return lines, labels
}

// months are the trend's 12 lines for the fixture's now (2026-11-23), all
// zero but those given.
func months(set map[string]string) []string {
	var out []string
	for m := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC); m.Before(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		k := m.Format("2006-01")
		if v, ok := set[k]; ok {
			out = append(out, k+" "+v)
		} else {
			out = append(out, k+" 0/0 0 0 0")
		}
	}
	return out
}

// The overview's trend: the registrations standing and the check-ins of
// the workshops that start in each month (in the workshop's zone, cancelled
// ones left out), the commitments by month written down and by due month
// and status with the overdue ones, over the last 12 months, in each role's
// scope, read from the store on every call.
func TestAPIOverviewTrend(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		must(err)
		return v
	}
	// Chapter B's workshops held in the window, in Asia/Makassar: one on 1
	// September local time (31 August UTC) with 2 and 3 registered, 2
	// checked in, and 4 who left; one on 15 October, cancelled, with 2
	// registered; one before the window with 3 registered. The fixture's two
	// start next month, after the window.
	other, err := f.h.Store.GetWorkshop(ctx, f.other)
	must(err)
	held := func(code, start string, regs ...int64) {
		t.Helper()
		w := *other
		w.Code, w.Start = code, at(start)
		w.End, w.Deadline, w.Created = w.Start.Add(3*time.Hour), w.Start, w.Start.Add(-60*24*time.Hour)
		must(f.h.Store.CreateWorkshop(ctx, &w))
		for _, id := range regs {
			_, err := f.h.Store.Register(ctx, &flows.Registration{Workshop: code, UserID: id, RegisteredAt: w.Created, Token: flows.NewToken(), Lang: "id"}, w.Created)
			must(err)
		}
	}
	held("SEPT01", "2026-08-31T17:00:00Z", 2, 3, 4)
	_, err = f.h.Store.CancelRegistration(ctx, "SEPT01", 4, at("2026-08-01T00:00:00Z"))
	must(err)
	_, err = f.h.Store.CheckIn(ctx, "SEPT01", 2, at("2026-08-31T17:30:00Z"))
	must(err)
	held("OCTCAN", "2026-10-15T02:00:00Z", 2)
	cancelled, err := f.h.Store.GetWorkshop(ctx, "OCTCAN")
	must(err)
	cancelled.Cancelled = true
	_, err = f.h.Store.UpdateWorkshopAt(ctx, cancelled, at("2026-09-01T00:00:00Z"))
	must(err)
	held("OLD001", "2025-11-20T02:00:00Z", 3)
	for _, c := range []struct {
		id, status, due, created string
	}{
		{"c2", flows.CmDone, "2026-06-10T01:00:00Z", "2026-05-01T01:00:00Z"},
		{"c3", flows.CmOpen, "2026-06-20T01:00:00Z", "2026-05-31T17:00:00Z"},     // overdue; written on 1 June local time
		{"c4", flows.CmOnTrack, "2026-12-10T01:00:00Z", "2026-11-02T01:00:00Z"},  // due after the window
		{"c5", flows.CmOnTrack, "2025-11-30T01:00:00Z", "2025-11-01T01:00:00Z"},  // all before it
		{"c6", flows.CmProposed, "2026-10-31T16:30:00Z", "2026-09-30T16:30:00Z"}, // 1 November, written 1 October local time: overdue
		{"c7", flows.CmDone, "2026-11-20T01:00:00Z", "2026-10-01T01:00:00Z"},     // done: not overdue
	} {
		must(f.h.Store.SaveCommitment(ctx, &flows.Commitment{ID: c.id, Workshop: f.other, What: "Rencana " + c.id, Owner: 2, By: 2,
			Due: at(c.due), Status: c.status, Created: at(c.created)}))
	}
	// The fixture's workshop (chapter A): c1 blocked, due yesterday,
	// written two days ago.
	mine := months(map[string]string{"2026-11": "0/0 1 1 1 blocked=1"})
	others := months(map[string]string{"2026-05": "0/0 1 0 0", "2026-06": "0/0 1 2 1 done=1 open=1", "2026-09": "2/1 0 0 0",
		"2026-10": "0/0 2 0 0", "2026-11": "0/0 1 2 1 done=1 proposed=1"})
	all := months(map[string]string{"2026-05": "0/0 1 0 0", "2026-06": "0/0 1 2 1 done=1 open=1", "2026-09": "2/1 0 0 0",
		"2026-10": "0/0 2 0 0", "2026-11": "0/0 2 3 2 blocked=1 done=1 proposed=1"})
	for _, c := range []struct {
		who  int64
		want []string
	}{
		{flowstest.AdminID, all},
		{actChapterA, mine},
		{actOwnFac, mine},
		{actChapterB, others},
		{actOtherFac, others},
	} {
		got, labels := trendOf(t, f, c.who)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%d: trend\n%s\nwant\n%s", c.who, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
		if labels[0] != "December 2025" || labels[11] != "November 2026" {
			t.Errorf("%d: labels %q", c.who, labels)
		}
	}
	// No cache: a check-in and a commitment done show at once.
	_, err = f.h.Store.CheckIn(ctx, "SEPT01", 3, at("2026-08-31T17:40:00Z"))
	must(err)
	c6, err := f.h.Store.GetCommitment(ctx, f.other, "c6")
	must(err)
	c6.Status = flows.CmDone
	must(f.h.Store.SaveCommitment(ctx, c6))
	got, _ := trendOf(t, f, actOtherFac)
	if want := months(map[string]string{"2026-05": "0/0 1 0 0", "2026-06": "0/0 1 2 1 done=1 open=1", "2026-09": "2/2 0 0 0",
		"2026-10": "0/0 2 0 0", "2026-11": "0/0 1 2 0 done=2"}); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after a check-in: %q", got)
	}
}
