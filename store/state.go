package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
	"sinergi/flows/transport"
	"sinergi/store/keyslot"
)

// LoadState reads the dedupe mark, the user and the chat's session in one
// round trip (shared with concurrent loads).
func (s *Store) LoadState(ctx context.Context, chatID, userID, updateID int64) (*transport.State, error) {
	cl, err := s.loads.do(ctx, loadReq{chat: chatID, user: userID, upd: updateID})
	if err != nil {
		return nil, fmt.Errorf("load state of chat %d: %w", chatID, err)
	}
	return cl.req.state, nil
}

type loadReq struct {
	chat, user, upd int64
	token           string        // take the chat's lock with this token first ("" : no lock)
	lease           time.Duration // the lock's lease
	state           *transport.State
	locked          *redis.BoolCmd
	dup             *redis.IntCmd
	u               *redis.MapStringStringCmd
	sess            *redis.StringCmd
	outbox          *redis.IntCmd
	kb              *redis.StringCmd
}

// errChatLocked: the chat's lock is held by another holder (LockAndLoad
// waits and tries again).
var errChatLocked = errors.New("chat locked")

// runLoads reads a batch of states in one pipeline.
func (s *Store) runLoads(ctx context.Context, batch []*call[loadReq]) {
	pipe := s.rdb.Pipeline()
	for _, cl := range batch {
		r := &cl.req
		if r.token != "" {
			r.locked = pipe.SetNX(ctx, s.lockKey(r.chat), r.token, r.lease)
		}
		r.dup = pipe.Exists(ctx, s.updKey(r.chat, r.upd))
		r.u = pipe.HGetAll(ctx, s.userKey(r.user))
		r.sess = pipe.Get(ctx, s.sessKey(r.chat))
		r.outbox = pipe.LLen(ctx, s.outboxKey(r.chat))
		r.kb = pipe.Get(ctx, s.keyboardKey(r.chat))
	}
	_, _ = pipe.Exec(ctx) // errors are per command
	for _, cl := range batch {
		r := &cl.req
		r.state, cl.err = decodeState(r)
	}
}

func decodeState(r *loadReq) (*transport.State, error) {
	if r.locked != nil {
		if err := r.locked.Err(); err != nil {
			return nil, err
		}
		if !r.locked.Val() {
			return nil, errChatLocked
		}
	}
	if err := r.dup.Err(); err != nil {
		return nil, err
	}
	if err := r.outbox.Err(); err != nil {
		return nil, err
	}
	st := &transport.State{Dup: r.dup.Val() > 0, Outbox: r.outbox.Val()}
	if err := r.kb.Err(); err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	st.Keyboard, _ = strconv.Atoi(r.kb.Val()) // "" (none) reads as 0
	m, err := r.u.Result()
	if err != nil {
		return nil, err
	}
	if st.User, err = decodeUser(m); err != nil {
		return nil, err
	}
	switch b, err := r.sess.Bytes(); {
	case err == nil:
		st.Session = new(flows.Session)
		if err := json.Unmarshal(b, st.Session); err != nil {
			// A session we cannot read is reset rather than failing every update.
			st.Session = &flows.Session{Version: -1, Flow: "?"}
		}
	case !errors.Is(err, redis.Nil):
		return nil, err
	}
	return st, nil
}

// Commit writes the outcome of an update atomically: session, user,
// dedupe mark and inbox removal. Concurrent commits share one round trip
// (group commit); see runCommits for how each stays atomic, on one node
// and on Cluster.
func (s *Store) Commit(ctx context.Context, c transport.Commit) error {
	lock, err := ours(c.Lock)
	if err != nil {
		return fmt.Errorf("commit update %d of chat %d: %w", c.UpdateID, c.ChatID, err)
	}
	r := commitReq{Commit: c, lock: lock}
	if c.User != nil {
		r.userSet, r.userDel = userDiff(c.UserBefore, c.User)
	}
	if c.Session.Active() {
		if r.sess, err = json.Marshal(c.Session); err != nil {
			return fmt.Errorf("encode session: %w", err)
		}
	}
	if _, err := s.commits.do(ctx, r); err != nil {
		return fmt.Errorf("commit update %d of chat %d: %w", c.UpdateID, c.ChatID, err)
	}
	if lock != nil && len(c.Outbox) == 0 {
		lock.released()
	}
	return nil
}

