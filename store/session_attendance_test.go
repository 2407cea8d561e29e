package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"sinergi/flows"
)

// Team members marking one person at several sessions at once leave one
// consistent record: every session marked, each once (one mark per
// session says it changed anything), at the time of the member who came
// first, and one field in the workshop's :satt hash.
func TestSessionMarksConcurrent(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	w := workshop("satt1", 5)
	create(t, s, w)
	const sessions, members = 6, 8
	for i := range sessions {
		sess := flows.AgendaSession{ID: fmt.Sprintf("s%08d", i+1), Title: fmt.Sprintf("Sesi %d", i+1),
			Start: w.Start.Add(time.Duration(i) * 15 * time.Minute), End: w.Start.Add(time.Duration(i+1) * 15 * time.Minute)}
		if _, err := s.SaveSession(ctx, w.Code, sess, flows.MaxSessions); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: 42, Token: "tok42", RegisteredAt: t0}, t0); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	changed := make([][]bool, members)
	start := make(chan struct{})
	for m := range members {
		changed[m] = make([]bool, sessions)
		wg.Go(func() {
			<-start
			at := w.Start.Add(time.Duration(m) * time.Second)
			for k := range sessions {
				i := (k + m) % sessions // each member in another order
				ok, err := s.MarkSession(ctx, w.Code, fmt.Sprintf("s%08d", i+1), 42, true, at)
				if err != nil {
					t.Error(err)
					return
				}
				changed[m][i] = ok
			}
		})
	}
	close(start)
	wg.Wait()
	marks, err := s.SessionMarks(ctx, w.Code)
	if err != nil {
		t.Fatal(err)
	}
	if len(marks) != sessions {
		t.Fatalf("%d sessions marked, want %d: %v", len(marks), sessions, marks)
	}
	for i := range sessions {
		sid := fmt.Sprintf("s%08d", i+1)
		at, ok := marks[sid][42]
		if !ok || len(marks[sid]) != 1 {
			t.Fatalf("session %s: %v", sid, marks[sid])
		}
		n := 0
		for m := range members {
			if changed[m][i] {
				n++
				if want := w.Start.Add(time.Duration(m) * time.Second); !at.Equal(want) {
					t.Fatalf("session %s kept %v, but member %d (%v) changed it", sid, at, m, want)
				}
			}
		}
		if n != 1 {
			t.Fatalf("session %s: %d marks changed it, want 1", sid, n)
		}
	}
	if n, err := r.Client.HLen(ctx, wsKey(r, w.Code, "satt")).Result(); err != nil || n != 1 {
		t.Fatalf(":satt has %d fields (%v), want 1", n, err)
	}
}
