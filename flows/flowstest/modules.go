package flowstest

import (
	"sinergi/flows"
	"sinergi/flows/audit"
	"sinergi/flows/broadcast"
	"sinergi/flows/followup"
	"sinergi/flows/matchmaking"
	"sinergi/flows/privacy"
	"sinergi/flows/profile"
	"sinergi/flows/registration"
	"sinergi/flows/roles"
	"sinergi/flows/workshops"
)

// AllModules are the capabilities cmd/sinergi runs, in its order, for tests
// that drive the whole product.
func AllModules(st flows.Store) []flows.Module {
	return []flows.Module{registration.Module(st), followup.Module(st), profile.Module(st), matchmaking.Module(st),
		workshops.Module(st), broadcast.Module(st), roles.Module(st), audit.Module(st), privacy.Module(st)}
}
