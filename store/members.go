package store

import (
	"cmp"
	"context"
	_ "embed" // Lua script
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
	"sinergi/locales"
	"sinergi/store/keyslot"
)

// The segment indexes: the members whose profile has a sector or a
// province, so that a broadcast to one province reads its members, not
// every member (flows.Recipients, Audience.ProfileMembers,
// Audience.ProfileReceivers), and the dashboard counts members without
// reading them (CountMembers). A profile is in exactly one sector set and
// one province set: members:sector:<code> for a code of the catalog
// (flows.Sectors, flows.Provinces), members:sector:_ for none or another.
//
// On one Redis server (or a Sentinel master) they are exact: the profile
// and its entries are written in one MULTI, which takes the member out of
// every other set of the kind (SaveProfile, RemoveProfile, ForgetUser), so
// whatever the sets held before, the member is where the profile says
// after each write, and concurrent writes of one profile leave the sets
// as the last one wrote. MigrateExactMembers rebuilds them once from the
// profiles (a database of a build that wrote them in steps). On a Cluster
// the profile and the sets are in different slots: the sets are written
// in steps there (the new value before the profile, the old one removed
// after), so they may hold a member who moved but never lack one, and the
// readers check the profiles (ProfileMembers) or read every one
// (ProfileReceivers says flows.ErrNoIndex, CountMembers reads them all).
func (s *Store) memberKey(kind flows.SegmentKind, value string) string {
	return s.p + "members:" + string(kind) + ":" + value
}

// otherCode names the set of profiles without a code of the catalog.
const otherCode = "_"

// catalog is the codes of kind (SegSector or SegProvince).
func catalog(kind flows.SegmentKind) []string {
	if kind == flows.SegSector {
		return flows.Sectors()
	}
	return flows.Provinces()
}

// indexedCode is the set a profile's value of kind goes into.
func indexedCode(kind flows.SegmentKind, v string) string {
	if v != "" && slices.Contains(catalog(kind), v) {
		return v
	}
	return otherCode
}

// memberKeys are every set of kind.
func (s *Store) memberKeys(kind flows.SegmentKind) []string {
	var out []string
	for _, c := range append(catalog(kind), otherCode) {
		out = append(out, s.memberKey(kind, c))
	}
	return out
}

func (s *Store) membersIndexedKey() string { return s.p + "members:indexed" }
func (s *Store) membersExactKey() string   { return s.p + "members:exact" }

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
// from those of drop (either may be nil), in one pipeline: the steps of a
// Cluster.
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
				p.SAdd(ctx, s.memberKey(e.kind, indexedCode(e.kind, e.value)), uid)
			}
		}
		for _, e := range drops {
			if e.value != "" {
				p.SRem(ctx, s.memberKey(e.kind, indexedCode(e.kind, e.value)), uid)
			}
		}
		return nil
	})
	return err
}

// placeMember queues, in a transaction, uid's entries for profile p (nil:
// none): in the set of p's sector and of p's province, in no other.
func (s *Store) placeMember(ctx context.Context, tx redis.Pipeliner, uid int64, p *flows.Profile) {
	for _, kind := range []flows.SegmentKind{flows.SegSector, flows.SegProvince} {
		into := ""
		if p != nil {
			v := p.Sector
			if kind == flows.SegProvince {
				v = p.Province
			}
			into = s.memberKey(kind, indexedCode(kind, v))
		}
		for _, k := range s.memberKeys(kind) {
			if k == into {
				tx.SAdd(ctx, k, uid)
			} else {
				tx.SRem(ctx, k, uid)
			}
		}
	}
}

// unindexMember removes uid from every sector and province index (ForgetUser).
func (s *Store) unindexMember(ctx context.Context, p redis.Pipeliner, uid int64) {
	s.placeMember(ctx, p, uid, nil)
}

