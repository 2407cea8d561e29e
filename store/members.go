package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// The segment indexes: the members whose profile has a sector or a
// province, so that a broadcast to one province reads its members, not
// every member (flows.Recipients, Audience.ProfileMembers). They are in
// other slots than the profiles and written in steps (SaveProfile): a value
// is added before the profile has it and removed after it no longer has
// it, so an index may hold members who moved away (Recipients checks their
// profiles) but never lacks one.
func (s *Store) memberKey(kind flows.SegmentKind, value string) string {
	return s.p + "members:" + string(kind) + ":" + value
}

func (s *Store) membersIndexedKey() string { return s.p + "members:indexed" }

// stale is old with only the values p no longer has (nil when none).
func stale(old, p *flows.Profile) *flows.Profile {
	if old == nil {
		return nil
	}
	out := &flows.Profile{}
	if old.Sector != p.Sector {
		out.Sector = old.Sector
	}
	if old.Province != p.Province {
		out.Province = old.Province
	}
	return out
}

// indexMember adds uid under the sector and province of add and removes it
// from those of drop (either may be nil), in one pipeline.
func (s *Store) indexMember(ctx context.Context, uid int64, add, drop *flows.Profile) error {
	type entry struct {
		kind  flows.SegmentKind
		value string
	}
	var adds, drops []entry
	if add != nil {
		adds = []entry{{flows.SegSector, add.Sector}, {flows.SegProvince, add.Province}}
	}
	if drop != nil {
		drops = []entry{{flows.SegSector, drop.Sector}, {flows.SegProvince, drop.Province}}
	}
	if len(adds)+len(drops) == 0 {
		return nil
	}
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, e := range adds {
			if e.value != "" {
				p.SAdd(ctx, s.memberKey(e.kind, e.value), uid)
			}
		}
		for _, e := range drops {
			if e.value != "" {
				p.SRem(ctx, s.memberKey(e.kind, e.value), uid)
			}
		}
		return nil
	})
	return err
}

// unindexMember removes uid from every sector and province index (ForgetUser).
func (s *Store) unindexMember(ctx context.Context, p redis.Pipeliner, uid int64) {
	for _, c := range flows.Sectors() {
		p.SRem(ctx, s.memberKey(flows.SegSector, c), uid)
	}
	for _, c := range flows.Provinces() {
		p.SRem(ctx, s.memberKey(flows.SegProvince, c), uid)
	}
}

// ProfileMembers implements flows.Audience. A theme's members are those
// of {pp}:members:theme:<code>, exact (written by the partner profile's
// own script). A sector's or province's are the index's members, then
// their profiles and user records in one pipeline; a member whose profile
// no longer has the value (it moved) is left out.
func (s *Store) ProfileMembers(ctx context.Context, kind flows.SegmentKind, value string) ([]*flows.User, error) {
	if kind == flows.SegTheme {
		return s.themeMembers(ctx, value)
	}
	if kind != flows.SegSector && kind != flows.SegProvince {
		return nil, fmt.Errorf("profile members: no index of %q", kind)
	}
	raw, err := s.rdb.SMembers(ctx, s.memberKey(kind, value)).Result()
	if err != nil {
		return nil, fmt.Errorf("members of %s %s: %w", kind, value, err)
	}
	profiles := make([]*redis.StringCmd, len(raw))
	users := make([]*redis.SliceCmd, len(raw))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, r := range raw {
			id, err := strconv.ParseInt(r, 10, 64)
			if err != nil {
				continue
			}
			profiles[i] = p.Get(ctx, s.profileKey(id))
			users[i] = p.HMGet(ctx, s.userKey(id), segmentFields...)
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("members of %s %s: %w", kind, value, err)
	}
	out := make([]*flows.User, 0, len(raw))
	for i := range raw {
		if profiles[i] == nil {
			continue
		}
		b, err := profiles[i].Bytes()
		if err != nil {
			continue // no profile (removed since the index was read)
		}
		var p struct{ Sector, Province string }
		if json.Unmarshal(b, &p) != nil || (kind == flows.SegSector && p.Sector != value) || (kind == flows.SegProvince && p.Province != value) {
			continue
		}
		u, err := decodeSegmentUser(users[i].Val())
		if err != nil {
			return nil, fmt.Errorf("members of %s %s: %w", kind, value, err)
		}
		if u != nil {
			out = append(out, u)
		}
	}
	return out, nil
}

