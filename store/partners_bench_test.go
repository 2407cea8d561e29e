package store_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/store"
	"sinergi/store/redistest"
)

// BenchmarkSuggest10k measures one /matches: the suggestions for one
// profile with 10,000 profiles stored (each with 1–3 themes, 1–3 provinces,
// 0–3 offers and 1–3 needs), as the flow asks for them (50 best) and ranks
// them with their reasons.
func BenchmarkSuggest10k(b *testing.B) { benchmarkSuggest(b, 10_000) }

// BenchmarkSuggest100k is one organisation's suggestions among 100,000
// profiles (the national scale; target p99 < 20 ms). With -short (the
// test command runs every benchmark once that way, so none rots) it seeds
// 2,000.
func BenchmarkSuggest100k(b *testing.B) {
	n := 100_000
	if testing.Short() {
		n = 2_000
	}
	benchmarkSuggest(b, n)
}

func benchmarkSuggest(b *testing.B, n int) {
	ctx := context.Background()
	r := redistest.New(b)
	s := store.New(r.Unguarded(b), store.Options{Prefix: r.Prefix})
	rng := rand.New(rand.NewPCG(7, 7))
	profiles := make([]*flows.PartnerProfile, n)
	for i := range profiles {
		profiles[i] = randomPartner(rng, int64(i+1))
	}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 16 {
				// An organisation profile is shown only when its owner
				// consented (a user record with the consent version).
				if err := s.SaveUser(ctx, &flows.User{ID: profiles[i].UserID, Lang: "id", Consent: flows.ConsentVersion}); err != nil {
					b.Error(err)
					return
				}
				if err := s.SavePartner(ctx, profiles[i]); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	viewers := profiles[:100]
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	var took []time.Duration
	for b.Loop() {
		me := viewers[i%len(viewers)]
		i++
		began := time.Now()
		got, err := s.SuggestPartners(ctx, flows.MatchQuery{Me: me, Limit: 50})
		if err != nil {
			b.Fatal(err)
		}
		ranked := flows.Rank(me, got, flows.MatchFilter{})
		took = append(took, time.Since(began))
		if len(ranked) != len(got) || len(got) == 0 {
			b.Fatalf("%d ranked of %d", len(ranked), len(got))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/suggestion")
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}
