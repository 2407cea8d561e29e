package bot

import (
	"context"
	"testing"
	"time"
)

// The budget never hands out tokens faster than its rate (plus its burst).
func TestBudgetRate(t *testing.T) {
	b := newBudget(50, 1)
	defer b.close()
	start := time.Now()
	const n = 51
	for range n {
		if err := b.take(context.Background(), Bulk); err != nil {
			t.Fatal(err)
		}
	}
	// 1 token at once, then 50 at 20 ms each: at least ~1 s.
	if el := time.Since(start); el < 950*time.Millisecond {
		t.Fatalf("%d tokens in %v: faster than 50/s", n, el)
	}
}

// After idling, the burst is available once, not burst+1 times.
func TestBudgetIdleBurst(t *testing.T) {
	b := newBudget(10, 2)
	defer b.close()
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	for range 3 {
		_ = b.take(context.Background(), Bulk)
	}
	if el := time.Since(start); el < 90*time.Millisecond {
		t.Fatalf("3 tokens with burst 2 at 10/s took only %v", el)
	}
}

// Interactive waiters go before bulk ones.
func TestBudgetPriority(t *testing.T) {
	b := newBudget(20, 1)
	defer b.close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 40 {
		go func() { _ = b.take(ctx, Bulk) }()
	}
	time.Sleep(100 * time.Millisecond) // bulk queue is full
	start := time.Now()
	if err := b.take(context.Background(), Interactive); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 500*time.Millisecond {
		t.Fatalf("interactive waited %v behind bulk", el)
	}
}

func TestBudgetPause(t *testing.T) {
	b := newBudget(1000, 1)
	defer b.close()
	_ = b.take(context.Background(), Interactive)
	b.pause(time.Now().Add(300 * time.Millisecond))
	start := time.Now()
	_ = b.take(context.Background(), Interactive)
	if el := time.Since(start); el < 250*time.Millisecond {
		t.Fatalf("token handed out %v into a pause", el)
	}
}

func TestNilBudgetIsUnlimited(t *testing.T) {
	var b *budget = newBudget(0, 0)
	if b != nil || b.take(context.Background(), Bulk) != nil {
		t.Fatal("zero rate should be unlimited")
	}
	b.pause(time.Now().Add(time.Hour))
	b.close()
}
