package profile_test

import (
	"testing"

	"sinergi/flows/flowstest"
)

// newHarness is a harness running every capability of cmd/sinergi.
func newHarness(t *testing.T) *flowstest.Harness { return flowstest.New(t, flowstest.AllModules) }
