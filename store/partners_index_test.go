package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"sinergi/flows"
)

// population is a brute-force model of what suggestions may show: every
// profile, who is inactive or never consented, who marked whom not
// interested.
type population struct {
	profiles  map[int64]*flows.PartnerProfile
	inactive  map[int64]bool
	noConsent map[int64]bool
	skip      map[int64]map[int64]bool
}

// want is flows.Rank over every visible profile of an active, consenting
// owner that viewer did not mark, cut at limit: the ranking the index must
// reproduce, content and order.
func (m *population) want(me *flows.PartnerProfile, f flows.MatchFilter, limit int) []int64 {
	var all []*flows.PartnerProfile
	for uid, p := range m.profiles {
		if p.Visible && !m.inactive[uid] && !m.noConsent[uid] && !m.skip[me.UserID][uid] {
			all = append(all, p)
		}
	}
	var out []int64
	for _, r := range flows.Rank(me, all, f) {
		if len(out) < limit {
			out = append(out, r.Profile.UserID)
		}
	}
	return out
}

func idsOf(ps []*flows.PartnerProfile) []int64 {
	var out []int64
	for _, p := range ps {
		out = append(out, p.UserID)
	}
	return out
}

// randomNarrow is a profile from a narrow catalogue (3 sectors, 4 themes, 5
// provinces, 4 resources), so that many profiles tie on score and the order
// of ties (by user id) is tested often.
func randomNarrow(r *rand.Rand, uid int64) *flows.PartnerProfile {
	p := partner(uid, flows.Sectors()[r.IntN(3)],
		pick(r, flows.Themes()[:4], 1, 2), pick(r, flows.Provinces()[:5], 1, 2),
		pick(r, flows.Resources()[:4], 0, 2), pick(r, flows.Resources()[:4], 1, 2))
	p.Visible = r.IntN(10) != 0
	return p
}

