package bot

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	tg "github.com/go-telegram/bot"

	"sinergi/flows/transport"
)

// stallBudget is a shared budget with one bot-wide GCRA cell (burst 1) whose
// answers stall: a booking made in [stallFrom, stallTo) is answered at
// stallTo, as by a Redis node (or a machine) that stopped for a moment after
// it booked.
type stallBudget struct {
	interval           time.Duration
	stallFrom, stallTo time.Time

	mu    sync.Mutex
	tat   time.Time
	slots []time.Time // booked
}

func (b *stallBudget) GlobalBucket(float64, int) transport.Bucket {
	return transport.Bucket{Key: "global", Interval: b.interval, Burst: 1}
}
func (b *stallBudget) ChatBucket(int64, time.Duration, int) transport.Bucket {
	return transport.Bucket{}
}
func (b *stallBudget) Reserve(_ context.Context, maxWait time.Duration, _ ...transport.Bucket) (time.Duration, bool, error) {
	b.mu.Lock()
	now := time.Now()
	if b.tat.Before(now) {
		b.tat = now
	}
	wait := b.tat.Sub(now)
	if wait > maxWait {
		b.mu.Unlock()
		return wait, false, nil
	}
	b.slots = append(b.slots, b.tat)
	b.tat = b.tat.Add(b.interval)
	b.mu.Unlock()
	if !now.Before(b.stallFrom) && now.Before(b.stallTo) {
		time.Sleep(b.stallTo.Sub(now))
	}
	return wait, true, nil
}
func (b *stallBudget) Pause(context.Context, time.Duration, ...transport.Bucket) error { return nil }
func (b *stallBudget) Heartbeat(context.Context, string, time.Duration) (int, error) {
	return 1, nil
}

// TestLateSlotBooksAgain: bookings answered 150 ms late (their slots have
// passed, or nearly) would leave together with the slots booked after
// them, 31 and more in a second at 28/s; a send later than slotTolerance
// for its slot books another, and every second holds at most Telegram's
// 30. Six senders share the budget, as a replica's broadcast workers do.
func TestLateSlotBooksAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim := DefaultLimits()
		lim.PerChat = 0
		s := NewSender(nil, lim, &nopTelemetry{})
		defer s.Close()
		start := time.Now()
		budget := &stallBudget{interval: time.Duration(float64(time.Second) / lim.Global)}
		// A stall of 150 ms, two seconds in.
		budget.stallFrom, budget.stallTo = start.Add(2*time.Second), start.Add(2*time.Second+150*time.Millisecond)
		s.Share(budget, "r1")
		ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
		defer cancel()
		var mu sync.Mutex
		var sent []time.Time
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Go(func() {
				for i := 0; ; i++ {
					if err := s.acquire(ctx, int64(1000*w+i), Bulk); err != nil {
						return
					}
					mu.Lock()
					sent = append(sent, time.Now())
					mu.Unlock()
					time.Sleep(100 * time.Millisecond) // the API's round trip
				}
			})
		}
		wg.Wait()
		// sent is in time order: the most sends in any closed second.
		most := 0
		for i := range sent {
			j := i
			for j < len(sent) && sent[j].Sub(sent[i]) <= time.Second {
				j++
			}
			most = max(most, j-i)
		}
		rate := float64(len(sent)) / 6
		t.Logf("%d sends in 6 s (%.1f/s), at most %d in a second", len(sent), rate, most)
		if most > 30 {
			t.Errorf("%d sends in one second: over Telegram's 30", most)
		}
		if rate < 0.9*lim.Global {
			t.Errorf("%.1f/s: under 90 %% of %v/s", rate, lim.Global)
		}
	})
}

// TestSlotInsideRetryAfterBooksAgain: a send booked 90 ms ahead, and
// meanwhile another of the replica's sends is answered 429 with a
// retry_after of a second: the booked one does not go out into the
// announced second but after it.
func TestSlotInsideRetryAfterBooksAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim := DefaultLimits()
		lim.PerChat = 0
		s := NewSender(nil, lim, &nopTelemetry{})
		defer s.Close()
		start := time.Now()
		budget := &stallBudget{interval: time.Duration(float64(time.Second) / lim.Global)}
		budget.tat = start.Add(90 * time.Millisecond) // bookings before this one
		s.Share(budget, "r1")
		go func() {
			time.Sleep(10 * time.Millisecond)
			raiseTo(&s.pausedAll, time.Now().Add(time.Second)) // what a 429 does
		}()
		if err := s.acquire(context.Background(), 7, Bulk); err != nil {
			t.Fatal(err)
		}
		if at := time.Since(start); at < 1010*time.Millisecond {
			t.Errorf("sent %v after the start, inside the retry_after announced at 10 ms for 1 s", at)
		}
	})
}

// TestReadyLateForSlotBooksAgain: the last word before a send (a
// broadcast marks it begun in Redis) takes 60 ms: the send does not go out
// 60 ms after its slot but at a slot booked after it.
func TestReadyLateForSlotBooksAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim := DefaultLimits()
		lim.PerChat = 0
		s := NewSender(nil, lim, &nopTelemetry{})
		defer s.Close()
		start := time.Now()
		budget := &stallBudget{interval: time.Duration(float64(time.Second) / lim.Global)}
		s.Share(budget, "r1")
		var sent time.Time
		err := s.SendReady(context.Background(), 7, Bulk, "copyMessage", func(context.Context) error {
			time.Sleep(60 * time.Millisecond)
			return nil
		}, func(context.Context, *tg.Bot) error {
			sent = time.Now()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// A slot at 0, given up, and one at 60 ms for the send.
		last := budget.slots[len(budget.slots)-1]
		if late := sent.Sub(last); late > slotTolerance {
			t.Errorf("sent %v after the start, %v after its slot (slots %v after the start)", sent.Sub(start), late, budget.slots)
		}
	})
}
