package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// JobsScheduled reports, for each of ids, whether the job is due or
// claimed and not done ({jobs}:due, {jobs}:lease): one pipeline.
func (s *Store) JobsScheduled(ctx context.Context, ids ...string) ([]bool, error) {
	due := make([]*redis.FloatCmd, len(ids))
	leased := make([]*redis.FloatCmd, len(ids))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			due[i] = p.ZScore(ctx, s.dueKey(), id)
			leased[i] = p.ZScore(ctx, s.leaseKey(), id)
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("jobs scheduled: %w", err)
	}
	out := make([]bool, len(ids))
	for i := range ids {
		for _, c := range []*redis.FloatCmd{due[i], leased[i]} {
			switch err := c.Err(); {
			case err == nil:
				out[i] = true
			case !errors.Is(err, redis.Nil):
				return nil, fmt.Errorf("jobs scheduled: %w", err)
			}
		}
	}
	return out, nil
}