// The bitmap index gives exactly the brute-force ranking — the same
// profiles in the same order, ties by user id — over a random population
// (seeded) with large, unordered user ids, through edits, pauses, deletions
// (whose slots are reused by new profiles), "not interested" marks,
// inactive and non-consenting owners, every filter, and limits from 1 to
// more than there are candidates.
func TestSuggestIndexAgreesWithBruteForce(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			m := &population{profiles: map[int64]*flows.PartnerProfile{}, inactive: map[int64]bool{},
				noConsent: map[int64]bool{}, skip: map[int64]map[int64]bool{}}
			newUID := func() int64 { return int64(seed)<<40 + r.Int64N(1<<39) + 1 }
			var ids []int64
			add := func(p *flows.PartnerProfile) {
				savePartner(t, s, p)
				m.profiles[p.UserID] = p
				u := &flows.User{ID: p.UserID, Lang: "id", Consent: flows.ConsentVersion}
				m.inactive[p.UserID], m.noConsent[p.UserID] = r.IntN(20) == 0, r.IntN(25) == 0
				u.Inactive = m.inactive[p.UserID]
				if m.noConsent[p.UserID] {
					u.Consent = ""
				}
				if err := s.SaveUser(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
			for range 300 {
				uid := newUID()
				ids = append(ids, uid)
				var p *flows.PartnerProfile
				if r.IntN(4) == 0 {
					p = randomPartner(r, uid)
				} else {
					p = randomNarrow(r, uid)
				}
				add(p)
			}
			check := func(round string) {
				t.Helper()
				for range 8 {
					me := m.profiles[ids[r.IntN(len(ids))]]
					if me == nil {
						continue
					}
					for range 3 {
						other := ids[r.IntN(len(ids))]
						if m.skip[me.UserID] == nil {
							m.skip[me.UserID] = map[int64]bool{}
						}
						m.skip[me.UserID][other] = true
						if err := s.NotInterested(ctx, me.UserID, other); err != nil {
							t.Fatal(err)
						}
					}
					for _, f := range []flows.MatchFilter{{}, {Theme: "health"}, {Province: "SB"}, {Sector: flows.Sectors()[1]},
						{Coalition: true}, {Theme: "education"}, {Province: "PA"}} {
						for _, limit := range []int{1, 7, 50, 1000} {
							got, err := s.SuggestPartners(ctx, flows.MatchQuery{Me: me, Filter: f, Limit: limit})
							if err != nil {
								t.Fatal(err)
							}
							if want := m.want(me, f, limit); !slices.Equal(idsOf(got), want) {
								t.Fatalf("%s: viewer %d filter %+v limit %d:\n got %v\nwant %v", round, me.UserID, f, limit, idsOf(got), want)
							}
						}
					}
				}
			}
			check("first")
			// Edits, pauses, deletions and new profiles (in freed slots).
			for range 150 {
				uid := ids[r.IntN(len(ids))]
				switch r.IntN(3) {
				case 0:
					if m.profiles[uid] == nil {
						continue
					}
					if err := s.DeletePartner(ctx, uid); err != nil {
						t.Fatal(err)
					}
					delete(m.profiles, uid)
				case 1:
					p := randomNarrow(r, uid)
					add(p)
				default:
					uid := newUID()
					ids = append(ids, uid)
					add(randomNarrow(r, uid))
				}
			}
			check("after edits")
			for _, p := range m.profiles {
				if err := s.DeletePartner(ctx, p.UserID); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// MigratePartners moves profiles indexed by the sets of older builds to the
// bitmaps: afterwards the suggestions are the brute-force ranking, the old
// sets are gone, and a second run changes nothing.
func TestMigratePartners(t *testing.T) {
	ctx := context.Background()
	s, red := newStore(t)
	r := rand.New(rand.NewPCG(5, 5))
	m := &population{profiles: map[int64]*flows.PartnerProfile{}, skip: map[int64]map[int64]bool{}}
	c := s.Client()
	// As the builds before the bitmaps wrote them: the JSON profile and
	// the uid in {pp}:all and a set per code, for visible profiles only.
	for uid := int64(1); uid <= 200; uid++ {
		p := randomNarrow(r, uid*1000)
		m.profiles[p.UserID] = p
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		pfx := red.Prefix + "{pp}:"
		if err := c.Set(ctx, pfx+"prof:"+fmt.Sprint(p.UserID), b, 0).Err(); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveUser(ctx, &flows.User{ID: p.UserID, Lang: "id", Consent: flows.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
		if !p.Visible {
			continue
		}
		sets := []string{pfx + "all", pfx + "sector:" + p.Sector}
		for _, c := range p.Themes {
			sets = append(sets, pfx+"theme:"+c)
		}
		for _, c := range p.Provinces {
			sets = append(sets, pfx+"prov:"+c)
		}
		for _, c := range p.Offers {
			sets = append(sets, pfx+"offer:"+c)
		}
		for _, c := range p.Needs {
			sets = append(sets, pfx+"need:"+c)
		}
		for _, k := range sets {
			if err := c.SAdd(ctx, k, p.UserID).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	n, err := s.MigratePartners(ctx)
	if err != nil {
		t.Fatal(err)
	}
	visible := 0
	for _, p := range m.profiles {
		if p.Visible {
			visible++
		}
	}
	if n != visible {
		t.Fatalf("migrated %d, want the %d visible profiles", n, visible)
	}
	for _, pattern := range []string{"all", "sector:*", "theme:*", "prov:*", "offer:*", "need:*"} {
		if keys := c.Keys(ctx, red.Prefix+"{pp}:"+pattern).Val(); len(keys) != 0 {
			t.Fatalf("old index sets left: %v", keys)
		}
	}
	for uid := int64(1); uid <= 200; uid += 13 {
		me := m.profiles[uid*1000]
		for _, f := range []flows.MatchFilter{{}, {Theme: "health"}, {Coalition: true}} {
			got, err := s.SuggestPartners(ctx, flows.MatchQuery{Me: me, Filter: f, Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
			if want := m.want(me, f, 20); !slices.Equal(idsOf(got), want) {
				t.Fatalf("viewer %d filter %+v:\n got %v\nwant %v", me.UserID, f, idsOf(got), want)
			}
		}
	}
	if n, err := s.MigratePartners(ctx); n != 0 || err != nil {
		t.Fatalf("second run: %d, %v", n, err)
	}
	// A paused profile, never in the old sets, is indexed once resumed.
	for _, p := range m.profiles {
		if !p.Visible {
			p.Visible = true
			savePartner(t, s, p)
			if got := indexesHolding(t, s, red.Prefix, p.UserID); len(got) < 5 {
				t.Fatalf("resumed profile in %v", got)
			}
			break
		}
	}
}
