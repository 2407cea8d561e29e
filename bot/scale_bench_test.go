package bot

import (
	"context"
	"fmt"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/locales"
	"sinergi/store"
	"sinergi/store/redistest"
)

// BenchmarkReport5k is a facilitator's progress report of a workshop with
// 5,000 commitments (#22, target < 1 s): the store read, the engine's
// tally and text, and the files the transport makes before the commit —
// the chart's PNG, the spreadsheet and the CSV. With -short (the test
// command runs every benchmark once that way) 500 commitments.
func BenchmarkReport5k(b *testing.B) {
	n := 5_000
	if testing.Short() {
		n = 500
	}
	r := redistest.New(b)
	st := store.New(r.Unguarded(b), store.Options{Prefix: r.Prefix})
	texts, err := locales.Load()
	if err != nil {
		b.Fatal(err)
	}
	e := flows.New(flows.Config{BotUsername: "bench_bot", DefaultLang: "en", Admins: []int64{1}}, st, texts, AllModules(st)...)
	rend := &renderer{texts: texts}
	ctx := context.Background()
	now := time.Now()
	w := &flows.Workshop{Code: "bench5k", Title: "Bench", Zone: "Asia/Jakarta", Start: now.Add(-30 * 24 * time.Hour),
		End: now.Add(-30*24*time.Hour + time.Hour), Venue: "x", Facilitators: []int64{1}}
	if err := st.CreateWorkshop(ctx, w); err != nil {
		b.Fatal(err)
	}
	statuses := []string{flows.CmOpen, flows.CmOnTrack, flows.CmBlocked, flows.CmDone}
	for i := range n / 5 { // 5 commitments per owner, 40 organisations
		uid := int64(1000 + i)
		if err := st.SaveProfile(ctx, &flows.Profile{UserID: uid, FullName: fmt.Sprint("Owner ", i), Organisation: fmt.Sprint("Org ", i%40)}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range n {
		uid := int64(1000 + i/5)
		c := &flows.Commitment{ID: fmt.Sprint("c", i), Workshop: w.Code, What: fmt.Sprint("Commitment number ", i), Owner: uid, By: uid,
			Due: now.AddDate(0, 0, i%60-30), Status: statuses[i%4], Created: w.End,
			History: []flows.StatusEntry{{At: w.End.Add(24 * time.Hour), Status: flows.CmOnTrack, By: uid, Note: "progress note"},
				{At: now.Add(-time.Hour), Status: statuses[i%4], By: uid}}}
		if err := st.SaveCommitment(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
	admin := &flows.User{ID: 1, Lang: "en", Role: flows.RoleAdmin}
	b.ResetTimer()
	for b.Loop() {
		in := flows.Input{ChatID: 1, UserID: 1, Private: true, Kind: flows.KindCallback, Callback: "followup.report:" + w.Code, MessageID: 5, Now: now}
		res, err := e.Handle(ctx, in, admin, nil)
		if err != nil {
			b.Fatal(err)
		}
		charts, files := 0, 0
		for _, rep := range res.Replies {
			if rep.Chart != nil {
				charts++
			}
			msgs, err := rend.prepareAll(1, "en", rep)
			if err != nil {
				b.Fatal(err)
			}
			for _, m := range msgs {
				if len(m.Data) > 0 {
					files++
				}
			}
		}
		if charts != 1 || files < 3 {
			b.Fatalf("%d replies: %d charts, %d files", len(res.Replies), charts, files)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/report")
}
