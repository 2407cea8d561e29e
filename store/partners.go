package store

import (
	"cmp"
	"context"
	_ "embed" // Lua scripts
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// The introduction scripts.
var (
	//go:embed pp_request.lua
	ppRequestLua string
	//go:embed pp_decide.lua
	ppDecideLua string

	ppRequestScript = redis.NewScript(ppRequestLua)
	ppDecideScript  = redis.NewScript(ppDecideLua)
)

// Matchmaking key builders. Every matchmaking key shares the hash tag {pp},
// so a profile edit (one MULTI over the profile and its index sets) and the
// introduction scripts stay in one Cluster slot. Matchmaking data is small
// (one profile per organisation), so one slot holds it well.
func (s *Store) ppKey(name string) string          { return s.p + "{pp}:" + name }
func (s *Store) ppProfKey(uid int64) string        { return s.ppKey("prof:" + strconv.FormatInt(uid, 10)) }
func (s *Store) ppSetKey(kind, code string) string { return s.ppKey(kind + ":" + code) }
func (s *Store) ppAllKey() string                  { return s.ppKey("all") }
func (s *Store) ppUserKey(kind string, uid int64) string {
	return s.ppKey(kind + ":" + strconv.FormatInt(uid, 10))
}
func (s *Store) ppIntroKey(id string) string { return s.ppKey("intro:" + id) }
func (s *Store) ppPairKey(a, b int64) string {
	if a > b {
		a, b = b, a
	}
	return s.ppKey("pair:" + strconv.FormatInt(a, 10) + ":" + strconv.FormatInt(b, 10))
}

// ppCode is what a code must look like to be part of a key.
var ppCode = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

func checkPartner(p *flows.PartnerProfile) error {
	if p.UserID <= 0 {
		return fmt.Errorf("partner profile without user id")
	}
	all := append([]string{p.Sector}, p.Themes...)
	all = append(append(append(all, p.Provinces...), p.Offers...), p.Needs...)
	for _, c := range all {
		if !ppCode.MatchString(c) {
			return fmt.Errorf("partner profile %d: invalid code %q", p.UserID, c)
		}
	}
	return nil
}

// partnerIndex lists the index sets a profile belongs to: none unless it
// is visible.
func (s *Store) partnerIndex(p *flows.PartnerProfile) []string {
	if p == nil || !p.Visible {
		return nil
	}
	keys := []string{s.ppAllKey(), s.ppSetKey("sector", p.Sector)}
	for _, c := range p.Themes {
		keys = append(keys, s.ppSetKey("theme", c))
	}
	for _, c := range p.Provinces {
		keys = append(keys, s.ppSetKey("prov", c))
	}
	for _, c := range p.Offers {
		keys = append(keys, s.ppSetKey("offer", c))
	}
	for _, c := range p.Needs {
		keys = append(keys, s.ppSetKey("need", c))
	}
	return keys
}

// GetPartner implements flows.Partners.
func (s *Store) GetPartner(ctx context.Context, uid int64) (*flows.PartnerProfile, error) {
	p, err := getJSON[flows.PartnerProfile](ctx, s.rdb, s.ppProfKey(uid))
	if err != nil {
		return nil, fmt.Errorf("get partner %d: %w", uid, err)
	}
	return p, nil
}

// watched runs fn in an optimistic transaction on key, retrying when the
// key changed under it.
func (s *Store) watched(ctx context.Context, key string, fn func(tx *redis.Tx) error) error {
	for range 20 {
		err := s.rdb.Watch(ctx, fn, key)
		if !errors.Is(err, redis.TxFailedErr) {
			return err
		}
	}
	return fmt.Errorf("%s: too much contention", key)
}

// oldPartner reads the stored profile inside a transaction (nil when none).
func oldPartner(ctx context.Context, tx *redis.Tx, key string) (*flows.PartnerProfile, error) {
	b, err := tx.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	old := new(flows.PartnerProfile)
	if err := json.Unmarshal(b, old); err != nil {
		return nil, fmt.Errorf("decode %s: %w", key, err)
	}
	return old, nil
}

// SavePartner implements flows.Partners: one MULTI writes the profile,
// removes it from the index sets of the stored version and adds it to those
// of the new one (none while paused), so suggestions never see a half edit.
func (s *Store) SavePartner(ctx context.Context, p *flows.PartnerProfile) error {
	if err := checkPartner(p); err != nil {
		return fmt.Errorf("save partner: %w", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode partner %d: %w", p.UserID, err)
	}
	key := s.ppProfKey(p.UserID)
	err = s.watched(ctx, key, func(tx *redis.Tx) error {
		old, err := oldPartner(ctx, tx, key)
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
			pipe.Set(ctx, key, b, 0)
			for _, k := range s.partnerIndex(old) {
				pipe.SRem(ctx, k, p.UserID)
			}
			for _, k := range s.partnerIndex(p) {
				pipe.SAdd(ctx, k, p.UserID)
			}
			return nil
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("save partner %d: %w", p.UserID, err)
	}
	return nil
}

// DeletePartner implements flows.Partners: the profile, its index entries
// and its "not interested" marks go in one MULTI.
func (s *Store) DeletePartner(ctx context.Context, uid int64) error {
	key := s.ppProfKey(uid)
	err := s.watched(ctx, key, func(tx *redis.Tx) error {
		old, err := oldPartner(ctx, tx, key)
		if err != nil {
			return err
		}
		if old == nil {
			return flows.ErrNotFound
		}
		_, err = tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
			pipe.Del(ctx, key, s.ppUserKey("skip", uid))
			for _, k := range s.partnerIndex(&flows.PartnerProfile{
				Visible: true, Sector: old.Sector, Themes: old.Themes, Provinces: old.Provinces, Offers: old.Offers, Needs: old.Needs,
			}) {
				pipe.SRem(ctx, k, uid)
			}
			return nil
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("delete partner %d: %w", uid, err)
	}
	return nil
}

// NotInterested implements flows.Partners.
func (s *Store) NotInterested(ctx context.Context, uid, other int64) error {
	if err := s.rdb.SAdd(ctx, s.ppUserKey("skip", uid), other).Err(); err != nil {
		return fmt.Errorf("not interested %d in %d: %w", uid, other, err)
	}
	return nil
}

// overlap counts what a candidate shares with the viewer, from index
// memberships.
type overlap struct {
	get, give, themes, provinces, offers int
	sameSector, skip, filtered           bool
}

// SuggestPartners implements flows.Partners without reading every profile:
//
//  1. one pipeline of SMEMBERS: the offer sets of my needs, the need sets of
//     my offers, the sets of my themes and provinces (their union is the
//     candidate set), my sector's set (no cross-sector bonus), my "not
//     interested" set, the filter's set, and for coalitions the offer sets
//     of my offers;
//  2. each candidate's flows.MatchScore from how many of those sets hold it
//     — exactly what flows.Compare would count from the two profiles;
//  3. candidates sorted best first, then their profiles and user records
//     read in pipelined batches until Limit are found, skipping inactive
//     users (the transport marks those that blocked the bot).
func (s *Store) SuggestPartners(ctx context.Context, q flows.MatchQuery) ([]*flows.PartnerProfile, error) {
	me := q.Me
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	type members struct {
		cmd *redis.StringSliceCmd
		add func(o *overlap)
	}
	var sets []members
	nCandidate := 0 // the first sets are the candidate sets: only they create entries
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		add := func(key string, f func(o *overlap)) {
			sets = append(sets, members{cmd: p.SMembers(ctx, key), add: f})
		}
		for _, c := range me.Needs {
			add(s.ppSetKey("offer", c), func(o *overlap) { o.get++ })
		}
		for _, c := range me.Offers {
			add(s.ppSetKey("need", c), func(o *overlap) { o.give++ })
		}
		for _, c := range me.Themes {
			add(s.ppSetKey("theme", c), func(o *overlap) { o.themes++ })
		}
		for _, c := range me.Provinces {
			add(s.ppSetKey("prov", c), func(o *overlap) { o.provinces++ })
		}
		nCandidate = len(sets)
		if q.Filter.Coalition {
			for _, c := range me.Offers {
				add(s.ppSetKey("offer", c), func(o *overlap) { o.offers++ })
			}
		}
		add(s.ppSetKey("sector", me.Sector), func(o *overlap) { o.sameSector = true })
		add(s.ppUserKey("skip", me.UserID), func(o *overlap) { o.skip = true })
		switch f := q.Filter; {
		case f.Theme != "":
			add(s.ppSetKey("theme", f.Theme), func(o *overlap) { o.filtered = true })
		case f.Province != "":
			add(s.ppSetKey("prov", f.Province), func(o *overlap) { o.filtered = true })
		case f.Sector != "":
			add(s.ppSetKey("sector", f.Sector), func(o *overlap) { o.filtered = true })
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("suggest partners for %d: %w", me.UserID, err)
	}
	byID := make(map[string]*overlap, 1024)
	for i, m := range sets {
		for _, id := range m.cmd.Val() {
			o := byID[id]
			if o == nil {
				if i >= nCandidate {
					continue
				}
				o = new(overlap)
				byID[id] = o
			}
			m.add(o)
		}
	}
	needFilter := q.Filter.Theme != "" || q.Filter.Province != "" || q.Filter.Sector != ""
	type ranked struct {
		uid   int64
		score int
	}
	list := make([]ranked, 0, len(byID))
	for id, o := range byID {
		uid, err := strconv.ParseInt(id, 10, 64)
		if err != nil || uid == me.UserID || o.skip || (needFilter && !o.filtered) {
			continue
		}
		if q.Filter.Coalition && (o.themes == 0 || o.provinces == 0 || o.offers == 0) {
			continue
		}
		list = append(list, ranked{uid, flows.MatchScore(o.get, o.give, o.themes, o.provinces, !o.sameSector)})
	}
	slices.SortFunc(list, func(a, b ranked) int { return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.uid, b.uid)) })

	out := make([]*flows.PartnerProfile, 0, min(limit, len(list)))
	for next := 0; next < len(list) && len(out) < limit; {
		batch := list[next:min(len(list), next+max(2*(limit-len(out)), 16))]
		next += len(batch)
		profs := make([]*redis.StringCmd, len(batch))
		owners := make([]*redis.SliceCmd, len(batch))
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, r := range batch {
				profs[i] = p.Get(ctx, s.ppProfKey(r.uid))
				owners[i] = p.HMGet(ctx, s.userKey(r.uid), ufInactive, ufConsent)
			}
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("suggest partners for %d: load: %w", me.UserID, err)
		}
		for i := range batch {
			b, err := profs[i].Bytes()
			if err != nil {
				continue // deleted since the index was read
			}
			p := new(flows.PartnerProfile)
			if err := json.Unmarshal(b, p); err != nil || !p.Visible {
				continue
			}
			// Not shown: the owner blocked the bot, or never agreed to
			// the privacy notice (a profile from before consent was asked).
			if o := owners[i].Val(); len(o) != 2 || o[0] == "1" || o[1] == nil || o[1] == "" {
				continue
			}
			out = append(out, p)
			if len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

// introFromHash decodes an introduction from its hash.
func introFromHash(h map[string]string) (*flows.Introduction, error) {
	if len(h) == 0 {
		return nil, flows.ErrNotFound
	}
	from, err1 := strconv.ParseInt(h["from"], 10, 64)
	to, err2 := strconv.ParseInt(h["to"], 10, 64)
	created, err3 := strconv.ParseInt(h["created"], 10, 64)
	decided, err4 := strconv.ParseInt(h["decided"], 10, 64)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return nil, fmt.Errorf("decode introduction %s: %w", h["id"], err)
	}
	in := &flows.Introduction{ID: h["id"], From: from, To: to, FromOrg: h["from_org"], ToOrg: h["to_org"],
		Note: h["note"], Status: flows.IntroStatus(h["status"]), Created: fromMS(created)}
	if decided != 0 {
		in.Decided = fromMS(decided)
	}
	return in, nil
}

// RequestIntro implements flows.Partners: one script checks the pair, the
// cooldown and the requester's pending count, and writes the introduction
// with its indexes.
func (s *Store) RequestIntro(ctx context.Context, in *flows.Introduction, cooldown time.Duration, max int) error {
	if !ppCode.MatchString(in.ID) || in.From <= 0 || in.To <= 0 || in.From == in.To {
		return fmt.Errorf("request introduction: invalid %+v", in)
	}
	keys := []string{s.ppPairKey(in.From, in.To), s.ppIntroKey(in.ID), s.ppUserKey("sent", in.From),
		s.ppUserKey("recv", in.To), s.ppUserKey("pending", in.From)}
	res, err := ppRequestScript.Run(ctx, s.rdb, keys, in.ID, in.From, in.To, in.FromOrg, in.ToOrg, in.Note,
		in.Created.UnixMilli(), cooldown.Milliseconds(), max).Text()
	if err != nil {
		return fmt.Errorf("request introduction %d -> %d: %w", in.From, in.To, err)
	}
	switch res {
	case "ok":
		return nil
	case "pending":
		err = flows.ErrIntroPending
	case "connected":
		err = flows.ErrIntroConnected
	case "cooldown":
		err = flows.ErrIntroCooldown
	case "cap":
		err = flows.ErrTooManyIntros
	default:
		err = fmt.Errorf("introduction id %s taken", in.ID)
	}
	return fmt.Errorf("request introduction %d -> %d: %w", in.From, in.To, err)
}

// GetIntro implements flows.Partners.
func (s *Store) GetIntro(ctx context.Context, id string) (*flows.Introduction, error) {
	if !ppCode.MatchString(id) {
		return nil, fmt.Errorf("get introduction %q: %w", id, flows.ErrNotFound)
	}
	h, err := s.rdb.HGetAll(ctx, s.ppIntroKey(id)).Result()
	if err != nil {
		return nil, fmt.Errorf("get introduction %s: %w", id, err)
	}
	in, err := introFromHash(h)
	if err != nil {
		return nil, fmt.Errorf("get introduction %s: %w", id, err)
	}
	return in, nil
}

// PendingSent implements flows.Partners.
func (s *Store) PendingSent(ctx context.Context, uid int64) (int, error) {
	n, err := s.rdb.SCard(ctx, s.ppUserKey("pending", uid)).Result()
	if err != nil {
		return 0, fmt.Errorf("pending introductions of %d: %w", uid, err)
	}
	return int(n), nil
}

// PairIntro implements flows.Partners.
func (s *Store) PairIntro(ctx context.Context, a, b int64) (*flows.Introduction, error) {
	id, err := s.rdb.HGet(ctx, s.ppPairKey(a, b), "id").Result()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("introduction of %d and %d: %w", a, b, flows.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("introduction of %d and %d: %w", a, b, err)
	}
	return s.GetIntro(ctx, id)
}

// DecideIntro implements flows.Partners. The requester (whose pending set
// the script updates) is read first; it never changes for an id.
func (s *Store) DecideIntro(ctx context.Context, id string, actor int64, status flows.IntroStatus, now time.Time) (*flows.Introduction, error) {
	switch status {
	case flows.IntroAccepted, flows.IntroDeclined, flows.IntroWithdrawn:
	default:
		return nil, fmt.Errorf("decide introduction %s: bad status %q", id, status)
	}
	in, err := s.GetIntro(ctx, id)
	if err != nil {
		return nil, err
	}
	keys := []string{s.ppIntroKey(id), s.ppPairKey(in.From, in.To), s.ppUserKey("pending", in.From)}
	res, err := ppDecideScript.Run(ctx, s.rdb, keys, actor, string(status), now.UnixMilli(), id).Text()
	if err != nil {
		return nil, fmt.Errorf("decide introduction %s: %w", id, err)
	}
	switch res {
	case "ok":
	case "notfound":
		return nil, fmt.Errorf("decide introduction %s: %w", id, flows.ErrNotFound)
	case "forbidden":
		return nil, fmt.Errorf("decide introduction %s: %w", id, flows.ErrIntroForbidden)
	default:
		return nil, fmt.Errorf("decide introduction %s: %w", id, flows.ErrIntroDecided)
	}
	in.Status, in.Decided = status, fromMS(now.UnixMilli())
	return in, nil
}

// UserIntros implements flows.Partners.
func (s *Store) UserIntros(ctx context.Context, uid int64, limit int) (sent, received []*flows.Introduction, err error) {
	stop := int64(limit - 1)
	if limit <= 0 {
		stop = -1
	}
	var sentIDs, recvIDs *redis.StringSliceCmd
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		sentIDs = p.ZRevRange(ctx, s.ppUserKey("sent", uid), 0, stop)
		recvIDs = p.ZRevRange(ctx, s.ppUserKey("recv", uid), 0, stop)
		return nil
	}); err != nil {
		return nil, nil, fmt.Errorf("introductions of %d: %w", uid, err)
	}
	load := func(ids []string) ([]*flows.Introduction, error) {
		if len(ids) == 0 {
			return nil, nil
		}
		cmds := make([]*redis.MapStringStringCmd, len(ids))
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, id := range ids {
				cmds[i] = p.HGetAll(ctx, s.ppIntroKey(id))
			}
			return nil
		}); err != nil {
			return nil, err
		}
		out := make([]*flows.Introduction, 0, len(ids))
		for _, c := range cmds {
			in, err := introFromHash(c.Val())
			if errors.Is(err, flows.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, in)
		}
		return out, nil
	}
	if sent, err = load(sentIDs.Val()); err != nil {
		return nil, nil, fmt.Errorf("introductions of %d: %w", uid, err)
	}
	if received, err = load(recvIDs.Val()); err != nil {
		return nil, nil, fmt.Errorf("introductions of %d: %w", uid, err)
	}
	return sent, received, nil
}
