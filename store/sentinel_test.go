package store_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
	"sinergi/flows/transport"
	"sinergi/store"
	"sinergi/store/redistest"
)

// Bounds of the failover test.
const (
	failoverWithin = 30 * time.Second       // Sentinels elect and promote the replica
	recoverWithin  = 30 * time.Second       // the store writes again through the same *store.Store
	probeShort     = 250 * time.Millisecond // one attempt of the SaveUser probe
	probeLong      = 2 * time.Second        // one attempt of the Commit probe
	probePatient   = 10 * time.Second       // one attempt of a caller that waits longer than a failover
	probeEvery     = 10 * time.Millisecond
)

// probeResult is what probeUntilUp saw.
type probeResult struct {
	after    time.Duration // from the kill to the first success
	firstErr time.Duration // from the kill to the first error
	attempts int
	each     time.Duration
	errs     []string // distinct errors surfaced to the caller, in order (at most 10)
	counts   map[string]int
	err      error // no success within recoverWithin
}

// probeUntilUp calls f, each attempt bounded by each, until it succeeds
// or recoverWithin has passed since killed.
func probeUntilUp(killed time.Time, each time.Duration, f func(ctx context.Context) error) probeResult {
	res := probeResult{each: each, counts: map[string]int{}}
	for {
		res.attempts++
		ctx, cancel := context.WithTimeout(context.Background(), each)
		err := f(ctx)
		cancel()
		if err == nil {
			res.after = time.Since(killed)
			return res
		}
		if res.attempts == 1 {
			res.firstErr = time.Since(killed)
		}
		msg := err.Error()
		if res.counts[msg] == 0 && len(res.errs) < 10 {
			res.errs = append(res.errs, msg)
		}
		res.counts[msg]++
		if time.Since(killed) > recoverWithin {
			res.err = fmt.Errorf("no success within %s: %w", recoverWithin, err)
			return res
		}
		time.Sleep(probeEvery)
	}
}

// waitReplica makes the replica hold every write acknowledged so far, and
// fails the test when it does not within a second.
//
// Redis replication is asynchronous: the master acknowledges a write once
// it has applied it, before any replica has it. Writes acknowledged in the
// moment before the master dies can therefore be lost in a failover (the
// promoted replica never saw them) unless WAIT is used; this is a
// documented limit of Redis replication (https://redis.io/docs/latest/operate/oss_and_stack/management/replication/,
// "Redis uses by default asynchronous replication"), not of the store.
//
// WAIT numreplicas timeout blocks until numreplicas replicas have
// acknowledged the last write made *on the connection WAIT is sent on*
// (the server keeps that offset per client). The store's client is a
// connection pool, so a bare Client().Do(ctx, "WAIT", 1, 1000) may land on
// a connection that wrote nothing or long ago and return 1 at once without
// covering the latest writes. Sending a write and WAIT in one pipeline puts
// both on one connection: the write's offset is past every write
// acknowledged before it, so WAIT covers all of them.
func waitReplica(t *testing.T, s *store.Store, prefix string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var wait *redis.Cmd
	_, err := s.Client().Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Incr(ctx, prefix+"wait-barrier")
		wait = p.Do(ctx, "WAIT", 1, 1000)
		return nil
	})
	if err != nil {
		t.Fatalf("WAIT: %v", err)
	}
	if n, err := wait.Int(); err != nil || n < 1 {
		t.Fatalf("WAIT 1 1000: %d replicas acknowledged, %v", n, err)
	}
}

// scriptSHA is the SHA1 go-redis's Script.Run sends with EVALSHA for the
// script in file.
func scriptSHA(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}

