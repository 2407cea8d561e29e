package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows/transport"
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
// its own id, which is what the begun mark names. The commit marks its first
// entry begun (it is sent right after); each later one is marked right
// before its call, in the same round trip that takes the one before it off.
//
//	<p>{c:<chat>}:outbox        list    the chat's unsent replies, oldest first
//	<p>{c:<chat>}:outbox:begun  string  id of the entry whose send began
//	<p>outbox:pending           zset    chat -> commit time (unix ms) of chats with an outbox
//
// The chat's lock is held from the commit until the outbox is empty, so
// entries of one chat are sent by one process at a time, in order.

func (s *Store) outboxKey(chat int64) string   { return s.chatKey(chat, "outbox") }
func (s *Store) begunKey(chat int64) string    { return s.chatKey(chat, "outbox:begun") }
func (s *Store) pendingKey() string            { return s.p + "outbox:pending" }
func (s *Store) keyboardKey(chat int64) string { return s.chatKey(chat, "kb") }

// OutboxBegin records that the send of entry id of chat's outbox begins;
// with pop, the entry before it (sent) leaves the outbox in the same
// round trip. Concurrent calls share one pipeline. (The first entry of a
// commit is marked begun by the commit itself: Commit.OutboxBegun.)
func (s *Store) OutboxBegin(ctx context.Context, chat int64, id string, pop bool) error {
	if _, err := s.begins.do(ctx, beginReq{chat: chat, id: id, pop: pop}); err != nil {
		return fmt.Errorf("outbox of chat %d: begin %s: %w", chat, id, err)
	}
	return nil
}

type beginReq struct {
	chat int64
	id   string
	pop  bool
	cmds []redis.Cmder
}

func (s *Store) runBegins(ctx context.Context, batch []*call[beginReq]) {
	p := s.rdb.Pipeline()
	for _, cl := range batch {
		r := &cl.req
		r.cmds = r.cmds[:0]
		if r.pop {
			// Popped first: a stop between the two leaves the sent entry
			// at the head marked begun, dropped as uncertain, never resent.
			r.cmds = append(r.cmds, p.LPop(ctx, s.outboxKey(r.chat)))
		}
		r.cmds = append(r.cmds, p.Set(ctx, s.begunKey(r.chat), r.id, 0))
	}
	_, _ = p.Exec(ctx) // errors are per command
	for _, cl := range batch {
		for _, c := range cl.req.cmds {
			if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) {
				cl.err = err
				break
			}
		}
	}
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
// meanwhile. Concurrent calls share one round trip, as commits do.
//
// keyboard, when not 0, is the id of the last message with buttons the
// outbox sent to the chat: remembered (for as long as a session) so that a
// question answered by typing can take its buttons away.
func (s *Store) OutboxDone(ctx context.Context, chat int64, held transport.Lock, release bool, keyboard int) error {
	lock, err := ours(held)
	if err != nil {
		return fmt.Errorf("outbox of chat %d: done: %w", chat, err)
	}
	r := doneReq{chat: chat, keyboard: keyboard}
	if release && lock != nil {
		r.token = lock.token
	}
	if _, err := s.dones.do(ctx, r); err != nil {
		return fmt.Errorf("outbox of chat %d: done: %w", chat, err)
	}
	if r.token != "" {
		lock.released()
	}
	return nil
}

type doneReq struct {
	chat     int64
	token    string // release the chat's lock held with this token ("": keep it)
	keyboard int    // the last message with buttons sent to the chat (0: none)
	cmds     []redis.Cmder
}

// queueDone queues the writes of one chat's outbox being emptied: all in
// the chat's slot but the pending index, which is written with them only
// on one node (withPending).
func (s *Store) queueDone(ctx context.Context, p redis.Pipeliner, r *doneReq, withPending bool) {
	r.cmds = r.cmds[:0]
	if withPending {
		r.cmds = append(r.cmds, p.ZRem(ctx, s.pendingKey(), r.chat))
	}
	r.cmds = append(r.cmds, p.Del(ctx, s.outboxKey(r.chat), s.begunKey(r.chat)))
	if r.keyboard != 0 {
		r.cmds = append(r.cmds, p.Set(ctx, s.keyboardKey(r.chat), r.keyboard, s.sessionTTL))
	}
	if r.token != "" {
		r.cmds = append(r.cmds, p.Eval(ctx, unlockLua, []string{s.lockKey(r.chat)}, r.token))
	}
}

// runDones empties a batch of outboxes in pipelines, no transaction: each
// chat leaves outbox:pending first, then its outbox goes, then its lock —
// all while the lock is held, so nothing else writes them meanwhile, and a
// stop between two steps leaves at worst an outbox whose last entry is
// marked begun, which the chat's next update drops as uncertain (it was
// sent), or a lock that expires. On one node the batch is one pipeline, in
// that order; on a Cluster (where a pipeline's commands to different nodes
// are not ordered) the pending index is written first, in a pipeline of its
// own.
func (s *Store) runDones(ctx context.Context, batch []*call[doneReq]) {
	if !s.cluster {
		p := s.rdb.Pipeline()
		for _, cl := range batch {
			s.queueDone(ctx, p, &cl.req, true)
		}
		_, _ = p.Exec(ctx) // errors are per command
		for _, cl := range batch {
			cl.err = firstErr(cl.req.cmds)
		}
		return
	}
	p := s.rdb.Pipeline()
	rems := make([]*redis.IntCmd, len(batch))
	for i, cl := range batch {
		rems[i] = p.ZRem(ctx, s.pendingKey(), cl.req.chat)
	}
	_, _ = p.Exec(ctx)
	p = s.rdb.Pipeline()
	for i, cl := range batch {
		if cl.err = rems[i].Err(); cl.err == nil {
			s.queueDone(ctx, p, &cl.req, false)
		}
	}
	_, _ = p.Exec(ctx)
	for i, cl := range batch {
		if rems[i].Err() == nil {
			cl.err = firstErr(cl.req.cmds)
		}
	}
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
