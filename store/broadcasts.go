package store

import (
	"context"
	_ "embed" // Lua scripts
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
	"sinergi/flows/transport"
)

// Broadcast keys share the hash tag {bc:<id>}, so every script is one slot:
//
//	<p>{bc:<id>}:b         string JSON flows.Broadcast
//	<p>{bc:<id>}:state     hash   status, total, sent, blocked, failed, uncertain, started, finished (unix ms), progress_msg;
//	                              for linked chats: chat_total, chat_sent, chat_removed, chat_failed, chat_uncertain
//	                              while scheduled: frozen_after (the last member id frozen into todo), frozen (how many)
//	<p>{bc:<id>}:todo      list   "<uid>:<message id>" not yet claimed (frozen page by page, in ascending uid, before the broadcast starts); a linked
//	                              chat is "<chat>/<topic>:<message id>" (its chat id is negative)
//	<p>{bc:<id>}:claims    zset   "<uid>:<message id>" -> lease expiry (unix ms, Redis clock) of claimed recipients
//	<p>{bc:<id>}:owner     hash   claimed item -> the claiming replica's token
//	<p>{bc:<id>}:sending   hash   claimed item -> token, once its send began (never sent again after this)
//	<p>{bc:<id>}:done      hash   uid -> sent | blocked | failed | uncertain; "<chat>/<topic>" -> chat_sent |
//	                              chat_removed | chat_failed | chat_uncertain
//	<p>{bc:<id>}:progress  string a replica's token: it edits the progress message (SET NX PX)
//	<p>bc:queue            zset   id -> start (unix ms) of scheduled and running broadcasts
//	<p>bc:all              zset   id -> created (unix ms)
//	<p>users:all           set    ids of members who consented to the privacy notice (broadcast segment "everyone"; recipients are checked against the records)
//
// Work is spread over the replicas by claims: each claims a batch of
// recipients with a lease (bc_claim.lua), marks each send as begun right
// before it goes out (bc_begin.lua: only if the claim is still its own) and
// records the outcome (bc_done.lua). A replica that dies loses its claims
// when their lease runs out; the next claimer takes over those whose send
// had not begun and records the begun ones (at most one per worker of the dead replica) as
// uncertain, so nobody gets a message twice and nobody is skipped.
var (
	//go:embed bc_claim.lua
	bcClaimLua string
	//go:embed bc_begin.lua
	bcBeginLua string
	//go:embed bc_done.lua
	bcDoneLua string
	//go:embed bc_release.lua
	bcReleaseLua string
	//go:embed bc_finish.lua
	bcFinishLua string
	//go:embed bc_start.lua
	bcStartLua string
	//go:embed bc_freeze.lua
	bcFreezeLua string

	bcClaimScript   = redis.NewScript(bcClaimLua)
	bcBeginScript   = redis.NewScript(bcBeginLua)
	bcDoneScript    = redis.NewScript(bcDoneLua)
	bcReleaseScript = redis.NewScript(bcReleaseLua)
	bcFinishScript  = redis.NewScript(bcFinishLua)
	bcStartScript   = redis.NewScript(bcStartLua)
	bcFreezeScript  = redis.NewScript(bcFreezeLua)
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
		ChatTotal: n("chat_total"), ChatSent: n(flows.ChatSent), ChatRemoved: n(flows.ChatRemoved),
		ChatFailed: n(flows.ChatFailed), ChatUncertain: n(flows.ChatUncertain),
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

// FrozenAfter is the last member id frozen into a scheduled broadcast's
// recipients by FreezeRecipients (math.MinInt64: none yet).
func (s *Store) FrozenAfter(ctx context.Context, id string) (int64, error) {
	v, err := s.rdb.HGet(ctx, s.bcKey(id, "state"), "frozen_after").Result()
	if errors.Is(err, redis.Nil) {
		return math.MinInt64, nil
	}
	if err != nil {
		return 0, fmt.Errorf("broadcast %s frozen: %w", id, err)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("broadcast %s frozen: %w", id, err)
	}
	return n, nil
}

// FreezeRecipients appends a page of a scheduled broadcast's member
// recipients (ascending ids, all above after) to its frozen list, if the
// list was frozen up to after and no further (bc_freeze.lua): a page is
// appended once, whoever else freezes the same broadcast, and after a
// crash freezing goes on from the cursor. It returns the cursor and
// "frozen" (appended), "moved" (frozen past after already: go on from the
// cursor returned) or the status of a broadcast no longer scheduled.
func (s *Store) FreezeRecipients(ctx context.Context, id string, after int64, rs []flows.Recipient) (int64, string, error) {
	if len(rs) == 0 {
		return after, "frozen", nil
	}
	from := ""
	if after != math.MinInt64 {
		from = strconv.FormatInt(after, 10)
	}
	args := make([]any, 0, 2+len(rs))
	args = append(args, from, rs[len(rs)-1].UserID)
	for _, r := range rs {
		args = append(args, recipientItem(r))
	}
	res, err := bcFreezeScript.Run(ctx, s.rdb, []string{s.bcKey(id, "state"), s.bcKey(id, "todo")}, args...).StringSlice()
	if err != nil {
		return 0, "", fmt.Errorf("freeze recipients of %s: %w", id, err)
	}
	if len(res) == 2 {
		cur := int64(math.MinInt64)
		if res[1] != "" {
			if cur, err = strconv.ParseInt(res[1], 10, 64); err != nil {
				return 0, "", fmt.Errorf("freeze recipients of %s: %w", id, err)
			}
		}
		return cur, res[0], nil
	}
	return after, res[0], nil
}

// StartBroadcast freezes the last recipients rs (the linked chats, after
// FreezeRecipients froze the members; or all of them) and marks the
// broadcast running — once: a broadcast already running (started by
// another replica, or before a restart) keeps its list. It returns
// "started" to the one caller that started it, else the status the
// broadcast already had.
func (s *Store) StartBroadcast(ctx context.Context, id string, rs []flows.Recipient, now time.Time) (string, error) {
	args := make([]any, 0, 2+len(rs))
	chats := 0
	for _, r := range rs {
		if r.IsChat() {
			chats++
		}
	}
	args = append(args, now.UnixMilli(), chats)
	for _, r := range rs {
		args = append(args, recipientItem(r))
	}
	status, err := bcStartScript.Run(ctx, s.rdb, []string{s.bcKey(id, "state"), s.bcKey(id, "todo")}, args...).Text()
	if err != nil {
		return "", fmt.Errorf("start broadcast %s: %w", id, err)
	}
	return status, nil
}

// claimItem names a claimed recipient in the broadcast's keys.
func claimItem(c transport.Claim) string { return recipientItem(c.Recipient) }

func recipientItem(r flows.Recipient) string {
	return recipientKey(r) + ":" + strconv.Itoa(r.MessageID)
}

// recipientKey names a recipient in the done hash: the member's id, or a
// linked chat's "<chat>/<topic>".
func recipientKey(r flows.Recipient) string {
	if r.IsChat() {
		return strconv.FormatInt(r.UserID, 10) + "/" + strconv.Itoa(r.Thread)
	}
	return strconv.FormatInt(r.UserID, 10)
}

// parseRecipientItem reads a todo or claims item back.
func parseRecipientItem(it string) flows.Recipient {
	var r flows.Recipient
	u, m, _ := strings.Cut(it, ":")
	u, th, _ := strings.Cut(u, "/")
	r.UserID, _ = strconv.ParseInt(u, 10, 64)
	r.MessageID, _ = strconv.Atoi(m)
	r.Thread, _ = strconv.Atoi(th)
	return r
}

// ClaimRecipients claims up to n recipients of a running broadcast for
// owner (a token unique to the replica) for lease, taking over the expired
// claims of others first. None when nothing is left to claim or the
// broadcast is not running.
func (s *Store) ClaimRecipients(ctx context.Context, id, owner string, n int, lease time.Duration) ([]transport.Claim, error) {
	items, err := bcClaimScript.Run(ctx, s.rdb, []string{
		s.bcKey(id, "state"), s.bcKey(id, "todo"), s.bcKey(id, "claims"),
		s.bcKey(id, "owner"), s.bcKey(id, "sending"), s.bcKey(id, "done"),
	}, owner, n, lease.Milliseconds()).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("claim recipients of %s: %w", id, err)
	}
	out := make([]transport.Claim, 0, len(items))
	for _, it := range items {
		out = append(out, transport.Claim{Recipient: parseRecipientItem(it)})
	}
	return out, nil
}

