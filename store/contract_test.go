package store_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"sinergi/bot/storetest"
	"sinergi/flows"
	"sinergi/flows/flowstest"
	"sinergi/store"
	"sinergi/store/redistest"
)

// contractStores opens, for each case of a contract, a fresh Redis store:
// one redis-server for the whole contract, a key prefix of its own per
// case (starting a server per case would be most of the contract's time).
func contractStores(t *testing.T) func(t *testing.T) *store.Store {
	r := redistest.New(t)
	var n atomic.Int64
	return func(*testing.T) *store.Store {
		return store.New(r.Client, store.Options{Prefix: r.Prefix + strconv.FormatInt(n.Add(1), 10) + ":", SessionTTL: time.Hour})
	}
}

// The Redis store keeps the introductions contract (the same cases run
// against the in-memory fake in flows/flowstest).
func TestIntroductionsContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunIntroductionsContract(t, func(t *testing.T) flowstest.Introductions { return open(t) })
}

// The Redis store keeps the registrations contract (the same cases run
// against the in-memory fake in flows/flowstest).
func TestRegistrationsContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunRegistrationsContract(t, func(t *testing.T) flows.Workshops { return open(t) })
}

// The Redis store keeps the commitments contract (the same cases run
// against the in-memory fake in flows/flowstest).
func TestCommitmentsContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunCommitmentsContract(t, func(t *testing.T) flows.Commitments { return open(t) })
}

// The Redis store keeps the commitment tallies contract (the same cases
// run against the in-memory fake in flows/flowstest).
func TestCommitmentTalliesContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunCommitmentTalliesContract(t, func(t *testing.T) flowstest.TallyStore { return open(t) })
}

// The Redis store keeps the forgetting contract (the same cases run against
// the in-memory fake in flows/flowstest).
func TestForgettingContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunForgettingContract(t, func(t *testing.T) flowstest.Forgetting { return open(t) })
}

// The Redis store keeps the forms contract (the same cases run against the
// in-memory fake in flows/flowstest).
func TestFormsContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunFormsContract(t, func(t *testing.T) flowstest.FormsAndForgetting { return open(t) })
}

// The Redis store keeps the agenda contract (the same cases run against
// the in-memory fake in flows/flowstest).
func TestAgendaContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunAgendaContract(t, func(t *testing.T) flowstest.AgendaAndForgetting { return open(t) })
}

// The Redis store keeps the attendance-and-certificates contract (the same
// cases run against the in-memory fake in flows/flowstest).
func TestCertificatesContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunCertificatesContract(t, func(t *testing.T) flowstest.CertificatesAndForgetting { return open(t) })
}

// The Redis store keeps the surveys contract (the same cases run against
// the in-memory fake in flows/flowstest).
func TestSurveysContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunSurveysContract(t, func(t *testing.T) flowstest.SurveysAndForgetting { return open(t) })
}

// The Redis store keeps the per-session attendance contract (the same
// cases run against the in-memory fake in flows/flowstest).
func TestSessionAttendanceContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunSessionAttendanceContract(t, func(t *testing.T) flowstest.SessionAttendanceAndForgetting { return open(t) })
}

// The Redis store serves every capability the test module lists run.
var _ flowstest.Stores = (*store.Store)(nil)

// The Redis store keeps the users-and-invites contract (the same cases run
// against the in-memory fake in flows/flowstest).
func TestUsersContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunUsersContract(t, func(t *testing.T) flowstest.UsersAndInvites { return open(t) })
}

// The Redis store keeps the chapters contract: chapters, members by link
// and by province, forgetting, chapter admins, invitations and broadcasts
// within a chapter (the same cases run against the in-memory fake in
// flows/flowstest).
func TestChaptersContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunChaptersContract(t, func(t *testing.T) flowstest.ChaptersStore { return open(t) })
}

// The Redis store keeps the broadcasts contract: broadcasts, their states
// and the recipients of every segment kind (the same cases run against the
// in-memory fake in flows/flowstest).
func TestBroadcastsContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunBroadcastsContract(t, func(t *testing.T) flowstest.BroadcastsAndAudience { return open(t) })
}

// The Redis store keeps the members contract: the dashboard's counts and
// the receivers of a sector or a province, from its exact indexes (the
// same cases run against the in-memory fake in flows/flowstest).
func TestMembersContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunMembersContract(t, func(t *testing.T) flowstest.MembersStore { return open(t) })
}

// The Redis store keeps the partners contract: profiles and suggestions
// (the same cases run against the in-memory fake in flows/flowstest).
func TestPartnersContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunPartnersContract(t, func(t *testing.T) flowstest.PartnersAndUsers { return open(t) })
}

// The Redis store keeps the jobs contract (the same cases run against the
// in-memory fake in flows/flowstest).
func TestJobsContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunJobsContract(t, func(t *testing.T) (flowstest.JobsAndForgetting, flowstest.JobDue) {
		s := open(t)
		return s, func(t *testing.T, id string) (time.Time, bool) {
			t.Helper()
			at, ok, err := s.JobDue(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			return at, ok
		}
	})
}

// The Redis store keeps the audit contract (the same cases run against the
// in-memory fake in flows/flowstest).
func TestAuditContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunAuditContract(t, func(t *testing.T) flowstest.AuditAndForgetting { return open(t) })
}

// The Redis store keeps the workshop listings contract (the same cases run
// against the in-memory fake in flows/flowstest).
func TestListingsContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunListingsContract(t, func(t *testing.T) flows.Workshops { return open(t) })
}

// The Redis store keeps the transport's update-path contract: inbox, chat
// lock, commit, outbox, user marks (the same cases run against the
// in-memory bot.Store in bot/memstore_test.go).
func TestUpdatePathContract(t *testing.T) {
	open := contractStores(t)
	storetest.RunUpdatePathContract(t, func(t *testing.T) storetest.UpdatePath { return open(t) })
}

// The Redis store keeps the teams contract (the same cases run against the
// in-memory fake in flows/flowstest).
func TestTeamsContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunTeamsContract(t, func(t *testing.T) flowstest.Teams { return open(t) })
}

// The Redis store keeps the linked-chats contract (the same cases run
// against the in-memory fake in flows/flowstest).
func TestLinksContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunLinksContract(t, func(t *testing.T) flowstest.LinksAndCards { return open(t) })
}

// The Redis store keeps the invitations contract (the same cases run
// against the in-memory fake in flows/flowstest).
func TestInvitesContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunInvitesContract(t, func(t *testing.T) flowstest.Inviting { return open(t) })
}

// The Redis store keeps the meetings contract (the same cases run against
// the in-memory fake in flows/flowstest).
func TestMeetingsContract(t *testing.T) {
	open := contractStores(t)
	flowstest.RunMeetingsContract(t, func(t *testing.T) flows.Meetings { return open(t) })
}
