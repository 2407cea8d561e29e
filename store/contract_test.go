package store_test

import (
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
	"sinergi/store"
)

// The Redis store keeps the introductions contract (the same cases run
// against the in-memory fake in flows/flowstest).
func TestIntroductionsContract(t *testing.T) {
	flowstest.RunIntroductionsContract(t, func(t *testing.T) flowstest.Introductions {
		s, _ := newStore(t)
		return s
	})
}

// The Redis store keeps the registrations contract (the same cases run
// against the in-memory fake in flows/flowstest).
func TestRegistrationsContract(t *testing.T) {
	flowstest.RunRegistrationsContract(t, func(t *testing.T) flows.Workshops {
		s, _ := newStore(t)
		return s
	})
}

// The Redis store keeps the commitments contract (the same cases run
// against the in-memory fake in flows/flowstest).
func TestCommitmentsContract(t *testing.T) {
	flowstest.RunCommitmentsContract(t, func(t *testing.T) flows.Commitments {
		s, _ := newStore(t)
		return s
	})
}

// The Redis store keeps the forgetting contract (the same cases run against
// the in-memory fake in flows/flowstest).
func TestForgettingContract(t *testing.T) {
	flowstest.RunForgettingContract(t, func(t *testing.T) flowstest.Forgetting {
		s, _ := newStore(t)
		return s
	})
}

// The Redis store serves every capability the test module lists run.
var _ flowstest.Stores = (*store.Store)(nil)

// The Redis store keeps the users-and-invites contract (the same cases run
// against the in-memory fake in flows/flowstest).
func TestUsersContract(t *testing.T) {
	flowstest.RunUsersContract(t, func(t *testing.T) flowstest.UsersAndInvites {
		s, _ := newStore(t)
		return s
	})
}

// The Redis store keeps the linked-chats contract (the same cases run
// against the in-memory fake in flows/flowstest).
func TestLinksContract(t *testing.T) {
	flowstest.RunLinksContract(t, func(t *testing.T) flowstest.LinksAndCards {
		s, _ := newStore(t)
		return s
	})
}
