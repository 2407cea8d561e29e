package flows_test

import "testing"
import (
	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// allModules are the capabilities the engine tests run: those of
// cmd/sinergi.
func allModules() []flows.Module {
	return []flows.Module{flows.RegistrationModule(), flows.FollowUpModule(), flows.ProfileModule(), flows.MatchmakingModule(),
		flows.WorkshopsModule(), flows.BroadcastModule(), flows.RolesModule(), flows.AuditModule(), flows.PrivacyModule()}
}

// newHarness is a harness running allModules.
func newHarness(t *testing.T) *flowstest.Harness { return flowstest.New(t, allModules()...) }
