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

// The overview's trend: registrations and check-ins per month by when they
// happened (in the workshop's zone), commitments by due month and status
// with the overdue ones, over the last 12 months, in each role's scope, read
// from the store on every call.
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
	// The other workshop (chapter B, Asia/Makassar, no approval): 2
	// registered in September and checked in on 1 November local time (31
	// October UTC); 3 registered before the window.
	for id, when := range map[int64]string{2: "2026-09-15T03:00:00Z", 3: "2025-10-01T03:00:00Z"} {
		_, err := f.h.Store.Register(ctx, &flows.Registration{Workshop: f.other, UserID: id, RegisteredAt: at(when), Token: flows.NewToken(), Lang: "id"}, at(when))
		must(err)
	}
	_, err := f.h.Store.CheckIn(ctx, f.other, 2, at("2026-10-31T17:00:00Z"))
	must(err)
	for _, c := range []struct {
		id, status, due, created string
	}{
		{"c2", flows.CmDone, "2026-06-10T01:00:00Z", "2026-05-01T01:00:00Z"},
		{"c3", flows.CmOpen, "2026-06-20T01:00:00Z", "2026-05-31T17:00:00Z"},    // overdue; written on 1 June local time
		{"c4", flows.CmOnTrack, "2026-12-10T01:00:00Z", "2026-11-02T01:00:00Z"}, // due after the window
		{"c5", flows.CmOnTrack, "2025-11-30T01:00:00Z", "2025-11-01T01:00:00Z"}, // all before it
	} {
		must(f.h.Store.SaveCommitment(ctx, &flows.Commitment{ID: c.id, Workshop: f.other, What: "Rencana " + c.id, Owner: 2, By: 2,
			Due: at(c.due), Status: c.status, Created: at(c.created)}))
	}
	// The fixture's workshop (chapter A): 2, 3, 4, 11 registered now, 2
	// checked in now; c1 blocked, due yesterday.
	mine := months(map[string]string{"2026-11": "4/1 1 1 1 blocked=1"})
	others := months(map[string]string{"2026-05": "0/0 1 0 0", "2026-06": "0/0 1 2 1 done=1 open=1", "2026-09": "1/0 0 0 0", "2026-11": "0/1 1 0 0"})
	all := months(map[string]string{"2026-05": "0/0 1 0 0", "2026-06": "0/0 1 2 1 done=1 open=1", "2026-09": "1/0 0 0 0", "2026-11": "4/2 2 1 1 blocked=1"})
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
	// No cache: a check-in now shows at once.
	_, err = f.h.Store.CheckIn(ctx, f.code, 3, f.h.Now)
	must(err)
	got, _ := trendOf(t, f, actOwnFac)
	if want := months(map[string]string{"2026-11": "4/2 1 1 1 blocked=1"}); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after a check-in: %q", got)
	}
}