// ProfileMembers implements flows.Audience. A theme's members are those
// of {pp}:members:theme:<code>, exact (written by the partner profile's
// own script). A sector's or province's are the index's members and the
// segment's fields of their user records, in one pipeline; on a Cluster,
// where the index may hold a member who moved, their profiles too, and a
// member whose profile no longer has the value is left out.
func (s *Store) ProfileMembers(ctx context.Context, kind flows.SegmentKind, value string) ([]*flows.User, error) {
	if kind == flows.SegTheme {
		return s.themeMembers(ctx, value)
	}
	if kind != flows.SegSector && kind != flows.SegProvince {
		return nil, fmt.Errorf("profile members: no index of %q", kind)
	}
	if indexedCode(kind, value) != value {
		return nil, nil // not of the catalog: in no set of its own
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
			if s.cluster {
				profiles[i] = p.Get(ctx, s.profileKey(id))
			}
			users[i] = p.HMGet(ctx, s.userKey(id), segmentFields...)
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("members of %s %s: %w", kind, value, err)
	}
	out := make([]*flows.User, 0, len(raw))
	for i := range raw {
		if users[i] == nil {
			continue
		}
		if s.cluster {
			b, err := profiles[i].Bytes()
			if err != nil {
				continue // no profile (removed since the index was read)
			}
			var p struct{ Sector, Province string }
			if json.Unmarshal(b, &p) != nil || (kind == flows.SegSector && p.Sector != value) || (kind == flows.SegProvince && p.Province != value) {
				continue
			}
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

// ProfileReceivers implements flows.Audience: for each value, per
// language, the intersection of its set with the index of receivers
// (ZINTER, the set weighing 0 so that the score is the uid), in one
// MULTI (the sets are in other slots: one server only). On a Cluster the
// sets are not exact: flows.ErrNoIndex.
func (s *Store) ProfileReceivers(ctx context.Context, kind flows.SegmentKind, values ...string) ([]flows.Receiver, error) {
	if s.cluster {
		return nil, flows.ErrNoIndex
	}
	if kind != flows.SegSector && kind != flows.SegProvince {
		return nil, fmt.Errorf("profile receivers: no index of %q", kind)
	}
	langs := append(locales.Supported(), recvOther)
	type part struct {
		lang string
		cmd  *redis.StringSliceCmd
	}
	var parts []part
	if _, err := s.rdb.TxPipelined(keyslot.SingleNodeOnly(ctx), func(p redis.Pipeliner) error {
		for _, v := range values {
			if indexedCode(kind, v) != v {
				continue // not of the catalog: in no set of its own
			}
			for _, l := range langs {
				parts = append(parts, part{l, p.ZInter(ctx, &redis.ZStore{
					Keys: []string{s.memberKey(kind, v), s.recvKey(l)}, Weights: []float64{0, 1}})})
			}
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("receivers of %s %v: %w", kind, values, err)
	}
	var out []flows.Receiver
	for _, pt := range parts {
		l := pt.lang
		if l == recvOther {
			l = ""
		}
		for _, m := range pt.cmd.Val() {
			id, err := strconv.ParseInt(m, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("receivers of %s: member %q: %w", kind, m, err)
			}
			out = append(out, flows.Receiver{ID: id, Lang: l})
		}
	}
	slices.SortFunc(out, func(a, b flows.Receiver) int { return cmp.Compare(a.ID, b.ID) })
	return slices.CompactFunc(out, func(a, b flows.Receiver) bool { return a.ID == b.ID }), nil
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
					p.SAdd(ctx, s.memberKey(flows.SegSector, indexedCode(flows.SegSector, pr.Sector)), id)
				}
				if pr.Province != "" {
					p.SAdd(ctx, s.memberKey(flows.SegProvince, indexedCode(flows.SegProvince, pr.Province)), id)
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

var (
	//go:embed members_place.lua
	membersPlaceLua    string
	membersPlaceScript = redis.NewScript(membersPlaceLua)
	//go:embed members_count.lua
	membersCountLua    string
	membersCountScript = redis.NewScript(membersCountLua)
)

// MigrateExactMembers makes the sector and province indexes exact once on
// one server (a database of a build that wrote them in steps, which may
// have left members who moved in their old sets): every member of
// users:all, of any set and with a profile (one SCAN) is placed by members_place.lua from their
// profile as it is then, so a writer running meanwhile cannot be undone;
// marked by members:exact; idempotent, safe from several replicas at once.
// It returns how many members it placed. On a Cluster the indexes stay as
// they are (written in steps, read with the profiles).
func (s *Store) MigrateExactMembers(ctx context.Context) (int, error) {
	if s.cluster {
		return 0, nil
	}
	done, err := s.rdb.Exists(ctx, s.membersExactKey()).Result()
	if err != nil || done == 1 {
		return 0, err
	}
	sets := append(s.memberKeys(flows.SegSector), s.memberKeys(flows.SegProvince)...)
	var cmds []*redis.StringSliceCmd
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range append([]string{s.usersKey()}, sets...) {
			cmds = append(cmds, p.SMembers(ctx, k))
		}
		return nil
	}); err != nil {
		return 0, fmt.Errorf("migrate exact members: %w", err)
	}
	// And every profile, by a scan (once): one whose member is in none of
	// those (a withdrawn consent's, a profile without a sector or
	// province of a build that did not index those) is placed too.
	profiles, err := s.scanKeys(ctx, s.p+"{c:*}:profile")
	if err != nil {
		return 0, fmt.Errorf("migrate exact members: %w", err)
	}
	seen := map[int64]bool{}
	var ids []int64
	add := func(r string) {
		if id, err := strconv.ParseInt(r, 10, 64); err == nil && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, c := range cmds {
		for _, r := range c.Val() {
			add(r)
		}
	}
	for _, k := range profiles {
		id, ok := strings.CutPrefix(k, s.p+"{c:")
		if id, ok2 := strings.CutSuffix(id, "}:profile"); ok && ok2 {
			add(id)
		}
	}
	sectors, provinces := flows.Sectors(), flows.Provinces()
	n := 0
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 200)]
		ids = ids[len(batch):]
		keys := make([]string, 0, len(batch)+len(sets))
		args := make([]any, 0, 3+len(sectors)+len(provinces)+len(batch))
		args = append(args, len(batch), len(sectors))
		for _, c := range sectors {
			args = append(args, c)
		}
		args = append(args, len(provinces))
		for _, c := range provinces {
			args = append(args, c)
		}
		for _, id := range batch {
			keys = append(keys, s.profileKey(id))
			args = append(args, id)
		}
		keys = append(keys, sets...)
		// A MULTI of the one script, over many slots: one server only
		// (keyslot.SingleNodeOnly), as user_write.lua.
		if _, err := s.rdb.TxPipelined(keyslot.SingleNodeOnly(ctx), func(p redis.Pipeliner) error {
			membersPlaceScript.Eval(ctx, p, keys, args...)
			return nil
		}); err != nil {
			return n, fmt.Errorf("migrate exact members: %w", err)
		}
		n += len(batch)
	}
	if err := s.rdb.Set(ctx, s.membersExactKey(), "1", 0).Err(); err != nil {
		return n, fmt.Errorf("migrate exact members: %w", err)
	}
	return n, nil
}

// CountMembers implements flows.MemberCounter: the members of users:all
// (those AllUsers lists) with a profile, in all and by the sector and the
// province of that profile — what the dashboard's overview counted by
// reading every record and profile. On one server it is members_count.lua
// over the sets and users:all, one step (the sets partition the profiles by
// sector, so the total is the sum over the sectors and the set of the
// others); on a Cluster, where the sets may hold members who moved, every
// record and profile is read.
func (s *Store) CountMembers(ctx context.Context) (flows.MemberCounts, error) {
	out := flows.MemberCounts{BySector: map[string]int{}, ByProvince: map[string]int{}}
	if s.cluster {
		users, err := s.AllUsers(ctx)
		if err != nil {
			return out, fmt.Errorf("count members: %w", err)
		}
		ids := make([]int64, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		profiles, err := s.ProfilesOf(ctx, ids)
		if err != nil {
			return out, fmt.Errorf("count members: %w", err)
		}
		for _, p := range profiles {
			out.Add(p)
		}
		return out, nil
	}
	sectors, provinces := append(catalog(flows.SegSector), otherCode), catalog(flows.SegProvince)
	keys := []string{s.usersKey()}
	for _, c := range sectors {
		keys = append(keys, s.memberKey(flows.SegSector, c))
	}
	for _, c := range provinces {
		keys = append(keys, s.memberKey(flows.SegProvince, c))
	}
	// A MULTI of the one script, over many slots: one server only.
	var cmd *redis.Cmd
	if _, err := s.rdb.TxPipelined(keyslot.SingleNodeOnly(ctx), func(p redis.Pipeliner) error {
		cmd = membersCountScript.Eval(ctx, p, keys, len(sectors))
		return nil
	}); err != nil {
		return out, fmt.Errorf("count members: %w", err)
	}
	ns, err := cmd.Int64Slice()
	if err != nil || len(ns) != len(sectors)+len(provinces) {
		return out, fmt.Errorf("count members: %d counts, %w", len(ns), err)
	}
	for i, n := range ns {
		switch {
		case i < len(sectors):
			out.Total += int(n)
			if c := sectors[i]; n > 0 && c != otherCode {
				out.BySector[c] = int(n)
			}
		case n > 0:
			out.ByProvince[provinces[i-len(sectors)]] = int(n)
		}
	}
	return out, nil
}
