package flows_test

import (
	"testing"

	"sinergi/flows"
	"sinergi/flows/audit"
	"sinergi/flows/broadcast"
	"sinergi/flows/flowstest"
	"sinergi/flows/matchmaking"
	"sinergi/flows/privacy"
	"sinergi/flows/profile"
	"sinergi/flows/roles"
)

// allModules are the capabilities the engine tests run: those of
// cmd/sinergi.
func allModules(st flows.Store) []flows.Module {
	return []flows.Module{flows.RegistrationModule(), flows.FollowUpModule(), profile.Module(st), matchmaking.Module(st),
		flows.WorkshopsModule(), broadcast.Module(st), roles.Module(st), audit.Module(st), privacy.Module(st)}
}

// newHarness is a harness running allModules.
func newHarness(t *testing.T) *flowstest.Harness { return flowstest.New(t, allModules) }
