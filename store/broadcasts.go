package store

import (
	"context"
	_ "embed" // Lua scripts
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// Broadcast keys share the hash tag {bc:<id>}, so every script is one slot:
//
//	<p>{bc:<id>}:b         string JSON flows.Broadcast
//	<p>{bc:<id>}:state     hash   status, total, sent, blocked, failed, uncertain, started, finished (unix ms), progress_msg
//	<p>{bc:<id>}:todo      list   "<uid>:<message id>" still to send (frozen when the broadcast starts)
//	<p>{bc:<id>}:inflight  list   the recipient being sent to (at most one)
//	<p>{bc:<id>}:done      hash   uid -> sent | blocked | failed | uncertain
//	<p>bc:queue            zset   id -> start (unix ms) of scheduled and running broadcasts
//	<p>bc:all              zset   id -> created (unix ms)
//	<p>users:all           set    every user id (broadcast segment "everyone")
var (
	//go:embed bc_next.lua
	bcNextLua string
	//go:embed bc_recover.lua
	bcRecoverLua string
	//go:embed bc_start.lua
	bcStartLua string

	bcNextScript    = redis.NewScript(bcNextLua)
	bcRecoverScript = redis.NewScript(bcRecoverLua)
	bcStartScript   = redis.NewScript(bcStartLua)
)

func (s *Store) bcKey(id, name string) string { return s.p + "{bc:" + id + "}:" + name }
func (s *Store) bcQueueKey() string           { return s.p + "bc:queue" }
func (s *Store) bcAllKey() string             { return s.p + "bc:all" }
func (s *Store) usersKey() string             { return s.p + "users:all" }

// CreateBroadcast implements flows.Broadcasts.
func (s *Store) CreateBroadcast(ctx context.Context, b *flows.Broadcast) error {
	if err := checkCode(b.ID); err != nil {
		return err
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encode broadcast: %w", err)
	}
	ok, err := s.rdb.SetNX(ctx, s.bcKey(b.ID, "b"), raw, 0).Result()
	if err != nil {
		return fmt.Errorf("create broadcast %s: %w", b.ID, err)
	}
	if !ok {
		return fmt.Errorf("create broadcast %s: %w", b.ID, flows.ErrCodeTaken)
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.bcKey(b.ID, "state"), "status", flows.BcScheduled)
		return nil
	})
	if err == nil {
		_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.ZAdd(ctx, s.bcQueueKey(), redis.Z{Score: float64(b.StartAt.UnixMilli()), Member: b.ID})
			p.ZAdd(ctx, s.bcAllKey(), redis.Z{Score: float64(b.Created.UnixMilli()), Member: b.ID})
			return nil
		})
	}
	if err != nil {
		return fmt.Errorf("create broadcast %s: %w", b.ID, err)
	}
	return nil
}

// GetBroadcast implements flows.Broadcasts.
func (s *Store) GetBroadcast(ctx context.Context, id string) (*flows.Broadcast, *flows.BroadcastState, error) {
	if checkCode(id) != nil {
		return nil, nil, flows.ErrNotFound
	}
	pipe := s.rdb.Pipeline()
	raw := pipe.Get(ctx, s.bcKey(id, "b"))
	state := pipe.HGetAll(ctx, s.bcKey(id, "state"))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, nil, fmt.Errorf("get broadcast %s: %w", id, err)
	}
	b := new(flows.Broadcast)
	data, err := raw.Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil, flows.ErrNotFound
	}
	if err != nil || json.Unmarshal(data, b) != nil {
		return nil, nil, fmt.Errorf("decode broadcast %s: %w", id, err)
	}
	return b, decodeBcState(state.Val()), nil
}

func decodeBcState(m map[string]string) *flows.BroadcastState {
	n := func(k string) int { v, _ := strconv.Atoi(m[k]); return v }
	t := func(k string) time.Time {
		ms, _ := strconv.ParseInt(m[k], 10, 64)
		if ms == 0 {
			return time.Time{}
		}
		return fromMS(ms)
	}
	return &flows.BroadcastState{
		Status: m["status"], Total: n("total"), Sent: n("sent"), Blocked: n("blocked"), Failed: n("failed"),
		Uncertain: n("uncertain"), Started: t("started"), Finished: t("finished"), ProgressMsg: n("progress_msg"),
	}
}

