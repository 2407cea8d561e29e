package flowstest

import (
	"sinergi/flows"
	"sinergi/flows/agenda"
	"sinergi/flows/attendance"
	"sinergi/flows/audit"
	"sinergi/flows/broadcast"
	"sinergi/flows/certificates"
	"sinergi/flows/chapters"
	"sinergi/flows/dashboard"
	"sinergi/flows/followup"
	"sinergi/flows/groups"
	"sinergi/flows/matchmaking"
	"sinergi/flows/meetings"
	"sinergi/flows/privacy"
	"sinergi/flows/profile"
	"sinergi/flows/registration"
	"sinergi/flows/roles"
	"sinergi/flows/surveys"
	"sinergi/flows/workshops"
)

// Stores is what the capabilities of AllModules ask of their storage
// together: the core's store and each capability's own Store interface.
// *Store (in memory) and the Redis *store.Store satisfy it by their method
// sets; adding a capability with storage adds its Store here.
type Stores interface {
	flows.CoreStore
	registration.Store
	followup.Store
	profile.Store
	matchmaking.Store
	workshops.Store
	broadcast.Store
	roles.Store
	chapters.Store
	audit.Store
	privacy.Store
	groups.Store
	agenda.Store
	attendance.Store
	certificates.Store
	meetings.Store
	surveys.Store
}

// The in-memory fake serves every capability.
var _ Stores = (*Store)(nil)

// AllModules are the capabilities cmd/sinergi runs, in its order, for tests
// that drive the whole product, each handed st as it is (a *Store, the Redis
// *store.Store, or a test's wrapper of one that injects faults).
func AllModules[S Stores](st S) []flows.Module {
	return []flows.Module{registration.Module(st), followup.Module(st), profile.Module(st), matchmaking.Module(st),
		workshops.Module(st), broadcast.Module(st), roles.Module(st), chapters.Module(st), audit.Module(st), privacy.Module(st), groups.Module(st), agenda.Module(st), dashboard.Module(),
		attendance.Module(st), certificates.Module(st), meetings.Module(st), surveys.Module(st)}
}
