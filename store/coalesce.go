package store

import (
	"context"
	"errors"
	"sync"
	"time"
)

// errClosed is returned for requests made after Close.
var errClosed = errors.New("store closed")

// coalescer sends requests that arrive while others are in flight together,
// in one Redis round trip (group commit). A request made when nothing is
// queued goes out at once, so an idle bot pays no extra latency; under load,
// many updates share one pipeline and Redis does a fraction of the system
// calls. A few runners keep several pipelines in flight.
type coalescer[R any] struct {
	queue chan *call[R]
	max   int
	run   func(ctx context.Context, batch []*call[R])
	stop  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
}

// call is one request and its outcome.
type call[R any] struct {
	req  R
	err  error
	done chan struct{}
}

// batchTimeout bounds one round trip of a batch.
const batchTimeout = 10 * time.Second

func newCoalescer[R any](runners, max int, run func(ctx context.Context, batch []*call[R])) *coalescer[R] {
	c := &coalescer[R]{queue: make(chan *call[R], 4*max), max: max, run: run, stop: make(chan struct{})}
	c.wg.Add(runners)
	for range runners {
		go c.loop()
	}
	return c
}

// do queues r and waits for its batch. When ctx ends first, do returns the
// context's error; the request may still be carried out.
func (c *coalescer[R]) do(ctx context.Context, r R) (*call[R], error) {
	cl := &call[R]{req: r, done: make(chan struct{})}
	select {
	case c.queue <- cl:
	case <-c.stop:
		return nil, errClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case <-cl.done:
		return cl, cl.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *coalescer[R]) loop() {
	defer c.wg.Done()
	batch := make([]*call[R], 0, c.max)
	for {
		select {
		case first := <-c.queue:
			batch = append(batch[:0], first)
		case <-c.stop:
			return
		}
	fill:
		for len(batch) < c.max {
			select {
			case cl := <-c.queue:
				batch = append(batch, cl)
			default:
				break fill
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		c.run(ctx, batch)
		cancel()
		for _, cl := range batch {
			close(cl.done)
		}
		clear(batch)
	}
}

func (c *coalescer[R]) close() {
	c.once.Do(func() { close(c.stop) })
	c.wg.Wait()
}
