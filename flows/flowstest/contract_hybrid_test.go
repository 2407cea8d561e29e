package flowstest_test

import (
	"testing"

	"sinergi/flows/flowstest"
)

// The in-memory fake keeps the hybrid contract (Redis: store/hybrid_test.go).
func TestStoreHybridContract(t *testing.T) {
	flowstest.RunHybridContract(t, func(*testing.T) flowstest.HybridWorkshops { return flowstest.NewStore() })
}
