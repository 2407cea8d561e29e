package store

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// unavailablePrefixes are Redis error replies that mean "not now" rather
// than "wrong": a Cluster without a slot's master, a resharding or
// failover under way, a server still loading its data after a restart, a
// replica not (yet) promoted.
var unavailablePrefixes = []string{"CLUSTERDOWN", "TRYAGAIN", "LOADING", "MASTERDOWN", "READONLY", "NOREPLICAS", "BUSY"}

// Unavailable reports whether err means Redis could not be reached or
// could not serve the request for now (connection refused or reset, a
// timeout, a Cluster slot down, a failover or restart under way), as
// opposed to a bug or bad data. Such an operation may be tried again.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var netErr net.Error
	switch {
	case errors.As(err, &netErr), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, redis.ErrClosed), errors.Is(err, redis.ErrPoolTimeout),
		errors.Is(err, errClosed):
		return true
	}
	for _, p := range unavailablePrefixes {
		if redis.HasErrorPrefix(err, p) {
			return true
		}
	}
	return false
}

// Unavailable is the function Unavailable as a method, so that a consumer
// holding the store as an interface (the transport, bot.Store) can tell an
// outage from a failure without importing this package.
func (s *Store) Unavailable(err error) bool { return Unavailable(err) }
