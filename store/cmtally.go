package store

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// Commitment tallies: what a workshop's commitments add up to, kept exact
// by the one script that writes or deletes a commitment (cm_write.lua), so
// that the dashboard counts and lists them without reading them all.
//
//	<p>{w:<code>}:cmtally     hash    "s:<status>:<due month>" -> count, "c:<created month>" -> count (months
//	                                  "2006-01" in the workshop's zone, computed in Go), zone -> that zone
//	<p>{w:<code>}:cmfacts     hash    id -> "<status>|<due month>|<created month>": what the commitment is counted as
//	<p>{w:<code>}:cmopen      zset    id -> due unix ms of the commitments not done (overdue: score < now)
//	<p>{w:<code>}:cmblocked   zset    id -> due unix ms of the blocked commitments
//	<p>{w:<code>}:cmdue       zset    id -> due unix ms of every commitment
//	<p>{w:<code>}:cmhead      hash    id -> "<due unix ms>|<status>|<owner>" (CommitmentHeads)
//	<p>{w:<code>}:cmst:<st>   zset    id -> due unix ms of the commitments of status st
//	<p>commits:tallied:2      string  "1" once MigrateCommitmentTallies built them for every workshop
func (s *Store) cmKeys(code string) []string {
	keys := []string{s.commitsKey(code), s.wsKey(code, "cmtally"), s.wsKey(code, "cmfacts"),
		s.wsKey(code, "cmopen"), s.wsKey(code, "cmblocked"), s.wsKey(code, "cmdue"), s.wsKey(code, "cmhead")}
	for _, st := range flows.ChartStatuses() {
		keys = append(keys, s.wsKey(code, "cmst:"+st))
	}
	return keys
}

// cmStatusKey is the index in cmKeys of the zset of status (0: none).
func cmStatusKey(status string) int {
	if i := slices.Index(flows.ChartStatuses(), status); i >= 0 {
		return 8 + i
	}
	return 0
}

// commitsTalliedKey marks the tallies built; ":2" since cmdue and cmst
// were added (a database marked before has them built again, once).
func (s *Store) commitsTalliedKey() string { return s.p + "commits:tallied:2" }

//go:embed cm_write.lua
var cmWriteLua string

var cmWriteScript = redis.NewScript(cmWriteLua)

// monthFmt is a tally's month.
const monthFmt = "2006-01"

// loc is the zone named (flows.LoadZone, read once per Store).
func (s *Store) loc(zone string) *time.Location {
	if l, ok := s.zones.Load(zone); ok {
		return l.(*time.Location)
	}
	l := flows.LoadZone(zone)
	s.zones.Store(zone, l)
	return l
}

// zoneOf is the zone of the workshop whose JSON a GET answered ("" when
// there is none: UTC).
func zoneOf(cmd *redis.StringCmd) string {
	raw, err := cmd.Bytes()
	if err != nil {
		return ""
	}
	var w struct {
		Zone string `json:"zone"`
	}
	if json.Unmarshal(raw, &w) != nil {
		return ""
	}
	return w.Zone
}

// cmSaveArgs are cm_write.lua's arguments saving c (encoded raw) at a
// workshop of zone.
func (s *Store) cmSaveArgs(c *flows.Commitment, raw []byte, zone string) []any {
	loc := s.loc(zone)
	return []any{"save", c.ID, raw, c.Status, c.Due.In(loc).Format(monthFmt), c.Created.In(loc).Format(monthFmt),
		c.Due.UnixMilli(), zone, cmStatusKey(c.Status), cmHead(c)}
}

// cmHead is c's field of :cmhead.
func cmHead(c *flows.Commitment) string {
	return strconv.FormatInt(c.Due.UnixMilli(), 10) + "|" + c.Status + "|" + strconv.FormatInt(c.Owner, 10)
}

