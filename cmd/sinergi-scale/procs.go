package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// proc is a child process with its output in a log file.
type proc struct {
	name string
	log  string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, valid after done
}

// procs is every child process ever started, for the cleanup.
type procs struct {
	mu  sync.Mutex
	all []*proc
}

// start runs bin with args and env (nil: this process's environment), its
// stdout and stderr appended to logPath. The child is killed if this process
// dies (Pdeathsig) and has its own process group, so a terminal's Ctrl-C
// reaches only the harness, which then stops everything in order.
func (ps *procs) start(name, logPath, bin string, args, env []string) (*proc, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	ps.mu.Lock()
	ps.all = append(ps.all, p)
	ps.mu.Unlock()
	return p, nil
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends sig and waits up to grace for the exit, then kills. It returns
// true when the process ended on sig alone.
func (p *proc) stop(sig syscall.Signal, grace time.Duration) bool {
	if p.exited() {
		return true
	}
	_ = p.cmd.Process.Signal(sig)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.done:
		return true
	case <-t.C:
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
	}
	return false
}

// stopAll stops every process still running: SIGTERM, then SIGKILL after
// grace, all at once.
func (ps *procs) stopAll(grace time.Duration) {
	ps.mu.Lock()
	all := append([]*proc(nil), ps.all...)
	ps.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range all {
		wg.Add(1)
		go func() { defer wg.Done(); p.stop(syscall.SIGTERM, grace) }()
	}
	wg.Wait()
}

// waitFor polls cond every 100 ms until it holds, ctx ends or timeout
// passes; the error names what was awaited and the last failure.
func waitFor(ctx context.Context, what string, timeout time.Duration, cond func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not within %v: %w", what, timeout, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// portFree checks that nothing listens on addr yet.
func portFree(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s is taken (choose another -port): %w", addr, err)
	}
	return ln.Close()
}

// ---- Redis Cluster ----

// redisNode is one redis-server of the cluster.
type redisNode struct {
	port int
	dir  string
	conf string
	p    *proc
}

func (n *redisNode) addr() string { return "127.0.0.1:" + strconv.Itoa(n.port) }

// redisConf is one node's configuration. AOF with appendfsync always: a
// write Redis acknowledged is on disk before the bot sees the answer, so a
// node restart (even a kill -9) loses nothing the bot relied on, and any
// loss the harness measures is the bot's doing, not the test bed's. At the
// write rate of a bot held to 28 messages/s the fsync cost is negligible;
// production (compose.yaml) uses everysec.
func redisConf(n *redisNode) string {
	return strings.Join([]string{
		"bind 127.0.0.1",
		"port " + strconv.Itoa(n.port),
		"dir " + n.dir,
		"daemonize no",
		"cluster-enabled yes",
		"cluster-config-file nodes.conf",
		"cluster-node-timeout 2000",
		"cluster-require-full-coverage no",
		"appendonly yes",
		"appendfsync always",
		"save \"\"",
		"maxmemory-policy noeviction",
		"",
	}, "\n")
}

func (n *redisNode) start(ps *procs) error {
	p, err := ps.start(fmt.Sprintf("redis-%d", n.port), filepath.Join(n.dir, "redis.log"), "redis-server", []string{n.conf}, os.Environ())
	if err != nil {
		return err
	}
	n.p = p
	return nil
}

// ping answers when the node takes commands.
func (n *redisNode) client() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: n.addr(), DialTimeout: time.Second, ReadTimeout: 2 * time.Second, MaxRetries: -1})
}

// clusterOK checks CLUSTER INFO of one node says cluster_state:ok.
func (n *redisNode) clusterOK(ctx context.Context) error {
	c := n.client()
	defer c.Close()
	info, err := c.ClusterInfo(ctx).Result()
	if err != nil {
		return err
	}
	if !strings.Contains(info, "cluster_state:ok") {
		return errors.New("cluster_state is not ok on " + n.addr())
	}
	return nil
}

// startCluster starts the nodes and joins them into a cluster of three
// masters.
func startCluster(ctx context.Context, ps *procs, root string, ports []int) ([]*redisNode, error) {
	var nodes []*redisNode
	for _, port := range ports {
		n := &redisNode{port: port, dir: filepath.Join(root, "redis-"+strconv.Itoa(port))}
		if err := os.MkdirAll(n.dir, 0o755); err != nil {
			return nil, err
		}
		n.conf = filepath.Join(n.dir, "redis.conf")
		if err := os.WriteFile(n.conf, []byte(redisConf(n)), 0o644); err != nil {
			return nil, err
		}
		if err := n.start(ps); err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	for _, n := range nodes {
		err := waitFor(ctx, "redis-server on "+n.addr(), 15*time.Second, func() error {
			if n.p.exited() {
				return fmt.Errorf("exited (%v), see %s", n.p.err, n.p.log)
			}
			c := n.client()
			defer c.Close()
			return c.Ping(ctx).Err()
		})
		if err != nil {
			return nil, err
		}
	}
	args := []string{"--cluster", "create"}
	for _, n := range nodes {
		args = append(args, n.addr())
	}
	args = append(args, "--cluster-yes")
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(cctx, "redis-cli", args...).CombinedOutput()
	_ = os.WriteFile(filepath.Join(root, "cluster-create.log"), out, 0o644)
	if err != nil {
		return nil, fmt.Errorf("redis-cli --cluster create: %w\n%s", err, out)
	}
	for _, n := range nodes {
		if err := waitFor(ctx, "cluster_state:ok", 30*time.Second, func() error { return n.clusterOK(ctx) }); err != nil {
			return nil, err
		}
	}
	return nodes, nil
}

// restart stops the node with SIGTERM (a clean shutdown), keeps it down for
// down, and starts it again with the same configuration and data directory.
// It returns when the cluster is ok again.
func (n *redisNode) restart(ctx context.Context, ps *procs, down time.Duration) error {
	if !n.p.stop(syscall.SIGTERM, 15*time.Second) {
		return fmt.Errorf("redis %s did not stop on SIGTERM within 15s (killed)", n.addr())
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(down):
	}
	if err := n.start(ps); err != nil {
		return err
	}
	return waitFor(ctx, "cluster_state:ok after the restart of "+n.addr(), 60*time.Second, func() error {
		if n.p.exited() {
			return fmt.Errorf("exited (%v), see %s", n.p.err, n.p.log)
		}
		return n.clusterOK(ctx)
	})
}

// ---- bot replicas ----

// replica is one sinergi process in webhook mode.
type replica struct {
	n           int
	webhookAddr string
	httpAddr    string
	log         string
	env         []string
	p           *proc
	starts      int
}

func (r *replica) start(ps *procs, bin string) error {
	r.starts++
	p, err := ps.start(fmt.Sprintf("sinergi-%d", r.n), r.log, bin, nil, r.env)
	if err != nil {
		return err
	}
	r.p = p
	return nil
}

// healthy: GET /healthz answers 200 (the bot is up and reaches Redis).
func (r *replica) healthy(ctx context.Context) error {
	if r.p.exited() {
		return fmt.Errorf("sinergi-%d exited (%v), see %s", r.n, r.p.err, r.log)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+r.httpAddr+"/healthz", nil)
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz: %s", resp.Status)
	}
	return nil
}