// trimEvery: a commit whose update id is a multiple of it trims the chat's
// index of dedupe marks ({c:<chat>}:upds) of expired entries.
const trimEvery = 16

type commitReq struct {
	transport.Commit
	lock    *Lock    // Commit.Lock, as the store's own lock
	userSet []any    // user fields to set
	userDel []string // user fields to delete
	sess    []byte
	cmds    []redis.Cmder
}

// writesUser reports whether the commit changes the user record.
func (c *commitReq) writesUser() bool { return len(c.userSet) > 0 || len(c.userDel) > 0 }

// ownSlot reports whether the user record is in the chat's slot: a
// private chat's id is its user's id. In a group chat the user's keys
// ({c:<user>}) are in another slot than the chat's ({c:<chat>}).
func (c *commitReq) ownSlot() bool { return c.User == nil || c.User.ID == c.ChatID }

// queueBefore queues what a Cluster commit writes before the chat's
// transaction: the user's entry in users:all, and the user record when it
// is not in the chat's slot (on one node, both go into the transaction).
func (s *Store) queueBefore(ctx context.Context, p redis.Pipeliner, c *commitReq) {
	if len(c.Outbox) > 0 {
		// Before the outbox itself: a stop in between leaves a pending
		// chat with no outbox, which the sweeper clears.
		c.cmds = append(c.cmds, p.ZAdd(ctx, s.pendingKey(), redis.Z{Score: float64(time.Now().UnixMilli()), Member: c.ChatID}))
	}
	if c.Forget || !c.writesUser() {
		return
	}
	if c.User.Consent != "" { // members are those who consented
		c.cmds = append(c.cmds, p.SAdd(ctx, s.usersKey(), c.User.ID))
	}
	if !c.ownSlot() {
		s.queueUserWrite(ctx, p, c)
	}
}

// queueChat queues the commit's writes to the chat's keys, all with the
// hash tag {c:<chat>}: the session, the dedupe mark and the user record
// when it is in that slot; or, for a forgotten user, the deletion of their
// record and session.
func (s *Store) queueChat(ctx context.Context, p redis.Pipeliner, c *commitReq) {
	if len(c.Outbox) > 0 {
		out := make([]any, len(c.Outbox))
		for i, m := range c.Outbox {
			out[i] = m
		}
		c.cmds = append(c.cmds, p.RPush(ctx, s.outboxKey(c.ChatID), out...))
		if c.OutboxBegun != "" {
			c.cmds = append(c.cmds, p.Set(ctx, s.begunKey(c.ChatID), c.OutboxBegun, 0))
		}
	}
	if c.Forget {
		keys := []string{s.userKey(c.ChatID), s.sessKey(c.ChatID)}
		if len(c.Outbox) == 0 {
			keys = append(keys, s.lockKey(c.ChatID))
		}
		c.cmds = append(c.cmds, p.Del(ctx, keys...))
		return
	}
	if c.writesUser() && c.ownSlot() {
		s.queueUserWrite(ctx, p, c)
	}
	if c.sess != nil {
		c.cmds = append(c.cmds, p.Set(ctx, s.sessKey(c.ChatID), c.sess, s.sessionTTL))
	} else if c.Session != nil {
		c.cmds = append(c.cmds, p.Del(ctx, s.sessKey(c.ChatID)))
	}
	// The mark, and its entry in the chat's index of marks (by expiry; the
	// index expires itself when the chat is quiet): ForgetUser deletes the
	// marks it lists instead of scanning the keyspace for them. Expired
	// entries are trimmed by one commit in trimEvery (update ids are
	// Telegram's global sequence, so that is about one in trimEvery of the
	// chat's), which keeps the hot path at two more commands.
	now := time.Now()
	upds := s.updsKey(c.ChatID)
	c.cmds = append(c.cmds, p.Set(ctx, s.updKey(c.ChatID, c.UpdateID), "1", dedupeTTL),
		p.ZAdd(ctx, upds, redis.Z{Score: float64(now.Add(dedupeTTL).UnixMilli()), Member: c.UpdateID}),
		p.PExpire(ctx, upds, dedupeTTL))
	if c.UpdateID%trimEvery == 0 {
		c.cmds = append(c.cmds, p.ZRemRangeByScore(ctx, upds, "-inf", strconv.FormatInt(now.UnixMilli(), 10)))
	}
	if c.lock != nil && len(c.Outbox) == 0 {
		c.cmds = append(c.cmds, p.Eval(ctx, unlockLua, []string{s.lockKey(c.ChatID)}, c.lock.token))
	}
}

