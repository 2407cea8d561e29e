package webapp_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
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
	cfg := seed.National(1)
	if testing.Short() {
		cfg = seed.Config{Seed: cfg.Seed, Members: 2_000, Partners: 0, Workshops: 40, Big: 1, BigRegs: 300, Commitments: 3_000, Now: cfg.Now}
	} else {
		cfg.Partners = 0 // the overview reads no organisation profile
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
