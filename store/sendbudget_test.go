package store_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"sinergi/store"
)

// TestSharedBudgetTwoClients: two clients (two replicas) send as fast as a
// shared 20/s bucket lets them for three seconds. Together they stay under
// the limit in every one-second window and still use at least 95% of it.
func TestSharedBudgetTwoClients(t *testing.T) {
	if testing.Short() {
		t.Skip("measures for 3 s")
	}
	// The limit holds in every attempt. The rate is the budget's as long
	// as the callers are woken on time: a machine starved for a core (a
	// whole test suite on two) wakes them late and slots go unused, so the
	// rate is asked of the best of three attempts; a budget paced wrongly
	// is as slow in each.
	var rates []float64
	for attempt := range 3 {
		got := sharedBudgetRun(t, attempt)
		if got >= 0.95*sharedRate {
			return
		}
		rates = append(rates, got)
	}
	t.Errorf("%.1f slots/s in three attempts, want at least 95%% of %v in one", rates, sharedRate)
}

const sharedRate = 20.0

// sharedBudgetRun is one attempt of TestSharedBudgetTwoClients on its own
// budget: it checks the limit and returns the rate.
func sharedBudgetRun(t *testing.T, attempt int) float64 {
	ctx := context.Background()
	_, r := newStore(t)
	s1 := store.New(r.Client, store.Options{Prefix: r.Prefix + strconv.Itoa(attempt) + ":"})
	s2 := store.New(r.Client, store.Options{Prefix: r.Prefix + strconv.Itoa(attempt) + ":"})
	const rate = sharedRate
	run := 3 * time.Second
	// Each granted slot is known to lie between the clock before the
	// reservation plus its wait and the clock after it plus its wait (the
	// budget's clock is Redis's TIME, taken inside that round trip). Sleep
	// overshoot on a loaded machine moves the sends, not the slots, so the
	// slots are what is checked.
	type slot struct{ lo, hi time.Time }
	var mu sync.Mutex
	var slots []slot
	var wg sync.WaitGroup
	start := time.Now()
	for i, s := range []*store.Store{s1, s2, s1, s2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := s.GlobalBucket(rate, 1)
			for time.Since(start) < run {
				maxWait := b.Interval // bulk: only a slot that is about free
				if i%2 == 0 {
					maxWait = time.Second
				}
				before := time.Now()
				wait, ok, err := s.Reserve(ctx, maxWait, b)
				after := time.Now()
				if err != nil {
					t.Error(err)
					return
				}
				if !ok {
					time.Sleep(wait - b.Interval)
					continue
				}
				mu.Lock()
				slots = append(slots, slot{before.Add(wait), after.Add(wait)})
				mu.Unlock()
				time.Sleep(wait)
			}
		}()
	}
	wg.Wait()
	// Every window of one second holds at most rate+1 slots (the burst of
	// one). A window is certainly overfull when rate+2 slots fit in less
	// than a second even at the far ends of their bounds: for each slot as
	// the earliest (by its lower bound), the rate+1 others that start no
	// earlier and end soonest.
	slices.SortFunc(slots, func(a, b slot) int { return a.lo.Compare(b.lo) })
	worst := 0
	for i := range slots {
		var his []time.Time
		for _, o := range slots[i:] {
			his = append(his, o.hi)
		}
		slices.SortFunc(his, func(a, b time.Time) int { return a.Compare(b) })
		n := 0
		for _, h := range his {
			if h.Sub(slots[i].lo) < time.Second {
				n++
			}
		}
		worst = max(worst, n)
	}
	if worst > int(rate)+1 {
		t.Errorf("%d slots within one second, limit %v/s", worst, rate)
	}
	got := float64(len(slots)) / run.Seconds()
	t.Logf("attempt %d: %d slots in %v: %.2f/s, worst second %d", attempt+1, len(slots), run, got, worst)
	return got
}

