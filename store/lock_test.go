package store_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"sinergi/flows/transport"
	"sinergi/store"
)

func TestLockExcludesAndReleases(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	a, b := s.NewLocker(5*time.Second), s.NewLocker(5*time.Second)
	lk, err := a.Acquire(ctx, 42, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Acquire(ctx, 42, 50*time.Millisecond); !errors.Is(err, transport.ErrLockBusy) {
		t.Fatalf("second holder got %v, want ErrLockBusy", err)
	}
	other, err := b.Acquire(ctx, 43, 0) // another chat is independent
	if err != nil {
		t.Fatalf("other chat: %v", err)
	}
	_ = other.Release(ctx)
	got := make(chan error, 1)
	go func() {
		lk2, err := b.Acquire(ctx, 42, 5*time.Second) // waits for the release
		if err == nil {
			err = lk2.Release(ctx)
		}
		got <- err
	}()
	time.Sleep(100 * time.Millisecond)
	if err := lk.Release(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("waiter: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("waiter did not get the lock after the release")
	}
}

func TestLockReleaseLeavesOthersLockAlone(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	l := s.NewLocker(200 * time.Millisecond)
	lk, err := l.Acquire(ctx, 7, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Another holder owns the key now (as if our lease had run out).
	key := r.Prefix + "{c:7}:lock"
	if err := r.Client.Set(ctx, key, "someone-else", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if err := lk.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if v := r.Client.Get(ctx, key).Val(); v != "someone-else" {
		t.Fatalf("release deleted another holder's lock: %q", v)
	}
}

func TestLockOfDeadHolderExpires(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	// A holder that died: its token stays until the lease ends, unrenewed.
	key := r.Prefix + "{c:9}:lock"
	if err := r.Client.Set(ctx, key, "dead-process:1", 300*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	lk, err := s.NewLocker(5*time.Second).Acquire(ctx, 9, 3*time.Second)
	if err != nil {
		t.Fatalf("lock of a dead holder never freed: %v", err)
	}
	defer lk.Release(ctx)
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Errorf("took the lock after %v, before the dead holder's lease ended", waited)
	}
}

func TestLockRenewsWhileHeld(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	lk, err := s.NewLocker(600*time.Millisecond).Acquire(ctx, 5, 0)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // more than three leases
	if _, err := s.NewLocker(time.Second).Acquire(ctx, 5, 0); !errors.Is(err, transport.ErrLockBusy) {
		t.Fatalf("a held lock expired while its holder was alive: %v", err)
	}
	if lk.(*store.Lock).Lost() {
		t.Error("renewal reports the lock lost")
	}
	if err := lk.Release(ctx); err != nil {
		t.Fatal(err)
	}
	lk2, err := s.NewLocker(time.Second).Acquire(ctx, 5, 0)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	_ = lk2.Release(ctx)
}

// TestLockMutualExclusion: holders in two "replicas" do a read-modify-write
// under the lock; no increment is lost.
func TestLockMutualExclusion(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	lockers := []transport.Locker{s.NewLocker(5 * time.Second), s.NewLocker(5 * time.Second)}
	counter := r.Prefix + "{c:1}:counter"
	const per = 40
	var wg sync.WaitGroup
	errs := make(chan error, 2*4*per)
	for _, l := range lockers {
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range per {
					lk, err := l.Acquire(ctx, 1, 10*time.Second)
					if err != nil {
						errs <- err
						return
					}
					n, _ := r.Client.Get(ctx, counter).Int()
					time.Sleep(100 * time.Microsecond)
					r.Client.Set(ctx, counter, strconv.Itoa(n+1), 0)
					if err := lk.Release(ctx); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n, _ := r.Client.Get(ctx, counter).Int(); n != 2*4*per {
		t.Fatalf("counter %d, want %d: two holders ran at once", n, 2*4*per)
	}
}

// LockAndLoad takes the lock with the state read; the commit that carries
// the lock releases it in its transaction.
func TestLockAndLoadReleasedByCommit(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	l := s.NewLocker(5 * time.Second)
	lk, st, err := l.LockAndLoad(ctx, 11, 11, 500, 0)
	if err != nil || st.Dup {
		t.Fatalf("%+v %v", st, err)
	}
	if _, _, err := s.NewLocker(time.Second).LockAndLoad(ctx, 11, 11, 500, 30*time.Millisecond); !errors.Is(err, transport.ErrLockBusy) {
		t.Fatalf("second LockAndLoad: %v", err)
	}
	if err := s.Commit(ctx, transport.Commit{ChatID: 11, UpdateID: 500, Lock: lk}); err != nil {
		t.Fatal(err)
	}
	if n := r.Client.Exists(ctx, r.Prefix+"{c:11}:lock").Val(); n != 0 {
		t.Fatal("lock still held after the commit")
	}
	if err := lk.Release(ctx); err != nil { // a no-op now
		t.Fatal(err)
	}
	lk2, st, err := s.NewLocker(time.Second).LockAndLoad(ctx, 11, 11, 500, 0)
	if err != nil || !st.Dup {
		t.Fatalf("after commit: dup %v err %v", st != nil && st.Dup, err)
	}
	_ = lk2.Release(ctx)
}

// otherLock is a transport.Lock the store did not hand out.
type otherLock struct{}

func (otherLock) Release(context.Context) error { return nil }

// A Commit or OutboxDone carrying a lock of another kind is refused and
// writes nothing: the store can only release its own locks.
func TestCommitRefusesOtherLock(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if err := s.Commit(ctx, transport.Commit{ChatID: 12, UpdateID: 600, Lock: otherLock{}}); err == nil {
		t.Fatal("a commit with a foreign lock was accepted")
	}
	st, err := s.LoadState(ctx, 12, 12, 600)
	if err != nil || st.Dup {
		t.Fatalf("the refused commit wrote its dedupe mark: %+v %v", st, err)
	}
	if err := s.OutboxDone(ctx, 12, otherLock{}, true, 0); err == nil {
		t.Fatal("OutboxDone with a foreign lock was accepted")
	}
}
