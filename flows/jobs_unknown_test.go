package flows_test

import (
	"context"
	"errors"
	"testing"

	"sinergi/flows"
)

// A job of a kind this build does not know is an ErrUnknownJob (for the
// scheduler to keep), not a silent success that consumes it.
func TestRunJobUnknownKind(t *testing.T) {
	h := newHarness(t)
	replies, err := h.E.RunJob(context.Background(), flows.Job{ID: "zzz|whatever", Due: h.Now}, h.Now)
	if !errors.Is(err, flows.ErrUnknownJob) || len(replies) != 0 {
		t.Fatalf("replies %v, err %v; want ErrUnknownJob", replies, err)
	}
	if h.E.KnowsJob("zzz|whatever") || !h.E.KnowsJob(flows.JobSoon+"|abc|1") {
		t.Fatal("KnowsJob wrong")
	}
}
