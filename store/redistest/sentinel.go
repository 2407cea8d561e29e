package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// SentinelMaster is the name the Sentinels of NewSentinel monitor.
const SentinelMaster = "sinergi"

// Sentinel is a throwaway Redis Sentinel deployment for one test: a master,
// one replica of it and three Sentinels (quorum 2) monitoring them as
// SentinelMaster. Master and replica run with the append-only file on
// (appendfsync everysec).
type Sentinel struct {
	URL       string   // redis-sentinel://127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3/sinergi
	Prefix    string   // unique key prefix for this test
	Sentinels []string // the Sentinels' addresses

	bin string
	dir string

	mu        sync.Mutex
	master    string               // address of the current master
	servers   map[string]*exec.Cmd // master and replica by address; a killed one is removed
	sentinels []*exec.Cmd
}

// Bounds of the Sentinel deployment's start and of its waits.
const (
	sentinelStart    = 10 * time.Second // until a process answers PING
	sentinelSync     = 20 * time.Second // until the replica is in sync
	sentinelSettle   = 30 * time.Second // until every Sentinel knows the replica and the other Sentinels
	sentinelAttempts = 3                // a failed start (a port taken meanwhile) is retried on other ports
	sentinelCount    = 3
	sentinelPoll     = 50 * time.Millisecond
	sentinelCallWait = time.Second // bound of one command to a node or a Sentinel
)

// NewSentinel starts a master, its replica and three Sentinels on free
// ports of 127.0.0.1 and waits until the replica is in sync and every
// Sentinel knows the master, the replica and the two other Sentinels, so a
// failover can happen. The test is skipped when redis-server is not on
// PATH. Everything is stopped when t ends.
func NewSentinel(t testing.TB) *Sentinel {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skipf("redistest: redis-server not on PATH: %v", err)
	}
	s := &Sentinel{Prefix: "test:" + randHex() + ":", bin: bin, dir: t.TempDir()}
	t.Cleanup(s.Stop)
	for attempt := 1; ; attempt++ {
		err = s.start()
		if err == nil {
			break
		}
		s.Stop()
		if attempt == sentinelAttempts {
			t.Fatalf("redistest: sentinel: %v (logs in %s)", err, s.dir)
		}
	}
	s.URL = "redis-sentinel://" + strings.Join(s.Sentinels, ",") + "/" + SentinelMaster
	return s
}

// start launches master, replica and Sentinels and waits until they are
// ready.
func (s *Sentinel) start() error {
	s.servers, s.sentinels, s.Sentinels = map[string]*exec.Cmd{}, nil, nil
	dir := filepath.Join(s.dir, randHex())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	master, err := s.startServer(dir, "master")
	if err != nil {
		return err
	}
	s.master = master
	replica, err := s.startServer(dir, "replica", "--replicaof", "127.0.0.1", portOf(master))
	if err != nil {
		return err
	}
	if err := waitSync(master, replica); err != nil {
		return err
	}
	// The Sentinels start once the replica is attached: a Sentinel's first
	// INFO to the master then lists it (the next one comes 10 s later).
	for i := range sentinelCount {
		if err := s.startSentinel(dir, i, master); err != nil {
			return err
		}
	}
	return s.waitSentinels(master, replica)
}

// startServer starts a data node on a free port in its own directory.
func (s *Sentinel) startServer(dir, name string, extra ...string) (string, error) {
	port, err := freePort()
	if err != nil {
		return "", err
	}
	p := strconv.Itoa(port)
	nd := filepath.Join(dir, name+"-"+p)
	if err := os.MkdirAll(nd, 0o755); err != nil {
		return "", err
	}
	args := append([]string{"--port", p, "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "yes", "--appendfsync", "everysec",
		"--repl-diskless-sync-delay", "0", // the first sync without the default 5 s wait
		"--dir", nd, "--logfile", filepath.Join(nd, "redis.log")}, extra...)
	cmd := exec.Command(s.bin, args...)
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start %s redis-server: %w", name, err)
	}
	addr := "127.0.0.1:" + p
	s.mu.Lock()
	s.servers[addr] = cmd
	s.mu.Unlock()
	if !waitPing(addr, sentinelStart) {
		return "", fmt.Errorf("%s redis-server %s did not start (see %s)", name, addr, nd)
	}
	return addr, nil
}

// startSentinel writes a Sentinel's config (a Sentinel rewrites it, so it
// must be a writable file) and starts it.
func (s *Sentinel) startSentinel(dir string, i int, master string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	p := strconv.Itoa(port)
	conf := filepath.Join(dir, "sentinel-"+p+".conf")
	text := strings.Join([]string{
		"port " + p,
		"bind 127.0.0.1",
		"dir " + dir,
		"logfile " + filepath.Join(dir, "sentinel-"+p+".log"),
		"sentinel monitor " + SentinelMaster + " 127.0.0.1 " + portOf(master) + " 2",
		"sentinel down-after-milliseconds " + SentinelMaster + " 1000",
		"sentinel failover-timeout " + SentinelMaster + " 5000",
		"sentinel parallel-syncs " + SentinelMaster + " 1",
	}, "\n") + "\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return err
	}
	cmd := exec.Command(s.bin, conf, "--sentinel")
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start sentinel %d: %w", i, err)
	}
	addr := "127.0.0.1:" + p
	s.mu.Lock()
	s.sentinels = append(s.sentinels, cmd)
	s.mu.Unlock()
	s.Sentinels = append(s.Sentinels, addr)
	if !waitPing(addr, sentinelStart) {
		return fmt.Errorf("sentinel %s did not start (see %s)", addr, conf)
	}
	return nil
}