// metric sums the samples of a Prometheus counter on /metrics (-1 when the
// replica does not answer).
func (r *replica) metric(name string, match string) float64 {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + r.httpAddr + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b := make([]byte, 0, 64<<10)
	buf := make([]byte, 32<<10)
	for len(b) < 8<<20 {
		n, err := resp.Body.Read(buf)
		b = append(b, buf[:n]...)
		if err != nil {
			break
		}
	}
	var sum float64
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, name) || (len(line) > len(name) && line[len(name)] != '{' && line[len(name)] != ' ') {
			continue
		}
		if match != "" && !strings.Contains(line, match) {
			continue
		}
		f := strings.Fields(line)
		v, _ := strconv.ParseFloat(f[len(f)-1], 64)
		sum += v
	}
	return sum
}

// ---- nginx ----

// nginxConf is the load balancer: the three replicas' webhook listeners as
// one upstream. A webhook POST that fails to connect, times out or gets 502
// or 503 is passed to the next replica — also when it is not idempotent
// (non_idempotent): a Telegram update carries its update_id, and the bot is
// expected to handle a redelivered one exactly once.
func nginxConf(dir string, listen string, upstreams []string) string {
	var b strings.Builder
	if os.Geteuid() == 0 {
		// Workers of a root master run as nobody, who cannot enter the
		// harness's private temp dir; this nginx serves only 127.0.0.1.
		b.WriteString("user root;\n")
	}
	fmt.Fprintf(&b, `worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 1024; }
http {
    log_format scale '$msec|$status|$upstream_status|$upstream_addr|$request_time';
    access_log %[1]s/access.log scale;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    client_max_body_size 2m;
    upstream sinergi {
`, dir)
	for _, u := range upstreams {
		fmt.Fprintf(&b, "        server %s max_fails=1 fail_timeout=3s;\n", u)
	}
	fmt.Fprintf(&b, `        keepalive 32;
    }
    server {
        listen %s;
        location / {
            proxy_pass http://sinergi;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_connect_timeout 1s;
            proxy_send_timeout 10s;
            # Longer than the fake Bot API's own 30 s: a slow replica is not
            # raced by a second one; Telegram (the fake) gives up first.
            proxy_read_timeout 35s;
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 3;
            proxy_next_upstream_timeout 10s;
        }
    }
}
`, listen)
	return b.String()
}

func startNginx(ctx context.Context, ps *procs, root, listen string, upstreams []string) (*proc, string, error) {
	dir := filepath.Join(root, "nginx")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", err
	}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxConf(dir, listen, upstreams)), 0o644); err != nil {
		return nil, "", err
	}
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/nginx"); serr != nil {
			return nil, "", errors.New("nginx not found (apt-get install nginx-light)")
		}
		bin = "/usr/sbin/nginx"
	}
	p, err := ps.start("nginx", filepath.Join(dir, "nginx.out"), bin,
		[]string{"-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", conf, "-g", "daemon off;"}, os.Environ())
	if err != nil {
		return nil, "", err
	}
	err = waitFor(ctx, "nginx on "+listen, 15*time.Second, func() error {
		if p.exited() {
			out, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			return fmt.Errorf("nginx exited (%v): %s", p.err, out)
		}
		c, err := net.DialTimeout("tcp", listen, time.Second)
		if err != nil {
			return err
		}
		return c.Close()
	})
	return p, dir, err
}

// nginxStats reads the access log: requests, how many were passed to
// another replica after a failure, and the final statuses.
type nginxStats struct {
	requests, retried int
	status            map[string]int
}

func readNginxStats(dir string) nginxStats {
	st := nginxStats{status: map[string]int{}}
	b, err := os.ReadFile(filepath.Join(dir, "access.log"))
	if err != nil {
		return st
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, "|")
		if len(f) < 5 {
			continue
		}
		st.requests++
		st.status[f[1]]++
		if strings.Contains(f[3], ",") { // "a:1, b:2": passed on after a failure
			st.retried++
		}
	}
	return st
}
