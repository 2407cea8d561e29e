package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// cmSource is one zset of due dates merged by CommitmentsByDue: the scores
// from lo to hi (unix ms, both inclusive) of workshop code's zset key.
type cmSource struct {
	code, key string
	lo, hi    int64
}

func msBound(ms int64) string {
	switch ms {
	case math.MinInt64:
		return "-inf"
	case math.MaxInt64:
		return "+inf"
	}
	return strconv.FormatInt(ms, 10)
}

// CommitmentsByDue implements flows.CommitmentTallies: a merge of one
// zset of due dates per workshop (:cmdue, :cmst:<status> or :cmopen), then
// one pipeline reading the page's commitments.
func (s *Store) CommitmentsByDue(ctx context.Context, q flows.CommitmentQuery) (flows.CommitmentPage, error) {
	name := "cmdue"
	switch {
	case q.Status == "overdue":
		name = "cmopen"
	case q.Status != "":
		if cmStatusKey(q.Status) == 0 {
			return flows.CommitmentPage{Commitments: []*flows.Commitment{}}, nil
		}
		name = "cmst:" + q.Status
	}
	var srcs []cmSource
	seen := map[string]bool{}
	for _, w := range q.Workshops {
		if checkCode(w.Code) != nil || seen[w.Code] {
			continue
		}
		seen[w.Code] = true
		src := cmSource{code: w.Code, key: s.wsKey(w.Code, name), lo: math.MinInt64, hi: math.MaxInt64}
		if !w.From.IsZero() {
			src.lo = w.From.UnixMilli()
		}
		if !w.To.IsZero() {
			src.hi = w.To.UnixMilli() - 1
		}
		if q.Status == "overdue" {
			src.hi = min(src.hi, q.Now.UnixMilli()-1)
		}
		if src.lo <= src.hi {
			srcs = append(srcs, src)
		}
	}
	refs, total, err := s.mergeByDue(ctx, srcs, q.After, max(q.Limit, 0)+1)
	if err != nil {
		return flows.CommitmentPage{}, err
	}
	more := len(refs) > q.Limit
	refs = refs[:min(len(refs), max(q.Limit, 0))]
	cs, err := s.readRefs(ctx, refs)
	if err != nil {
		return flows.CommitmentPage{}, err
	}
	return flows.CommitmentPage{Commitments: cs, Total: total, More: more}, nil
}

// cmRef is a commitment in a zset of due dates.
type cmRef struct {
	code, id string
	due      int64
}

func cmRefOrder(a, b cmRef) int {
	return cmp.Or(cmp.Compare(a.due, b.due), strings.Compare(a.code, b.code), strings.Compare(a.id, b.id))
}

