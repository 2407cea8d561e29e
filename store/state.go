package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// State is what the transport loads before handling an update.
type State struct {
	Dup     bool           // the update was handled before
	User    *flows.User    // nil when the user is new
	Session *flows.Session // nil when the chat has no session
}

// LoadState reads the dedupe mark, the user and the chat's session in one
// round trip (shared with concurrent loads).
func (s *Store) LoadState(ctx context.Context, chatID, userID, updateID int64) (*State, error) {
	cl, err := s.loads.do(ctx, loadReq{chat: chatID, user: userID, upd: updateID})
	if err != nil {
		return nil, fmt.Errorf("load state of chat %d: %w", chatID, err)
	}
	return cl.req.state, nil
}

type loadReq struct {
	chat, user, upd int64
	state           *State
	dup             *redis.IntCmd
	u, sess         *redis.StringCmd
}

// runLoads reads a batch of states in one pipeline.
func (s *Store) runLoads(ctx context.Context, batch []*call[loadReq]) {
	pipe := s.rdb.Pipeline()
	for _, cl := range batch {
		r := &cl.req
		r.dup = pipe.Exists(ctx, s.updKey(r.chat, r.upd))
		r.u = pipe.Get(ctx, s.userKey(r.user))
		r.sess = pipe.Get(ctx, s.sessKey(r.chat))
	}
	_, _ = pipe.Exec(ctx) // errors are per command
	for _, cl := range batch {
		r := &cl.req
		r.state, cl.err = decodeState(r)
	}
}

func decodeState(r *loadReq) (*State, error) {
	if err := r.dup.Err(); err != nil {
		return nil, err
	}
	st := &State{Dup: r.dup.Val() > 0}
	switch b, err := r.u.Bytes(); {
	case err == nil:
		st.User = new(flows.User)
		if err := json.Unmarshal(b, st.User); err != nil {
			return nil, fmt.Errorf("decode user %d: %w", r.user, err)
		}
	case !errors.Is(err, redis.Nil):
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

// Commit is the outcome of handling one update.
type Commit struct {
	ChatID    int64
	UpdateID  int64
	User      *flows.User    // saved when not nil
	Session   *flows.Session // saved with TTL when active, deleted when inactive, untouched when nil
	FromInbox bool           // also remove the update from the polling inbox
	// Forget (flows.Result.Forget): the user of the private chat ChatID was
	// forgotten. The commit deletes their record and the session instead of
	// writing them, and sets no dedupe mark (a redelivered update would
	// only run the idempotent deletion again).
	Forget bool
}

// Commit writes the outcome of an update atomically (MULTI/EXEC): session,
// user, dedupe mark and inbox removal. Concurrent commits share one
// transaction (group commit), which keeps each of them atomic.
func (s *Store) Commit(ctx context.Context, c Commit) error {
	var r commitReq
	r.Commit = c
	var err error
	if c.User != nil {
		if r.user, err = json.Marshal(c.User); err != nil {
			return fmt.Errorf("encode user: %w", err)
		}
	}
	if c.Session.Active() {
		if r.sess, err = json.Marshal(c.Session); err != nil {
			return fmt.Errorf("encode session: %w", err)
		}
	}
	if _, err := s.commits.do(ctx, r); err != nil {
		return fmt.Errorf("commit update %d of chat %d: %w", c.UpdateID, c.ChatID, err)
	}
	return nil
}

type commitReq struct {
	Commit
	user, sess []byte
	cmds       []redis.Cmder
}

// runCommits writes a batch of commits in one MULTI/EXEC.
func (s *Store) runCommits(ctx context.Context, batch []*call[commitReq]) {
	_, _ = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, cl := range batch {
			c := &cl.req
			c.cmds = c.cmds[:0]
			if c.Forget {
				c.cmds = append(c.cmds, p.Del(ctx, s.userKey(c.ChatID), s.sessKey(c.ChatID)),
					p.SRem(ctx, s.usersKey(), c.ChatID))
				if c.FromInbox {
					c.cmds = append(c.cmds, p.HDel(ctx, s.inboxKey(), strconv.FormatInt(c.UpdateID, 10)))
				}
				continue
			}
			if c.user != nil {
				c.cmds = append(c.cmds, p.Set(ctx, s.userKey(c.User.ID), c.user, 0))
				p.SAdd(ctx, s.usersKey(), c.User.ID)
			}
			if c.sess != nil {
				c.cmds = append(c.cmds, p.Set(ctx, s.sessKey(c.ChatID), c.sess, s.sessionTTL))
			} else if c.Session != nil {
				c.cmds = append(c.cmds, p.Del(ctx, s.sessKey(c.ChatID)))
			}
			c.cmds = append(c.cmds, p.Set(ctx, s.updKey(c.ChatID, c.UpdateID), "1", dedupeTTL))
			if c.FromInbox {
				c.cmds = append(c.cmds, p.HDel(ctx, s.inboxKey(), strconv.FormatInt(c.UpdateID, 10)))
			}
		}
		return nil
	})
	for _, cl := range batch {
		for _, cmd := range cl.req.cmds {
			if err := cmd.Err(); err != nil {
				cl.err = err
				break
			}
		}
	}
}

// InboxItem is a received update kept until it is handled.
type InboxItem struct {
	ID  int64
	Raw []byte
}

// SaveInbox stores received updates and the next offset atomically, before
// the offset is confirmed to Telegram: an update is never lost between
// getUpdates and its handling.
func (s *Store) SaveInbox(ctx context.Context, items []InboxItem, nextOffset int64) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		if len(items) > 0 {
			vals := make([]any, 0, 2*len(items))
			for _, it := range items {
				vals = append(vals, strconv.FormatInt(it.ID, 10), it.Raw)
			}
			p.HSet(ctx, s.inboxKey(), vals...)
		}
		p.Set(ctx, s.offsetKey(), nextOffset, 0)
		return nil
	})
	if err != nil {
		return fmt.Errorf("save inbox: %w", err)
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
func (s *Store) Inbox(ctx context.Context) ([]InboxItem, error) {
	m, err := s.rdb.HGetAll(ctx, s.inboxKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("read inbox: %w", err)
	}
	items := make([]InboxItem, 0, len(m))
	for k, v := range m {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			continue
		}
		items = append(items, InboxItem{ID: id, Raw: []byte(v)})
	}
	slices.SortFunc(items, func(a, b InboxItem) int { return cmp.Compare(a.ID, b.ID) })
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
