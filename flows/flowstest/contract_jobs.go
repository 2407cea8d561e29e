package flowstest

import (
	"context"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
)

// The jobs contract (flows.Jobs as the capabilities use it, through
// flows.PlanReminders among others): a job is due at its time, kept to the
// millisecond; scheduling it again moves it; unscheduling removes it and
// ignores what is not there; forgetting a user removes their reminders and
// the follow-up jobs of the commitments they owned, nobody else's. And the
// audit trail's (flows.Audit): newest first, equal times in the order
// recorded, and a forgotten person is named by nobody. Redis
// (store/jobs.go, store/audit.go, store/privacy.go) is the reference.

// JobsAndForgetting is what the jobs contract writes: the queue, and the
// commitments and forgetting that remove jobs.
type JobsAndForgetting interface {
	flows.Jobs
	flows.Commitments
	flows.Privacy
}

// JobDue reads a store's queue: when job id is due, false when it is not
// scheduled. (The fake's HasJob and JobDue; Redis's JobDue.)
type JobDue func(t *testing.T, id string) (time.Time, bool)

var jobClock = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type jobsCheck struct {
	ctx context.Context
	s   JobsAndForgetting
	due JobDue
}

func (c *jobsCheck) schedule(t *testing.T, jobs ...flows.Job) {
	t.Helper()
	if err := c.s.Schedule(c.ctx, jobs...); err != nil {
		t.Fatalf("Schedule %v: %v", jobs, err)
	}
}

func (c *jobsCheck) unschedule(t *testing.T, ids ...string) {
	t.Helper()
	if err := c.s.Unschedule(c.ctx, ids...); err != nil {
		t.Fatalf("Unschedule %v: %v", ids, err)
	}
}

// at checks that job id is due at want (zero: not scheduled).
func (c *jobsCheck) at(t *testing.T, id string, want time.Time) {
	t.Helper()
	got, ok := c.due(t, id)
	if ok != !want.IsZero() || (ok && !got.Equal(want)) {
		t.Fatalf("job %s due at %v (scheduled %v), want %v", id, got, ok, want)
	}
}