// mergeByDue lists the first limit members of the sources after the
// cursor after (nil: from the first), by due date, then code and id, and
// counts all the sources hold (after aside). One pipeline reads the size
// of each source and its first few (about twice limit over all; and, of
// the cursor's workshop, those due exactly at the cursor); the limit-th
// of those bounds what another reads further of the sources that may hold
// more before it.
func (s *Store) mergeByDue(ctx context.Context, srcs []cmSource, after *flows.CommitmentCursor, limit int) ([]cmRef, int, error) {
	few := int64(min(limit, 2*limit/max(len(srcs), 1)+1))
	firsts := make([]*redis.ZSliceCmd, len(srcs))
	counts := make([]*redis.IntCmd, len(srcs))
	var ties *redis.ZSliceCmd
	tieSrc := -1
	from := make([]int64, len(srcs)) // the first score after the cursor
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, src := range srcs {
			counts[i] = p.ZCount(ctx, src.key, msBound(src.lo), msBound(src.hi))
			from[i] = src.lo
			if after != nil {
				due := after.Due.UnixMilli()
				switch c := strings.Compare(src.code, after.Workshop); {
				case c > 0:
					from[i] = max(from[i], due)
				default:
					from[i] = max(from[i], due+1)
					if c == 0 && src.lo <= due && due <= src.hi {
						tieSrc = i
						ties = p.ZRangeByScoreWithScores(ctx, src.key, &redis.ZRangeBy{Min: msBound(due), Max: msBound(due)})
					}
				}
			}
			if few > 0 && from[i] <= src.hi {
				firsts[i] = p.ZRangeByScoreWithScores(ctx, src.key, &redis.ZRangeBy{Min: msBound(from[i]), Max: msBound(src.hi), Count: few})
			}
		}
		return nil
	}); err != nil {
		return nil, 0, fmt.Errorf("commitments by due date: %w", err)
	}
	var refs []cmRef
	add := func(code string, zs []redis.Z) {
		for _, z := range zs {
			id, _ := z.Member.(string)
			refs = append(refs, cmRef{code, id, int64(z.Score)})
		}
	}
	total := 0
	for i, src := range srcs {
		total += int(counts[i].Val())
		if firsts[i] != nil {
			add(src.code, firsts[i].Val())
		}
	}
	if ties != nil && limit > 0 {
		for _, z := range ties.Val() {
			if id, _ := z.Member.(string); id > after.ID {
				refs = append(refs, cmRef{srcs[tieSrc].code, id, int64(z.Score)})
			}
		}
	}
	slices.SortFunc(refs, cmRefOrder)
	// The sources that gave all their first few, up to the limit-th due
	// date seen, may hold some of the first limit: read those, up to limit
	// of each.
	full := len(refs) >= limit && limit > 0
	more := make([]*redis.ZSliceCmd, len(srcs))
	if few > 0 {
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, src := range srcs {
				if firsts[i] == nil {
					continue
				}
				got := firsts[i].Val()
				if int64(len(got)) < few || int64(limit) <= few || (full && int64(got[len(got)-1].Score) > refs[limit-1].due) {
					continue
				}
				hi := src.hi
				if full {
					hi = min(hi, refs[limit-1].due)
				}
				more[i] = p.ZRangeByScoreWithScores(ctx, src.key, &redis.ZRangeBy{Min: msBound(from[i]), Max: msBound(hi),
					Offset: few, Count: int64(limit) - few})
			}
			return nil
		}); err != nil {
			return nil, 0, fmt.Errorf("commitments by due date: %w", err)
		}
	}
	for i, src := range srcs {
		if more[i] != nil {
			add(src.code, more[i].Val())
		}
	}
	slices.SortFunc(refs, cmRefOrder)
	return refs[:min(len(refs), limit)], total, nil
}

// readRefs reads the commitments refs in one pipeline, in their order
// (those deleted meanwhile left out).
func (s *Store) readRefs(ctx context.Context, refs []cmRef) ([]*flows.Commitment, error) {
	raws := make([]*redis.StringCmd, len(refs))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, r := range refs {
			raws[i] = p.HGet(ctx, s.commitsKey(r.code), r.id)
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("commitments by due date: %w", err)
	}
	out := make([]*flows.Commitment, 0, len(refs))
	for i, r := range refs {
		raw, err := raws[i].Bytes()
		if errors.Is(err, redis.Nil) {
			continue // deleted since the first pipeline
		}
		if err != nil {
			return nil, fmt.Errorf("commitment %s/%s: %w", r.code, r.id, err)
		}
		c := new(flows.Commitment)
		if err := json.Unmarshal(raw, c); err != nil {
			return nil, fmt.Errorf("decode commitment %s/%s: %w", r.code, r.id, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// CommitmentHeads implements flows.CommitmentTallies: one pipeline of
// HGETALL of :cmhead, a workshop each.
func (s *Store) CommitmentHeads(ctx context.Context, codes []string) ([]flows.CommitmentHead, error) {
	codes = validCodes(codes)
	cmds := make([]*redis.MapStringStringCmd, len(codes))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, code := range codes {
			cmds[i] = p.HGetAll(ctx, s.wsKey(code, "cmhead"))
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("commitment heads: %w", err)
	}
	var out []flows.CommitmentHead
	for i, code := range codes {
		for id, v := range cmds[i].Val() {
			due, rest, _ := strings.Cut(v, "|")
			status, owner, ok := strings.Cut(rest, "|")
			ms, err1 := strconv.ParseInt(due, 10, 64)
			uid, err2 := strconv.ParseInt(owner, 10, 64)
			if !ok || err1 != nil || err2 != nil {
				return nil, fmt.Errorf("commitment head %s/%s: %q", code, id, v)
			}
			out = append(out, flows.CommitmentHead{Workshop: code, ID: id, Owner: uid, Due: time.UnixMilli(ms), Status: status})
		}
	}
	return out, nil
}

// CommitmentsAt implements flows.CommitmentTallies.
func (s *Store) CommitmentsAt(ctx context.Context, heads []flows.CommitmentHead) ([]*flows.Commitment, error) {
	refs := make([]cmRef, 0, len(heads))
	for _, h := range heads {
		if checkCode(h.Workshop) == nil {
			refs = append(refs, cmRef{code: h.Workshop, id: h.ID})
		}
	}
	return s.readRefs(ctx, refs)
}
