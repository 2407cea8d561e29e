package bot

import (
	"context"
	"sync"
)

// job is one update waiting for its chat's turn.
type job struct {
	chatID int64
	run    func(ctx context.Context)
}

// dispatcher runs jobs with a bounded number of workers so that the jobs of
// one chat run one at a time in arrival order, while different chats run
// concurrently. A chat is handed to a worker as a whole: the worker drains
// that chat's queue, so a slow chat never blocks other chats behind it (no
// head-of-line blocking as with hashing chats onto fixed workers).
type dispatcher struct {
	ctx   context.Context // handed to jobs; outlives the intake so in-flight work can finish
	ready chan int64      // chats with queued work and no worker
	slots chan struct{}   // bounds queued+running jobs (backpressure)

	mu    sync.Mutex
	chats map[int64][]job // queued jobs per chat; present while the chat is scheduled
	wg    sync.WaitGroup  // workers
	jobs  sync.WaitGroup  // queued and running jobs
}

// newDispatcher starts workers; at most maxQueued jobs may wait or run.
func newDispatcher(ctx context.Context, workers, maxQueued int) *dispatcher {
	d := &dispatcher{
		ctx:   ctx,
		ready: make(chan int64, maxQueued),
		slots: make(chan struct{}, maxQueued),
		chats: make(map[int64][]job),
	}
	d.wg.Add(workers)
	for range workers {
		go d.worker()
	}
	return d
}

// submit queues a job behind the chat's earlier jobs. It blocks while the
// dispatcher is full, or until ctx ends (then the job is not queued).
func (d *dispatcher) submit(ctx context.Context, j job) error {
	select {
	case d.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	d.jobs.Add(1)
	d.mu.Lock()
	q, scheduled := d.chats[j.chatID]
	d.chats[j.chatID] = append(q, j)
	d.mu.Unlock()
	if !scheduled {
		d.ready <- j.chatID // cannot block: ready holds at most maxQueued chats
	}
	return nil
}

func (d *dispatcher) worker() {
	defer d.wg.Done()
	for chatID := range d.ready {
		for {
			d.mu.Lock()
			q := d.chats[chatID]
			if len(q) == 0 {
				delete(d.chats, chatID)
				d.mu.Unlock()
				break
			}
			j := q[0]
			q[0] = job{}
			d.chats[chatID] = q[1:]
			d.mu.Unlock()
			j.run(d.ctx)
			<-d.slots
			d.jobs.Done()
		}
	}
}

// drain waits until every queued job has run (or ctx ends), then stops the
// workers. No submit may happen after drain starts.
func (d *dispatcher) drain(ctx context.Context) error {
	done := make(chan struct{})
	go func() { d.jobs.Wait(); close(done) }()
	select {
	case <-done:
		close(d.ready)
		d.wg.Wait()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