// queueAfter queues what a Cluster commit writes after the chat's
// transaction: a forgotten user leaves users:all, a polled update leaves
// the inbox.
func (s *Store) queueAfter(ctx context.Context, p redis.Pipeliner, c *commitReq) {
	if c.Forget {
		c.cmds = append(c.cmds, p.SRem(ctx, s.usersKey(), c.ChatID))
		if !s.cluster { // on one node, in the MULTI that deletes the record
			s.unindexReceiver(ctx, p, c.ChatID)
		}
	} else if c.writesUser() && c.User.Consent == "" && c.UserBefore != nil && c.UserBefore.Consent != "" {
		c.cmds = append(c.cmds, p.SRem(ctx, s.usersKey(), c.User.ID)) // consent withdrawn
	}
	if c.FromInbox {
		c.cmds = append(c.cmds, p.HDel(ctx, s.inboxKey(), strconv.FormatInt(c.UpdateID, 10)))
	}
}

// runCommits writes a batch of commits. On one Redis server (or a Sentinel
// master) the whole batch is one MULTI/EXEC: each commit is atomic with
// everything it writes, users:all and poll:inbox included, in one round
// trip. That transaction spans slots on purpose (keyslot.SingleNodeOnly);
// a Cluster refuses it, so there runSlotCommits writes the batch instead.
func (s *Store) runCommits(ctx context.Context, batch []*call[commitReq]) {
	if s.cluster {
		s.runSlotCommits(ctx, batch)
		return
	}
	ctx = keyslot.SingleNodeOnly(ctx)
	_, _ = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, cl := range batch {
			c := &cl.req
			c.cmds = c.cmds[:0]
			s.queueBefore(ctx, p, c)
			s.queueChat(ctx, p, c)
			s.queueAfter(ctx, p, c)
		}
		return nil
	})
	for _, cl := range batch {
		cl.err = firstErr(cl.req.cmds)
	}
}

// runSlotCommits writes a batch of commits on a Cluster in three steps.
//
//  1. One pipeline adds the users to users:all and writes the user records
//     that are not in their chat's slot (group chats).
//  2. One MULTI/EXEC per slot, run concurrently, writes the chats' keys:
//     session, dedupe mark, user record (or a forgotten user's deletion).
//     Commits of chats that share a slot share its transaction.
//  3. One pipeline removes forgotten users from users:all and the handled
//     updates from poll:inbox.
//
// A commit whose step fails is not carried further and reports the error,
// so its update is handled again. Each order is safe when the process
// stops between two steps:
//   - users:all before the record: an id without a record is skipped
//     (AllUsers reads the records; a broadcast reaches only those), while
//     a record missing from users:all would be missed by broadcasts;
//   - a group chat's user record before the chat's MULTI: if the MULTI
//     fails, the update is handled again from the saved user, as the next
//     update would be; the dedupe mark is only set by the MULTI;
//   - users:all and the inbox after the MULTI: an update that stays in the
//     inbox is replayed, found handled by its dedupe mark and acknowledged
//     (a forget commit sets no mark: replaying it repeats an idempotent
//     deletion); a forgotten user's id left in users:all has no record.
func (s *Store) runSlotCommits(ctx context.Context, batch []*call[commitReq]) {
	for _, cl := range batch {
		cl.req.cmds = cl.req.cmds[:0]
	}
	s.pipelineStep(ctx, batch, s.queueBefore)

	bySlot := map[int][]*call[commitReq]{}
	for _, cl := range batch {
		if cl.err == nil {
			sl := keyslot.Slot(s.sessKey(cl.req.ChatID))
			bySlot[sl] = append(bySlot[sl], cl)
		}
	}
	var wg sync.WaitGroup
	for _, group := range bySlot {
		wg.Go(func() {
			_, _ = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				for _, cl := range group {
					s.queueChat(ctx, p, &cl.req)
				}
				return nil
			})
			for _, cl := range group {
				cl.err = firstErr(cl.req.cmds)
			}
		})
	}
	wg.Wait()

	s.pipelineStep(ctx, batch, s.queueAfter)
}

