package store

import (
	"context"
	_ "embed" // Lua script
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
	"sinergi/locales"
	"sinergi/store/keyslot"
)

// The index of receivers: the members who receive the secretariat's
// broadcasts (flows.Receives: consented, active, updates on), one sorted set
// per language, so that the segments "everyone" and "lang:<code>" read ids,
// not every user record, and a broadcast freezes them a page at a time in
// id order (flows.RecipientPages):
//
//	<p>users:recv:<lang>   zset  uid -> uid, the receivers whose language is <lang> (each of locales.Supported)
//	<p>users:recv:_        zset  uid -> uid, the receivers of any other language
//	<p>users:recv:indexed  string "1" once MigrateReceivers built them
//
// Every writer of the fields they depend on (consent, inactive,
// no_updates, lang) writes them in user_write.lua, which sets the index
// from the record as it is after the write, in the same step: the user's
// commit when it changes one of those fields (in the commit's MULTI),
// SaveUser, MarkInactive; ForgetUser and a forget commit remove the member
// in the transaction that deletes the record. So the index is never stale.
// That script spans slots: on a Redis Cluster the index is not kept, and
// Receivers says flows.ErrNoIndex (the segments read every record there).
var (
	//go:embed user_write.lua
	userWriteLua    string
	userWriteScript = redis.NewScript(userWriteLua)
)

// recvOther names the zset of receivers whose language is not supported.
const recvOther = "_"

func (s *Store) recvKey(lang string) string { return s.p + "users:recv:" + lang }

// recvKeys are the index's keys: one per supported language, then the others'.
func (s *Store) recvKeys() []string {
	var keys []string
	for _, l := range locales.Supported() {
		keys = append(keys, s.recvKey(l))
	}
	return append(keys, s.recvKey(recvOther))
}

// userWrite is the script's keys and arguments to write set and delete del
// on uid's record in mode (see user_write.lua).
func (s *Store) userWrite(uid int64, mode string, set []any, del []string) ([]string, []any) {
	langs := locales.Supported()
	keys := append([]string{s.userKey(uid)}, s.recvKeys()...)
	args := make([]any, 0, 4+len(langs)+len(del)+len(set))
	args = append(args, mode, uid, len(langs))
	for _, l := range langs {
		args = append(args, l)
	}
	args = append(args, len(del))
	for _, f := range del {
		args = append(args, f)
	}
	return keys, append(args, set...)
}

// runUserWrite runs user_write.lua (on a single node; on a Cluster the
// fields are written as they were, without the index). It reports whether
// the record exists, for mode "existing".
func (s *Store) runUserWrite(ctx context.Context, uid int64, mode string, set []any, del []string) (bool, error) {
	if s.cluster {
		switch mode {
		case "existing":
			n, err := hsetExistingLua.Run(ctx, s.rdb, []string{s.userKey(uid)}, set...).Int()
			return n == 1, err
		case "replace":
			_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Del(ctx, s.userKey(uid))
				p.HSet(ctx, s.userKey(uid), set...)
				return nil
			})
			return true, err
		}
		return false, fmt.Errorf("user write: mode %q", mode)
	}
	keys, args := s.userWrite(uid, mode, set, del)
	// A MULTI of the one script: the slot check of the tests lets a
	// transaction marked single-node through (keyslot.SingleNodeOnly).
	var cmd *redis.Cmd
	run := func(eval func(context.Context, redis.Scripter, []string, ...any) *redis.Cmd) error {
		_, err := s.rdb.TxPipelined(keyslot.SingleNodeOnly(ctx), func(p redis.Pipeliner) error {
			cmd = eval(ctx, p, keys, args...)
			return nil
		})
		return err
	}
	err := run(userWriteScript.EvalSha)
	if redis.HasErrorPrefix(err, "NOSCRIPT") {
		err = run(userWriteScript.Eval)
	}
	if err != nil {
		return false, err
	}
	n, err := cmd.Int()
	return n == 1, err
}

// touchesReceivers reports whether a commit's user write changes a field
// the index of receivers depends on.
func touchesReceivers(set []any, del []string) bool {
	is := func(f string) bool {
		return f == ufConsent || f == ufInactive || f == ufNoUpdates || f == ufLang
	}
	for i := 0; i < len(set); i += 2 {
		if f, _ := set[i].(string); is(f) {
			return true
		}
	}
	for _, f := range del {
		if is(f) {
			return true
		}
	}
	return false
}

