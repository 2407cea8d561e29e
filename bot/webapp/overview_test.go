package webapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// TestAPIOverviewOwnerNames: the overview's lists name each commitment's
// owner as flows.NameOf does — from a profile in the caller's scope, from
// a profile outside it (read for the list alone) and, without a profile,
// the user's first name — and render the due date in the workshop's zone.
func TestAPIOverviewOwnerNames(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.h.Store.SaveUser(ctx, &flows.User{ID: 99, Lang: "id", FirstName: "Tanpa"}); err != nil {
		t.Fatal(err)
	}
	// 20:00 UTC three days ago: the next day in the workshop's zone (WITA).
	d := f.h.Now.UTC().AddDate(0, 0, -3)
	due := time.Date(d.Year(), d.Month(), d.Day(), 20, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		id    string
		owner int64
	}{{"c2", 4}, {"c3", 99}} {
		if err := f.h.Store.SaveCommitment(ctx, &flows.Commitment{ID: c.id, Workshop: f.code, What: "Janji " + c.id, Owner: c.owner, By: c.owner,
			Due: due, Status: flows.CmBlocked, Created: f.h.Now.Add(-96 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{"c1": "Peserta 2/Org 2", "c2": "Peserta 4/Org 4", "c3": "Tanpa/"}
	for _, who := range []int64{actChapterA, flowstest.AdminID} {
		rec := f.do(t, "GET", "/app/api/overview", who, "")
		var out struct {
			Commitments struct {
				Blocked []struct {
					ID, Owner, Organisation string
					DueText                 string `json:"due_text"`
				} `json:"blocked"`
			} `json:"commitments"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%d: %v", rec.Code, err)
		}
		got := map[string]string{}
		for _, c := range out.Commitments.Blocked {
			got[c.ID] = c.Owner + "/" + c.Organisation
			if c.ID != "c1" {
				if w := (flows.When{At: due, Zone: "Asia/Makassar", DateOnly: true}).Render(f.h.Texts, "en"); c.DueText != w {
					t.Errorf("%d: %s due %q, want %q", who, c.ID, c.DueText, w)
				}
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%d: blocked owners %v, want %v", who, got, want)
		}
	}
}
