package store

// SlotCommits makes s write commits as it does on a Redis Cluster (one
// MULTI per slot, users:all and the inbox around them), whatever its
// client, so tests on one node cover that path too. Call it before the
// first Commit.
func SlotCommits(s *Store) { s.cluster = true }