// BeginSend marks c's send as begun, right before the message goes out,
// and extends its lease by lease. After this nobody sends to c again.
func (s *Store) BeginSend(ctx context.Context, id, owner string, c transport.Claim, lease time.Duration) error {
	res, err := bcBeginScript.Run(ctx, s.rdb, []string{
		s.bcKey(id, "state"), s.bcKey(id, "claims"), s.bcKey(id, "owner"), s.bcKey(id, "sending"),
	}, owner, claimItem(c), lease.Milliseconds()).Text()
	switch {
	case err != nil:
		return fmt.Errorf("begin send of %s to %d: %w", id, c.UserID, err)
	case res == "lost":
		return transport.ErrClaimLost
	case res == "stop":
		return transport.ErrBroadcastStopped
	}
	return nil
}

// Delivered records c's outcome (sent, blocked, failed or uncertain) and
// ends the claim. It reports whether the outcome was counted (false: the
// recipient already had one).
func (s *Store) Delivered(ctx context.Context, id string, c transport.Claim, outcome string) (bool, error) {
	n, err := bcDoneScript.Run(ctx, s.rdb, []string{
		s.bcKey(id, "state"), s.bcKey(id, "claims"), s.bcKey(id, "owner"), s.bcKey(id, "sending"), s.bcKey(id, "done"),
	}, claimItem(c), recipientKey(c.Recipient), outcome).Int()
	if err != nil {
		return false, fmt.Errorf("broadcast %s delivered to %d: %w", id, c.UserID, err)
	}
	return n == 1, nil
}