// waitSync waits until the master counts one connected replica and the
// replica reports its link to the master up.
func waitSync(master, replica string) error {
	m := nodeClient(master)
	defer m.Close()
	r := nodeClient(replica)
	defer r.Close()
	var last string
	ok := poll(sentinelSync, func(ctx context.Context) bool {
		mi, err := m.Info(ctx, "replication").Result()
		if err != nil {
			last = err.Error()
			return false
		}
		ri, err := r.Info(ctx, "replication").Result()
		if err != nil {
			last = err.Error()
			return false
		}
		last = "master: " + infoField(mi, "connected_slaves") + " replica(s), replica link: " + infoField(ri, "master_link_status")
		return infoField(mi, "connected_slaves") == "1" && infoField(ri, "master_link_status") == "up"
	})
	if !ok {
		return fmt.Errorf("replica %s not in sync with %s within %s (%s)", replica, master, sentinelSync, last)
	}
	return nil
}

// waitSentinels waits until every Sentinel sees master as the master, up,
// with replica attached and its link up, and knows the other Sentinels.
func (s *Sentinel) waitSentinels(master, replica string) error {
	for _, addr := range s.Sentinels {
		sc := sentinelClient(addr)
		var last string
		ok := poll(sentinelSettle, func(ctx context.Context) bool {
			m, err := sc.Master(ctx, SentinelMaster).Result()
			if err != nil {
				last = err.Error()
				return false
			}
			if a := net.JoinHostPort(m["ip"], m["port"]); a != master || m["flags"] != "master" {
				last = "master " + a + " flags " + m["flags"]
				return false
			}
			rs, err := sc.Replicas(ctx, SentinelMaster).Result()
			if err != nil {
				last = err.Error()
				return false
			}
			if len(rs) != 1 || net.JoinHostPort(rs[0]["ip"], rs[0]["port"]) != replica ||
				rs[0]["flags"] != "slave" || rs[0]["master-link-status"] != "ok" {
				last = fmt.Sprintf("replicas %v", rs)
				return false
			}
			ss, err := sc.Sentinels(ctx, SentinelMaster).Result()
			if err != nil {
				last = err.Error()
				return false
			}
			if len(ss) != sentinelCount-1 {
				last = fmt.Sprintf("%d other sentinels known", len(ss))
				return false
			}
			return true
		})
		_ = sc.Close()
		if !ok {
			return fmt.Errorf("sentinel %s not ready within %s (%s)", addr, sentinelSettle, last)
		}
	}
	return nil
}

// Master is the address of the current master (the first one, or the one
// the last WaitFailover found).
func (s *Sentinel) Master() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.master
}

// KillMaster stops the current master abruptly (SIGKILL), as a crash
// would. It is not restarted.
func (s *Sentinel) KillMaster() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cmd := s.servers[s.master]; cmd != nil && cmd.Process != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	delete(s.servers, s.master)
}

// WaitFailover waits, at most timeout, until every Sentinel names the same
// master, other than the current one, and that node answers with
// role:master; it becomes the current master and its address is returned.
// The test fails when that does not happen in time.
func (s *Sentinel) WaitFailover(t testing.TB, timeout time.Duration) string {
	t.Helper()
	old := s.Master()
	scs := make([]*redis.SentinelClient, len(s.Sentinels))
	for i, addr := range s.Sentinels {
		scs[i] = sentinelClient(addr)
		defer scs[i].Close()
	}
	var addr, last string
	ok := poll(timeout, func(ctx context.Context) bool {
		addr = ""
		for i, sc := range scs {
			a, err := sc.GetMasterAddrByName(ctx, SentinelMaster).Result()
			if err != nil || len(a) != 2 {
				last = fmt.Sprintf("sentinel %s: %v %v", s.Sentinels[i], a, err)
				return false
			}
			got := net.JoinHostPort(a[0], a[1])
			if got == old || (addr != "" && got != addr) {
				last = fmt.Sprintf("sentinel %s names %s (old master %s)", s.Sentinels[i], got, old)
				return false
			}
			addr = got
		}
		n := nodeClient(addr)
		defer n.Close()
		info, err := n.Info(ctx, "replication").Result()
		if err != nil {
			last = fmt.Sprintf("new master %s: %v", addr, err)
			return false
		}
		last = fmt.Sprintf("new master %s: role:%s", addr, infoField(info, "role"))
		return infoField(info, "role") == "master"
	})
	if !ok {
		t.Fatalf("redistest: no failover away from %s within %s (%s; logs in %s)", old, timeout, last, s.dir)
	}
	s.mu.Lock()
	s.master = addr
	s.mu.Unlock()
	return addr
}

// Stop kills the Sentinels, then the data nodes.
func (s *Sentinel) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cmd := range s.sentinels {
		if cmd.Process != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}
	for _, cmd := range s.servers {
		if cmd.Process != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}
	s.sentinels, s.servers = nil, map[string]*exec.Cmd{}
}

// poll calls f, each call bounded by sentinelCallWait, until it reports
// true or d has passed.
func poll(d time.Duration, f func(ctx context.Context) bool) bool {
	deadline := time.Now().Add(d)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), sentinelCallWait)
		ok := f(ctx)
		cancel()
		if ok {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(sentinelPoll)
	}
}

func nodeClient(addr string) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
}

func sentinelClient(addr string) *redis.SentinelClient {
	return redis.NewSentinelClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
}

// infoField is the value of name in an INFO reply ("" when absent).
func infoField(info, name string) string {
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return v
		}
	}
	return ""
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}