// unindexReceiver queues uid's removal from the index of receivers.
func (s *Store) unindexReceiver(ctx context.Context, p redis.Pipeliner, uid int64) {
	for _, k := range s.recvKeys() {
		p.ZRem(ctx, k, uid)
	}
}

// Receivers implements flows.Audience: a page of the index, by ascending
// uid above after. With lang "" the languages' sets are read a page each
// and merged.
func (s *Store) Receivers(ctx context.Context, lang string, after int64, n int) ([]flows.Receiver, error) {
	if s.cluster {
		return nil, flows.ErrNoIndex
	}
	if n <= 0 {
		return nil, nil
	}
	langs := []string{lang}
	if lang == "" {
		langs = append(locales.Supported(), recvOther)
	} else if !locales.IsSupported(lang) {
		return nil, nil
	}
	cmds := make([]*redis.StringSliceCmd, len(langs))
	from := "(" + strconv.FormatInt(after, 10)
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, l := range langs {
			cmds[i] = p.ZRangeByScore(ctx, s.recvKey(l), &redis.ZRangeBy{Min: from, Max: "+inf", Count: int64(n)})
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("receivers after %d: %w", after, err)
	}
	// Merge the sorted pages; the first n are exact (each set gave its n
	// smallest above after).
	pages := make([][]int64, len(langs))
	total := 0
	for i, c := range cmds {
		for _, m := range c.Val() {
			id, err := strconv.ParseInt(m, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("receivers: member %q: %w", m, err)
			}
			pages[i] = append(pages[i], id)
		}
		total += len(pages[i])
	}
	out := make([]flows.Receiver, 0, min(n, total))
	for len(out) < n {
		best := -1
		for i, pg := range pages {
			if len(pg) > 0 && (best < 0 || pg[0] < pages[best][0]) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		l := langs[best]
		if l == recvOther {
			l = ""
		}
		out = append(out, flows.Receiver{ID: pages[best][0], Lang: l})
		pages[best] = pages[best][1:]
	}
	return out, nil
}

func (s *Store) recvIndexedKey() string { return s.p + "users:recv:indexed" }

// MigrateReceivers builds the index of receivers from the user records
// when it was never built (a database of a build before it): once, marked
// by users:recv:indexed. Each member is indexed by user_write.lua without a
// write, from their record as it is then, so a writer running meanwhile
// cannot be undone; idempotent, safe from several replicas at once. It
// returns how many members it looked at. On a Cluster there is no index.
func (s *Store) MigrateReceivers(ctx context.Context) (int, error) {
	if s.cluster {
		return 0, nil
	}
	done, err := s.rdb.Exists(ctx, s.recvIndexedKey()).Result()
	if err != nil || done == 1 {
		return 0, err
	}
	raw, err := s.rdb.SMembers(ctx, s.usersKey()).Result()
	if err != nil {
		return 0, fmt.Errorf("migrate receivers: %w", err)
	}
	if err := userWriteScript.Load(ctx, s.rdb).Err(); err != nil {
		return 0, fmt.Errorf("migrate receivers: %w", err)
	}
	n := 0
	for len(raw) > 0 {
		batch := raw[:min(len(raw), 1000)]
		raw = raw[len(batch):]
		if _, err := s.rdb.TxPipelined(keyslot.SingleNodeOnly(ctx), func(p redis.Pipeliner) error {
			for _, r := range batch {
				id, err := strconv.ParseInt(r, 10, 64)
				if err != nil {
					continue
				}
				keys, args := s.userWrite(id, "existing", nil, nil)
				userWriteScript.EvalSha(ctx, p, keys, args...)
				n++
			}
			return nil
		}); err != nil && !errors.Is(err, redis.Nil) {
			return n, fmt.Errorf("migrate receivers: %w", err)
		}
	}
	if err := s.rdb.Set(ctx, s.recvIndexedKey(), "1", 0).Err(); err != nil {
		return n, fmt.Errorf("migrate receivers: %w", err)
	}
	return n, nil
}
