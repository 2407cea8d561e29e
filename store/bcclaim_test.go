package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/transport"
	"sinergi/store"
)

func startBroadcast(t *testing.T, s *store.Store, id string, n int) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	if err := s.CreateBroadcast(ctx, &flows.Broadcast{ID: id, By: 1, FromChat: 1, MessageID: 9, Segment: "all", Created: now, StartAt: now}); err != nil {
		t.Fatal(err)
	}
	rs := make([]flows.Recipient, n)
	for i := range rs {
		rs[i] = flows.Recipient{UserID: int64(100 + i), MessageID: 9}
	}
	if st, err := s.StartBroadcast(ctx, id, rs, now); err != nil || st != "started" {
		t.Fatalf("start: %q %v", st, err)
	}
	if st, err := s.StartBroadcast(ctx, id, rs, now); err != nil || st != flows.BcRunning {
		t.Fatalf("second start: %q %v", st, err)
	}
}

// A replica dies holding claims, one of them mid-send. After the lease the
// next claimer takes over the unsent ones; the one whose send had begun is
// counted uncertain and never handed out again; the dead replica can no
// longer begin a send; its late outcome replaces the uncertain.
func TestClaimTakeover(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	startBroadcast(t, s, "bc1", 12)
	lease := 300 * time.Millisecond
	a, err := s.ClaimRecipients(ctx, "bc1", "A", 5, lease)
	if err != nil || len(a) != 5 || a[0].UserID != 100 || a[4].UserID != 104 {
		t.Fatalf("A claimed %+v, %v", a, err)
	}
	b, err := s.ClaimRecipients(ctx, "bc1", "B", 5, lease)
	if err != nil || len(b) != 5 || b[0].UserID != 105 {
		t.Fatalf("B claimed %+v, %v (overlap with A?)", b, err)
	}
	// A sends to 100 and records it, begins 101 and dies.
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.BeginSend(ctx, "bc1", "A", a[0], lease))
	if _, err := s.Delivered(ctx, "bc1", a[0], "sent"); err != nil {
		t.Fatal(err)
	}
	must(s.BeginSend(ctx, "bc1", "A", a[1], lease))
	// B may not begin A's claims.
	if err := s.BeginSend(ctx, "bc1", "B", a[2], lease); !errors.Is(err, transport.ErrClaimLost) {
		t.Fatalf("B began A's claim: %v", err)
	}
	time.Sleep(lease + 100*time.Millisecond)
	// B's own claims expired too; C takes over everything unsent: A's
	// 102..104 and B's 105..109 (10 asked: 8 expired + 2 new).
	c, err := s.ClaimRecipients(ctx, "bc1", "C", 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]bool{}
	for _, x := range c {
		got[x.UserID] = true
	}
	for _, want := range []int64{102, 103, 104, 105, 106, 107, 108, 109, 110, 111} {
		if !got[want] {
			t.Errorf("C did not get %d: %+v", want, c)
		}
	}
	if got[100] || got[101] {
		t.Fatalf("C got a recipient already sent or mid-send: %+v", c)
	}
	_, st, _ := s.GetBroadcast(ctx, "bc1")
	if st.Uncertain != 1 || st.Sent != 1 {
		t.Fatalf("state after takeover %+v", st)
	}
	// A wakes up: its remaining claim is gone …
	if err := s.BeginSend(ctx, "bc1", "A", a[2], lease); !errors.Is(err, transport.ErrClaimLost) {
		t.Fatalf("dead replica began a taken-over claim: %v", err)
	}
	// … but the send it had begun did arrive: the real outcome counts.
	if counted, err := s.Delivered(ctx, "bc1", a[1], "sent"); err != nil || !counted {
		t.Fatalf("late outcome: %v %v", counted, err)
	}
	_, st, _ = s.GetBroadcast(ctx, "bc1")
	if st.Uncertain != 0 || st.Sent != 2 {
		t.Fatalf("after the late outcome %+v", st)
	}
	// C sends everything; one finisher.
	for _, x := range c {
		must(s.BeginSend(ctx, "bc1", "C", x, time.Minute))
		if _, err := s.Delivered(ctx, "bc1", x, "sent"); err != nil {
			t.Fatal(err)
		}
	}
	if more, _ := s.ClaimRecipients(ctx, "bc1", "C", 10, time.Minute); len(more) != 0 {
		t.Fatalf("claims after all sent: %+v", more)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	finishers := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, st, err := s.FinishBroadcast(ctx, "bc1", time.Now())
			if err != nil {
				t.Error(err)
				return
			}
			if st.Status != flows.BcDone || st.Sent != 12 {
				t.Errorf("final %+v", st)
			}
			if ok {
				mu.Lock()
				finishers++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if finishers != 1 {
		t.Fatalf("%d finishers, want 1", finishers)
	}
	outs, _ := s.BroadcastOutcomes(ctx, "bc1")
	if len(outs) != 12 {
		t.Fatalf("%d outcomes", len(outs))
	}
}

func TestClaimsReleaseAndCancel(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	startBroadcast(t, s, "bc2", 6)
	a, _ := s.ClaimRecipients(ctx, "bc2", "A", 4, time.Minute)
	if err := s.BeginSend(ctx, "bc2", "A", a[0], time.Minute); err != nil {
		t.Fatal(err)
	}
	// Finishing while claims are out is refused.
	if ok, _, err := s.FinishBroadcast(ctx, "bc2", time.Now()); ok || err != nil {
		t.Fatalf("finished with claims out: %v %v", ok, err)
	}
	// A stops gracefully: the three not begun go back first in line.
	if n, err := s.ReleaseClaims(ctx, "bc2", "A", a); err != nil || n != 3 {
		t.Fatalf("released %d, %v", n, err)
	}
	b, _ := s.ClaimRecipients(ctx, "bc2", "B", 3, time.Minute)
	if len(b) != 3 || b[0].UserID != 101 || b[2].UserID != 103 {
		t.Fatalf("after release B got %+v", b)
	}
	if err := s.CancelBroadcast(ctx, "bc2"); err != nil {
		t.Fatal(err)
	}
	if err := s.BeginSend(ctx, "bc2", "B", b[0], time.Minute); !errors.Is(err, transport.ErrBroadcastStopped) {
		t.Fatalf("began after cancel: %v", err)
	}
	if more, _ := s.ClaimRecipients(ctx, "bc2", "B", 3, time.Minute); len(more) != 0 {
		t.Fatalf("claimed after cancel: %+v", more)
	}
	ok, st, err := s.FinishBroadcast(ctx, "bc2", time.Now())
	if err != nil || !ok || st.Status != flows.BcCancelled {
		t.Fatalf("finish cancelled: %v %+v %v", ok, st, err)
	}
	if ok, _, _ := s.FinishBroadcast(ctx, "bc2", time.Now()); ok {
		t.Fatal("finished twice")
	}
}

// Linked chats ride in a broadcast's list beside the members: two topics of
// one forum are two recipients, counted apart from the members (total and
// chat_total), each once; a chat send begun by a replica that died is
// chat_uncertain, and its late real outcome replaces that.
func TestClaimLinkedChats(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	now := time.Now()
	if err := s.CreateBroadcast(ctx, &flows.Broadcast{ID: "bc1", By: 1, FromChat: 1, MessageID: 9, Segment: "all", Created: now, StartAt: now}); err != nil {
		t.Fatal(err)
	}
	rs := []flows.Recipient{{UserID: 100, MessageID: 9}, {UserID: -1001, Thread: 5, MessageID: 9}, {UserID: -1001, Thread: 6, MessageID: 9}, {UserID: -1002, MessageID: 9}}
	if st, err := s.StartBroadcast(ctx, "bc1", rs, now); err != nil || st != "started" {
		t.Fatalf("start: %q %v", st, err)
	}
	_, st, err := s.GetBroadcast(ctx, "bc1")
	if err != nil || st.Total != 1 || st.ChatTotal != 3 {
		t.Fatalf("state %+v, %v; want 1 member and 3 chats", st, err)
	}
	lease := 300 * time.Millisecond
	a, err := s.ClaimRecipients(ctx, "bc1", "A", 4, lease)
	if err != nil || len(a) != 4 {
		t.Fatalf("claimed %+v, %v", a, err)
	}
	for i, r := range rs {
		if a[i].Recipient != r {
			t.Fatalf("claim %d = %+v, want %+v", i, a[i].Recipient, r)
		}
	}
	for _, c := range a {
		if err := s.BeginSend(ctx, "bc1", "A", c, lease); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []struct {
		c       transport.Claim
		outcome string
	}{{a[0], "sent"}, {a[1], flows.ChatSent}, {a[2], flows.ChatRemoved}} {
		if ok, err := s.Delivered(ctx, "bc1", d.c, d.outcome); err != nil || !ok {
			t.Fatalf("delivered %+v: %v %v", d.c, ok, err)
		}
	}
	if ok, err := s.Delivered(ctx, "bc1", a[1], flows.ChatFailed); err != nil || ok {
		t.Fatalf("a second outcome of a topic counted: %v %v", ok, err)
	}
	// A dies mid-send to the channel: after the lease it is uncertain.
	time.Sleep(lease + 50*time.Millisecond)
	if b, err := s.ClaimRecipients(ctx, "bc1", "B", 4, lease); err != nil || len(b) != 0 {
		t.Fatalf("B claimed %+v, %v; want nothing", b, err)
	}
	_, st, _ = s.GetBroadcast(ctx, "bc1")
	if st.Sent != 1 || st.ChatSent != 1 || st.ChatRemoved != 1 || st.ChatUncertain != 1 || st.Uncertain != 0 {
		t.Fatalf("state %+v", st)
	}
	if ok, err := s.Delivered(ctx, "bc1", a[3], flows.ChatSent); err != nil || !ok {
		t.Fatalf("late outcome: %v %v", ok, err)
	}
	fin, st, err := s.FinishBroadcast(ctx, "bc1", time.Now())
	if err != nil || !fin || st.ChatSent != 2 || st.ChatUncertain != 0 || st.Sent != 1 {
		t.Fatalf("finish %v %+v %v", fin, st, err)
	}
	out, err := s.BroadcastOutcomes(ctx, "bc1")
	if err != nil || len(out) != 1 || out[100] != "sent" {
		t.Fatalf("member outcomes %v, %v", out, err)
	}
}

// TestClaimRetakenByItsOwnReplicaBeginsOnce: a replica's worker holds a
// claim past its lease (a stalled machine: waiting for a turn and a slot),
// and the same replica's feeder claims it again, expired and not begun, for
// another worker. Both hold the claim under the one owner token: only the
// first may begin the send, or the member gets the update twice (seen on a
// starved machine in TestThreeReplicasBroadcastAtFullRate, 2 s lease).
func TestClaimRetakenByItsOwnReplicaBeginsOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	startBroadcast(t, s, "bc1", 3)
	lease := 200 * time.Millisecond
	first, err := s.ClaimRecipients(ctx, "bc1", "A", 1, lease)
	if err != nil || len(first) != 1 {
		t.Fatalf("claimed %+v, %v", first, err)
	}
	time.Sleep(lease + 50*time.Millisecond)
	again, err := s.ClaimRecipients(ctx, "bc1", "A", 1, time.Minute)
	if err != nil || len(again) != 1 || again[0] != first[0] {
		t.Fatalf("claimed again %+v, %v; want the expired %+v", again, err, first[0])
	}
	if err := s.BeginSend(ctx, "bc1", "A", again[0], time.Minute); err != nil {
		t.Fatalf("the new holder may not begin: %v", err)
	}
	if err := s.BeginSend(ctx, "bc1", "A", first[0], time.Minute); !errors.Is(err, transport.ErrClaimLost) {
		t.Fatalf("the stale holder began the same send again: %v", err)
	}
	if _, err := s.Delivered(ctx, "bc1", again[0], "sent"); err != nil {
		t.Fatal(err)
	}
	if err := s.BeginSend(ctx, "bc1", "A", first[0], time.Minute); !errors.Is(err, transport.ErrClaimLost) {
		t.Fatalf("began a send already delivered: %v", err)
	}
}
