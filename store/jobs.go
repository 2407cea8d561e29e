package store

import (
	"context"
	_ "embed" // Lua script
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

//go:embed jobs_claim.lua
var claimLua string

var claimScript = redis.NewScript(claimLua)

// reapBatch bounds how many expired leases one ClaimDue returns to the due
// set; more are returned by the following calls.
const reapBatch = 1000

// Job queue keys: one hash tag, so the claim script and the MULTIs are
// single-slot on Cluster.
func (s *Store) dueKey() string   { return s.p + "{jobs}:due" }
func (s *Store) leaseKey() string { return s.p + "{jobs}:lease" }

// Schedule implements flows.Jobs: an upsert into the due set by due time. A
// job that is currently claimed leaves the lease set, so the new time wins.
func (s *Store) Schedule(ctx context.Context, jobs ...flows.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	zs := make([]redis.Z, len(jobs))
	ids := make([]any, len(jobs))
	for i, j := range jobs {
		zs[i] = redis.Z{Score: float64(j.Due.UnixMilli()), Member: j.ID}
		ids[i] = j.ID
	}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, s.dueKey(), zs...)
		p.ZRem(ctx, s.leaseKey(), ids...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("schedule %d jobs (first %s): %w", len(jobs), jobs[0].ID, err)
	}
	return nil
}

// Unschedule implements flows.Jobs: the jobs leave the due and lease sets.
func (s *Store) Unschedule(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	m := make([]any, len(ids))
	for i, id := range ids {
		m[i] = id
	}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, s.dueKey(), m...)
		p.ZRem(ctx, s.leaseKey(), m...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("unschedule %d jobs (first %s): %w", len(ids), ids[0], err)
	}
	return nil
}

// ClaimDue takes up to max jobs due by now, in due order, and leases them
// until now+lease: no other claimer gets them while the lease runs. A job
// whose lease expired (its runner died) is first put back as due now. The
// caller calls JobDone when a job has run, or Schedule to move it to another
// time. One script; its cost grows with max, not with the queue's size.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, max int, lease time.Duration) ([]flows.Job, error) {
	if max <= 0 {
		return nil, nil
	}
	if lease <= 0 {
		return nil, fmt.Errorf("claim due jobs: lease %v is not positive", lease)
	}
	ms := now.UnixMilli()
	res, err := claimScript.Run(ctx, s.rdb, []string{s.dueKey(), s.leaseKey()},
		ms, max, now.Add(lease).UnixMilli(), reapBatch).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("claim due jobs: %w", err)
	}
	jobs := make([]flows.Job, 0, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		due, err := strconv.ParseFloat(res[i+1], 64)
		if err != nil {
			return nil, fmt.Errorf("claim due jobs: bad due time %q of %s", res[i+1], res[i])
		}
		jobs = append(jobs, flows.Job{ID: res[i], Due: fromMS(int64(due))})
	}
	return jobs, nil
}

// JobDone ends a claimed job's lease. A job rescheduled meanwhile stays
// scheduled.
func (s *Store) JobDone(ctx context.Context, id string) error {
	if err := s.rdb.ZRem(ctx, s.leaseKey(), id).Err(); err != nil {
		return fmt.Errorf("job %s done: %w", id, err)
	}
	return nil
}

// PendingJobs counts the jobs waiting to be due plus those claimed and not
// done.
func (s *Store) PendingJobs(ctx context.Context) (int64, error) {
	var due, leased *redis.IntCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		due = p.ZCard(ctx, s.dueKey())
		leased = p.ZCard(ctx, s.leaseKey())
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("pending jobs: %w", err)
	}
	return due.Val() + leased.Val(), nil
}

// JobDue is when job id is due; false when it is not waiting in the due set
// (unknown, done, or claimed).
func (s *Store) JobDue(ctx context.Context, id string) (time.Time, bool, error) {
	score, err := s.rdb.ZScore(ctx, s.dueKey(), id).Result()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("job %s due: %w", id, err)
	}
	return fromMS(int64(score)), true, nil
}