// segmentFields are the fields of a user record a segment reads
// (flows.Recipients): ProfileMembers reads only these.
var segmentFields = []string{ufID, ufLang, ufConsent, ufInactive, ufNoUpdates}

// decodeSegmentUser reads the segmentFields of a record (HMGET); nil when
// there is no record.
func decodeSegmentUser(vals []any) (*flows.User, error) {
	m := make(map[string]string, len(segmentFields))
	for i, v := range vals {
		if s, ok := v.(string); ok && i < len(segmentFields) {
			m[segmentFields[i]] = s
		}
	}
	return decodeUser(m)
}

// themeMembers reads the users whose organisation profile (visible or
// paused) has theme code.
func (s *Store) themeMembers(ctx context.Context, code string) ([]*flows.User, error) {
	raw, err := s.rdb.SMembers(ctx, s.ppThemeMembersKey(code)).Result()
	if err != nil {
		return nil, fmt.Errorf("members of theme %s: %w", code, err)
	}
	ids := make([]int64, 0, len(raw))
	for _, r := range raw {
		if id, err := strconv.ParseInt(r, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	users := make([]*redis.SliceCmd, len(ids))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			users[i] = p.HMGet(ctx, s.userKey(id), segmentFields...)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("members of theme %s: %w", code, err)
	}
	out := make([]*flows.User, 0, len(ids))
	for _, c := range users {
		u, err := decodeSegmentUser(c.Val())
		if err != nil {
			return nil, fmt.Errorf("members of theme %s: %w", code, err)
		}
		if u != nil {
			out = append(out, u)
		}
	}
	return out, nil
}

// MigrateMembers builds the segment indexes (sector, province, and the
// themes of organisation profiles) from the stored profiles when they were
// never built (a database of a build before them): once, marked
// by members:indexed; idempotent, safe from several replicas at once. It
// returns how many profiles it indexed.
func (s *Store) MigrateMembers(ctx context.Context) (int, error) {
	done, err := s.rdb.Exists(ctx, s.membersIndexedKey()).Result()
	if err != nil || done == 1 {
		return 0, err
	}
	raw, err := s.rdb.SMembers(ctx, s.usersKey()).Result()
	if err != nil {
		return 0, fmt.Errorf("migrate members: %w", err)
	}
	var ids []int64
	for _, r := range raw {
		if id, err := strconv.ParseInt(r, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	n := 0
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 1000)]
		ids = ids[len(batch):]
		profiles, err := s.ProfilesOf(ctx, batch)
		if err != nil {
			return n, fmt.Errorf("migrate members: %w", err)
		}
		partners := make([]*redis.StringCmd, len(batch))
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, id := range batch {
				partners[i] = p.Get(ctx, s.ppProfKey(id))
			}
			return nil
		}); err != nil && !errors.Is(err, redis.Nil) {
			return n, fmt.Errorf("migrate members: %w", err)
		}
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, c := range partners {
				var pp flows.PartnerProfile
				if b, err := c.Bytes(); err == nil && json.Unmarshal(b, &pp) == nil {
					for _, t := range pp.Themes {
						p.SAdd(ctx, s.ppThemeMembersKey(t), batch[i])
					}
				}
			}
			for id, pr := range profiles {
				if pr.Sector != "" {
					p.SAdd(ctx, s.memberKey(flows.SegSector, pr.Sector), id)
				}
				if pr.Province != "" {
					p.SAdd(ctx, s.memberKey(flows.SegProvince, pr.Province), id)
				}
			}
			return nil
		}); err != nil {
			return n, fmt.Errorf("migrate members: %w", err)
		}
		n += len(profiles)
	}
	if err := s.rdb.Set(ctx, s.membersIndexedKey(), "1", 0).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return n, fmt.Errorf("migrate members: %w", err)
	}
	return n, nil
}
