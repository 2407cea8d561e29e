package redistest

import (
	"context"
	"fmt"
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

// Cluster is a throwaway Redis Cluster of three masters (no replicas) for
// one test.
type Cluster struct {
	URL    string // redis-cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3
	Addrs  []string
	Prefix string               // unique key prefix for this test
	Client *redis.ClusterClient // with SlotGuard
	nodes  []*exec.Cmd
	dir    string
}

// Bounds of the cluster start.
const (
	clusterNodes    = 3
	clusterCreate   = 30 * time.Second // redis-cli --cluster create
	clusterSettle   = 20 * time.Second // until every node says cluster_state:ok
	clusterAttempts = 3                // a failed start (a port taken meanwhile) is retried on other ports
)

// NewCluster starts a three-node Redis Cluster on free ports of 127.0.0.1
// (redis-server and redis-cli must be on PATH; the test is skipped when one
// is missing), returns a client for it and stops the nodes when t ends.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	server, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skipf("redistest: redis-server not on PATH: %v", err)
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skipf("redistest: redis-cli not on PATH: %v", err)
	}
	c := &Cluster{Prefix: "test:" + randHex() + ":", dir: t.TempDir()}
	t.Cleanup(c.Stop)
	for attempt := 1; ; attempt++ {
		err = c.start(server)
		if err == nil {
			err = c.create(cli)
		}
		if err == nil {
			break
		}
		c.Stop()
		if attempt == clusterAttempts {
			t.Fatalf("redistest: cluster: %v", err)
		}
	}
	c.URL = "redis-cluster://" + strings.Join(c.Addrs, ",")
	c.Client = redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs})
	c.Client.AddHook(SlotGuard{Cluster: true})
	t.Cleanup(func() { _ = c.Client.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), clusterSettle)
	defer cancel()
	if err := c.Client.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
		return n.Ping(ctx).Err()
	}); err != nil {
		t.Fatalf("redistest: cluster: ping masters: %v", err)
	}
	return c
}

// start launches the nodes, each on a free client port and a free cluster
// bus port.
func (c *Cluster) start(bin string) error {
	c.Addrs, c.nodes = nil, nil
	for i := range clusterNodes {
		port, err := freePort()
		if err != nil {
			return err
		}
		bus, err := freePort()
		if err != nil {
			return err
		}
		dir := filepath.Join(c.dir, strconv.Itoa(port)+"-"+randHex())
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("redistest: %w", err)
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--cluster-enabled", "yes", "--cluster-port", strconv.Itoa(bus),
			"--cluster-config-file", filepath.Join(dir, "nodes.conf"), "--cluster-node-timeout", "5000",
			"--save", "", "--appendonly", "no", "--dir", dir, "--logfile", filepath.Join(dir, "redis.log"))
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start redis-server %d: %w", i, err)
		}
		c.nodes = append(c.nodes, cmd)
		c.Addrs = append(c.Addrs, addr)
	}
	for _, addr := range c.Addrs {
		if !waitPing(addr, 5*time.Second) {
			return fmt.Errorf("redis-server %s did not start (see %s)", addr, c.dir)
		}
	}
	return nil
}

// create assigns the slots (redis-cli --cluster create) and waits until
// every node reports cluster_state:ok.
func (c *Cluster) create(cli string) error {
	ctx, cancel := context.WithTimeout(context.Background(), clusterCreate)
	defer cancel()
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("redis-cli --cluster create: %w\n%s", err, out)
	}
	ctx, cancel = context.WithTimeout(context.Background(), clusterSettle)
	defer cancel()
	deadline, _ := ctx.Deadline()
	for _, addr := range c.Addrs {
		n := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
		ok := false
		for !ok && time.Now().Before(deadline) {
			info, err := n.ClusterInfo(ctx).Result()
			if ok = err == nil && strings.Contains(info, "cluster_state:ok"); !ok {
				time.Sleep(50 * time.Millisecond)
			}
		}
		_ = n.Close()
		if !ok {
			return fmt.Errorf("node %s: no cluster_state:ok within %s", addr, clusterSettle)
		}
	}
	return nil
}

// Stop kills the nodes.
func (c *Cluster) Stop() {
	for _, cmd := range c.nodes {
		if cmd.Process != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}
	c.nodes = nil
}

// Keys lists the keys of every master matching pattern (SCAN on each).
func (c *Cluster) Keys(ctx context.Context, pattern string) ([]string, error) {
	var mu sync.Mutex
	var out []string
	err := c.Client.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
		keys, err := n.Keys(ctx, pattern).Result()
		mu.Lock()
		out = append(out, keys...)
		mu.Unlock()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("keys %s: %w", pattern, err)
	}
	return out, nil
}
