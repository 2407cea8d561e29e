package flows

import (
	"cmp"
	"slices"
)

// How suggestions are ranked. MatchScore of my profile against theirs is
//
//	3 × |my needs ∩ their offers|     (they can give what I need)
//	+ 3 × |their needs ∩ my offers|   (I can give what they need)
//	+ 2 × |shared themes|
//	+ 1 × |shared provinces|
//	+ 2 when our sectors differ        (cross-sector bonus)
//
// Complementarity counts most, both ways; then working on the same themes,
// then in the same places; and a partnership across sectors (an NGO with a
// company's CSR team, a government office with a zakat fund) is what the
// forums exist for. Only profiles sharing at least one need/offer, theme or
// province are candidates at all: the cross-sector bonus alone never makes a
// suggestion. Ties go to the lower user id, so the order is stable.
//
// Organisations with the same theme in the same province that offer the same
// thing are coalition candidates ("working on the same thing nearby"): not
// ranked higher, but flagged, because duplicated programmes are what forums
// complain about first.
const (
	WeightComplement = 3
	WeightTheme      = 2
	WeightProvince   = 1
	BonusCrossSector = 2
)

// MatchScore is the score from the sizes of the overlaps (see above). The
// store ranks index memberships with it; [Overlap.Score] is the same from
// two profiles.
func MatchScore(get, give, themes, provinces int, crossSector bool) int {
	s := WeightComplement*(get+give) + WeightTheme*themes + WeightProvince*provinces
	if crossSector {
		s += BonusCrossSector
	}
	return s
}

// Overlap is what my profile and theirs have in common, as codes in
// display order.
type Overlap struct {
	Get         []string // my needs that they offer
	Give        []string // their needs that I offer
	Themes      []string // shared themes
	Provinces   []string // shared provinces
	Offers      []string // offered by both (for coalitions)
	CrossSector bool
}

// Compare computes the overlap of me with them.
func Compare(me, them *PartnerProfile) Overlap {
	return Overlap{
		Get:         intersect(resources, me.Needs, them.Offers),
		Give:        intersect(resources, them.Needs, me.Offers),
		Themes:      intersect(themes, me.Themes, them.Themes),
		Provinces:   intersect(provinces, me.Provinces, them.Provinces),
		Offers:      intersect(resources, me.Offers, them.Offers),
		CrossSector: me.Sector != them.Sector,
	}
}

// intersect lists the codes of order that are in both a and b.
func intersect(order, a, b []string) []string {
	var out []string
	for _, c := range order {
		if slices.Contains(a, c) && slices.Contains(b, c) {
			out = append(out, c)
		}
	}
	return out
}

// Score is MatchScore of the overlap.
func (o Overlap) Score() int {
	return MatchScore(len(o.Get), len(o.Give), len(o.Themes), len(o.Provinces), o.CrossSector)
}

// Candidate reports whether they share a need/offer, a theme or a province.
func (o Overlap) Candidate() bool {
	return len(o.Get)+len(o.Give)+len(o.Themes)+len(o.Provinces) > 0
}

// Coalition reports whether they work on the same theme in the same
// province and offer the same thing.
func (o Overlap) Coalition() bool {
	return len(o.Themes) > 0 && len(o.Provinces) > 0 && len(o.Offers) > 0
}

// Accepts reports whether them passes the filter f (as seen by me).
func (f MatchFilter) Accepts(me, them *PartnerProfile) bool {
	switch {
	case f.Theme != "" && !slices.Contains(them.Themes, f.Theme):
		return false
	case f.Province != "" && !slices.Contains(them.Provinces, f.Province):
		return false
	case f.Sector != "" && them.Sector != f.Sector:
		return false
	case f.Coalition && !Compare(me, them).Coalition():
		return false
	}
	return true
}

// Match is one ranked suggestion.
type Match struct {
	Profile *PartnerProfile
	Overlap Overlap
	Score   int
}

// Rank keeps the candidates among others that pass f (never me) and orders
// them best first.
func Rank(me *PartnerProfile, others []*PartnerProfile, f MatchFilter) []Match {
	var out []Match
	for _, p := range others {
		if p.UserID == me.UserID {
			continue
		}
		o := Compare(me, p)
		if !o.Candidate() || !f.Accepts(me, p) {
			continue
		}
		out = append(out, Match{Profile: p, Overlap: o, Score: o.Score()})
	}
	slices.SortStableFunc(out, func(a, b Match) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Profile.UserID, b.Profile.UserID))
	})
	return out
}

// maxListed is how many items a list in a sentence names before "and N more".
const maxListed = 3

// ListText renders codes as a localised list: "funding", "funding and data",
// "funding, data and venue", "funding, data, venue and 2 more". prefix is
// the locale id prefix of the names ("offer.", "theme.", "province.").
func ListText(prefix string, codes []string) Text {
	if len(codes) == 0 {
		return T("mm.none_selected")
	}
	items := make([]Text, 0, maxListed+1)
	for i, c := range codes {
		if i == maxListed && len(codes) > maxListed+1 {
			items = append(items, T("mm.more", "N", len(codes)-maxListed))
			break
		}
		items = append(items, T(prefix+c))
	}
	if len(items) == 1 {
		return items[0]
	}
	head := items[0]
	for _, it := range items[1 : len(items)-1] {
		head = T("mm.comma", "A", head, "B", it)
	}
	return T("mm.and", "A", head, "B", items[len(items)-1])
}

// Reasons says in plain words why them is suggested to me, from the
// overlap: "they offer funding and expertise, which you need · both work on
// water & sanitation in Nusa Tenggara Timur · you offer volunteers, which
// they need · a partner from another sector (Company / CSR)".
func Reasons(o Overlap, them *PartnerProfile) Text {
	var parts []Text
	if len(o.Get) > 0 {
		parts = append(parts, T("mm.why.get", "Items", ListText("offer.", o.Get)))
	}
	switch {
	case len(o.Themes) > 0 && len(o.Provinces) > 0:
		parts = append(parts, T("mm.why.themes_in", "Themes", ListText("theme.", o.Themes), "Provinces", ListText("province.", o.Provinces)))
	case len(o.Themes) > 0:
		parts = append(parts, T("mm.why.themes", "Themes", ListText("theme.", o.Themes)))
	case len(o.Provinces) > 0:
		parts = append(parts, T("mm.why.provinces", "Provinces", ListText("province.", o.Provinces)))
	}
	if len(o.Give) > 0 {
		parts = append(parts, T("mm.why.give", "Items", ListText("offer.", o.Give)))
	}
	if o.CrossSector && len(parts) > 0 {
		parts = append(parts, T("mm.why.cross", "Sector", T("sector."+them.Sector)))
	}
	if len(parts) == 0 {
		return T("mm.why.none")
	}
	out := parts[0]
	for _, p := range parts[1:] {
		out = T("mm.dot", "A", out, "B", p)
	}
	return out
}

// CoalitionNote flags a coalition candidate: "you both offer volunteers for
// education in Bali — consider one programme together".
func CoalitionNote(o Overlap) Text {
	return T("mm.coalition", "Offers", ListText("offer.", o.Offers),
		"Themes", ListText("theme.", o.Themes), "Provinces", ListText("province.", o.Provinces))
}
