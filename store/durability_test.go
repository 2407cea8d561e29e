package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/store"
	"sinergi/store/redistest"
)

// TestAcknowledgedWritesSurviveKill: with the append-only file on, Redis is
// killed (SIGKILL) while registrations pour in. Every registration that was
// acknowledged is there after the restart, confirmed or waiting, and the
// workshop is not overbooked; so is the progress of a broadcast.
func TestAcknowledgedWritesSurviveKill(t *testing.T) {
	r := redistest.NewPersistent(t)
	s := store.New(r.Client, store.Options{Prefix: r.Prefix})
	ctx := context.Background()
	create(t, s, workshop("dur", 150))
	startBroadcast(t, s, "dbc", 50)
	cs, err := s.ClaimRecipients(ctx, "dbc", "A", 20, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if err := s.BeginSend(ctx, "dbc", "A", c, time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Delivered(ctx, "dbc", c, "sent"); err != nil {
			t.Fatal(err)
		}
	}

	var acked sync.Map // uid -> status
	var n atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				uid := int64(10_000*(w+1) + i)
				got, err := s.Register(ctx, reg("dur", uid), t0)
				if err == nil {
					acked.Store(uid, got.Status)
					n.Add(1)
				}
				if err != nil {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	for n.Load() < 100 {
		time.Sleep(5 * time.Millisecond)
	}
	r.Kill()
	time.Sleep(200 * time.Millisecond)
	r.Start(t)
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()

	rs, err := s.Registrations(ctx, "dur")
	if err != nil {
		t.Fatal(err)
	}
	have := map[int64]flows.RegStatus{}
	confirmed := 0
	for _, x := range rs {
		have[x.UserID] = x.Status
		if x.Status == flows.RegConfirmed {
			confirmed++
		}
	}
	lost := 0
	acked.Range(func(k, v any) bool {
		if _, ok := have[k.(int64)]; !ok {
			lost++
		}
		return true
	})
	if lost != 0 {
		t.Errorf("%d acknowledged registrations lost in the restart (of %d)", lost, n.Load())
	}
	if confirmed > 150 {
		t.Errorf("overbooked: %d confirmed for 150 seats", confirmed)
	}
	_, st, err := s.GetBroadcast(ctx, "dbc")
	if err != nil || st.Sent != 20 {
		t.Errorf("broadcast progress after the restart: %+v %v", st, err)
	}
	t.Logf("%d acknowledged registrations, %d after the restart, %d confirmed", n.Load(), len(rs), confirmed)
}
