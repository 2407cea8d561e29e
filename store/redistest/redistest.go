// Package redistest gives tests a real Redis: a throwaway redis-server on a
// free port (redis-server must be on PATH), or the server at REDIS_URL when
// that is set, with a key prefix unique to the test so tests never collide
// and never touch other data. NewCluster starts a throwaway three-node
// Redis Cluster.
//
// Every client it returns carries SlotGuard: a transaction, script or
// multi-key command whose keys a Redis Cluster would refuse as cross-slot
// fails in tests on one node too.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a server for one test.
type Redis struct {
	URL    string // redis://host:port/db
	Addr   string
	Prefix string        // unique key prefix for this test
	Client *redis.Client // with SlotGuard
	cmd    *exec.Cmd
	dir    string
	aof    bool // append-only file on (NewPersistent)
}

// NewPersistent is New with the append-only file on, for tests that stop
// and start the server (Kill, Start). It uses appendfsync always: every
// write acknowledged to a client has reached the file before the reply, so
// killing the server loses nothing acknowledged. (With everysec, as in
// compose.yaml, Redis postpones the write for up to 2 s while the previous
// second's fsync is still running, and answers meanwhile: on a busy disk a
// kill loses what it answered in that time.) It always starts its own
// server.
func NewPersistent(t testing.TB) *Redis {
	t.Helper()
	t.Setenv("REDIS_URL", "")
	return newRedis(t, true)
}

// New returns a Redis for t, stopped when t ends.
func New(t testing.TB) *Redis {
	t.Helper()
	return newRedis(t, false)
}

func newRedis(t testing.TB, aof bool) *Redis {
	t.Helper()
	r := &Redis{Prefix: "test:" + randHex() + ":", aof: aof}
	if u := os.Getenv("REDIS_URL"); u != "" {
		r.URL = u
	} else {
		r.dir = t.TempDir()
		if err := r.start(); err != nil {
			t.Fatalf("redistest: %v", err)
		}
		t.Cleanup(r.Stop)
	}
	opts, err := redis.ParseURL(r.URL)
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	r.Addr = opts.Addr
	r.Client = redis.NewClient(opts)
	r.Client.AddHook(SlotGuard{})
	t.Cleanup(func() { _ = r.Client.Close() })
	if err := r.Client.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redistest: ping %s: %v", r.URL, err)
	}
	return r
}

func (r *Redis) start() error {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return fmt.Errorf("redis-server not found on PATH (apt-get install redis-server, or set REDIS_URL): %w", err)
	}
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			return err
		}
		r.Addr = "127.0.0.1:" + strconv.Itoa(port)
		r.URL = "redis://" + r.Addr + "/0"
		r.cmd = exec.Command(bin, r.args(strconv.Itoa(port))...)
		if err := r.cmd.Start(); err != nil {
			return fmt.Errorf("start redis-server: %w", err)
		}
		if waitPing(r.Addr, 5*time.Second) {
			return nil
		}
		r.Stop()
	}
	return fmt.Errorf("redis-server did not start (see %s/redis.log)", r.dir)
}

// Restart stops the throwaway server abruptly and starts it again on the
// same port (data survives only with NewPersistent). Not available with
// REDIS_URL.
func (r *Redis) Restart(t testing.TB) {
	t.Helper()
	r.Kill()
	r.Start(t)
}

func (r *Redis) args(port string) []string {
	aof, fsync := "no", "everysec"
	if r.aof {
		aof, fsync = "yes", "always"
	}
	return []string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", aof,
		"--appendfsync", fsync, "--dir", r.dir, "--logfile", filepath.Join(r.dir, "redis.log")}
}

// Kill stops the throwaway server abruptly (SIGKILL), as a crash would;
// Start brings it back on the same port with the same data directory.
func (r *Redis) Kill() { r.Stop() }

// Start starts the server Kill stopped, and waits until it answers.
func (r *Redis) Start(t testing.TB) {
	t.Helper()
	if r.cmd == nil {
		t.Skip("redistest: Start needs a throwaway server (REDIS_URL is set)")
	}
	port := r.Addr[len("127.0.0.1:"):]
	r.cmd = exec.Command(r.cmd.Path, r.args(port)...)
	if err := r.cmd.Start(); err != nil || !waitPing(r.Addr, 10*time.Second) {
		t.Fatalf("redistest: start again: %v (see %s/redis.log)", err, r.dir)
	}
	// While it was down another test's server may have taken the port:
	// the test would then go on against a stranger's data.
	pid, err := serverPID(r.Addr)
	if err != nil || pid != r.cmd.Process.Pid {
		t.Fatalf("redistest: the server answering on %s after the restart is not ours (process %d, ours %d, %v): another server took the port while it was down", r.Addr, pid, r.cmd.Process.Pid, err)
	}
}

// serverPID is the process id the server at addr reports.
func serverPID(addr string) (int, error) {
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	info, err := c.Info(context.Background(), "server").Result()
	if err != nil {
		return 0, fmt.Errorf("info: %w", err)
	}
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
			return strconv.Atoi(v)
		}
	}
	return 0, errors.New("info: no process_id")
}

// Stop kills the throwaway server.
func (r *Redis) Stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
	}
}

func waitPing(addr string, d time.Duration) bool {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if c.Ping(context.Background()).Err() == nil {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Unguarded is a client of the same server without the SlotGuard, for
// benchmarks: the guard's per-command checks would be measured with them.
func (r *Redis) Unguarded(tb testing.TB) *redis.Client {
	tb.Helper()
	c := redis.NewClient(r.Client.Options())
	tb.Cleanup(func() { _ = c.Close() })
	return c
}
