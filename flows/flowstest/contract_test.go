package flowstest_test

import (
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// The in-memory fake keeps the introductions contract (the same cases run
// against Redis in store/contract_test.go).
func TestStoreIntroductionsContract(t *testing.T) {
	flowstest.RunIntroductionsContract(t, func(*testing.T) flowstest.Introductions { return flowstest.NewStore() })
}

// The in-memory fake keeps the registrations contract (Redis:
// store/contract_test.go).
func TestStoreRegistrationsContract(t *testing.T) {
	flowstest.RunRegistrationsContract(t, func(*testing.T) flows.Workshops { return flowstest.NewStore() })
}

// The in-memory fake keeps the commitments contract (Redis:
// store/contract_test.go).
func TestStoreCommitmentsContract(t *testing.T) {
	flowstest.RunCommitmentsContract(t, func(*testing.T) flows.Commitments { return flowstest.NewStore() })
}

// The in-memory fake keeps the forgetting contract (Redis:
// store/contract_test.go).
func TestStoreForgettingContract(t *testing.T) {
	flowstest.RunForgettingContract(t, func(*testing.T) flowstest.Forgetting { return flowstest.NewStore() })
}

// The in-memory fake keeps the users-and-invites contract (Redis:
// store/contract_test.go).
func TestStoreUsersContract(t *testing.T) {
	flowstest.RunUsersContract(t, func(*testing.T) flowstest.UsersAndInvites { return flowstest.NewStore() })
}

// The in-memory fake keeps the linked-chats contract (Redis:
// store/contract_test.go).
func TestStoreLinksContract(t *testing.T) {
	flowstest.RunLinksContract(t, func(*testing.T) flowstest.LinksAndCards { return flowstest.NewStore() })
}
