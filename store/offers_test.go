package store_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// TestOffersUnderConcurrency: 500 people for 50 seats of a workshop that
// offers freed seats; 30 confirmed people cancel in parallel while every
// offer made is raced by two answers at once (accept against decline,
// decline against its expiry, a late accept against its expiry). Never more
// confirmed than capacity (nor confirmed and offered together), every freed
// seat offered exactly once at a time, nobody offered twice, and of the two
// answers to an offer exactly one counts.
func TestOffersUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	w := workshop("race", 50)
	w.Offers, w.OfferMinutes = true, 60
	create(t, s, w)
	const n = 500
	var wg sync.WaitGroup
	for uid := int64(1); uid <= n; uid++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Register(ctx, reg("race", uid), t0); err != nil {
				t.Errorf("register %d: %v", uid, err)
			}
		}()
	}
	wg.Wait()
	all, err := s.Registrations(ctx, "race")
	if err != nil || len(all) != n || all[49].Status != flows.RegConfirmed || all[50].Status != flows.RegWaiting {
		t.Fatalf("registrations: %d, %v", len(all), err)
	}

	// The watcher reads the seats taken atomically (MULTI) while all runs.
	stop := make(chan struct{})
	var worst atomic.Int64
	var watch sync.WaitGroup
	watch.Add(1)
	go func() {
		defer watch.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			var conf, offered *redis.IntCmd
			if _, err := r.Client.TxPipelined(ctx, func(p redis.Pipeliner) error {
				conf = p.ZCard(ctx, wsKey(r, "race", "confirmed"))
				offered = p.ZCard(ctx, wsKey(r, "race", "offers"))
				return nil
			}); err != nil {
				t.Errorf("watch: %v", err)
				return
			}
			if taken := conf.Val() + offered.Val(); taken > worst.Load() {
				worst.Store(taken)
			}
		}
	}()

	var mu sync.Mutex
	offered := map[int64]int{}    // uid -> times offered
	settled := map[int64]int{}    // uid -> answers that counted
	var freed, moved atomic.Int64 // seats freed (cancellations, offers ended) and offers made
	// Offers last an hour: near is within the first ones, far past them
	// (and long before the start, so every seat freed moves someone up).
	near, far := t0.Add(time.Minute), t0.Add(2*time.Hour)
	first := map[int64]bool{}
	for _, g := range all[:50] {
		first[g.UserID] = true
	}
	var handle func(uids ...int64)
	handle = func(uids ...int64) {
		for _, uid := range uids {
			moved.Add(1)
			mu.Lock()
			offered[uid]++
			mu.Unlock()
			type answer struct {
				act string
				at  time.Time
			}
			pair := [][2]answer{
				{{"accept", near}, {"decline", near}},
				{{"decline", near}, {"expire", far}},
				{{"accept", far}, {"expire", far}},
			}[uid%3]
			for _, a := range pair {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var next []int64
					var err error
					switch a.act {
					case "accept":
						next, err = s.AcceptOffer(ctx, "race", uid, a.at)
					case "decline":
						next, err = s.DeclineOffer(ctx, "race", uid, a.at)
					case "expire":
						next, err = s.ExpireOffer(ctx, "race", uid, a.at)
					}
					switch {
					case err == nil, errors.Is(err, flows.ErrOfferExpired):
						mu.Lock()
						settled[uid]++
						mu.Unlock()
						if a.act != "accept" || err != nil {
							freed.Add(1)
						}
						handle(next...)
					case errors.Is(err, flows.ErrNoOffer), errors.Is(err, flows.ErrAlreadyRegistered):
					default:
						t.Errorf("%s %d: %v", a.act, uid, err)
					}
				}()
			}
		}
	}
	for _, g := range all[:30] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := s.CancelRegistration(ctx, "race", g.UserID, t0)
			if err != nil || p == 0 {
				t.Errorf("cancel %d: promoted %d, %v", g.UserID, p, err)
				return
			}
			freed.Add(1)
			handle(p)
		}()
	}
	wg.Wait()
	close(stop)
	watch.Wait()

	if worst.Load() > 50 {
		t.Fatalf("%d seats confirmed or offered at once, capacity 50", worst.Load())
	}
	for uid, k := range offered {
		if k != 1 {
			t.Errorf("user %d offered %d times", uid, k)
		}
		if settled[uid] != 1 {
			t.Errorf("user %d: %d answers counted, want exactly 1", uid, settled[uid])
		}
		if first[uid] {
			t.Errorf("user %d, confirmed at first, was offered a seat", uid)
		}
	}
	if moved.Load() != freed.Load() {
		t.Fatalf("%d seats freed, %d offers made: want each freed seat offered once", freed.Load(), moved.Load())
	}
	c, err := s.Counts(ctx, "race")
	if err != nil || c.Confirmed != 50 || c.Offered != 0 || c.Waiting != n-50-len(offered) {
		t.Fatalf("counts %+v, %v; want 50 confirmed, none offered, %d waiting", c, err, n-50-len(offered))
	}
	t.Logf("%d offers made for 30 cancellations", len(offered))
}

// A workshop saved before offers existed has no start, offer or validity
// in its meta hash: it promotes automatically, and a cancellation after
// its start promotes nobody (the meta learns the start from the JSON).
func TestLegacyMetaLearnsTheStart(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	w := workshop("old", 1)
	create(t, s, w)
	if err := r.Client.HDel(ctx, wsKey(r, "old", "meta"), "start", "offer", "validity").Err(); err != nil {
		t.Fatal(err)
	}
	register(t, s, "old", 1)
	register(t, s, "old", 2)
	register(t, s, "old", 3)
	if p, err := s.CancelRegistration(ctx, "old", 1, t0); err != nil || p != 2 {
		t.Fatalf("cancel before the start: promoted %d, %v; want 2", p, err)
	}
	if p, err := s.CancelRegistration(ctx, "old", 2, w.Start); err != nil || p != 0 {
		t.Fatalf("cancel at the start: promoted %d, %v; want nobody", p, err)
	}
	m := r.Client.HGetAll(ctx, wsKey(r, "old", "meta")).Val()
	if m["start"] != strconv.FormatInt(w.Start.UnixMilli(), 10) || m["offer"] != "0" {
		t.Fatalf("meta %v", m)
	}
	if _, err := s.CancelRegistration(ctx, "nope", 1, t0); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("cancel in an unknown workshop: %v", err)
	}
}