// TestSentinelFailover runs the store on Redis Sentinel (master, replica,
// three Sentinels), kills the master (SIGKILL) and checks that the same
// *store.Store carries on once the Sentinels have promoted the replica:
// everything written before a WAIT is there, new writes succeed, the
// workshop is not overbooked, a running broadcast goes on where it was,
// and the Lua scripts run on the new master (whose script cache is empty).
func TestSentinelFailover(t *testing.T) {
	sen := redistest.NewSentinel(t)
	ctx := context.Background()
	s, err := store.Open(ctx, sen.URL, store.Options{Prefix: sen.Prefix, SessionTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	oldMaster := sen.Master()

	// Work before the failover: a workshop of 20 seats with 25 sign-ups
	// (20 confirmed, 5 waiting), 5 chats' states, a broadcast half done.
	const seats, before = 20, 25
	create(t, s, workshop("sen", seats))
	tokens := map[int64]string{}
	for uid := int64(1); uid <= before; uid++ {
		r := register(t, s, "sen", uid)
		want := flows.RegConfirmed
		if uid > seats {
			want = flows.RegWaiting
		}
		if r.Status != want {
			t.Fatalf("user %d: %s, want %s", uid, r.Status, want)
		}
		tokens[uid] = r.Token
	}
	user := func(id int64) *flows.User {
		return &flows.User{ID: id, Lang: "id", Role: flows.RoleParticipant, FirstName: fmt.Sprint("U", id), Created: t0, Seen: t0}
	}
	sess := &flows.Session{Version: flows.SessionVersion, Flow: "profile", Step: "org", Started: t0}
	const chats = 5
	for chat := int64(1); chat <= chats; chat++ {
		st, err := s.LoadState(ctx, chat, chat, 100+chat)
		if err != nil || st.Dup || st.User != nil {
			t.Fatalf("chat %d: %+v %v", chat, st, err)
		}
		if err := s.Commit(ctx, transport.Commit{ChatID: chat, UpdateID: 100 + chat, User: user(chat), Session: sess}); err != nil {
			t.Fatal(err)
		}
	}
	startBroadcast(t, s, "sbc", 10) // recipients 100..109
	a, err := s.ClaimRecipients(ctx, "sbc", "A", 5, time.Minute)
	if err != nil || len(a) != 5 {
		t.Fatalf("claim: %+v %v", a, err)
	}
	for _, c := range a[:3] {
		if err := s.BeginSend(ctx, "sbc", "A", c, time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Delivered(ctx, "sbc", c, "sent"); err != nil {
			t.Fatal(err)
		}
	}

	waitReplica(t, s, sen.Prefix)

	// The failover. From the kill on, three probes retry a write through
	// the store until it succeeds: SaveUser with short attempts (plain
	// commands on the client: the figure is precise to about probeShort),
	// Commit (the group-commit path: its batches run on the store's own
	// runners) and SaveUser with attempts longer than the failover (which
	// errors a caller sees when it does not give up early). The Sentinels
	// are watched at the same time.
	killed := time.Now()
	sen.KillMaster()
	saved := make(chan probeResult, 1)
	committed := make(chan probeResult, 1)
	patient := make(chan probeResult, 1)
	go func() {
		saved <- probeUntilUp(killed, probeShort, func(ctx context.Context) error {
			return s.SaveUser(ctx, user(901))
		})
	}()
	go func() {
		committed <- probeUntilUp(killed, probeLong, func(ctx context.Context) error {
			return s.Commit(ctx, transport.Commit{ChatID: 900, UpdateID: 9000, User: user(900), Session: sess})
		})
	}()
	go func() {
		patient <- probeUntilUp(killed, probePatient, func(ctx context.Context) error {
			return s.SaveUser(ctx, user(902))
		})
	}()
	newMaster := sen.WaitFailover(t, failoverWithin)
	promoted := time.Since(killed)
	sv, cm, pa := <-saved, <-committed, <-patient
	t.Logf("failover: master %s killed; all Sentinels named %s and it answered role:master after %s",
		oldMaster, newMaster, promoted.Round(time.Millisecond))
	for _, p := range []struct {
		name string
		res  probeResult
	}{{"SaveUser", sv}, {"Commit", cm}, {"SaveUser (patient)", pa}} {
		if p.res.err != nil {
			t.Fatalf("%s: %v", p.name, p.res.err)
		}
		t.Logf("failover: the store was unavailable for %s (kill -> first successful %s through the same *store.Store, %d attempts of at most %s)",
			p.res.after.Round(time.Millisecond), p.name, p.res.attempts, p.res.each)
		for i, e := range p.res.errs {
			when := ""
			if i == 0 {
				when = fmt.Sprintf(", first after %s", p.res.firstErr.Round(time.Millisecond))
			}
			t.Logf("failover:   error surfaced to the %s caller (%d×%s): %s", p.name, p.res.counts[e], when, e)
		}
	}

	// The script cache is per node and Redis 7 replicates what a script
	// did, not the script: the promoted replica has none of the store's
	// scripts, so the first run of each gets NOSCRIPT on EVALSHA and
	// go-redis's Script.Run falls back to EVAL (which caches it).
	nm := redis.NewClient(&redis.Options{Addr: newMaster})
	defer nm.Close()
	regSHA := scriptSHA(t, "ws_register.lua")
	if ex, err := nm.ScriptExists(ctx, regSHA).Result(); err != nil {
		t.Fatal(err)
	} else {
		t.Logf("failover: register script cached on the new master before its first run: %v", ex[0])
	}

	// Everything written before the WAIT is there.
	regs, err := s.Registrations(ctx, "sen")
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]*flows.Registration{}
	for _, r := range regs {
		if got[r.UserID] != nil {
			t.Fatalf("user %d registered twice", r.UserID)
		}
		got[r.UserID] = r
	}
	for uid := int64(1); uid <= before; uid++ {
		r := got[uid]
		want := flows.RegConfirmed
		if uid > seats {
			want = flows.RegWaiting
		}
		if r == nil || r.Status != want || r.Token != tokens[uid] {
			t.Fatalf("user %d after the failover: %+v, want %s with token %s", uid, r, want, tokens[uid])
		}
		if code, id, err := s.CheckinToken(ctx, tokens[uid]); err != nil || code != "sen" || id != uid {
			t.Fatalf("token of user %d: %s %d %v", uid, code, id, err)
		}
	}
	for chat := int64(1); chat <= chats; chat++ {
		st, err := s.LoadState(ctx, chat, chat, 100+chat)
		if err != nil || !st.Dup || st.User == nil || st.User.FirstName != fmt.Sprint("U", chat) ||
			st.Session == nil || st.Session.Flow != "profile" {
			t.Fatalf("chat %d after the failover: %+v %v", chat, st, err)
		}
		if err := s.Commit(ctx, transport.Commit{ChatID: chat, UpdateID: 200 + chat, User: user(chat), Session: &flows.Session{}}); err != nil {
			t.Fatalf("commit after the failover: %v", err)
		}
	}

	// New writes: more sign-ups (all waiting: the workshop is full), a
	// cancellation that promotes the head of the waiting list.
	const after = 5
	for uid := int64(before + 1); uid <= before+after; uid++ {
		if r := register(t, s, "sen", uid); r.Status != flows.RegWaiting {
			t.Fatalf("user %d after the failover: %s, want waiting", uid, r.Status)
		}
	}
	if ex, err := nm.ScriptExists(ctx, regSHA).Result(); err != nil || !ex[0] {
		t.Fatalf("register script not loaded on the new master by EVAL after NOSCRIPT: %v %v", ex, err)
	}
	if _, err := s.Register(ctx, reg("sen", 1), t0); !errors.Is(err, flows.ErrAlreadyRegistered) {
		t.Fatalf("second registration of user 1 after the failover: %v", err)
	}
	if _, err := s.CancelRegistration(ctx, "sen", 3, t0); err != nil {
		t.Fatal(err)
	}
	if r, err := s.GetRegistration(ctx, "sen", seats+1); err != nil || r.Status != flows.RegConfirmed {
		t.Fatalf("head of the waiting list after a cancellation: %+v %v", r, err)
	}
	n, err := s.Counts(ctx, "sen")
	if err != nil {
		t.Fatal(err)
	}
	if n.Confirmed != seats || n.Waiting != before+after-seats-1 {
		t.Fatalf("counts after the failover %+v, want %d confirmed, %d waiting", n, seats, before+after-seats-1)
	}
	regs, err = s.Registrations(ctx, "sen")
	if err != nil {
		t.Fatal(err)
	}
	var confirmed []int64
	for _, r := range regs {
		if r.Status == flows.RegConfirmed {
			confirmed = append(confirmed, r.UserID)
		}
	}
	sort.Slice(confirmed, func(i, j int) bool { return confirmed[i] < confirmed[j] })
	if len(confirmed) > seats || slices.Contains(confirmed, 3) {
		t.Fatalf("overbooked or cancelled seat kept: confirmed %v", confirmed)
	}

	// The broadcast goes on: A's claims survived, B takes the rest, one
	// finisher counts all ten.
	_, st, err := s.GetBroadcast(ctx, "sbc")
	if err != nil || st.Sent != 3 || st.Status != flows.BcRunning {
		t.Fatalf("broadcast after the failover: %+v %v", st, err)
	}
	for _, c := range a[3:] {
		if err := s.BeginSend(ctx, "sbc", "A", c, time.Minute); err != nil {
			t.Fatalf("A's claim after the failover: %v", err)
		}
		if _, err := s.Delivered(ctx, "sbc", c, "sent"); err != nil {
			t.Fatal(err)
		}
	}
	b, err := s.ClaimRecipients(ctx, "sbc", "B", 10, time.Minute)
	if err != nil || len(b) != 5 {
		t.Fatalf("B claimed %+v, %v", b, err)
	}
	for _, c := range b {
		if slices.ContainsFunc(a, func(x transport.Claim) bool { return x.UserID == c.UserID }) {
			t.Fatalf("B got A's recipient %d", c.UserID)
		}
		if err := s.BeginSend(ctx, "sbc", "B", c, time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Delivered(ctx, "sbc", c, "sent"); err != nil {
			t.Fatal(err)
		}
	}
	finished, st, err := s.FinishBroadcast(ctx, "sbc", time.Now())
	if err != nil || !finished || st.Sent != 10 || st.Uncertain != 0 {
		t.Fatalf("finish after the failover: %v %+v %v", finished, st, err)
	}
	if !strings.HasPrefix(newMaster, "127.0.0.1:") || newMaster == oldMaster {
		t.Fatalf("new master %s (old %s)", newMaster, oldMaster)
	}
}