// CommitmentTallies implements flows.CommitmentTallies: one pipeline over
// all the workshops.
func (s *Store) CommitmentTallies(ctx context.Context, codes []string, now time.Time) (map[string]flows.CommitmentTally, error) {
	codes = validCodes(codes)
	tallies := make([]*redis.MapStringStringCmd, len(codes))
	open := make([]*redis.IntCmd, len(codes))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, code := range codes {
			tallies[i] = p.HGetAll(ctx, s.wsKey(code, "cmtally"))
			open[i] = p.ZCount(ctx, s.wsKey(code, "cmopen"), "-inf", "("+strconv.FormatInt(now.UnixMilli(), 10))
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("commitment tallies: %w", err)
	}
	out := make(map[string]flows.CommitmentTally, len(codes))
	for i, code := range codes {
		t := flows.CommitmentTally{Due: map[string]map[string]int{}, Created: map[string]int{}, Overdue: map[string]int{}}
		m := tallies[i].Val()
		for f, v := range m {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				continue
			}
			switch kind, rest, _ := strings.Cut(f, ":"); kind {
			case "c":
				t.Created[rest] += n
			case "s":
				status, month, ok := strings.Cut(rest, ":")
				if !ok {
					continue
				}
				if t.Due[month] == nil {
					t.Due[month] = map[string]int{}
				}
				t.Due[month][status] += n
			}
		}
		// The months wholly past: every commitment of theirs not done is
		// overdue; the current month: the rest of those overdue.
		t.OverdueTotal = int(open[i].Val())
		cur := now.In(s.loc(m["zone"])).Format(monthFmt)
		past := 0
		for month, by := range t.Due {
			if month >= cur {
				continue
			}
			for status, n := range by {
				if status != flows.CmDone {
					t.Overdue[month] += n
					past += n
				}
			}
		}
		if n := t.OverdueTotal - past; n > 0 {
			t.Overdue[cur] += n
		}
		out[code] = t
	}
	return out, nil
}

// OverdueCommitments implements flows.CommitmentTallies.
func (s *Store) OverdueCommitments(ctx context.Context, codes []string, now time.Time, limit int) ([]*flows.Commitment, int, error) {
	return s.firstByDue(ctx, codes, "cmopen", "("+strconv.FormatInt(now.UnixMilli(), 10), limit)
}

// BlockedCommitments implements flows.CommitmentTallies.
func (s *Store) BlockedCommitments(ctx context.Context, codes []string, limit int) ([]*flows.Commitment, int, error) {
	return s.firstByDue(ctx, codes, "cmblocked", "+inf", limit)
}

// firstByDue lists the first limit commitments of the zsets {w:<code>}:name
// of codes with a score (due date) up to upTo, by due date, then code and
// id, and counts them all. One pipeline reads the size of each and its
// first few (about twice limit over all); the limit-th of those bounds
// what another reads further of the workshops that may hold more before
// it; a third reads the commitments listed.
func (s *Store) firstByDue(ctx context.Context, codes []string, name, upTo string, limit int) ([]*flows.Commitment, int, error) {
	codes = validCodes(codes)
	limit = max(limit, 0)
	few := int64(min(limit, 2*limit/max(len(codes), 1)+1))
	firsts := make([]*redis.ZSliceCmd, len(codes))
	counts := make([]*redis.IntCmd, len(codes))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, code := range codes {
			key := s.wsKey(code, name)
			if few > 0 {
				firsts[i] = p.ZRangeByScoreWithScores(ctx, key, &redis.ZRangeBy{Min: "-inf", Max: upTo, Count: few})
			}
			counts[i] = p.ZCount(ctx, key, "-inf", upTo)
		}
		return nil
	}); err != nil {
		return nil, 0, fmt.Errorf("commitments by due date: %w", err)
	}
	type ref struct {
		code, id string
		due      float64
	}
	var refs []ref
	add := func(code string, zs []redis.Z) {
		for _, z := range zs {
			id, _ := z.Member.(string)
			refs = append(refs, ref{code, id, z.Score})
		}
	}
	byDue := func(a, b ref) int {
		return cmp.Or(cmp.Compare(a.due, b.due), strings.Compare(a.code, b.code), strings.Compare(a.id, b.id))
	}
	total := 0
	for i, code := range codes {
		total += int(counts[i].Val())
		if firsts[i] != nil {
			add(code, firsts[i].Val())
		}
	}
	// The workshops with more than their first few up to the limit-th due
	// date seen (or up to upTo, fewer than limit seen) may hold some of
	// the first limit: read those, up to limit of each.
	slices.SortFunc(refs, byDue)
	bound := upTo
	if len(refs) >= limit && limit > 0 {
		bound = strconv.FormatFloat(refs[limit-1].due, 'f', -1, 64)
	}
	more := make([]*redis.ZSliceCmd, len(codes))
	if few > 0 {
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, code := range codes {
				got := firsts[i].Val()
				if int64(len(got)) < few || int(counts[i].Val()) <= len(got) ||
					(len(refs) >= limit && got[len(got)-1].Score > refs[limit-1].due) {
					continue
				}
				more[i] = p.ZRangeByScoreWithScores(ctx, s.wsKey(code, name), &redis.ZRangeBy{Min: "-inf", Max: bound,
					Offset: few, Count: int64(limit) - few})
			}
			return nil
		}); err != nil {
			return nil, 0, fmt.Errorf("commitments by due date: %w", err)
		}
	}
	for i, code := range codes {
		if more[i] != nil {
			add(code, more[i].Val())
		}
	}
	slices.SortFunc(refs, byDue)
	refs = refs[:min(len(refs), limit)]
	raws := make([]*redis.StringCmd, len(refs))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, r := range refs {
			raws[i] = p.HGet(ctx, s.commitsKey(r.code), r.id)
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return nil, 0, fmt.Errorf("commitments by due date: %w", err)
	}
	out := make([]*flows.Commitment, 0, len(refs))
	for i, r := range refs {
		raw, err := raws[i].Bytes()
		if errors.Is(err, redis.Nil) {
			continue // deleted since the first pipeline
		}
		if err != nil {
			return nil, 0, fmt.Errorf("commitment %s/%s: %w", r.code, r.id, err)
		}
		c := new(flows.Commitment)
		if err := json.Unmarshal(raw, c); err != nil {
			return nil, 0, fmt.Errorf("decode commitment %s/%s: %w", r.code, r.id, err)
		}
		out = append(out, c)
	}
	return out, total, nil
}

