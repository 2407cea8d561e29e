package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/store/keyslot"
)

// The outbox makes replies exactly-once across crashes (bar one uncertain
// message per chat). An update's replies are committed with its state, in
// the same transaction, as entries of the chat's outbox; they are sent only
// after that, in order, each one marked begun right before its HTTP call
// and taken off the outbox right after it. So:
//
//   - a crash before the commit sent nothing, and the update runs again;
//   - a crash after it leaves the unsent entries, which are sent by
//     whoever holds the chat's lock next (the chat's next update, or the
//     sweeper that looks for outboxes left behind); the update itself is
//     not run again (its dedupe mark is set);
//   - the one entry whose send had begun when the process died may or may
//     not have arrived: it is dropped and counted, never sent twice.
//
// Entries are opaque to the store (the transport encodes them); each holds
// its own id, which is what the begun mark names.
//
//	<p>{c:<chat>}:outbox        list    the chat's unsent replies, oldest first
//	<p>{c:<chat>}:outbox:begun  string  id of the entry whose send began
//	<p>outbox:pending           zset    chat -> commit time (unix ms) of chats with an outbox
//
// The chat's lock is held from the commit until the outbox is empty, so
// entries of one chat are sent by one process at a time, in order.

func (s *Store) outboxKey(chat int64) string { return s.chatKey(chat, "outbox") }
func (s *Store) begunKey(chat int64) string  { return s.chatKey(chat, "outbox:begun") }
func (s *Store) pendingKey() string          { return s.p + "outbox:pending" }

// OutboxBegin records that the send of entry id of chat's outbox begins.
func (s *Store) OutboxBegin(ctx context.Context, chat int64, id string) error {
	if err := s.rdb.Set(ctx, s.begunKey(chat), id, 0).Err(); err != nil {
		return fmt.Errorf("outbox of chat %d: begin %s: %w", chat, id, err)
	}
	return nil
}

// OutboxPop takes the first entry off chat's outbox (it was sent, or its
// send failed for good, or it is dropped as uncertain).
func (s *Store) OutboxPop(ctx context.Context, chat int64) error {
	if err := s.rdb.LPop(ctx, s.outboxKey(chat)).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("outbox of chat %d: pop: %w", chat, err)
	}
	return nil
}

// OutboxDone empties chat's outbox (its last entry was sent) and, when
// release is set, gives up the chat's lock in the same transaction. It runs
// while lock is held, so no other update of the chat can add entries
// meanwhile.
func (s *Store) OutboxDone(ctx context.Context, chat int64, lock *Lock, release bool) error {
	if s.cluster {
		// outbox:pending is in another slot: leave it first, still under
		// the lock. A stop between the two steps leaves an outbox whose
		// last entry is marked begun, which the chat's next update drops
		// as uncertain (it was sent).
		if err := s.rdb.ZRem(ctx, s.pendingKey(), chat).Err(); err != nil {
			return fmt.Errorf("outbox of chat %d: done: %w", chat, err)
		}
	} else {
		ctx = keyslot.SingleNodeOnly(ctx)
	}
	var unlock *redis.Cmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, s.outboxKey(chat), s.begunKey(chat))
		if !s.cluster {
			p.ZRem(ctx, s.pendingKey(), chat)
		}
		if release && lock != nil {
			unlock = p.Eval(ctx, unlockLua, []string{s.lockKey(chat)}, lock.token)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("outbox of chat %d: done: %w", chat, err)
	}
	if unlock != nil {
		lock.released()
	}
	return nil
}

// ReadOutbox returns chat's unsent entries, oldest first, and the id of the
// entry whose send began ("" when none).
func (s *Store) ReadOutbox(ctx context.Context, chat int64) (entries [][]byte, begun string, err error) {
	var lr *redis.StringSliceCmd
	var bg *redis.StringCmd
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		lr = p.LRange(ctx, s.outboxKey(chat), 0, -1)
		bg = p.Get(ctx, s.begunKey(chat))
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, "", fmt.Errorf("read outbox of chat %d: %w", chat, err)
	}
	for _, e := range lr.Val() {
		entries = append(entries, []byte(e))
	}
	return entries, bg.Val(), nil
}

// PendingOutboxes lists up to n chats whose outbox was committed before
// olderThan and may have been left behind by a process that stopped.
func (s *Store) PendingOutboxes(ctx context.Context, olderThan time.Time, n int) ([]int64, error) {
	ids, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{
		Key: s.pendingKey(), ByScore: true, Start: "-inf", Stop: strconv.FormatInt(olderThan.UnixMilli(), 10), Count: int64(n),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("pending outboxes: %w", err)
	}
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if chat, err := strconv.ParseInt(id, 10, 64); err == nil {
			out = append(out, chat)
		}
	}
	return out, nil
}
