package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// Commitment keys: a workshop's commitments in one hash under its tag, and a
// per-user index.
//
//	<p>{w:<code>}:commits     hash   id -> JSON flows.Commitment
//	<p>{c:<uid>}:commits      set    "<code>:<id>" the user owns or was proposed
//	<p>{c:<uid>}:named        set    "<code>:<id>" naming the user otherwise: wrote it down, answered in its history
func (s *Store) commitsKey(code string) string    { return s.wsKey(code, "commits") }
func (s *Store) userCommitsKey(uid int64) string  { return s.chatKey(uid, "commits") }
func (s *Store) namedCommitsKey(uid int64) string { return s.chatKey(uid, "named") }
func (s *Store) commitsNamedDoneKey() string      { return s.p + "commits:named" }

// namedIn lists who a commitment names other than its owner (ForgetUser
// finds their commitments by it).
func namedIn(c *flows.Commitment) []int64 {
	var out []int64
	add := func(uid int64) {
		if uid != 0 && uid != c.Owner && !slices.Contains(out, uid) {
			out = append(out, uid)
		}
	}
	add(c.By)
	for _, h := range c.History {
		add(h.By)
	}
	return out
}

// SaveCommitment implements flows.Commitments.
func (s *Store) SaveCommitment(ctx context.Context, c *flows.Commitment) error {
	if err := checkCode(c.Workshop); err != nil {
		return err
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode commitment: %w", err)
	}
	// The indexes first: a stale entry is dropped when read, a missing
	// one would hide the commitment from its owner and from ForgetUser.
	// The workshop's zone, read with them, gives the months it is
	// tallied in.
	var ws *redis.StringCmd
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.SAdd(ctx, s.userCommitsKey(c.Owner), c.Workshop+":"+c.ID)
		for _, uid := range namedIn(c) {
			p.SAdd(ctx, s.namedCommitsKey(uid), c.Workshop+":"+c.ID)
		}
		ws = p.Get(ctx, s.wsKey(c.Workshop, "ws"))
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("save commitment %s: %w", c.ID, err)
	}
	// Then the commitment with its tallies, in one step (cm_write.lua).
	if err := cmWriteScript.Run(ctx, s.rdb, s.cmKeys(c.Workshop), s.cmSaveArgs(c, raw, zoneOf(ws))...).Err(); err != nil {
		return fmt.Errorf("save commitment %s: %w", c.ID, err)
	}
	return nil
}

// GetCommitment implements flows.Commitments.
func (s *Store) GetCommitment(ctx context.Context, code, id string) (*flows.Commitment, error) {
	if checkCode(code) != nil {
		return nil, flows.ErrNotFound
	}
	raw, err := s.rdb.HGet(ctx, s.commitsKey(code), id).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, flows.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get commitment %s: %w", id, err)
	}
	c := new(flows.Commitment)
	if err := json.Unmarshal(raw, c); err != nil {
		return nil, fmt.Errorf("decode commitment %s: %w", id, err)
	}
	return c, nil
}

// DeleteCommitment implements flows.Commitments.
func (s *Store) DeleteCommitment(ctx context.Context, code, id string) error {
	c, err := s.GetCommitment(ctx, code, id)
	if err != nil {
		return err
	}
	// The commitment with its tallies (cm_write.lua), then the owner's
	// index (a stale entry is dropped when read).
	n, err := cmWriteScript.Run(ctx, s.rdb, s.cmKeys(code), "del", id).Int()
	if err != nil {
		return fmt.Errorf("delete commitment %s: %w", id, err)
	}
	if n == 0 {
		return flows.ErrNotFound
	}
	if err := s.rdb.SRem(ctx, s.userCommitsKey(c.Owner), code+":"+id).Err(); err != nil {
		return fmt.Errorf("delete commitment %s: %w", id, err)
	}
	return nil
}

// WorkshopCommitments implements flows.Commitments.
func (s *Store) WorkshopCommitments(ctx context.Context, code string) ([]*flows.Commitment, error) {
	if checkCode(code) != nil {
		return nil, flows.ErrNotFound
	}
	m, err := s.rdb.HGetAll(ctx, s.commitsKey(code)).Result()
	if err != nil {
		return nil, fmt.Errorf("commitments of %s: %w", code, err)
	}
	out := make([]*flows.Commitment, 0, len(m))
	for _, raw := range m {
		c := new(flows.Commitment)
		if json.Unmarshal([]byte(raw), c) == nil {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *flows.Commitment) int {
		return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// UserCommitments implements flows.Commitments; index entries whose
// commitment is gone or changed owner are dropped.
func (s *Store) UserCommitments(ctx context.Context, uid int64) ([]*flows.Commitment, error) {
	refs, err := s.rdb.SMembers(ctx, s.userCommitsKey(uid)).Result()
	if err != nil {
		return nil, fmt.Errorf("commitments of user %d: %w", uid, err)
	}
	var out []*flows.Commitment
	var stale []any
	for _, ref := range refs {
		code, id, _ := strings.Cut(ref, ":")
		c, err := s.GetCommitment(ctx, code, id)
		if errors.Is(err, flows.ErrNotFound) || (err == nil && c.Owner != uid) {
			stale = append(stale, ref)
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(stale) > 0 {
		_ = s.rdb.SRem(ctx, s.userCommitsKey(uid), stale...).Err()
	}
	slices.SortFunc(out, func(a, b *flows.Commitment) int { return a.Due.Compare(b.Due) })
	return out, nil
}

// CommitmentRef formats a user-index entry (for tests).
func CommitmentRef(code, id string) string { return code + ":" + id }

// MigrateCommitmentNames builds the named index ({c:<uid>}:named) from the
// stored commitments when it was never built (a database of a build before
// it): once, marked by commits:named; idempotent, safe from several
// replicas at once. It returns how many commitments it read.
func (s *Store) MigrateCommitmentNames(ctx context.Context) (int, error) {
	done, err := s.rdb.Exists(ctx, s.commitsNamedDoneKey()).Result()
	if err != nil || done == 1 {
		return 0, err
	}
	codes, err := s.rdb.ZRange(ctx, s.allWsKey(), 0, -1).Result()
	if err != nil {
		return 0, fmt.Errorf("migrate commitment names: %w", err)
	}
	n := 0
	for _, code := range codes {
		if checkCode(code) != nil {
			continue
		}
		m, err := s.rdb.HGetAll(ctx, s.commitsKey(code)).Result()
		if err != nil {
			return n, fmt.Errorf("migrate commitment names of %s: %w", code, err)
		}
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for id, raw := range m {
				var c flows.Commitment
				if json.Unmarshal([]byte(raw), &c) != nil {
					continue
				}
				for _, uid := range namedIn(&c) {
					p.SAdd(ctx, s.namedCommitsKey(uid), code+":"+id)
				}
			}
			return nil
		}); err != nil {
			return n, fmt.Errorf("migrate commitment names of %s: %w", code, err)
		}
		n += len(m)
	}
	if err := s.rdb.Set(ctx, s.commitsNamedDoneKey(), "1", 0).Err(); err != nil {
		return n, fmt.Errorf("migrate commitment names: %w", err)
	}
	return n, nil
}
