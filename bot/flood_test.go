package bot

import (
	"testing"
	"time"
)

// An update is counted once (redelivered during an outage, replayed from
// the inbox), and a user's bucket time never goes back.
func TestFloodGuardCountsOnceAndNeverGoesBack(t *testing.T) {
	g := newFloodGuard(Flood{Burst: 2, Per: 100 * time.Second})
	t0 := time.Unix(1_000_000, 0)
	for i := range 10 { // one update delivered ten times, seconds apart
		if ok, _ := g.allow(1, 5, t0.Add(time.Duration(i)*time.Second)); !ok {
			t.Fatalf("delivery %d of one update refused", i+1)
		}
	}
	if ok, _ := g.allow(1, 6, t0); !ok {
		t.Fatal("the second update refused")
	}
	// Bucket time is now t0+9s: an update dated earlier counts at t0+9s
	// and finds the bucket empty (no refill from a date going back).
	if ok, warn := g.allow(1, 7, t0); ok || !warn {
		t.Fatalf("third update within the window: ok %v warn %v", ok, warn)
	}
	if ok, warn := g.allow(1, 8, t0.Add(9*time.Second)); ok || warn {
		t.Fatalf("fourth: ok %v warn %v, want refused without a second warning", ok, warn)
	}
	if ok, _ := g.allow(2, 9, t0); !ok {
		t.Fatal("another user refused")
	}
	if ok, _ := g.allow(1, 10, t0.Add(60*time.Second)); !ok {
		t.Fatal("refused after the refill")
	}
}
