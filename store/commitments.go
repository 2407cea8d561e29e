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
func (s *Store) commitsKey(code string) string   { return s.wsKey(code, "commits") }
func (s *Store) userCommitsKey(uid int64) string { return s.chatKey(uid, "commits") }

// SaveCommitment implements flows.Commitments.
func (s *Store) SaveCommitment(ctx context.Context, c *flows.Commitment) error {
	if err := checkCode(c.Workshop); err != nil {
		return err
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode commitment: %w", err)
	}
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.commitsKey(c.Workshop), c.ID, raw)
		p.SAdd(ctx, s.userCommitsKey(c.Owner), c.Workshop+":"+c.ID)
		return nil
	})
	if err != nil {
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
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HDel(ctx, s.commitsKey(code), id)
		p.SRem(ctx, s.userCommitsKey(c.Owner), code+":"+id)
		return nil
	})
	if err != nil {
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