// validCodes are codes without those no key can be built of, and without
// repeats.
func validCodes(codes []string) []string {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		if checkCode(c) == nil && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// MigrateCommitmentTallies builds the commitment tallies of every workshop
// from its stored commitments when they were never built (a database of a
// build before them): once, marked by commits:tallied. Each workshop's are
// rebuilt in a MULTI watching its commitments, so a commitment written
// meanwhile makes it read them again; idempotent, safe from several
// replicas at once. It returns how many commitments it read.
func (s *Store) MigrateCommitmentTallies(ctx context.Context) (int, error) {
	done, err := s.rdb.Exists(ctx, s.commitsTalliedKey()).Result()
	if err != nil || done == 1 {
		return 0, err
	}
	codes, err := s.rdb.ZRange(ctx, s.allWsKey(), 0, -1).Result()
	if err != nil {
		return 0, fmt.Errorf("migrate commitment tallies: %w", err)
	}
	n := 0
	for _, code := range validCodes(codes) {
		read, err := s.retally(ctx, code)
		if err != nil {
			return n, fmt.Errorf("migrate commitment tallies of %s: %w", code, err)
		}
		n += read
	}
	if err := s.rdb.Set(ctx, s.commitsTalliedKey(), "1", 0).Err(); err != nil {
		return n, fmt.Errorf("migrate commitment tallies: %w", err)
	}
	return n, nil
}

// retally rebuilds the tallies of workshop code from its commitments.
func (s *Store) retally(ctx context.Context, code string) (int, error) {
	keys := s.cmKeys(code)
	for {
		n := 0
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			m, err := tx.HGetAll(ctx, keys[0]).Result()
			if err != nil {
				return err
			}
			n = len(m)
			zone := zoneOf(tx.Get(ctx, s.wsKey(code, "ws")))
			loc := s.loc(zone)
			tally, facts := map[string]any{}, map[string]any{}
			var open, blocked, all []redis.Z
			byStatus := map[int][]redis.Z{}
			heads := map[string]any{}
			add := func(f string) {
				v, _ := tally[f].(int)
				tally[f] = v + 1
			}
			for id, raw := range m {
				var c flows.Commitment
				if json.Unmarshal([]byte(raw), &c) != nil {
					continue
				}
				due, created := c.Due.In(loc).Format(monthFmt), c.Created.In(loc).Format(monthFmt)
				facts[id] = c.Status + "|" + due + "|" + created
				add("s:" + c.Status + ":" + due)
				add("c:" + created)
				if c.Status != flows.CmDone {
					open = append(open, redis.Z{Score: float64(c.Due.UnixMilli()), Member: id})
				}
				if c.Status == flows.CmBlocked {
					blocked = append(blocked, redis.Z{Score: float64(c.Due.UnixMilli()), Member: id})
				}
				all = append(all, redis.Z{Score: float64(c.Due.UnixMilli()), Member: id})
				heads[id] = cmHead(&c)
				if k := cmStatusKey(c.Status); k > 0 {
					byStatus[k] = append(byStatus[k], redis.Z{Score: float64(c.Due.UnixMilli()), Member: id})
				}
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Del(ctx, keys[1:]...)
				if len(facts) > 0 {
					tally["zone"] = zone
					p.HSet(ctx, keys[1], tally)
					p.HSet(ctx, keys[2], facts)
				}
				if len(open) > 0 {
					p.ZAdd(ctx, keys[3], open...)
				}
				if len(blocked) > 0 {
					p.ZAdd(ctx, keys[4], blocked...)
				}
				if len(all) > 0 {
					p.ZAdd(ctx, keys[5], all...)
					p.HSet(ctx, keys[6], heads)
				}
				for k, zs := range byStatus {
					p.ZAdd(ctx, keys[k-1], zs...)
				}
				return nil
			})
			return err
		}, keys[0])
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		return n, err
	}
}