var jobsCases = []struct {
	name string
	run  func(t *testing.T, c *jobsCheck)
}{
	{"a job is due at its time, to the millisecond", func(t *testing.T, c *jobsCheck) {
		c.schedule(t, flows.Job{ID: "wr1|w1|1", Due: jobClock}, flows.Job{ID: "wr2|w1|1", Due: jobClock.Add(1500 * time.Microsecond)})
		c.at(t, "wr1|w1|1", jobClock)
		c.at(t, "wr2|w1|1", jobClock.Add(time.Millisecond))
		c.at(t, "wr1|w1|2", time.Time{})
	}},
	{"scheduling a job again moves it", func(t *testing.T, c *jobsCheck) {
		c.schedule(t, flows.Job{ID: "wr1|w1|1", Due: jobClock})
		c.schedule(t, flows.Job{ID: "wr1|w1|1", Due: jobClock.Add(-time.Hour)})
		c.at(t, "wr1|w1|1", jobClock.Add(-time.Hour))
		c.schedule(t) // nothing
		c.at(t, "wr1|w1|1", jobClock.Add(-time.Hour))
	}},
	{"unscheduling removes what is there and ignores the rest", func(t *testing.T, c *jobsCheck) {
		c.schedule(t, flows.Job{ID: "wr1|w1|1", Due: jobClock}, flows.Job{ID: "wr2|w1|1", Due: jobClock})
		c.unschedule(t, "wr1|w1|1", "nothing|here")
		c.unschedule(t)
		c.at(t, "wr1|w1|1", time.Time{})
		c.at(t, "wr2|w1|1", jobClock)
	}},
	{"reminders follow a moved workshop and leave what has passed", func(t *testing.T, c *jobsCheck) {
		w := &flows.Workshop{Code: "w1", Zone: "Asia/Jakarta", Start: jobClock.Add(7 * 24 * time.Hour),
			End: jobClock.Add(7*24*time.Hour + 2*time.Hour), OnlineURL: "https://meet.example/w1"}
		if err := flows.PlanReminders(c.ctx, c.s, w, 1, jobClock); err != nil {
			t.Fatal(err)
		}
		ids := flows.ReminderIDs("w1", 1)
		dayBefore, soon := flows.ReminderTimes(w)
		for i, at := range []time.Time{dayBefore, soon, w.End, w.Start} {
			c.at(t, ids[i], at)
		}
		// Moved to start in an hour, and no longer online: the day-before
		// reminder has passed, the one two hours ahead too, the start
		// message is no more.
		w.Start, w.End, w.OnlineURL = jobClock.Add(time.Hour), jobClock.Add(3*time.Hour), ""
		if err := flows.PlanReminders(c.ctx, c.s, w, 1, jobClock); err != nil {
			t.Fatal(err)
		}
		c.at(t, ids[0], time.Time{})
		c.at(t, ids[1], time.Time{})
		c.at(t, ids[2], w.End)
		c.at(t, ids[3], time.Time{})
	}},
	{"forgetting a user removes their reminders and their commitments' jobs, nobody else's", func(t *testing.T, c *jobsCheck) {
		for _, cm := range []*flows.Commitment{
			{ID: "c1", Workshop: "w1", What: "plant trees", Owner: 1, By: 1, Due: jobClock, Status: flows.CmOnTrack, Created: jobClock},
			{ID: "c2", Workshop: "w1", What: "train staff", Owner: 2, By: 1, Due: jobClock, Status: flows.CmOnTrack, Created: jobClock},
		} {
			if err := c.s.SaveCommitment(c.ctx, cm); err != nil {
				t.Fatal(err)
			}
		}
		keep := []string{"wr1|w1|2", "wr1|w1|11", "cmc|w1|c2", "wr2|w2|2"}
		drop := []string{"wr1|w1|1", "wr2|w2|1", "cmc|w1|c1", "cmd|w1|c1"}
		for _, id := range slices.Concat(keep, drop) {
			c.schedule(t, flows.Job{ID: id, Due: jobClock.Add(time.Hour)})
		}
		if _, err := c.s.ForgetUser(c.ctx, 1, jobClock); err != nil {
			t.Fatal(err)
		}
		for _, id := range keep {
			c.at(t, id, jobClock.Add(time.Hour))
		}
		for _, id := range drop {
			c.at(t, id, time.Time{})
		}
	}},
}

// RunJobsContract runs the jobs contract against stores open makes, a
// fresh one per case, each with the reader of its queue.
func RunJobsContract(t *testing.T, open func(t *testing.T) (JobsAndForgetting, JobDue)) {
	for _, tc := range jobsCases {
		t.Run(tc.name, func(t *testing.T) {
			s, due := open(t)
			tc.run(t, &jobsCheck{ctx: context.Background(), s: s, due: due})
		})
	}
}

// AuditAndForgetting is what the audit contract reads and writes.
type AuditAndForgetting interface {
	flows.Audit
	flows.Privacy
}

func auditLog(t *testing.T, s flows.Audit, limit int) []flows.AuditEntry {
	t.Helper()
	es, err := s.AuditLog(context.Background(), limit)
	if err != nil {
		t.Fatalf("AuditLog(%d): %v", limit, err)
	}
	out := make([]flows.AuditEntry, len(es))
	for i, e := range es {
		out[i] = *e
		out[i].At = e.At.UTC()
	}
	return out
}

