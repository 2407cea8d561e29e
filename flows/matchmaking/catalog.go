package matchmaking

import "sinergi/flows"

// The catalogues the partner profile chooses from (read only).
var (
	provinces = flows.Provinces()
	sectors   = flows.Sectors()
	themes    = flows.Themes()
	resources = flows.Resources()
)
