package flowstest_test

import (
	"time"

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

// The in-memory fake keeps the broadcasts contract (Redis:
// store/contract_test.go).
func TestStoreBroadcastsContract(t *testing.T) {
	flowstest.RunBroadcastsContract(t, func(*testing.T) flowstest.BroadcastsAndAudience { return flowstest.NewStore() })
}

// The in-memory fake keeps the members contract (Redis:
// store/contract_test.go).
func TestStoreMembersContract(t *testing.T) {
	flowstest.RunMembersContract(t, func(*testing.T) flowstest.MembersStore { return flowstest.NewStore() })
}

// The in-memory fake keeps the partners contract (Redis:
// store/contract_test.go).
func TestStorePartnersContract(t *testing.T) {
	flowstest.RunPartnersContract(t, func(*testing.T) flowstest.PartnersAndUsers { return flowstest.NewStore() })
}

// The in-memory fake keeps the jobs contract (Redis: store/contract_test.go).
func TestStoreJobsContract(t *testing.T) {
	flowstest.RunJobsContract(t, func(*testing.T) (flowstest.JobsAndForgetting, flowstest.JobDue) {
		s := flowstest.NewStore()
		return s, func(_ *testing.T, id string) (time.Time, bool) { return s.JobDue(id), s.HasJob(id) }
	})
}

// The in-memory fake keeps the audit contract (Redis: store/contract_test.go).
func TestStoreAuditContract(t *testing.T) {
	flowstest.RunAuditContract(t, func(*testing.T) flowstest.AuditAndForgetting { return flowstest.NewStore() })
}

// The in-memory fake keeps the workshop listings contract (Redis:
// store/contract_test.go).
func TestStoreListingsContract(t *testing.T) {
	flowstest.RunListingsContract(t, func(*testing.T) flows.Workshops { return flowstest.NewStore() })
}

// The in-memory fake keeps the teams contract (Redis:
// store/contract_test.go).
func TestStoreTeamsContract(t *testing.T) {
	flowstest.RunTeamsContract(t, func(*testing.T) flowstest.Teams { return flowstest.NewStore() })
}

// The in-memory fake keeps the linked-chats contract (Redis:
// store/contract_test.go).
func TestStoreLinksContract(t *testing.T) {
	flowstest.RunLinksContract(t, func(*testing.T) flowstest.LinksAndCards { return flowstest.NewStore() })
}

// The in-memory fake keeps the chapters contract (Redis:
// store/contract_test.go).
func TestStoreChaptersContract(t *testing.T) {
	flowstest.RunChaptersContract(t, func(*testing.T) flowstest.ChaptersStore { return flowstest.NewStore() })
}

// The in-memory fake keeps the forms contract (Redis: store/contract_test.go).
func TestStoreFormsContract(t *testing.T) {
	flowstest.RunFormsContract(t, func(*testing.T) flowstest.FormsAndForgetting { return flowstest.NewStore() })
}

// The in-memory fake keeps the agenda contract (Redis:
// store/contract_test.go).
func TestStoreAgendaContract(t *testing.T) {
	flowstest.RunAgendaContract(t, func(*testing.T) flowstest.AgendaAndForgetting { return flowstest.NewStore() })
}

// The in-memory fake keeps the invitations contract (Redis:
// store/contract_test.go).
func TestStoreInvitesContract(t *testing.T) {
	flowstest.RunInvitesContract(t, func(*testing.T) flowstest.Inviting { return flowstest.NewStore() })
}

// The in-memory fake keeps the attendance-and-certificates contract (Redis:
// store/contract_test.go).
func TestStoreCertificatesContract(t *testing.T) {
	flowstest.RunCertificatesContract(t, func(*testing.T) flowstest.CertificatesAndForgetting { return flowstest.NewStore() })
}

// The in-memory fake keeps the meetings contract (Redis:
// store/contract_test.go).
func TestStoreMeetingsContract(t *testing.T) {
	flowstest.RunMeetingsContract(t, func(*testing.T) flows.Meetings { return flowstest.NewStore() })
}

// The in-memory fake keeps the surveys contract (Redis:
// store/contract_test.go).
func TestStoreSurveysContract(t *testing.T) {
	flowstest.RunSurveysContract(t, func(*testing.T) flowstest.SurveysAndForgetting { return flowstest.NewStore() })
}

// The in-memory fake keeps the per-session attendance contract (Redis:
// store/contract_test.go).
func TestStoreSessionAttendanceContract(t *testing.T) {
	flowstest.RunSessionAttendanceContract(t, func(*testing.T) flowstest.SessionAttendanceAndForgetting { return flowstest.NewStore() })
}

// The in-memory fake keeps the commitment tallies contract (Redis:
// store/contract_test.go).
func TestStoreCommitmentTalliesContract(t *testing.T) {
	flowstest.RunCommitmentTalliesContract(t, func(*testing.T) flowstest.TallyStore { return flowstest.NewStore() })
}
