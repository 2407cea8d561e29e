package bot

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestDispatcherOrdersEachChat(t *testing.T) {
	d := newDispatcher(context.Background(), 8, 100)
	const chats, per = 20, 200
	var mu sync.Mutex
	seen := map[int64][]int{}
	active := map[int64]*atomic.Int32{}
	for c := range int64(chats) {
		active[c] = new(atomic.Int32)
	}
	var overlap atomic.Bool
	for i := range per {
		for c := range int64(chats) {
			err := d.submit(context.Background(), job{chatID: c, run: func(context.Context) {
				if active[c].Add(1) != 1 {
					overlap.Store(true)
				}
				mu.Lock()
				seen[c] = append(seen[c], i)
				mu.Unlock()
				active[c].Add(-1)
			}})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := d.drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if overlap.Load() {
		t.Fatal("two jobs of one chat ran at the same time")
	}
	for c, got := range seen {
		if len(got) != per {
			t.Fatalf("chat %d ran %d jobs", c, len(got))
		}
		for i, v := range got {
			if v != i {
				t.Fatalf("chat %d out of order at %d: %v", c, i, got[:i+1])
			}
		}
	}
}

// A blocked chat must not hold up other chats.
func TestDispatcherNoHeadOfLineBlocking(t *testing.T) {
	d := newDispatcher(context.Background(), 2, 100)
	release := make(chan struct{})
	done := make(chan struct{})
	_ = d.submit(context.Background(), job{chatID: 1, run: func(context.Context) { <-release }})
	_ = d.submit(context.Background(), job{chatID: 1, run: func(context.Context) {}})
	for c := int64(2); c < 12; c++ {
		_ = d.submit(context.Background(), job{chatID: c, run: func(context.Context) {}})
	}
	_ = d.submit(context.Background(), job{chatID: 99, run: func(context.Context) { close(done) }})
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("other chats waited behind a blocked chat")
	}
	close(release)
	if err := d.drain(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestDispatcherBackpressureAndDrainTimeout(t *testing.T) {
	d := newDispatcher(context.Background(), 1, 2)
	block := make(chan struct{})
	_ = d.submit(context.Background(), job{chatID: 1, run: func(context.Context) { <-block }})
	_ = d.submit(context.Background(), job{chatID: 2, run: func(context.Context) {}})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := d.submit(ctx, job{chatID: 3, run: func(context.Context) {}}); err == nil {
		t.Fatal("submit beyond capacity did not wait")
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer dcancel()
	if err := d.drain(dctx); err == nil {
		t.Fatal("drain returned while a job was blocked")
	}
	close(block)
}
