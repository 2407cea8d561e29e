package flows

import (
	"context"
	"errors"
	"testing"
)

// A job of a kind this build does not know is an ErrUnknownJob (for the
// scheduler to keep), not a silent success that consumes it.
func TestRunJobUnknownKind(t *testing.T) {
	h := newHarness(t)
	replies, err := h.e.RunJob(context.Background(), Job{ID: "zzz|whatever", Due: h.now}, h.now)
	if !errors.Is(err, ErrUnknownJob) || len(replies) != 0 {
		t.Fatalf("replies %v, err %v; want ErrUnknownJob", replies, err)
	}
	if h.e.KnowsJob("zzz|whatever") || !h.e.KnowsJob(jobSoon+"|abc|1") {
		t.Fatal("KnowsJob wrong")
	}
}
