package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/store"
	"sinergi/store/redistest"
)

func TestUnavailable(t *testing.T) {
	r := redistest.NewPersistent(t)
	s := store.New(r.Client, store.Options{Prefix: r.Prefix})
	ctx := context.Background()
	if err := s.SaveUser(ctx, &flows.User{ID: 1, Lang: "id"}); err != nil || store.Unavailable(err) {
		t.Fatalf("up: %v", err)
	}
	r.Kill()
	err := s.SaveUser(ctx, &flows.User{ID: 1, Lang: "id"})
	if err == nil || !store.Unavailable(err) {
		t.Fatalf("Redis down: %v is not Unavailable", err)
	}
	if !store.Unavailable(fmt.Errorf("flow: %w", err)) {
		t.Fatal("a wrapped outage is not Unavailable")
	}
	r.Start(t)
	// Not outages: a missing record, a bug.
	if _, err := s.GetUser(ctx, 424242); err == nil || store.Unavailable(err) {
		t.Fatalf("missing user: %v", err)
	}
	if store.Unavailable(errors.New("decode: unexpected end")) || store.Unavailable(nil) {
		t.Fatal("plain errors are Unavailable")
	}
	cctx, cancel := context.WithTimeout(ctx, time.Nanosecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	if err := s.SaveUser(cctx, &flows.User{ID: 2}); !store.Unavailable(err) {
		t.Fatalf("deadline: %v", err)
	}
}