func TestSharedBudgetPriorityAndPause(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	b := s.GlobalBucket(10, 1) // 100 ms apart
	// Interactive callers book slots ahead …
	for i := range 5 {
		wait, ok, err := s.Reserve(ctx, 2*time.Second, b)
		if err != nil || !ok {
			t.Fatalf("reserve %d: %v %v", i, ok, err)
		}
		if want := time.Duration(i) * 100 * time.Millisecond; wait < want-20*time.Millisecond || wait > want+20*time.Millisecond {
			t.Errorf("reservation %d waits %v, want about %v", i, wait, want)
		}
	}
	// … so bulk, which only takes a slot about free now, is refused and
	// told when one is free, without booking it.
	wait, ok, err := s.Reserve(ctx, b.Interval, b)
	if err != nil || ok {
		t.Fatalf("bulk got a slot behind waiting replies: %v %v", ok, err)
	}
	if wait < 400*time.Millisecond {
		t.Errorf("bulk told to wait %v, want about 500ms", wait)
	}
	// A pause (retry_after) holds every slot back.
	c := s.ChatBucket(77, time.Second, 3)
	if _, ok, _ := s.Reserve(ctx, 0, c); !ok {
		t.Fatal("fresh chat bucket refused")
	}
	if err := s.Pause(ctx, 2*time.Second, c); err != nil {
		t.Fatal(err)
	}
	wait, ok, err = s.Reserve(ctx, 0, c)
	if err != nil || ok || wait < 1900*time.Millisecond {
		t.Fatalf("during a 2 s pause: ok %v wait %v err %v", ok, wait, err)
	}
	// A chat bucket with burst 3 lets three through at once, then spaces.
	d := s.ChatBucket(78, time.Second, 3)
	for i := range 3 {
		if w, ok, _ := s.Reserve(ctx, 0, d); !ok || w != 0 {
			t.Fatalf("burst send %d: ok %v wait %v", i, ok, w)
		}
	}
	if _, ok, _ := s.Reserve(ctx, 0, d); ok {
		t.Fatal("fourth send at once allowed")
	}
}

// TestSharedBudgetBooksBothCellsAtOnce: a send is booked in the chat's and
// the bot's cell at the same instant, so a wait on the bot's budget never
// squeezes the chat's spacing; and a chat that is not free yet is refused
// without booking the bot's cell ahead, so no slot of the bot goes unused.
func TestSharedBudgetBooksBothCellsAtOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	g := s.GlobalBucket(5, 1) // 200 ms apart
	// The bot's cell is busy for the next second (other chats) …
	for i := range 5 {
		if _, ok, err := s.Reserve(ctx, 10*time.Second, s.ChatBucket(int64(1000+i), time.Second, 1), g); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	if _, ok, _ := s.Reserve(ctx, 0); !ok { // no buckets: always
		t.Fatal("no buckets refused")
	}
	// … a send to a chat books the chat at the bot's next instant.
	c := s.ChatBucket(77, time.Second, 1)
	w1, ok1, _ := s.Reserve(ctx, 10*time.Second, c, g)
	if !ok1 || w1 < 900*time.Millisecond {
		t.Fatalf("first send at %v (ok %v), ahead of the bot's busy second", w1, ok1)
	}
	// The chat is booked until then: a second send is refused, told when
	// the chat is free, and the bot's cell is not booked.
	w2, ok2, _ := s.Reserve(ctx, 10*time.Second, c, g)
	if ok2 || w2 < w1+900*time.Millisecond {
		t.Fatalf("second send to the chat: ok %v wait %v (first at %v)", ok2, w2, w1)
	}
	w3, ok3, _ := s.Reserve(ctx, 10*time.Second, s.ChatBucket(78, time.Second, 1), g)
	if !ok3 || w3 > w1+250*time.Millisecond {
		t.Fatalf("another chat's send at %v, want the bot's next slot after %v", w3, w1)
	}
	// Pausing the chat does not pause others.
	if err := s.Pause(ctx, 5*time.Second, c); err != nil {
		t.Fatal(err)
	}
	if w, ok, _ := s.Reserve(ctx, 0, s.ChatBucket(79, time.Second, 1)); !ok || w != 0 {
		t.Fatalf("another chat waits %v (ok %v)", w, ok)
	}
	if w, ok, _ := s.Reserve(ctx, 0, c); ok || w < 4*time.Second {
		t.Fatalf("paused chat: ok %v wait %v", ok, w)
	}
}

func TestHeartbeatCountsRecentSenders(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	for _, owner := range []string{"a", "b", "a"} {
		if _, err := s.Heartbeat(ctx, owner, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := s.Heartbeat(ctx, "c", time.Minute); n != 3 {
		t.Fatalf("%d senders, want 3", n)
	}
	time.Sleep(300 * time.Millisecond)
	if n, _ := s.Heartbeat(ctx, "a", 200*time.Millisecond); n != 1 {
		t.Fatalf("%d senders within 200 ms, want 1 (the others are stale)", n)
	}
}
