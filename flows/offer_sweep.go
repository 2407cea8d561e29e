package flows

import (
	"context"
	"time"
)

// The offer sweep: making an offer (a script over the workshop's keys) and
// scheduling its end and reminder (the job queue, another hash tag) are two
// steps, and a process that stops between them leaves an offer that never
// ends, whose person was never told. So whoever may make offers in a
// workshop schedules its sweep first (OfferSweepJob, an upsert): a few
// minutes later the sweep (registration's job) finds every offer of the
// workshop whose end is not scheduled, schedules its jobs and tells the
// person. When nothing was cut short it finds nothing.

// JobOfferSweep, "wos|<code>": the offer sweep of workshop code.
const JobOfferSweep = "wos"

// OfferSweepAfter is how long after an offer may have been made its
// workshop's sweep runs: long enough for the step that made it to have
// scheduled the offer's jobs.
const OfferSweepAfter = 5 * time.Minute

// OfferSweepJob is workshop code's offer sweep, planned at now.
func OfferSweepJob(code string, now time.Time) Job {
	return Job{ID: JobOfferSweep + "|" + code, Due: now.Add(OfferSweepAfter)}
}

// ScheduledJobs tells which jobs are scheduled.
type ScheduledJobs interface {
	// JobsScheduled reports, for each of ids, whether it is scheduled:
	// due, or claimed and not done.
	JobsScheduled(ctx context.Context, ids ...string) ([]bool, error)
}