var auditCases = []struct {
	name string
	run  func(t *testing.T, s AuditAndForgetting)
}{
	{"entries read back whole, newest first, up to the limit", func(t *testing.T, s AuditAndForgetting) {
		es := []flows.AuditEntry{
			{At: jobClock, Actor: 900, Action: flows.AuditGrant, Target: "facilitator", Subject: 1},
			{At: jobClock.Add(time.Minute), Actor: 1, Action: flows.AuditWsCreate, Target: "w1"},
			{At: jobClock.Add(2 * time.Minute), Actor: 1, Action: flows.AuditExport, Target: "w1"},
		}
		for i := range es {
			if err := s.Audit(context.Background(), &es[i]); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := auditLog(t, s, 10), []flows.AuditEntry{es[2], es[1], es[0]}; !slices.Equal(got, want) {
			t.Fatalf("AuditLog = %+v, want %+v", got, want)
		}
		if got, want := auditLog(t, s, 2), []flows.AuditEntry{es[2], es[1]}; !slices.Equal(got, want) {
			t.Fatalf("AuditLog(2) = %+v, want %+v", got, want)
		}
	}},
	{"times are kept to the millisecond", func(t *testing.T, s AuditAndForgetting) {
		if err := s.Audit(context.Background(), &flows.AuditEntry{At: jobClock.Add(1500 * time.Microsecond), Actor: 1, Action: flows.AuditExport, Target: "w1"}); err != nil {
			t.Fatal(err)
		}
		if got := auditLog(t, s, 1); len(got) != 1 || !got[0].At.Equal(jobClock.Add(time.Millisecond)) {
			t.Fatalf("AuditLog = %+v, want the entry at %v", got, jobClock.Add(time.Millisecond))
		}
	}},
	{"the order is the order recorded, whatever the times say", func(t *testing.T, s AuditAndForgetting) {
		for i, at := range []time.Duration{time.Minute, 0, time.Minute} {
			if err := s.Audit(context.Background(), &flows.AuditEntry{At: jobClock.Add(at), Actor: int64(i + 1), Action: flows.AuditCheckIn, Target: "w1"}); err != nil {
				t.Fatal(err)
			}
		}
		var actors []int64
		for _, e := range auditLog(t, s, 10) {
			actors = append(actors, e.Actor)
		}
		if !slices.Equal(actors, []int64{3, 2, 1}) {
			t.Fatalf("AuditLog actors %v, want [3 2 1]", actors)
		}
	}},
	{"a forgotten person stays in the trail, named by nobody", func(t *testing.T, s AuditAndForgetting) {
		es := []flows.AuditEntry{
			{At: jobClock, Actor: 900, Action: flows.AuditGrant, Target: "facilitator", Subject: 1},
			{At: jobClock.Add(time.Minute), Actor: 1, Action: flows.AuditWsCreate, Target: "w1"},
			{At: jobClock.Add(2 * time.Minute), Actor: 2, Action: flows.AuditCheckIn, Target: "w1", Subject: 3},
			{At: jobClock.Add(3 * time.Minute), Actor: 1, Action: flows.AuditForget},
		}
		for i := range es {
			if err := s.Audit(context.Background(), &es[i]); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.ForgetUser(context.Background(), 1, jobClock.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		want := []flows.AuditEntry{
			{At: jobClock.Add(3 * time.Minute), Action: flows.AuditForget}, // as /forgetme records it, before forgetting
			es[2],
			{At: jobClock.Add(time.Minute), Action: flows.AuditWsCreate, Target: "w1"},
			{At: jobClock, Actor: 900, Action: flows.AuditGrant, Target: "facilitator"},
		}
		if got := auditLog(t, s, 10); !slices.Equal(got, want) {
			t.Fatalf("AuditLog after forgetting 1 = %+v, want %+v", got, want)
		}
	}},
	{"an empty trail", func(t *testing.T, s AuditAndForgetting) {
		if got := auditLog(t, s, 10); len(got) != 0 {
			t.Fatalf("AuditLog of nothing = %+v", got)
		}
	}},
}

// RunAuditContract runs the audit contract against stores open makes, a
// fresh one per case.
func RunAuditContract(t *testing.T, open func(t *testing.T) AuditAndForgetting) {
	for _, tc := range auditCases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}
