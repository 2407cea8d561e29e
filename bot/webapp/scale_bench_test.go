package webapp_test

import (
	"cmp"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"sinergi/bot/chart"
	"sinergi/bot/webapp"
	"sinergi/flows"
	"sinergi/locales"
	"sinergi/store"
	"sinergi/store/redistest"
	"sinergi/store/seed"
)

// BenchmarkDashboardOverview100k is the admin's Mini App overview (the
// whole forum: members by sector and province, every workshop's counts,
// the commitments, the 12-month trend) on the national forum of
// store/seed — 100,000 members, 1,000 workshops, 108,991 registrations,
// 200,000 commitments — against a real redis-server, timed through the
// HTTP handler with validly signed launch data (#22, target < 200 ms).
// With -short (the test command runs every benchmark once that way) the
// forum is small, as store's national benchmarks.
func BenchmarkDashboardOverview100k(b *testing.B) {
	f, srv, auth := nationalDashboard(b)
	byCode := map[string]*flows.Workshop{}
	for _, w := range f.Workshops {
		byCode[w.Code] = w
	}
	var took []time.Duration
	size, overdue, overdueTotal := 0, 0, 0
	b.ResetTimer()
	for b.Loop() {
		began := time.Now()
		req := httptest.NewRequest(http.MethodGet, "/app/api/overview", nil)
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		took = append(took, time.Since(began))
		b.StopTimer()
		if rec.Code != http.StatusOK {
			b.Fatalf("%d: %s", rec.Code, rec.Body.String())
		}
		var out struct {
			Members     int `json:"members"`
			Commitments struct {
				Overdue      []json.RawMessage `json:"overdue"`
				OverdueTotal int               `json:"overdue_total"`
			} `json:"commitments"`
			Workshops []struct {
				Code      string       `json:"code"`
				Cancelled bool         `json:"cancelled"`
				Counts    flows.Counts `json:"counts"`
			} `json:"workshops"`
			Trend []struct {
				Month         string `json:"month"`
				Registrations int    `json:"registrations"`
				Created       int    `json:"commitments_created"`
			} `json:"trend"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			b.Fatal(err)
		}
		size, overdue, overdueTotal = rec.Body.Len(), len(out.Commitments.Overdue), out.Commitments.OverdueTotal
		inTrend, created, months := 0, 0, map[string]bool{}
		for _, m := range out.Trend {
			inTrend += m.Registrations
			created += m.Created
			months[m.Month] = true
		}
		// The trend's registrations are those standing of the workshops
		// starting in its months; every commitment of the seeded forum was
		// written down in the 12 months before its "today".
		standing := 0
		for _, w := range out.Workshops {
			x := byCode[w.Code]
			if !w.Cancelled && months[x.Start.In(flows.LoadZone(x.Zone)).Format("2006-01")] {
				standing += w.Counts.Confirmed + w.Counts.Waiting + w.Counts.Pending + w.Counts.Offered
			}
		}
		if out.Members != len(f.Profiles) || len(out.Workshops) != len(f.Workshops) || inTrend != standing || inTrend == 0 ||
			created != len(f.Commitments) || out.Commitments.OverdueTotal < len(out.Commitments.Overdue) {
			b.Fatalf("%d members, %d workshops, %d registrations and %d commitments in the trend; want %d, %d, %d, %d",
				out.Members, len(out.Workshops), inTrend, created, len(f.Profiles), len(f.Workshops), standing, len(f.Commitments))
		}
		b.StartTimer()
	}
	slices.Sort(took)
	var sum time.Duration
	for _, d := range took {
		sum += d
	}
	b.ReportMetric(float64(sum.Microseconds())/1000/float64(len(took)), "ms/overview")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(size)/1e6, "MB/answer")
	b.ReportMetric(float64(overdue), "overdue-listed")
	b.ReportMetric(float64(overdueTotal), "overdue-total")
}

// BenchmarkDashboardCommitments100k is the admin's Commitments tab on the
// same national forum: the first page unfiltered (the tallies, one merge
// of the workshops' due dates, the page's owners), a page further on (its
// cursor from the pages before), and the first page filtered by
// organisation (every commitment of the forum and every owner's profile,
// each in one batch). Target < 200 ms for the first page.
func BenchmarkDashboardCommitments100k(b *testing.B) {
	f, srv, auth := nationalDashboard(b)
	type page struct {
		Commitments []struct{ ID, Workshop string }
		Total       int
		More        bool
		Next        string
	}
	get := func(b *testing.B, qs string) (page, int) {
		req := httptest.NewRequest(http.MethodGet, "/app/api/commitments?"+qs, nil)
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", qs, rec.Code, rec.Body)
		}
		var p page
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
			b.Fatal(err)
		}
		return p, rec.Body.Len()
	}
	all := slices.Clone(f.Commitments)
	slices.SortFunc(all, func(a, b *flows.Commitment) int {
		return cmp.Or(a.Due.Compare(b.Due), strings.Compare(a.Workshop, b.Workshop), strings.Compare(a.ID, b.ID))
	})
	ids := func(cs []*flows.Commitment) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Workshop+"/"+c.ID)
		}
		return out
	}
	orgOf := map[int64]string{}
	for _, p := range f.Profiles {
		orgOf[p.UserID] = strings.ToLower(p.Organisation)
	}
	var ofOrg []*flows.Commitment
	for _, c := range all {
		if strings.Contains(orgOf[c.Owner], "organisasi 123") {
			ofOrg = append(ofOrg, c)
		}
	}
	// The cursor of the 21st page (1,000 commitments in).
	cursor := ""
	for range 20 {
		p, _ := get(b, "cursor="+url.QueryEscape(cursor))
		cursor = p.Next
	}
	for _, bc := range []struct {
		name, qs string
		want     []string
		total    int
	}{
		{"first-page", "", ids(all[:50]), len(all)},
		{"page-21", "cursor=" + url.QueryEscape(cursor), ids(all[1000:1050]), len(all)},
		{"org-filter", "org=organisasi+123", ids(ofOrg[:min(50, len(ofOrg))]), len(ofOrg)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var took []time.Duration
			size := 0
			for b.Loop() {
				began := time.Now()
				p, n := get(b, bc.qs)
				took = append(took, time.Since(began))
				b.StopTimer()
				var got []string
				for _, c := range p.Commitments {
					got = append(got, c.Workshop+"/"+c.ID)
				}
				if !slices.Equal(got, bc.want) || p.Total != bc.total || p.More != (bc.total > len(bc.want)) {
					b.Fatalf("%s: %v of %d, want %v of %d", bc.name, got, p.Total, bc.want, bc.total)
				}
				size = n
				b.StartTimer()
			}
			slices.Sort(took)
			var sum time.Duration
			for _, d := range took {
				sum += d
			}
			b.ReportMetric(float64(sum.Microseconds())/1000/float64(len(took)), "ms/page")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(size)/1e3, "kB/answer")
		})
	}
}

// nationalDashboard seeds the national forum of store/seed (small with
// -short, as store's national benchmarks) without organisation profiles,
// which the dashboard does not read, and returns the Mini App's handler
// with an admin's signed launch data.
func nationalDashboard(b *testing.B) (*seed.Forum, http.Handler, string) {
	b.Helper()
	cfg := seed.National(1)
	if testing.Short() {
		cfg = seed.Config{Seed: cfg.Seed, Members: 2_000, Partners: 0, Workshops: 40, Big: 1, BigRegs: 300, Commitments: 3_000, Now: cfg.Now}
	} else {
		cfg.Partners = 0
	}
	r := redistest.New(b)
	st := store.New(r.Unguarded(b), store.Options{Prefix: r.Prefix})
	f := seed.Generate(cfg)
	ctx := context.Background()
	began := time.Now()
	if err := seed.Write(ctx, st, f, 32, nil); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d members, %d workshops, %d commitments in %v", len(f.Users), len(f.Workshops), len(f.Commitments), time.Since(began))
	texts, err := locales.Load()
	if err != nil {
		b.Fatal(err)
	}
	admin := f.Users[0].ID
	e := flows.New(flows.Config{BotUsername: "bench_bot", DefaultLang: "id", Admins: []int64{admin}}, st, texts)
	srv := webapp.New(webapp.Config{Token: token, Store: st, Texts: texts, Engine: func() *flows.Engine { return e },
		Clock: func() time.Time { return cfg.Now }, Chart: chart.PNG, DefaultLang: "id", Log: slog.New(slog.DiscardHandler)}).Handler()
	auth := "tma " + webapp.SignedInitData(webapp.TelegramUser{ID: admin, FirstName: "Admin"}, cfg.Now, token)
	return f, srv, auth
}
