package store

import (
	"context"
	_ "embed" // Lua scripts
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// The suggestion index: every profile has a small number, its slot, and
// each code (a sector, theme, province, offer or need) a bitmap with the
// bits of the visible profiles that have it. Scoring one organisation
// against all others is then a few bitmaps read in one round trip and
// counted in Go: 100,000 profiles are 12.5 kB per bitmap, where sets of user
// ids made every suggestion read and merge hundreds of thousands of
// members. See SuggestPartners.
var (
	//go:embed pp_save.lua
	ppSaveLua string
	//go:embed pp_delete.lua
	ppDeleteLua string

	ppSaveScript   = redis.NewScript(ppSaveLua)
	ppDeleteScript = redis.NewScript(ppDeleteLua)
)

func (s *Store) ppBitsKey(kind, code string) string {
	if kind == "all" {
		return s.ppKey("bits:all")
	}
	return s.ppKey("bits:" + kind + ":" + code)
}
func (s *Store) ppSlotKey() string     { return s.ppKey("slot") }
func (s *Store) ppSlotUIDKey() string  { return s.ppKey("slotuid") }
func (s *Store) ppSlotFreeKey() string { return s.ppKey("slotfree") }
func (s *Store) ppSlotNextKey() string { return s.ppKey("slotnext") }

// ppThemeMembersKey is the set of uids whose profile (visible or paused)
// has theme code: a broadcast's theme segment.
func (s *Store) ppThemeMembersKey(code string) string { return s.ppKey("members:theme:" + code) }

func (s *Store) ppThemeMembers(themes []string) []string {
	keys := make([]string, len(themes))
	for i, c := range themes {
		keys[i] = s.ppThemeMembersKey(c)
	}
	return keys
}

// ppOldSetKey is an index set of builds before the bitmaps (MigratePartners).
func (s *Store) ppOldSetKey(kind, code string) string { return s.ppKey(kind + ":" + code) }

// partnerCodes lists (kind, code) of what a profile is indexed under.
func partnerCodes(p *flows.PartnerProfile) [][2]string {
	out := [][2]string{{"all", ""}, {"sector", p.Sector}}
	for _, c := range p.Themes {
		out = append(out, [2]string{"theme", c})
	}
	for _, c := range p.Provinces {
		out = append(out, [2]string{"prov", c})
	}
	for _, c := range p.Offers {
		out = append(out, [2]string{"offer", c})
	}
	for _, c := range p.Needs {
		out = append(out, [2]string{"need", c})
	}
	return out
}

// partnerBits lists the bitmaps that hold a profile's bit: none unless it is
// visible.
func (s *Store) partnerBits(p *flows.PartnerProfile) []string {
	if p == nil || !p.Visible {
		return nil
	}
	var keys []string
	for _, kc := range partnerCodes(p) {
		keys = append(keys, s.ppBitsKey(kc[0], kc[1]))
	}
	return keys
}

// partnerOldSets lists the index sets of builds before the bitmaps that
// held a profile ("all" was a set of its own, not "all:all").
func (s *Store) partnerOldSets(p *flows.PartnerProfile) []string {
	keys := []string{s.ppKey("all")}
	for _, kc := range partnerCodes(p)[1:] {
		keys = append(keys, s.ppOldSetKey(kc[0], kc[1]))
	}
	return keys
}

// readPartner reads the stored profile as it is stored ("" when none) and
// decoded (nil when none).
func (s *Store) readPartner(ctx context.Context, uid int64) (string, *flows.PartnerProfile, error) {
	raw, err := s.rdb.Get(ctx, s.ppProfKey(uid)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	p := new(flows.PartnerProfile)
	if err := json.Unmarshal([]byte(raw), p); err != nil {
		return "", nil, fmt.Errorf("decode partner %d: %w", uid, err)
	}
	return raw, p, nil
}

// savePartnerRaw runs pp_save.lua: the profile raw replaces the one read as
// old (the script refuses when it changed since: -1), its bits are cleared
// from clear, set in set, and its uid removed from the sets srem and added
// to those of sadd.
func (s *Store) savePartnerRaw(ctx context.Context, uid int64, old, raw string, clear, set, srem, sadd []string) (int64, error) {
	keys := []string{s.ppProfKey(uid), s.ppSlotKey(), s.ppSlotUIDKey(), s.ppSlotFreeKey(), s.ppSlotNextKey()}
	keys = slices.Concat(keys, clear, set, srem, sadd)
	return ppSaveScript.Run(ctx, s.rdb, keys, uid, old, raw, len(clear), len(set), len(srem), len(sadd)).Int64()
}

// SavePartner implements flows.Partners: one script writes the profile,
// clears its bits in the bitmaps of the stored version and sets them in
// those of the new one (none while paused), so suggestions never see a half
// edit. The script refuses when the profile changed since it was read, and
// the save is tried again.
func (s *Store) SavePartner(ctx context.Context, p *flows.PartnerProfile) error {
	if err := checkPartner(p); err != nil {
		return fmt.Errorf("save partner: %w", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode partner %d: %w", p.UserID, err)
	}
	for range 20 {
		raw, old, err := s.readPartner(ctx, p.UserID)
		if err != nil {
			return fmt.Errorf("save partner %d: %w", p.UserID, err)
		}
		var left []string
		if old != nil {
			left = slices.DeleteFunc(slices.Clone(old.Themes), func(c string) bool { return slices.Contains(p.Themes, c) })
		}
		res, err := s.savePartnerRaw(ctx, p.UserID, raw, string(b), s.partnerBits(old), s.partnerBits(p),
			s.ppThemeMembers(left), s.ppThemeMembers(p.Themes))
		if err != nil {
			return fmt.Errorf("save partner %d: %w", p.UserID, err)
		}
		if res >= 0 {
			return nil
		}
	}
	return fmt.Errorf("save partner %d: too much contention", p.UserID)
}

// DeletePartner implements flows.Partners: the profile, its bits, its slot
// and its "not interested" marks (with their reverse entries) go in one
// script.
func (s *Store) DeletePartner(ctx context.Context, uid int64) error {
	for range 20 {
		raw, old, err := s.readPartner(ctx, uid)
		if err != nil {
			return fmt.Errorf("delete partner %d: %w", uid, err)
		}
		if old == nil {
			return fmt.Errorf("delete partner %d: %w", uid, flows.ErrNotFound)
		}
		marked, err := s.rdb.SMembers(ctx, s.ppUserKey("skip", uid)).Result()
		if err != nil {
			return fmt.Errorf("delete partner %d: %w", uid, err)
		}
		all := *old
		all.Visible = true // clear every bitmap of its codes, paused or not
		bits := s.partnerBits(&all)
		keys := []string{s.ppProfKey(uid), s.ppSlotKey(), s.ppSlotUIDKey(), s.ppSlotFreeKey(), s.ppUserKey("skip", uid)}
		keys = append(keys, bits...)
		keys = append(keys, s.ppThemeMembers(old.Themes)...)
		for _, m := range marked {
			if other, err := strconv.ParseInt(m, 10, 64); err == nil {
				keys = append(keys, s.ppUserKey("skippedby", other))
			}
		}
		res, err := ppDeleteScript.Run(ctx, s.rdb, keys, uid, raw, len(bits), len(marked)).Int()
		if err != nil {
			return fmt.Errorf("delete partner %d: %w", uid, err)
		}
		switch res {
		case 1:
			return nil
		case 0:
			return fmt.Errorf("delete partner %d: %w", uid, flows.ErrNotFound)
		}
	}
	return fmt.Errorf("delete partner %d: too much contention", uid)
}

// MigratePartners moves the profiles of builds before the bitmaps (indexed
// by sets of user ids) to the bitmaps: each visible profile gets its slot
// and bits and leaves the old sets, in one script per profile, and the old
// sets are deleted at the end. It does nothing when no old set is left (one
// EXISTS), so it is cheap at every start; it is idempotent and safe to run
// from several replicas at once. It returns how many profiles it moved.
func (s *Store) MigratePartners(ctx context.Context) (int, error) {
	n, err := s.rdb.Exists(ctx, s.ppKey("all")).Result()
	if err != nil {
		return 0, fmt.Errorf("migrate partners: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	ids, err := s.rdb.SMembers(ctx, s.ppKey("all")).Result()
	if err != nil {
		return 0, fmt.Errorf("migrate partners: %w", err)
	}
	moved := 0
	for _, id := range ids {
		uid, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			continue
		}
		for attempt := 0; ; attempt++ {
			raw, p, err := s.readPartner(ctx, uid)
			if err != nil {
				return moved, fmt.Errorf("migrate partner %d: %w", uid, err)
			}
			if p == nil {
				if err := s.rdb.SRem(ctx, s.ppKey("all"), uid).Err(); err != nil {
					return moved, fmt.Errorf("migrate partner %d: %w", uid, err)
				}
				break
			}
			res, err := s.savePartnerRaw(ctx, uid, raw, raw, nil, s.partnerBits(p), s.partnerOldSets(p), s.ppThemeMembers(p.Themes))
			if err != nil {
				return moved, fmt.Errorf("migrate partner %d: %w", uid, err)
			}
			if res >= 0 {
				moved++
				break
			}
			if attempt == 20 {
				return moved, fmt.Errorf("migrate partner %d: too much contention", uid)
			}
		}
	}
	// What is left in old sets belongs to no visible profile.
	old := []string{s.ppKey("all")}
	for _, kind := range []struct {
		name  string
		codes []string
	}{{"sector", flows.Sectors()}, {"theme", flows.Themes()}, {"prov", flows.Provinces()}, {"offer", flows.Resources()}, {"need", flows.Resources()}} {
		for _, c := range kind.codes {
			old = append(old, s.ppOldSetKey(kind.name, c))
		}
	}
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range old {
			p.Del(ctx, k)
		}
		return nil
	}); err != nil {
		return moved, fmt.Errorf("migrate partners: drop old sets: %w", err)
	}
	return moved, nil
}

// bitmap is a Redis bitmap as GET returns it (kept as the string the
// client read, not copied): bit i is the most significant bit of byte i/8
// shifted left by i%8.
type bitmap string

// has reports whether bit i is set.
func (b bitmap) has(i int) bool { return i/8 < len(b) && b[i/8]&(0x80>>(i%8)) != 0 }

// each calls fn with every set bit, in order.
func (b bitmap) each(fn func(i int)) {
	for base := 0; base < len(b); base += 8 {
		var w uint64
		for j := range 8 {
			w <<= 8
			if base+j < len(b) {
				w |= uint64(b[base+j])
			}
		}
		for w != 0 {
			lz := bits.LeadingZeros64(w)
			fn(base*8 + lz)
			w &^= 1 << (63 - lz)
		}
	}
}

// or sets in dst every bit set in b, as far as dst goes.
func (b bitmap) or(dst []byte) {
	for i := range min(len(b), len(dst)) {
		dst[i] |= b[i]
	}
}

// SuggestPartners implements flows.Partners from the bitmaps, never reading
// every profile:
//
//  1. one pipeline GETs the bitmaps of what I could be matched on — the
//     offer bitmaps of my needs, the need bitmaps of my offers, my themes'
//     and my provinces' —, my sector's (no cross-sector bonus), the
//     filter's, for coalitions the offer bitmaps of my offers, and my "not
//     interested" set;
//  2. each slot's flows.MatchScore is counted from the bitmaps holding it —
//     exactly what flows.Compare would count from the two profiles — with
//     how many slots have each score;
//  3. from the best score down, a score's slots are resolved to user ids
//     (HMGET), ordered by id (the tie rule), and their profiles and user
//     records read in pipelined batches until Limit are found, skipping
//     me, those I marked not interested and inactive users (the transport
//     marks those that blocked the bot).
//
// The work is linear in the number of slots but in bits, not members:
// 100,000 profiles are a few dozen 12.5 kB bitmaps read and counted.
func (s *Store) SuggestPartners(ctx context.Context, q flows.MatchQuery) ([]*flows.PartnerProfile, error) {
	// Codes outside the catalogues never count in flows.Compare.
	me := &flows.PartnerProfile{UserID: q.Me.UserID, Sector: q.Me.Sector,
		Themes: known(flows.Themes(), q.Me.Themes), Provinces: known(flows.Provinces(), q.Me.Provinces),
		Offers: known(flows.Resources(), q.Me.Offers), Needs: known(flows.Resources(), q.Me.Needs)}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	f := q.Filter
	type weighted struct {
		cmd *redis.StringCmd
		w   uint8
	}
	var cands []weighted
	var themesC, provsC, offersC []*redis.StringCmd
	var sector, filter *redis.StringCmd
	var skip *redis.StringSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, c := range me.Needs {
			cands = append(cands, weighted{p.Get(ctx, s.ppBitsKey("offer", c)), flows.WeightComplement})
		}
		for _, c := range me.Offers {
			cands = append(cands, weighted{p.Get(ctx, s.ppBitsKey("need", c)), flows.WeightComplement})
		}
		for _, c := range me.Themes {
			cmd := p.Get(ctx, s.ppBitsKey("theme", c))
			themesC = append(themesC, cmd)
			cands = append(cands, weighted{cmd, flows.WeightTheme})
		}
		for _, c := range me.Provinces {
			cmd := p.Get(ctx, s.ppBitsKey("prov", c))
			provsC = append(provsC, cmd)
			cands = append(cands, weighted{cmd, flows.WeightProvince})
		}
		if f.Coalition {
			for _, c := range me.Offers {
				offersC = append(offersC, p.Get(ctx, s.ppBitsKey("offer", c)))
			}
		}
		sector = p.Get(ctx, s.ppBitsKey("sector", me.Sector))
		switch {
		case f.Theme != "":
			filter = p.Get(ctx, s.ppBitsKey("theme", f.Theme))
		case f.Province != "":
			filter = p.Get(ctx, s.ppBitsKey("prov", f.Province))
		case f.Sector != "":
			filter = p.Get(ctx, s.ppBitsKey("sector", f.Sector))
		}
		skip = p.SMembers(ctx, s.ppUserKey("skip", me.UserID))
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("suggest partners for %d: %w", me.UserID, err)
	}
	bm := func(c *redis.StringCmd) bitmap {
		return bitmap(c.Val()) // redis.Nil: no profile has the code, an empty bitmap
	}
	size := 0
	for _, c := range cands {
		size = max(size, len(bm(c.cmd)))
	}
	// score[i] is slot i's MatchScore without the cross-sector bonus; 0:
	// not a candidate. The largest is 3×16 + 2×10 + 38, below 255.
	score := make([]uint8, size*8)
	for _, c := range cands {
		bm(c.cmd).each(func(i int) { score[i] += c.w })
	}
	// union is the union of bitmaps, as long as the candidates'.
	union := func(cmds []*redis.StringCmd) bitmap {
		out := make([]byte, size)
		for _, c := range cmds {
			bm(c).or(out)
		}
		return bitmap(out)
	}
	var coalition []bitmap
	if f.Coalition {
		coalition = []bitmap{union(themesC), union(provsC), union(offersC)}
	}
	mySector := bm(sector)
	var filterBits bitmap
	if filter != nil {
		filterBits = bm(filter)
	}
	var count [256]int
	for i, sc := range score {
		if sc == 0 {
			continue
		}
		keep := filter == nil || filterBits.has(i)
		for _, c := range coalition {
			keep = keep && c.has(i)
		}
		if !keep {
			score[i] = 0
			continue
		}
		if !mySector.has(i) {
			sc += flows.BonusCrossSector
			score[i] = sc
		}
		count[sc]++
	}
	total := 0
	for _, n := range count {
		total += n
	}
	skipped := make(map[int64]bool, len(skip.Val())+1)
	skipped[me.UserID] = true
	for _, id := range skip.Val() {
		if uid, err := strconv.ParseInt(id, 10, 64); err == nil {
			skipped[uid] = true
		}
	}

	out := make([]*flows.PartnerProfile, 0, min(limit, total))
	var queue []int64 // user ids resolved, in rank order, not yet loaded
	sc := 255         // the highest score whose slots are not resolved yet
	for len(out) < limit {
		want := max(2*(limit-len(out)), 16)
		// Resolve whole scores (ties are ordered by user id) until enough
		// are queued: the scores from sc down to lo, their slots collected
		// in one pass over the scores.
		lo, n := sc+1, 0
		for len(queue)+n < want && lo > 1 {
			lo--
			n += count[lo]
		}
		var slots []string
		var levels []int
		if n > 0 {
			byScore := make([][]int32, sc-lo+1)
			for i, v := range score {
				if int(v) >= lo && int(v) <= sc {
					byScore[sc-int(v)] = append(byScore[sc-int(v)], int32(i))
				}
			}
			slots = make([]string, 0, n)
			for _, level := range byScore {
				if len(level) == 0 {
					continue
				}
				levels = append(levels, len(slots))
				for _, i := range level {
					slots = append(slots, strconv.Itoa(int(i)))
				}
			}
		}
		sc = lo - 1
		if len(slots) > 0 {
			owners, err := s.rdb.HMGet(ctx, s.ppSlotUIDKey(), slots...).Result()
			if err != nil {
				return nil, fmt.Errorf("suggest partners for %d: slots: %w", me.UserID, err)
			}
			levels = append(levels, len(slots))
			for l := 0; l+1 < len(levels); l++ {
				var uids []int64
				for _, o := range owners[levels[l]:levels[l+1]] {
					id, _ := o.(string)
					if uid, err := strconv.ParseInt(id, 10, 64); err == nil && !skipped[uid] {
						uids = append(uids, uid)
					}
				}
				slices.Sort(uids)
				queue = append(queue, uids...)
			}
		}
		if len(queue) == 0 {
			if sc < 1 {
				break
			}
			continue
		}
		batch := queue[:min(len(queue), want)]
		queue = queue[len(batch):]
		profs := make([]*redis.StringCmd, len(batch))
		users := make([]*redis.SliceCmd, len(batch))
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, uid := range batch {
				profs[i] = p.Get(ctx, s.ppProfKey(uid))
				users[i] = p.HMGet(ctx, s.userKey(uid), ufInactive, ufConsent)
			}
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("suggest partners for %d: load: %w", me.UserID, err)
		}
		for i := range batch {
			b, err := profs[i].Bytes()
			if err != nil {
				continue // deleted since the bitmaps were read
			}
			p := new(flows.PartnerProfile)
			if err := json.Unmarshal(b, p); err != nil || !p.Visible {
				continue
			}
			// Edited since the bitmaps were read into something that is no
			// longer a suggestion (flows.Rank would drop it).
			if o := flows.Compare(q.Me, p); !o.Candidate() || !f.Accepts(q.Me, p) {
				continue
			}
			// Not shown: the owner blocked the bot, or never agreed to
			// the privacy notice (a profile from before consent was asked).
			if o := users[i].Val(); len(o) != 2 || o[0] == "1" || o[1] == nil || o[1] == "" {
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

// known lists the codes of order that are in codes, once each.
func known(order, codes []string) []string {
	var out []string
	for _, c := range order {
		if slices.Contains(codes, c) {
			out = append(out, c)
		}
	}
	return out
}

// NotInterested implements flows.Partners: the mark and its reverse entry
// (who marked other, for ForgetUser) in one MULTI.
func (s *Store) NotInterested(ctx context.Context, uid, other int64) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.SAdd(ctx, s.ppUserKey("skip", uid), other)
		p.SAdd(ctx, s.ppUserKey("skippedby", other), uid)
		return nil
	})
	if err != nil {
		return fmt.Errorf("not interested %d in %d: %w", uid, other, err)
	}
	return nil
}
