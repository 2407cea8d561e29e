package flows

import (
	"context"
	"slices"
)

// MemberCounts are the forum's members with a profile — the members the
// store lists (Members.AllUsers) whose profile exists —, in all and by the
// sector and the province of their profile: the dashboard's overview.
// A code outside the catalog (Sectors, Provinces) is counted in Total only;
// a code no member has is absent from the maps.
type MemberCounts struct {
	Total      int
	BySector   map[string]int
	ByProvince map[string]int
}

// Add counts one member whose profile is p.
func (c *MemberCounts) Add(p *Profile) {
	if c.BySector == nil {
		c.BySector = map[string]int{}
	}
	if c.ByProvince == nil {
		c.ByProvince = map[string]int{}
	}
	c.Total++
	if slices.Contains(sectors, p.Sector) {
		c.BySector[p.Sector]++
	}
	if slices.Contains(provinces, p.Province) {
		c.ByProvince[p.Province]++
	}
}

// MemberCounter counts the members without reading each (the Redis store
// counts its exact indexes; see store.CountMembers).
type MemberCounter interface {
	CountMembers(ctx context.Context) (MemberCounts, error)
}