// RecentBroadcasts implements flows.Broadcasts.
func (s *Store) RecentBroadcasts(ctx context.Context, limit int) ([]*flows.Broadcast, error) {
	ids, err := s.rdb.ZRevRange(ctx, s.bcAllKey(), 0, int64(limit-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("recent broadcasts: %w", err)
	}
	var out []*flows.Broadcast
	for _, id := range ids {
		b, _, err := s.GetBroadcast(ctx, id)
		if errors.Is(err, flows.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// CancelBroadcast implements flows.Broadcasts.
func (s *Store) CancelBroadcast(ctx context.Context, id string) error {
	if checkCode(id) != nil {
		return flows.ErrNotFound
	}
	key := s.bcKey(id, "state")
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		status, err := tx.HGet(ctx, key, "status").Result()
		if errors.Is(err, redis.Nil) {
			return flows.ErrNotFound
		}
		if err != nil {
			return err
		}
		if status != flows.BcScheduled && status != flows.BcRunning {
			return flows.ErrNotCancellable
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, key, "status", flows.BcCancelled)
			return nil
		})
		return err
	}, key)
	if err != nil {
		if errors.Is(err, flows.ErrNotFound) || errors.Is(err, flows.ErrNotCancellable) {
			return err
		}
		return fmt.Errorf("cancel broadcast %s: %w", id, err)
	}
	return nil
}

// DueBroadcasts lists scheduled or running broadcasts whose start is not
// after now (running ones are resumed after a restart).
func (s *Store) DueBroadcasts(ctx context.Context, now time.Time) ([]string, error) {
	ids, err := s.rdb.ZRangeByScore(ctx, s.bcQueueKey(), &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(now.UnixMilli(), 10)}).Result()
	if err != nil {
		return nil, fmt.Errorf("due broadcasts: %w", err)
	}
	return ids, nil
}

// StartBroadcast freezes the recipients and marks the broadcast running —
// once: a broadcast already running (resumed after a restart) keeps its
// list. It reports the status the broadcast is in afterwards.
func (s *Store) StartBroadcast(ctx context.Context, id string, rs []flows.Recipient, now time.Time) (string, error) {
	args := make([]any, 0, 1+len(rs))
	args = append(args, now.UnixMilli())
	for _, r := range rs {
		args = append(args, strconv.FormatInt(r.UserID, 10)+":"+strconv.Itoa(r.MessageID))
	}
	status, err := bcStartScript.Run(ctx, s.rdb, []string{s.bcKey(id, "state"), s.bcKey(id, "todo")}, args...).Text()
	if err != nil {
		return "", fmt.Errorf("start broadcast %s: %w", id, err)
	}
	return status, nil
}

// RecoverBroadcast marks what was in flight when a process died as
// uncertain: it may have been delivered, so it is not sent again (at most
// one message per broadcast). It returns how many.
func (s *Store) RecoverBroadcast(ctx context.Context, id string) (int, error) {
	n, err := bcRecoverScript.Run(ctx, s.rdb, []string{s.bcKey(id, "state"), s.bcKey(id, "inflight"), s.bcKey(id, "done")}).Int()
	if err != nil {
		return 0, fmt.Errorf("recover broadcast %s: %w", id, err)
	}
	return n, nil
}

// NextRecipient claims the next recipient (moving it to in flight), or
// returns ok false when none is left or the broadcast is no longer running
// (cancelled).
func (s *Store) NextRecipient(ctx context.Context, id string) (r flows.Recipient, ok bool, err error) {
	v, err := bcNextScript.Run(ctx, s.rdb, []string{s.bcKey(id, "state"), s.bcKey(id, "todo"), s.bcKey(id, "inflight")}).Text()
	if errors.Is(err, redis.Nil) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("next recipient of %s: %w", id, err)
	}
	u, m, _ := strings.Cut(v, ":")
	r.UserID, _ = strconv.ParseInt(u, 10, 64)
	r.MessageID, _ = strconv.Atoi(m)
	return r, true, nil
}

