package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
)

// A claimed job of an unknown kind is parked with its due time: it leaves
// the lease (no claim takes it again), and a build that knows its kind gets
// it back at its original due time. Scheduling or unscheduling the id
// clears the parked copy.
func TestParkAndUnparkJobs(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	due := t0.Add(-time.Hour)
	if err := s.Schedule(ctx, flows.Job{ID: "old|a|1", Due: due}, flows.Job{ID: "old|b|2", Due: due}, flows.Job{ID: "other|c", Due: due}); err != nil {
		t.Fatal(err)
	}
	jobs, _, err := s.ClaimDue(ctx, "me", t0, 10, time.Minute)
	if err != nil || len(jobs) != 3 {
		t.Fatalf("claimed %v, %v", jobIDs(jobs), err)
	}
	for _, j := range jobs {
		if err := s.BeginJob(ctx, "me", j.ID, t0, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := s.ParkJob(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	// Not claimed again, even once the lease would have run out.
	if again, dropped, err := s.ClaimDue(ctx, "me", t0.Add(time.Hour), 10, time.Minute); err != nil || len(again) != 0 || len(dropped) != 0 {
		t.Fatalf("claimed again %v, dropped %v, %v", jobIDs(again), dropped, err)
	}
	parked, err := s.ParkedJobs(ctx, 10)
	if err != nil || len(parked) != 3 || !parked[0].Due.Equal(due) {
		t.Fatalf("parked %v, %v", parked, err)
	}
	if n, _ := s.PendingJobs(ctx); n != 0 {
		t.Fatalf("pending %d", n)
	}
	// "other|c" is scheduled anew meanwhile: its new time wins.
	if err := s.Schedule(ctx, flows.Job{ID: "other|c", Due: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Unschedule(ctx, "old|b|2"); err != nil {
		t.Fatal(err)
	}
	if parked, _ := s.ParkedJobs(ctx, 10); len(parked) != 1 || parked[0].ID != "old|a|1" {
		t.Fatalf("parked %v, want only old|a|1", parked)
	}
	// A build that does not know "old" leaves it parked.
	if n, err := s.UnparkJobs(ctx, func(id string) bool { return strings.HasPrefix(id, "other|") }); n != 0 || err != nil {
		t.Fatalf("unparked %d, %v", n, err)
	}
	// One that knows it gets it back, due when it was.
	if n, err := s.UnparkJobs(ctx, func(string) bool { return true }); n != 1 || err != nil {
		t.Fatalf("unparked %d, %v", n, err)
	}
	if at, ok, err := s.JobDue(ctx, "old|a|1"); !ok || !at.Equal(due) || err != nil {
		t.Fatalf("due %v %v %v, want %v", at, ok, err, due)
	}
	if parked, _ := s.ParkedJobs(ctx, 10); len(parked) != 0 {
		t.Fatalf("still parked %v", parked)
	}
}
