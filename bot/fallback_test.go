package bot

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"sinergi/flows/transport"
)

// downBudget is a shared budget whose Redis answered once (three replicas
// were sending) and is unreachable after that.
type downBudget struct {
	calls atomic.Int32
}

var errDown = errors.New("dial tcp: connection refused")

func (d *downBudget) GlobalBucket(float64, int) transport.Bucket { return transport.Bucket{} }
func (d *downBudget) ChatBucket(int64, time.Duration, int) transport.Bucket {
	return transport.Bucket{}
}
func (d *downBudget) Reserve(context.Context, time.Duration, ...transport.Bucket) (time.Duration, bool, error) {
	if d.calls.Add(1) == 1 {
		return 0, true, nil
	}
	return 0, false, errDown
}
func (d *downBudget) Pause(context.Context, time.Duration, ...transport.Bucket) error { return errDown }
func (d *downBudget) Heartbeat(context.Context, string, time.Duration) (int, error) {
	return 3, nil
}

type nopTelemetry struct{ fallbacks atomic.Int32 }

func (*nopTelemetry) Sent(string)               {}
func (*nopTelemetry) TelegramError(string, int) {}
func (n *nopTelemetry) BudgetFallback()         { n.fallbacks.Add(1) }
func (n *nopTelemetry) LateSlot()               {}

// While the shared budget is unreachable, a replica paces its immediate
// notices at its share of the bot's rate (three replicas seen: 0.8 × 30/3
// = 8/s); replies wait for Redis (for a while), bulk sends wait for it.
func TestFallbackPacesAtReplicaShare(t *testing.T) {
	tel := &nopTelemetry{}
	lim := DefaultLimits()
	lim.Global, lim.PerChat = 30, 0
	s := NewSender(nil, lim, tel)
	defer s.Close()
	s.Share(&downBudget{}, "r1")
	ctx := context.Background()
	if err := s.acquire(ctx, 1, Interactive); err != nil { // Redis answers: heartbeat sees 3
		t.Fatal(err)
	}
	start := time.Now()
	const n = 17
	for i := range n {
		if err := s.acquire(ctx, int64(100+i), Immediate); err != nil {
			t.Fatal(err)
		}
	}
	rate := float64(n-1) / time.Since(start).Seconds()
	if rate > 9 || rate < 6 {
		t.Errorf("fallback rate %.1f/s, want about 8/s (0.8 × 30 / 3 replicas)", rate)
	}
	if tel.fallbacks.Load() != n {
		t.Errorf("%d fallbacks counted, want %d", tel.fallbacks.Load(), n)
	}
	for _, p := range []Priority{Bulk, Interactive} {
		bctx, cancel := context.WithTimeout(ctx, 600*time.Millisecond)
		if err := s.acquire(bctx, 200, p); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("priority %d went out without the shared budget at once: %v", p, err)
		}
		cancel()
	}
}
