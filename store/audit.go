package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// Audit keys. People appear in the stream only as pseudonyms; the mapping
// is two hashes, and deleting a user's pair (ForgetAuditRef) leaves their
// entries anonymous.
//
//	<p>audit:log     stream  at (unix ms), actor (pseudonym), action, target, subject (pseudonym); capped at ~100,000 entries
//	<p>audit:ref     hash    uid -> pseudonym
//	<p>audit:who     hash    pseudonym -> uid
const auditMaxLen = 100_000

func (s *Store) auditLogKey() string { return s.p + "audit:log" }
func (s *Store) auditRefKey() string { return s.p + "audit:ref" }
func (s *Store) auditWhoKey() string { return s.p + "audit:who" }

// auditRef returns uid's pseudonym, creating it the first time.
func (s *Store) auditRef(ctx context.Context, uid int64) (string, error) {
	if uid == 0 {
		return "", nil
	}
	id := strconv.FormatInt(uid, 10)
	ref, err := s.rdb.HGet(ctx, s.auditRefKey(), id).Result()
	if err == nil {
		return ref, nil
	}
	if !errors.Is(err, redis.Nil) {
		return "", err
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	candidate := hex.EncodeToString(b[:])
	if ok, err := s.rdb.HSetNX(ctx, s.auditRefKey(), id, candidate).Result(); err != nil {
		return "", err
	} else if !ok { // created meanwhile
		return s.rdb.HGet(ctx, s.auditRefKey(), id).Result()
	}
	if err := s.rdb.HSet(ctx, s.auditWhoKey(), candidate, id).Err(); err != nil {
		return "", err
	}
	return candidate, nil
}

// Audit implements flows.Audit.
func (s *Store) Audit(ctx context.Context, e *flows.AuditEntry) error {
	actor, err := s.auditRef(ctx, e.Actor)
	if err != nil {
		return fmt.Errorf("audit pseudonym: %w", err)
	}
	subject, err := s.auditRef(ctx, e.Subject)
	if err != nil {
		return fmt.Errorf("audit pseudonym: %w", err)
	}
	err = s.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: s.auditLogKey(), MaxLen: auditMaxLen, Approx: true,
		Values: []any{"at", e.At.UnixMilli(), "actor", actor, "action", e.Action, "target", e.Target, "subject", subject},
	}).Err()
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditLog implements flows.Audit.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]*flows.AuditEntry, error) {
	msgs, err := s.rdb.XRevRangeN(ctx, s.auditLogKey(), "+", "-", int64(limit)).Result()
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	who, err := s.rdb.HGetAll(ctx, s.auditWhoKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	resolve := func(v any) int64 {
		ref, _ := v.(string)
		uid, _ := strconv.ParseInt(who[ref], 10, 64)
		return uid
	}
	out := make([]*flows.AuditEntry, 0, len(msgs))
	for _, m := range msgs {
		ms, _ := strconv.ParseInt(fmt.Sprint(m.Values["at"]), 10, 64)
		action, _ := m.Values["action"].(string)
		target, _ := m.Values["target"].(string)
		out = append(out, &flows.AuditEntry{At: time.UnixMilli(ms).UTC(), Actor: resolve(m.Values["actor"]), Action: action,
			Target: target, Subject: resolve(m.Values["subject"])})
	}
	return out, nil
}

// ForgetAuditRef deletes uid's pseudonym: their audit entries stay, naming
// nobody.
func (s *Store) ForgetAuditRef(ctx context.Context, uid int64) error {
	id := strconv.FormatInt(uid, 10)
	ref, err := s.rdb.HGet(ctx, s.auditRefKey(), id).Result()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("forget audit pseudonym: %w", err)
	}
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HDel(ctx, s.auditRefKey(), id)
		p.HDel(ctx, s.auditWhoKey(), ref)
		return nil
	})
	if err != nil {
		return fmt.Errorf("forget audit pseudonym: %w", err)
	}
	return nil
}