// Delivered records the outcome for the recipient in flight: sent, blocked
// or failed.
func (s *Store) Delivered(ctx context.Context, id string, r flows.Recipient, outcome string) error {
	item := strconv.FormatInt(r.UserID, 10) + ":" + strconv.Itoa(r.MessageID)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.LRem(ctx, s.bcKey(id, "inflight"), 1, item)
		p.HSet(ctx, s.bcKey(id, "done"), strconv.FormatInt(r.UserID, 10), outcome)
		p.HIncrBy(ctx, s.bcKey(id, "state"), outcome, 1)
		return nil
	})
	if err != nil {
		return fmt.Errorf("broadcast %s delivered to %d: %w", id, r.UserID, err)
	}
	return nil
}

// FinishBroadcast marks a broadcast done (unless cancelled) and takes it off
// the queue; it returns the final state.
func (s *Store) FinishBroadcast(ctx context.Context, id string, now time.Time) (*flows.BroadcastState, error) {
	key := s.bcKey(id, "state")
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSetNX(ctx, key, "finished", now.UnixMilli())
		p.ZRem(ctx, s.bcQueueKey(), id)
		return nil
	})
	if err == nil {
		err = s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			if st, _ := tx.HGet(ctx, key, "status").Result(); st != flows.BcRunning {
				return nil
			}
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.HSet(ctx, key, "status", flows.BcDone)
				return nil
			})
			return err
		}, key)
	}
	if err != nil {
		return nil, fmt.Errorf("finish broadcast %s: %w", id, err)
	}
	m, err := s.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return nil, fmt.Errorf("finish broadcast %s: %w", id, err)
	}
	return decodeBcState(m), nil
}

// SetProgressMessage remembers the admin's progress message.
func (s *Store) SetProgressMessage(ctx context.Context, id string, msg int) error {
	if err := s.rdb.HSet(ctx, s.bcKey(id, "state"), "progress_msg", msg).Err(); err != nil {
		return fmt.Errorf("broadcast %s progress message: %w", id, err)
	}
	return nil
}

// BroadcastOutcomes returns uid -> outcome of a broadcast (for reports and tests).
func (s *Store) BroadcastOutcomes(ctx context.Context, id string) (map[int64]string, error) {
	m, err := s.rdb.HGetAll(ctx, s.bcKey(id, "done")).Result()
	if err != nil {
		return nil, fmt.Errorf("broadcast %s outcomes: %w", id, err)
	}
	out := make(map[int64]string, len(m))
	for k, v := range m {
		uid, _ := strconv.ParseInt(k, 10, 64)
		out[uid] = v
	}
	return out, nil
}

// AllUsers implements flows.Members.
func (s *Store) AllUsers(ctx context.Context) ([]*flows.User, error) {
	ids, err := s.rdb.SMembers(ctx, s.usersKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("all users: %w", err)
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(ids))
	for i, id := range ids {
		n, _ := strconv.ParseInt(id, 10, 64)
		cmds[i] = pipe.Get(ctx, s.userKey(n))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("all users: %w", err)
	}
	out := make([]*flows.User, 0, len(ids))
	for _, c := range cmds {
		b, err := c.Bytes()
		if err != nil {
			continue
		}
		u := new(flows.User)
		if json.Unmarshal(b, u) == nil {
			out = append(out, u)
		}
	}
	return out, nil
}

// ProfilesOf implements flows.Members.
func (s *Store) ProfilesOf(ctx context.Context, ids []int64) (map[int64]*flows.Profile, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.Get(ctx, s.profileKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("profiles: %w", err)
	}
	out := make(map[int64]*flows.Profile, len(ids))
	for i, c := range cmds {
		b, err := c.Bytes()
		if err != nil {
			continue
		}
		p := new(flows.Profile)
		if json.Unmarshal(b, p) == nil {
			out[ids[i]] = p
		}
	}
	return out, nil
}
