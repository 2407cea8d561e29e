package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
)

// JobsScheduled: a job is scheduled while due and while claimed, not once
// done, and an unknown one never.
func TestJobsScheduled(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if err := s.Schedule(ctx, flows.Job{ID: "wox|abc|1", Due: t0}, flows.Job{ID: "wox|abc|2", Due: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	check := func(want ...bool) {
		t.Helper()
		got, err := s.JobsScheduled(ctx, "wox|abc|1", "wox|abc|2", "wox|abc|3")
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("JobsScheduled = %v, %v; want %v", got, err, want)
		}
	}
	check(true, true, false)
	jobs, _, err := s.ClaimDue(ctx, "owner", t0, 10, time.Minute)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claimed %v, %v", jobs, err)
	}
	check(true, true, false) // claimed, not done
	if err := s.JobDone(ctx, "wox|abc|1"); err != nil {
		t.Fatal(err)
	}
	check(false, true, false)
}
