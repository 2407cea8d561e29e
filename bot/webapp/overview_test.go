package webapp_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sinergi/bot/chart"
	"sinergi/bot/webapp"
	"sinergi/flows"
	"sinergi/flows/flowstest"
	"sinergi/locales"
	"sinergi/store"
	"sinergi/store/redistest"
	"sinergi/store/seed"
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

// TestAPIOverviewSeededForum: on a small forum of store/seed in a real
// redis-server, every number of the admin's overview agrees with a scan of
// the data — the commitments by status and by due month, the overdue and
// blocked commitments (the first 50 by due date, with their totals and the
// note saying so) and each month of the trend (registrations standing and
// check-ins of the workshops starting in it, read through Registrations;
// commitments written down, due, by status and overdue).
func TestAPIOverviewSeededForum(t *testing.T) {
	cfg := seed.Config{Seed: 7, Members: 400, Workshops: 24, Big: 1, BigRegs: 90, Commitments: 600, Now: seed.National(1).Now}
	r := redistest.New(t)
	st := store.New(r.Client, store.Options{Prefix: r.Prefix})
	f := seed.Generate(cfg)
	ctx := context.Background()
	if err := seed.Write(ctx, st, f, 4, nil); err != nil {
		t.Fatal(err)
	}
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	admin := f.Users[0]
	e := flows.New(flows.Config{BotUsername: "test_bot", DefaultLang: "id", Admins: []int64{admin.ID}}, st, texts)
	srv := webapp.New(webapp.Config{Token: token, Store: st, Texts: texts, Engine: func() *flows.Engine { return e },
		Clock: func() time.Time { return cfg.Now }, Chart: chart.PNG, DefaultLang: "id", Log: slog.New(slog.DiscardHandler)}).Handler()
	req := httptest.NewRequest(http.MethodGet, "/app/api/overview", nil)
	req.Header.Set("Authorization", "tma "+webapp.SignedInitData(webapp.TelegramUser{ID: admin.ID, FirstName: "Admin"}, cfg.Now, token))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("%d: %s", rec.Code, rec.Body)
	}
	type row struct {
		ID       string `json:"id"`
		Workshop string `json:"workshop"`
	}
	var out struct {
		Commitments struct {
			ByStatus []struct {
				Key   string
				Count int
			} `json:"by_status"`
			ByMonth []struct {
				Month    string
				ByStatus map[string]int `json:"by_status"`
			} `json:"by_month"`
			Overdue      []row
			Blocked      []row
			OverdueTotal int    `json:"overdue_total"`
			BlockedTotal int    `json:"blocked_total"`
			OverdueNote  string `json:"overdue_note"`
			BlockedNote  string `json:"blocked_note"`
		}
		Trend []struct {
			Month                   string
			Registrations, Attended int
			Created                 int            `json:"commitments_created"`
			Due                     int            `json:"commitments_due"`
			ByStatus                map[string]int `json:"by_status"`
			Overdue                 int
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}

	// The scan.
	ws := map[string]*flows.Workshop{}
	for _, w := range f.Workshops {
		ws[w.Code] = w
	}
	month := func(code string, at time.Time) string { return at.In(flows.LoadZone(ws[code].Zone)).Format("2006-01") }
	byStatus, byMonth := map[string]int{}, map[string]map[string]int{}
	trend := map[string]string{}
	type counts struct{ reg, att, created, due, overdue int }
	tr := map[string]*counts{}
	at := func(m string) *counts {
		if tr[m] == nil {
			tr[m] = &counts{}
		}
		return tr[m]
	}
	var overdue, blocked []*flows.Commitment
	for _, c := range f.Commitments {
		byStatus[c.Status]++
		m := month(c.Workshop, c.Due)
		if byMonth[m] == nil {
			byMonth[m] = map[string]int{}
		}
		byMonth[m][c.Status]++
		at(month(c.Workshop, c.Created)).created++
		at(m).due++
		if c.Status != flows.CmDone && c.Due.Before(cfg.Now) {
			overdue = append(overdue, c)
			at(m).overdue++
		}
		if c.Status == flows.CmBlocked {
			blocked = append(blocked, c)
		}
	}
	for _, w := range f.Workshops {
		if w.Cancelled {
			continue
		}
		regs, err := st.Registrations(ctx, w.Code)
		if err != nil {
			t.Fatal(err)
		}
		m := at(month(w.Code, w.Start))
		for _, r := range regs {
			switch r.Status {
			case flows.RegConfirmed, flows.RegWaiting, flows.RegOffered, flows.RegPending:
				m.reg++
			}
			if !r.CheckedInAt.IsZero() {
				m.att++
			}
		}
	}
	for m, c := range tr {
		trend[m] = fmt.Sprintf("%d/%d %d %d %d %v", c.reg, c.att, c.created, c.due, c.overdue, byMonth[m])
	}

	gotStatus := map[string]int{}
	for _, s := range out.Commitments.ByStatus {
		gotStatus[s.Key] = s.Count
	}
	if fmt.Sprint(gotStatus) != fmt.Sprint(byStatus) {
		t.Errorf("by status %v, want %v", gotStatus, byStatus)
	}
	gotMonth := map[string]map[string]int{}
	for _, m := range out.Commitments.ByMonth {
		gotMonth[m.Month] = m.ByStatus
	}
	if fmt.Sprint(gotMonth) != fmt.Sprint(byMonth) {
		t.Errorf("by month %v, want %v", gotMonth, byMonth)
	}
	byDue := func(a, b *flows.Commitment) int {
		return cmp.Or(a.Due.Compare(b.Due), strings.Compare(a.Workshop, b.Workshop), strings.Compare(a.ID, b.ID))
	}
	for _, l := range []struct {
		name  string
		got   []row
		total int
		note  string
		all   []*flows.Commitment
	}{
		{"overdue", out.Commitments.Overdue, out.Commitments.OverdueTotal, out.Commitments.OverdueNote, overdue},
		{"blocked", out.Commitments.Blocked, out.Commitments.BlockedTotal, out.Commitments.BlockedNote, blocked},
	} {
		slices.SortFunc(l.all, byDue)
		var want, got []string
		for _, c := range l.all[:min(50, len(l.all))] {
			want = append(want, c.Workshop+"/"+c.ID)
		}
		for _, c := range l.got {
			got = append(got, c.Workshop+"/"+c.ID)
		}
		if !slices.Equal(got, want) || l.total != len(l.all) {
			t.Errorf("%s: %v of %d, want %v of %d", l.name, got, l.total, want, len(l.all))
		}
		wantNote := ""
		if len(l.all) > 50 {
			wantNote, _ = texts.Text(admin.Lang, "app.listed_of", map[string]any{"Shown": "50", "Count": strconv.Itoa(len(l.all))}, len(l.all))
		}
		if l.note != wantNote {
			t.Errorf("%s: note %q, want %q", l.name, l.note, wantNote)
		}
	}
	if len(overdue) <= 50 {
		t.Errorf("only %d overdue: the seed no longer tests a list cut short", len(overdue))
	}
	inWindow := 0
	for _, m := range out.Trend {
		got := fmt.Sprintf("%d/%d %d %d %d %v", m.Registrations, m.Attended, m.Created, m.Due, m.Overdue, m.ByStatus)
		want := cmp.Or(trend[m.Month], "0/0 0 0 0 map[]")
		if got != want {
			t.Errorf("trend %s: %s, want %s", m.Month, got, want)
		}
		if m.Registrations > 0 {
			inWindow++
		}
	}
	if inWindow < 3 {
		t.Errorf("registrations in %d months of the trend: the seed no longer tests the trend", inWindow)
	}
}
