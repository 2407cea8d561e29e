package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/store"
	"sinergi/store/redistest"
)

// BenchmarkRegister measures concurrent registrations (script plus the
// token/index pipeline) for one big workshop.
func BenchmarkRegister(b *testing.B) {
	ctx := context.Background()
	r := redistest.New(b)
	s := store.New(r.Unguarded(b), store.Options{Prefix: r.Prefix})
	if err := s.CreateWorkshop(ctx, workshop("bench", 1_000_000_000)); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			uid := next.Add(1)
			if _, err := s.Register(ctx, reg("bench", uid), t0); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registrations/s")
}

func BenchmarkClaimDue100of100k(b *testing.B) { benchClaimDue(b, 100_000, 100) }
func BenchmarkClaimDue100of100(b *testing.B)  { benchClaimDue(b, 100, 100) }

// The follow-up case: 500 reminders due among 100,000 open commitments'.
func BenchmarkClaimDue500of100k(b *testing.B) { benchClaimDue(b, 100_000, 500) }
func BenchmarkClaimDue500of500(b *testing.B)  { benchClaimDue(b, 500, 500) }

// benchClaimDue claims n due jobs per iteration while future jobs wait in
// the same set; the claimed jobs are put back as due outside the timer.
func benchClaimDue(b *testing.B, future, n int) {
	ctx := context.Background()
	r := redistest.New(b)
	s := store.New(r.Unguarded(b), store.Options{Prefix: r.Prefix})
	const batch = 5000
	for i := 0; i < future; i += batch {
		jobs := make([]flows.Job, 0, batch)
		for k := i; k < min(i+batch, future); k++ {
			jobs = append(jobs, flows.Job{ID: fmt.Sprintf("future|%d", k), Due: t0.Add(time.Hour + time.Duration(k)*time.Millisecond)})
		}
		if err := s.Schedule(ctx, jobs...); err != nil {
			b.Fatal(err)
		}
	}
	due := make([]flows.Job, n)
	for i := range due {
		due[i] = flows.Job{ID: fmt.Sprintf("due|%d", i), Due: t0.Add(-time.Duration(i) * time.Second)}
	}
	if err := s.Schedule(ctx, due...); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		got, _, err := s.ClaimDue(ctx, "me", t0, n, time.Minute)
		if err != nil || len(got) != n {
			b.Fatalf("claimed %d: %v", len(got), err)
		}
		b.StopTimer()
		if err := s.Schedule(ctx, due...); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkSaveProfile measures a profile's save with its sector and
// province index entries (one MULTI on one server), each save moving a
// member of 10,000 to another sector and province.
func BenchmarkSaveProfile(b *testing.B) {
	ctx := context.Background()
	r := redistest.New(b)
	s := store.New(r.Unguarded(b), store.Options{Prefix: r.Prefix})
	sectors, provinces := flows.Sectors(), flows.Provinces()
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := next.Add(1)
			p := &flows.Profile{UserID: n % 10_000, FullName: "Member", Organisation: "Org",
				Sector: sectors[int(n)%len(sectors)], Province: provinces[int(n)%len(provinces)], Updated: t0}
			if err := s.SaveProfile(ctx, p); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
