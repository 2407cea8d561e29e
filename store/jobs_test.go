package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/transport"
	"sinergi/store"
)

func jobIDs(js []flows.Job) []string {
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = j.ID
	}
	return out
}

func TestScheduleUnschedule(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if err := s.Schedule(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Schedule(ctx, flows.Job{ID: "remind|a|1", Due: t0}, flows.Job{ID: "remind|b|2", Due: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if due, ok, err := s.JobDue(ctx, "remind|a|1"); !ok || !due.Equal(t0) || err != nil {
		t.Fatalf("%v %v %v", due, ok, err)
	}
	// Upsert: same id, new time.
	if err := s.Schedule(ctx, flows.Job{ID: "remind|a|1", Due: t0.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if due, _, _ := s.JobDue(ctx, "remind|a|1"); !due.Equal(t0.Add(2 * time.Hour)) {
		t.Fatalf("moved to %v", due)
	}
	if n, _ := s.PendingJobs(ctx); n != 2 {
		t.Fatalf("pending %d", n)
	}
	if err := s.Unschedule(ctx, "remind|a|1", "unknown"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.JobDue(ctx, "remind|a|1"); ok {
		t.Fatal("unscheduled job still due")
	}
	if err := s.Unschedule(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.PendingJobs(ctx); n != 1 {
		t.Fatalf("pending %d", n)
	}
}

func TestClaimDue(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	var jobs []flows.Job
	for i := range 10 { // due at t0-9m … t0, then 5 in the future
		jobs = append(jobs, flows.Job{ID: fmt.Sprintf("j%02d", i), Due: t0.Add(time.Duration(i-9) * time.Minute)})
	}
	for i := range 5 {
		jobs = append(jobs, flows.Job{ID: fmt.Sprintf("later%d", i), Due: t0.Add(time.Duration(i+1) * time.Second)})
	}
	slices.Reverse(jobs)
	if err := s.Schedule(ctx, jobs...); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.ClaimDue(ctx, "me", t0, 4, time.Minute)
	if err != nil || !slices.Equal(jobIDs(got), []string{"j00", "j01", "j02", "j03"}) {
		t.Fatalf("%v %v", got, err)
	}
	if !got[0].Due.Equal(t0.Add(-9*time.Minute)) || !got[3].Due.Equal(t0.Add(-6*time.Minute)) {
		t.Fatalf("due times %v", got)
	}
	got, _, _ = s.ClaimDue(ctx, "me", t0, 100, time.Minute)
	if !slices.Equal(jobIDs(got), []string{"j04", "j05", "j06", "j07", "j08", "j09"}) {
		t.Fatalf("%v", jobIDs(got))
	}
	if got, _, _ := s.ClaimDue(ctx, "me", t0, 100, time.Minute); len(got) != 0 {
		t.Fatalf("claimed again: %v", jobIDs(got))
	}
	if got, _, _ := s.ClaimDue(ctx, "me", t0, 0, time.Minute); got != nil {
		t.Fatalf("max 0: %v", got)
	}
	if _, _, err := s.ClaimDue(ctx, "me", t0, 1, 0); err == nil {
		t.Fatal("zero lease accepted")
	}
	if n, _ := s.PendingJobs(ctx); n != 15 {
		t.Fatalf("pending %d (leased count until done)", n)
	}
	for _, id := range []string{"j00", "j01", "j02", "j03", "j04", "j05", "j06", "j07", "j08", "j09"} {
		if err := s.JobDone(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := s.PendingJobs(ctx); n != 5 {
		t.Fatalf("pending %d after done", n)
	}
	// Done jobs never come back, even after their lease would have expired.
	got, _, _ = s.ClaimDue(ctx, "me", t0.Add(time.Hour), 100, time.Minute)
	if !slices.Equal(jobIDs(got), []string{"later0", "later1", "later2", "later3", "later4"}) {
		t.Fatalf("%v", jobIDs(got))
	}
}

func TestLeaseExpiry(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	_ = s.Schedule(ctx, flows.Job{ID: "a", Due: t0}, flows.Job{ID: "b", Due: t0.Add(time.Second)})
	got, _, _ := s.ClaimDue(ctx, "me", t0, 1, time.Minute)
	if !slices.Equal(jobIDs(got), []string{"a"}) {
		t.Fatalf("%v", got)
	}
	if _, ok, _ := s.JobDue(ctx, "a"); ok {
		t.Fatal("claimed job still in the due set")
	}
	// While the lease runs, a is not handed out again.
	got, _, _ = s.ClaimDue(ctx, "me", t0.Add(30*time.Second), 10, time.Minute)
	if !slices.Equal(jobIDs(got), []string{"b"}) {
		t.Fatalf("%v", jobIDs(got))
	}
	// Its runner died: after the lease, a comes back (due then), b is done.
	_ = s.JobDone(ctx, "b")
	later := t0.Add(time.Minute)
	got, _, _ = s.ClaimDue(ctx, "me", later, 10, time.Minute)
	if len(got) != 1 || got[0].ID != "a" || !got[0].Due.Equal(later) {
		t.Fatalf("%v", got)
	}
	if n, _ := s.PendingJobs(ctx); n != 1 {
		t.Fatalf("pending %d", n)
	}
}

func TestRescheduleLeasedJob(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	_ = s.Schedule(ctx, flows.Job{ID: "weekly", Due: t0})
	if got, _, _ := s.ClaimDue(ctx, "me", t0, 1, time.Minute); len(got) != 1 {
		t.Fatalf("%v", got)
	}
	// The runner schedules the next run, then reports done.
	next := t0.Add(7 * 24 * time.Hour)
	_ = s.Schedule(ctx, flows.Job{ID: "weekly", Due: next})
	_ = s.JobDone(ctx, "weekly")
	if due, ok, _ := s.JobDue(ctx, "weekly"); !ok || !due.Equal(next) {
		t.Fatalf("%v %v", due, ok)
	}
	if n, _ := s.PendingJobs(ctx); n != 1 {
		t.Fatalf("pending %d", n)
	}
	// The old lease's expiry does not bring it back early.
	if got, _, _ := s.ClaimDue(ctx, "me", t0.Add(time.Hour), 10, time.Minute); len(got) != 0 {
		t.Fatalf("%v", got)
	}
	if got, _, _ := s.ClaimDue(ctx, "me", next, 10, time.Minute); len(got) != 1 || !got[0].Due.Equal(next) {
		t.Fatalf("%v", got)
	}
	// Unschedule also drops a claimed job.
	_ = s.Unschedule(ctx, "weekly")
	if n, _ := s.PendingJobs(ctx); n != 0 {
		t.Fatalf("pending %d", n)
	}
}

// TestConcurrentClaimers runs claimers on two Store values sharing one Redis:
// every job is handed out exactly once.
func TestConcurrentClaimers(t *testing.T) {
	ctx := context.Background()
	s1, r := newStore(t)
	s2 := store.New(r.Client, store.Options{Prefix: r.Prefix})
	const n = 2000
	jobs := make([]flows.Job, n)
	for i := range jobs {
		jobs[i] = flows.Job{ID: fmt.Sprintf("job|%d", i), Due: t0.Add(-time.Duration(i) * time.Millisecond)}
	}
	if err := s1.Schedule(ctx, jobs...); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for w := range 8 {
		st := s1
		if w%2 == 1 {
			st = s2
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n { // bounded, should claiming ever go wrong
				got, _, err := st.ClaimDue(ctx, "me", t0, 7, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, j := range got {
					seen[j.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("claimed %d distinct jobs, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("%s claimed %d times", id, c)
		}
	}
}

// A claimer dies mid-batch: after its lease, another takes over the jobs it
// had not begun; the one it was running is dropped (never run twice); the
// dead claimer can no longer begin anything.
func TestJobTakeover(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	_ = s.Schedule(ctx, flows.Job{ID: "a", Due: t0}, flows.Job{ID: "b", Due: t0}, flows.Job{ID: "c", Due: t0})
	got, _, err := s.ClaimDue(ctx, "A", t0, 10, time.Minute)
	if err != nil || len(got) != 3 {
		t.Fatalf("A claimed %v, %v", got, err)
	}
	if err := s.BeginJob(ctx, "A", "a", t0, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.JobDone(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.BeginJob(ctx, "A", "b", t0, time.Minute); err != nil {
		t.Fatal(err)
	}
	// B may not begin A's job.
	if err := s.BeginJob(ctx, "B", "c", t0, time.Minute); !errors.Is(err, transport.ErrJobLost) {
		t.Fatalf("B began A's job: %v", err)
	}
	// A dies. While the lease runs nothing is handed out …
	if got, _, _ := s.ClaimDue(ctx, "B", t0.Add(30*time.Second), 10, time.Minute); len(got) != 0 {
		t.Fatalf("handed out under a live lease: %v", got)
	}
	// … after it, B gets c (not begun); b (mid-run) is dropped.
	later := t0.Add(2 * time.Minute)
	got, dropped, err := s.ClaimDue(ctx, "B", later, 10, time.Minute)
	if err != nil || !slices.Equal(jobIDs(got), []string{"c"}) || !slices.Equal(dropped, []string{"b"}) {
		t.Fatalf("takeover: got %v dropped %v err %v", jobIDs(got), dropped, err)
	}
	if err := s.BeginJob(ctx, "A", "c", later, time.Minute); !errors.Is(err, transport.ErrJobLost) {
		t.Fatalf("dead claimer began a taken-over job: %v", err)
	}
	if err := s.BeginJob(ctx, "B", "c", later, time.Minute); err != nil {
		t.Fatal(err)
	}
	// A run that failed before sending is given back and runs again.
	if err := s.AbortJob(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	got, dropped, _ = s.ClaimDue(ctx, "C", later.Add(2*time.Minute), 10, time.Minute)
	if !slices.Equal(jobIDs(got), []string{"c"}) || len(dropped) != 0 {
		t.Fatalf("aborted job: got %v dropped %v", jobIDs(got), dropped)
	}
	if n, _ := s.PendingJobs(ctx); n != 1 {
		t.Fatalf("pending %d", n)
	}
}
