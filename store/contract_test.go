package store_test

import (
	"testing"

	"sinergi/flows/flowstest"
)

// The Redis store keeps the introductions contract (the same cases run
// against the in-memory fake in flows/flowstest).
func TestIntroductionsContract(t *testing.T) {
	flowstest.RunIntroductionsContract(t, func(t *testing.T) flowstest.Introductions {
		s, _ := newStore(t)
		return s
	})
}
