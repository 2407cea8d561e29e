package store

import (
	"context"
	_ "embed" // Lua script
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
	"sinergi/flows/transport"
)

//go:embed jobs_claim.lua
var claimLua string

var (
	claimScript = redis.NewScript(claimLua)
	// beginJobScript: KEYS lease, owner, running; ARGV owner, id, now (ms),
	// new lease expiry (ms). The run may begin only while the caller holds
	// an unexpired lease on the job.
	beginJobScript = redis.NewScript(`
if redis.call('HGET', KEYS[2], ARGV[2]) ~= ARGV[1] then
  return 0
end
local exp = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not exp or tonumber(exp) <= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[1])
return 1`)
)

// reapBatch bounds how many expired leases one ClaimDue returns to the due
// set; more are returned by the following calls.
const reapBatch = 1000

// Job queue keys: one hash tag, so the claim script and the MULTIs are
// single-slot on Cluster.
//
//	<p>{jobs}:due      zset  job id -> due (unix ms)
//	<p>{jobs}:lease    zset  job id -> lease expiry (unix ms) of claimed jobs
//	<p>{jobs}:owner    hash  claimed job id -> claimer token
//	<p>{jobs}:running  hash  job id -> claimer token, once its run began
//	<p>{jobs}:parked   zset  job id -> due (unix ms) of jobs of a kind the build that claimed them did not know
func (s *Store) dueKey() string     { return s.p + "{jobs}:due" }
func (s *Store) parkedKey() string  { return s.p + "{jobs}:parked" }
func (s *Store) leaseKey() string   { return s.p + "{jobs}:lease" }
func (s *Store) ownerKey() string   { return s.p + "{jobs}:owner" }
func (s *Store) runningKey() string { return s.p + "{jobs}:running" }

// jobsOfKey is the index of the scheduled jobs whose id ends in tail (a
// job id "<kind>|<code>|<tail>": a user id or a commitment id), which
// ForgetUser reads instead of every job.
func (s *Store) jobsOfKey(tail string) string { return s.p + "{jobs}:of:" + tail }

// jobTail is what a job is indexed under ("" for an id of fewer parts).
func jobTail(id string) string {
	parts := strings.SplitN(id, "|", 3)
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

// indexJobs queues each job's entry in its index.
func (s *Store) indexJobs(ctx context.Context, p redis.Pipeliner, ids ...string) {
	for _, id := range ids {
		if t := jobTail(id); t != "" {
			p.SAdd(ctx, s.jobsOfKey(t), id)
		}
	}
}

// unindexJobs queues the removal of each job's entry from its index.
func (s *Store) unindexJobs(ctx context.Context, p redis.Pipeliner, ids ...string) {
	for _, id := range ids {
		if t := jobTail(id); t != "" {
			p.SRem(ctx, s.jobsOfKey(t), id)
		}
	}
}

// jobDoneScript: KEYS lease, owner, running, due, the job's index ("" none);
// ARGV id. The job's lease ends; it leaves its index unless it was
// scheduled again meanwhile.
var jobDoneScript = redis.NewScript(`
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if KEYS[5] and not redis.call('ZSCORE', KEYS[4], ARGV[1]) then
  redis.call('SREM', KEYS[5], ARGV[1])
end
return 1`)

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
		s.indexJobs(ctx, p, strs(ids)...)
		p.ZRem(ctx, s.parkedKey(), ids...)
		p.ZRem(ctx, s.leaseKey(), ids...)
		p.HDel(ctx, s.ownerKey(), strs(ids)...)
		p.HDel(ctx, s.runningKey(), strs(ids)...)
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
		p.ZRem(ctx, s.parkedKey(), m...)
		p.ZRem(ctx, s.leaseKey(), m...)
		p.HDel(ctx, s.ownerKey(), ids...)
		p.HDel(ctx, s.runningKey(), ids...)
		s.unindexJobs(ctx, p, ids...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("unschedule %d jobs (first %s): %w", len(ids), ids[0], err)
	}
	return nil
}

// ClaimDue takes up to max jobs due by now, in due order, for owner (a
// token unique to the claimer) and leases them until now+lease: no other
// claimer gets them while the lease runs. Expired leases (their claimer
// died) are handled first: a job whose run had not begun is due again at
// once; one whose run had begun is dropped (it may have sent its messages;
// it is not run twice) and returned in dropped. The caller calls BeginJob
// right before running a job, then JobDone (or Schedule to move it to
// another time). One script; its cost grows with max, not with the queue's
// size.
func (s *Store) ClaimDue(ctx context.Context, owner string, now time.Time, max int, lease time.Duration) (jobs []flows.Job, dropped []string, err error) {
	if max <= 0 {
		return nil, nil, nil
	}
	if lease <= 0 {
		return nil, nil, fmt.Errorf("claim due jobs: lease %v is not positive", lease)
	}
	ms := now.UnixMilli()
	res, err := claimScript.Run(ctx, s.rdb, []string{s.dueKey(), s.leaseKey(), s.ownerKey(), s.runningKey()},
		ms, max, now.Add(lease).UnixMilli(), reapBatch, owner).Slice()
	if err != nil {
		return nil, nil, fmt.Errorf("claim due jobs: %w", err)
	}
	if len(res) != 2 {
		return nil, nil, fmt.Errorf("claim due jobs: unexpected reply %v", res)
	}
	due, _ := res[0].([]any)
	jobs = make([]flows.Job, 0, len(due)/2)
	for i := 0; i+1 < len(due); i += 2 {
		id, _ := due[i].(string)
		score, _ := due[i+1].(string)
		d, err := strconv.ParseFloat(score, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("claim due jobs: bad due time %q of %s", score, id)
		}
		jobs = append(jobs, flows.Job{ID: id, Due: fromMS(int64(d))})
	}
	drops, _ := res[1].([]any)
	for _, d := range drops {
		if id, ok := d.(string); ok {
			dropped = append(dropped, id)
		}
	}
	if len(dropped) > 0 {
		// Dropped jobs leave their index; one scheduled again meanwhile
		// would not have been dropped (Schedule ends its lease).
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			s.unindexJobs(ctx, p, dropped...)
			return nil
		}); err != nil {
			return jobs, dropped, fmt.Errorf("claim due jobs: unindex dropped: %w", err)
		}
	}
	return jobs, dropped, nil
}

