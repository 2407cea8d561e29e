package store_test

import (
	"testing"

	"sinergi/flows/flowstest"
)

// The Redis store keeps the hybrid contract (the same cases run against the
// in-memory fake in flows/flowstest).
func TestHybridContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunHybridContract(t, func(t *testing.T) flowstest.HybridWorkshops { return open(t) })
}
