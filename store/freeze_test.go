package store_test

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/store"
)

// freezeLoop freezes broadcast b's recipients page by page as the bot's
// runner does (bot/broadcast.go freeze), stopping after stopAfter pages
// (a crash; -1: never). It returns how many pages it froze.
func freezeLoop(t *testing.T, s *store.Store, b *flows.Broadcast, n, stopAfter int) int {
	t.Helper()
	ctx := context.Background()
	after, err := s.FrozenAfter(ctx, b.ID)
	if err != nil {
		t.Error(err)
		return 0
	}
	pages, err := flows.NewRecipientPages(ctx, s, b, after)
	if err != nil {
		t.Error(err)
		return 0
	}
	frozen := 0
	for frozen != stopAfter {
		page, err := pages.Next(ctx, n)
		if err != nil {
			t.Error(err)
			return frozen
		}
		if len(page) == 0 {
			return frozen
		}
		cur, status, err := s.FreezeRecipients(ctx, b.ID, after, page)
		switch {
		case err != nil:
			t.Error(err)
			return frozen
		case status == "frozen":
			after = cur
			frozen++
		case status == "moved":
			if cur <= after {
				t.Errorf("cursor went back from %d to %d", after, cur)
			}
			after = cur
			pages.From(after)
		default:
			return frozen
		}
	}
	return frozen
}

// drain claims every recipient of a running broadcast and counts them.
func drain(t *testing.T, s *store.Store, id string) map[int64]int {
	t.Helper()
	got := map[int64]int{}
	for {
		cs, err := s.ClaimRecipients(context.Background(), id, "o", 500, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) == 0 {
			return got
		}
		for _, c := range cs {
			got[c.UserID]++
		}
	}
}

// A broadcast's recipients are frozen page by page, each page once: four
// replicas freezing the same broadcast at once with pages of different
// sizes, and a replica that crashed after two pages followed by another,
// leave every recipient in the list exactly once, the linked chats added
// at the start, and the total counted right. A broadcast cancelled while
// freezing takes no more pages.
func TestFreezeRecipientsOncePerPage(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	now := time.Now()
	const members = 2500
	want := map[int64]int{}
	for i := range members {
		id := int64(1000 + 3*i)
		u := &flows.User{ID: id, Lang: []string{"id", "en"}[i%2], Consent: flows.ConsentVersion}
		u.NoUpdates = i%17 == 0
		if err := s.SaveUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if !u.NoUpdates && id != 1000 {
			want[id] = 1
		}
	}
	chats := []flows.Recipient{{UserID: -100123, MessageID: 1}, {UserID: -100456, Thread: 7, MessageID: 1}}
	newBroadcast := func(id string) *flows.Broadcast {
		b := &flows.Broadcast{ID: id, By: 1000, FromChat: 1000, MessageID: 1, EnglishID: 2, Segment: "all", Created: now, StartAt: now}
		if err := s.CreateBroadcast(ctx, b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	check := func(b *flows.Broadcast) {
		t.Helper()
		if st, err := s.StartBroadcast(ctx, b.ID, chats, now); err != nil || st != "started" {
			t.Fatalf("start: %q %v", st, err)
		}
		_, st, err := s.GetBroadcast(ctx, b.ID)
		if err != nil || st.Total != len(want) || st.ChatTotal != len(chats) {
			t.Fatalf("state %+v, %v; want total %d, %d chats", st, err, len(want), len(chats))
		}
		got := drain(t, s, b.ID)
		for _, c := range chats {
			if got[c.UserID] != 1 {
				t.Fatalf("chat %d listed %d times", c.UserID, got[c.UserID])
			}
			delete(got, c.UserID)
		}
		for id, n := range got {
			if want[id] != n {
				t.Fatalf("member %d listed %d times, want %d", id, n, want[id])
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%d members listed, want %d", len(got), len(want))
		}
	}

	b := newBroadcast("race12")
	var wg sync.WaitGroup
	for _, n := range []int{7, 100, 333, 1000} {
		wg.Go(func() { freezeLoop(t, s, b, n, -1) })
	}
	wg.Wait()
	check(b)

	b = newBroadcast("crash1")
	if n := freezeLoop(t, s, b, 300, 2); n != 2 {
		t.Fatalf("froze %d pages before the crash", n)
	}
	if after, err := s.FrozenAfter(ctx, b.ID); err != nil || after == math.MinInt64 {
		t.Fatalf("cursor after the crash: %d, %v", after, err)
	}
	freezeLoop(t, s, b, 300, -1)
	check(b)

	// A stale cursor is refused; once running nothing more is frozen.
	if _, status, err := s.FreezeRecipients(ctx, b.ID, math.MinInt64, []flows.Recipient{{UserID: 1, MessageID: 1}}); err != nil || status != flows.BcRunning {
		t.Fatalf("freezing a running broadcast: %q, %v", status, err)
	}
	b = newBroadcast("cancl1")
	freezeLoop(t, s, b, 500, 1)
	if err := s.CancelBroadcast(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if n := freezeLoop(t, s, b, 500, -1); n != 0 {
		t.Fatalf("froze %d pages of a cancelled broadcast", n)
	}
	after, _ := s.FrozenAfter(ctx, b.ID)
	if _, status, err := s.FreezeRecipients(ctx, b.ID, after, []flows.Recipient{{UserID: after + 1, MessageID: 1}}); status != flows.BcCancelled || err != nil {
		t.Fatalf("freezing a cancelled broadcast: %q, %v", status, err)
	}
}