// BeginJob marks a claimed job's run as begun, if owner still holds its
// lease at now (transport.ErrJobLost otherwise), and extends the lease to now+lease.
// From here on the job is never run again by anyone unless it is scheduled
// again (JobDone, Schedule) or the run is given back (AbortJob).
func (s *Store) BeginJob(ctx context.Context, owner, id string, now time.Time, lease time.Duration) error {
	n, err := beginJobScript.Run(ctx, s.rdb, []string{s.leaseKey(), s.ownerKey(), s.runningKey()},
		owner, id, now.UnixMilli(), now.Add(lease).UnixMilli()).Int()
	if err != nil {
		return fmt.Errorf("begin job %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("begin job %s: %w", id, transport.ErrJobLost)
	}
	return nil
}

// AbortJob gives a begun job back: it failed before sending anything, and
// runs again when its lease expires.
func (s *Store) AbortJob(ctx context.Context, id string) error {
	if err := s.rdb.HDel(ctx, s.runningKey(), id).Err(); err != nil {
		return fmt.Errorf("abort job %s: %w", id, err)
	}
	return nil
}

// JobDone ends a claimed job's lease. A job rescheduled meanwhile stays
// scheduled.
func (s *Store) JobDone(ctx context.Context, id string) error {
	keys := []string{s.leaseKey(), s.ownerKey(), s.runningKey(), s.dueKey()}
	if t := jobTail(id); t != "" {
		keys = append(keys, s.jobsOfKey(t))
	}
	if err := jobDoneScript.Run(ctx, s.rdb, keys, id).Err(); err != nil {
		return fmt.Errorf("job %s done: %w", id, err)
	}
	return nil
}

// ParkJob sets aside a claimed job this build cannot run (its kind is
// unknown here) with its original due time, and ends its lease: it is
// neither consumed nor claimed again by every tick. UnparkJobs gives it back
// to a build that knows its kind.
func (s *Store) ParkJob(ctx context.Context, j flows.Job) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, s.parkedKey(), redis.Z{Score: float64(j.Due.UnixMilli()), Member: j.ID})
		p.ZRem(ctx, s.leaseKey(), j.ID)
		p.HDel(ctx, s.ownerKey(), j.ID)
		p.HDel(ctx, s.runningKey(), j.ID)
		return nil
	})
	if err != nil {
		return fmt.Errorf("park job %s: %w", j.ID, err)
	}
	return nil
}

// unparkBatch bounds how many parked jobs one UnparkJobs looks at.
const unparkBatch = 1000

// UnparkJobs returns the parked jobs that known accepts to the due set,
// each at its original due time (a job scheduled again meanwhile keeps its
// new time), and returns how many. It reads at most unparkBatch parked
// jobs, so its cost stays small however many a build cannot run.
func (s *Store) UnparkJobs(ctx context.Context, known func(id string) bool) (int, error) {
	parked, err := s.rdb.ZRangeWithScores(ctx, s.parkedKey(), 0, unparkBatch-1).Result()
	if err != nil {
		return 0, fmt.Errorf("parked jobs: %w", err)
	}
	var back []redis.Z
	for _, z := range parked {
		if id, ok := z.Member.(string); ok && known(id) {
			back = append(back, z)
		}
	}
	if len(back) == 0 {
		return 0, nil
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, z := range back {
			p.ZAddNX(ctx, s.dueKey(), z)
			p.ZRem(ctx, s.parkedKey(), z.Member)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("unpark %d jobs: %w", len(back), err)
	}
	return len(back), nil
}

// ParkedJobs lists up to max parked jobs with their due times.
func (s *Store) ParkedJobs(ctx context.Context, max int) ([]flows.Job, error) {
	zs, err := s.rdb.ZRangeWithScores(ctx, s.parkedKey(), 0, int64(max)-1).Result()
	if err != nil {
		return nil, fmt.Errorf("parked jobs: %w", err)
	}
	out := make([]flows.Job, 0, len(zs))
	for _, z := range zs {
		id, _ := z.Member.(string)
		out = append(out, flows.Job{ID: id, Due: fromMS(int64(z.Score))})
	}
	return out, nil
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

func strs(xs []any) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i], _ = x.(string)
	}
	return out
}