// pipelineStep runs queue for each commit of batch without an error, in
// one pipeline, and records their errors.
func (s *Store) pipelineStep(ctx context.Context, batch []*call[commitReq],
	queue func(context.Context, redis.Pipeliner, *commitReq)) {
	p := s.rdb.Pipeline()
	for _, cl := range batch {
		if cl.err == nil {
			queue(ctx, p, &cl.req)
		}
	}
	if p.Len() == 0 {
		return
	}
	_, _ = p.Exec(ctx) // errors are per command
	for _, cl := range batch {
		if cl.err == nil {
			cl.err = firstErr(cl.req.cmds)
		}
	}
}

func firstErr(cmds []redis.Cmder) error {
	for _, cmd := range cmds {
		if err := cmd.Err(); err != nil {
			return err
		}
	}
	return nil
}

// SaveInbox stores received updates, then the next offset, before the
// offset is confirmed to Telegram: an update is never lost between
// getUpdates and its handling. Two steps in this order, as poll:inbox and
// poll:offset are in different Cluster slots: when the process stops
// between them, the stored offset is the old one, so the same updates come
// again and are stored again under the same ids (handled ones are then
// found by their dedupe marks).
func (s *Store) SaveInbox(ctx context.Context, items []transport.InboxItem, nextOffset int64) error {
	if len(items) > 0 {
		vals := make([]any, 0, 2*len(items))
		for _, it := range items {
			vals = append(vals, strconv.FormatInt(it.ID, 10), it.Raw)
		}
		if err := s.rdb.HSet(ctx, s.inboxKey(), vals...).Err(); err != nil {
			return fmt.Errorf("save inbox: %w", err)
		}
	}
	if err := s.rdb.Set(ctx, s.offsetKey(), nextOffset, 0).Err(); err != nil {
		return fmt.Errorf("save inbox offset: %w", err)
	}
	return nil
}

// Offset is the stored getUpdates offset (0 when none).
func (s *Store) Offset(ctx context.Context) (int64, error) {
	n, err := s.rdb.Get(ctx, s.offsetKey()).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("get offset: %w", err)
	}
	return n, nil
}

// Inbox lists the received, unhandled updates in update_id order.
func (s *Store) Inbox(ctx context.Context) ([]transport.InboxItem, error) {
	m, err := s.rdb.HGetAll(ctx, s.inboxKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("read inbox: %w", err)
	}
	items := make([]transport.InboxItem, 0, len(m))
	for k, v := range m {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			continue
		}
		items = append(items, transport.InboxItem{ID: id, Raw: []byte(v)})
	}
	slices.SortFunc(items, func(a, b transport.InboxItem) int { return cmp.Compare(a.ID, b.ID) })
	return items, nil
}

// AckInbox removes updates from the inbox (used for updates that carry no
// chat and so have no Commit).
func (s *Store) AckInbox(ctx context.Context, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	f := make([]string, len(ids))
	for i, id := range ids {
		f[i] = strconv.FormatInt(id, 10)
	}
	if err := s.rdb.HDel(ctx, s.inboxKey(), f...).Err(); err != nil {
		return fmt.Errorf("ack inbox: %w", err)
	}
	return nil
}
