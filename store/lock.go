package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows/transport"
)

// Per-chat lock: replicas behind a load balancer may receive updates of one
// chat at the same time; the lock makes them take turns.
//
//	<p>{c:<chat>}:lock   string  holder token, PX = lease (renewed while held)
//
// It is the usual single-instance Redis lock (SET NX PX with a random token;
// release and renewal compare the token in a script), in the chat's hash
// tag so it sits in the chat's Cluster slot. A holder that dies stops
// renewing, and its lease expires. On Sentinel failover an acknowledged SET
// may be lost with the old master (Redis replication is asynchronous), so
// two holders are possible for the length of a failover: the dedupe mark,
// written in the same transaction as the state, still keeps one update from
// being handled twice.

const unlockLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`

var (
	unlockScript = redis.NewScript(unlockLua)
	renewScript  = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`)
)

func (s *Store) lockKey(chat int64) string { return s.chatKey(chat, "lock") }

// Locker hands out per-chat locks with a lease. Tokens are unique per
// locker (a random instance id and a counter), so a holder can only release
// or renew its own lock.
type Locker struct {
	s     *Store
	lease time.Duration
	id    string
	n     atomic.Uint64
}

// NewLocker returns a locker whose locks expire after lease unless renewed
// (a *Locker; its locks are *Lock).
func (s *Store) NewLocker(lease time.Duration) transport.Locker {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Locker{s: s, lease: lease, id: hex.EncodeToString(b[:])}
}

// Lease is the lock lifetime without renewal.
func (l *Locker) Lease() time.Duration { return l.lease }

// Lock is a held per-chat lock (a transport.Lock).
type Lock struct {
	l     *Locker
	chat  int64
	token string
	mu    sync.Mutex // guards renew
	renew *time.Timer
	lost  atomic.Bool
	done  atomic.Bool // released
}

// Acquire takes chat's lock, waiting while another holder has it — up to
// maxWait (transport.ErrLockBusy after that) or until ctx ends. The lock renews
// itself every third of the lease until Release, so a slow holder keeps it
// and a dead one loses it within one lease.
func (l *Locker) Acquire(ctx context.Context, chat int64, maxWait time.Duration) (transport.Lock, error) {
	key := l.s.lockKey(chat)
	lk, err := l.take(ctx, chat, maxWait, func(token string) (bool, error) {
		return l.s.rdb.SetNX(ctx, key, token, l.lease).Result()
	})
	if err != nil {
		return nil, err
	}
	return lk, nil
}

// LockAndLoad takes chat's lock and loads its state in one round trip
// (shared with concurrent loads, see LoadState), waiting as Acquire does.
// Pass the lock in the Commit that ends the update: it is released in the
// same transaction; on any other path call Release.
func (l *Locker) LockAndLoad(ctx context.Context, chat, user, upd int64, maxWait time.Duration) (transport.Lock, *transport.State, error) {
	var st *transport.State
	lk, err := l.take(ctx, chat, maxWait, func(token string) (bool, error) {
		cl, err := l.s.loads.do(ctx, loadReq{chat: chat, user: user, upd: upd, token: token, lease: l.lease})
		if errors.Is(err, errChatLocked) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		st = cl.req.state
		return true, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return lk, st, nil
}

// take calls try with a new token until it reports the lock taken, fails,
// or maxWait has passed (ErrLockBusy), backing off from 2 ms to 100 ms.
func (l *Locker) take(ctx context.Context, chat int64, maxWait time.Duration, try func(token string) (bool, error)) (*Lock, error) {
	deadline := time.Now().Add(maxWait)
	for backoff := 2 * time.Millisecond; ; backoff = min(2*backoff, 100*time.Millisecond) {
		token := l.id + ":" + strconv.FormatUint(l.n.Add(1), 36)
		ok, err := try(token)
		switch {
		case err != nil:
			return nil, fmt.Errorf("lock chat %d: %w", chat, err)
		case ok:
			return l.held(chat, token), nil
		case !time.Now().Before(deadline):
			return nil, fmt.Errorf("lock chat %d: %w", chat, transport.ErrLockBusy)
		}
		t := time.NewTimer(min(backoff, time.Until(deadline)+time.Millisecond))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("lock chat %d: %w", chat, ctx.Err())
		}
	}
}

// held starts renewing a lock just taken.
func (l *Locker) held(chat int64, token string) *Lock {
	lk := &Lock{l: l, chat: chat, token: token}
	lk.mu.Lock()
	lk.renew = time.AfterFunc(l.lease/3, lk.renewLoop)
	lk.mu.Unlock()
	return lk
}

// ours returns the store's lock behind held (nil for none); a lock this
// package did not hand out is an error.
func ours(held transport.Lock) (*Lock, error) {
	if held == nil {
		return nil, nil
	}
	lk, ok := held.(*Lock)
	if !ok {
		return nil, fmt.Errorf("%T is not a lock of this store", held)
	}
	return lk, nil
}

// released stops renewing: the lock was given up (in a Commit).
func (lk *Lock) released() {
	lk.mu.Lock()
	lk.done.Store(true)
	lk.renew.Stop()
	lk.mu.Unlock()
}

func (lk *Lock) renewLoop() {
	if lk.done.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), lk.l.lease/3)
	defer cancel()
	n, err := renewScript.Run(ctx, lk.l.s.rdb, []string{lk.l.s.lockKey(lk.chat)}, lk.token, lk.l.lease.Milliseconds()).Int()
	if err == nil && n == 0 {
		lk.lost.Store(true) // expired and maybe taken: stop renewing
		return
	}
	// On an error (Redis briefly away) keep trying while the lease may
	// still be ours.
	lk.mu.Lock()
	if !lk.done.Load() {
		lk.renew.Reset(lk.l.lease / 3)
	}
	lk.mu.Unlock()
}

// Lost reports whether a renewal found the lock expired (another holder may
// have run meanwhile).
func (lk *Lock) Lost() bool { return lk.lost.Load() }

// Token is the holder token (tests).
func (lk *Lock) Token() string { return lk.token }

// Release gives the lock up if it is still ours; after a Commit that
// carried the lock it does nothing.
func (lk *Lock) Release(ctx context.Context) error {
	if lk.done.Load() {
		return nil
	}
	lk.released()
	if err := lk.unlock(ctx); err != nil {
		// Redis is away: keep trying in the background while the lease
		// lasts, so the chat is free as soon as Redis is back (the lock
		// may have survived a restart) rather than after the lease.
		go lk.retryUnlock()
		return err
	}
	return nil
}

func (lk *Lock) unlock(ctx context.Context) error {
	if err := unlockScript.Run(ctx, lk.l.s.rdb, []string{lk.l.s.lockKey(lk.chat)}, lk.token).Err(); err != nil {
		return fmt.Errorf("unlock chat %d: %w", lk.chat, err)
	}
	return nil
}

func (lk *Lock) retryUnlock() {
	deadline := time.Now().Add(lk.l.lease)
	for time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := lk.unlock(ctx)
		cancel()
		if err == nil {
			return
		}
	}
}