// ReleaseClaims gives back owner's claims whose send has not begun, to the
// front of the list (a replica stopping gracefully). It returns how many.
func (s *Store) ReleaseClaims(ctx context.Context, id, owner string, cs []transport.Claim) (int, error) {
	if len(cs) == 0 {
		return 0, nil
	}
	args := make([]any, 0, 1+len(cs))
	args = append(args, owner)
	for _, c := range cs {
		args = append(args, claimItem(c))
	}
	n, err := bcReleaseScript.Run(ctx, s.rdb, []string{
		s.bcKey(id, "todo"), s.bcKey(id, "claims"), s.bcKey(id, "owner"), s.bcKey(id, "sending"),
	}, args...).Int()
	if err != nil {
		return 0, fmt.Errorf("release claims of %s: %w", id, err)
	}
	return n, nil
}

// FinishBroadcast ends a broadcast once: a running one when nothing is left
// to send or claimed, a cancelled one as it is. finished is true for the
// one caller that ended it (and reports); a running broadcast with claims
// still out gives false, to be tried again later. The final state is
// returned either way.
func (s *Store) FinishBroadcast(ctx context.Context, id string, now time.Time) (finished bool, st *flows.BroadcastState, err error) {
	res, err := bcFinishScript.Run(ctx, s.rdb, []string{
		s.bcKey(id, "state"), s.bcKey(id, "todo"), s.bcKey(id, "claims"),
	}, now.UnixMilli()).Text()
	if err != nil {
		return false, nil, fmt.Errorf("finish broadcast %s: %w", id, err)
	}
	if res == "finished" || res == flows.BcDone || res == flows.BcCancelled {
		// Ended (now or before): off the queue. Another slot, so a step
		// of its own; a retry of an ended broadcast only repeats it.
		if err := s.rdb.ZRem(ctx, s.bcQueueKey(), id).Err(); err != nil {
			return false, nil, fmt.Errorf("finish broadcast %s: %w", id, err)
		}
	}
	m, err := s.rdb.HGetAll(ctx, s.bcKey(id, "state")).Result()
	if err != nil {
		return false, nil, fmt.Errorf("finish broadcast %s: %w", id, err)
	}
	return res == "finished", decodeBcState(m), nil
}

// TakeProgress reports whether owner may edit the progress message now:
// one replica at a time, every interval.
func (s *Store) TakeProgress(ctx context.Context, id, owner string, interval time.Duration) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.bcKey(id, "progress"), owner, interval).Result()
	if err != nil {
		return false, fmt.Errorf("broadcast %s progress turn: %w", id, err)
	}
	return ok, nil
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
		if strings.Contains(k, "/") {
			continue // a linked chat (ChatOutcomes)
		}
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
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		n, _ := strconv.ParseInt(id, 10, 64)
		cmds[i] = pipe.HGetAll(ctx, s.userKey(n))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("all users: %w", err)
	}
	out := make([]*flows.User, 0, len(ids))
	for _, c := range cmds {
		u, err := decodeUser(c.Val())
		if err != nil {
			return nil, fmt.Errorf("all users: %w", err)
		}
		if u != nil { // forgotten since the index was read
			out = append(out, u)
		}
	}
	return out, nil
}

// UsersOf implements flows.Audience: the records of ids, in one pipeline.
func (s *Store) UsersOf(ctx context.Context, ids []int64) ([]*flows.User, error) {
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.HGetAll(ctx, s.userKey(id))
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	out := make([]*flows.User, 0, len(ids))
	for _, c := range cmds {
		u, err := decodeUser(c.Val())
		if err != nil {
			return nil, fmt.Errorf("users: %w", err)
		}
		if u != nil {
			out = append(out, u)
		}
	}
	return out, nil
}

// ProfilesOf implements flows.Members. Each profile is read once, however
// often its id is listed (a report lists a commitment's owner per
// commitment: 5,000 ids for 1,000 owners, #22).
func (s *Store) ProfilesOf(ctx context.Context, ids []int64) (map[int64]*flows.Profile, error) {
	seen := make(map[int64]struct{}, len(ids))
	distinct := make([]int64, 0, len(ids))
	for _, id := range ids {
		if _, ok := seen[id]; !ok {
			seen[id] = struct{}{}
			distinct = append(distinct, id)
		}
	}
	ids = distinct
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
