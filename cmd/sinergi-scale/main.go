// Command sinergi-scale is the scale test of a multi-replica deployment: it
// starts a 3-node Redis Cluster, three bot replicas in webhook mode behind
// nginx, and the fake Telegram Bot API (Telegram's flood limits enforced)
// posting webhooks to nginx; it drives thousands of users through
// registration for a workshop with fewer seats than users and one broadcast
// to the registrants, restarts one Redis node and SIGKILLs one replica in the
// middle, and checks: zero lost registrations, zero overbooking, zero
// duplicate or missing broadcast deliveries, zero flood violations.
//
//	go build -o /tmp/sinergi ./cmd/sinergi
//	go run ./cmd/sinergi-scale -bin /tmp/sinergi
//
// or simply scripts/scale, which installs redis-server and nginx when
// missing and builds the bot. Everything listens on 127.0.0.1 (ports -port
// to -port+33); every wait is bounded; every process is stopped on exit,
// also after Ctrl-C or a failure. Exit status: 0 all checks passed, 1 a
// check failed, 2 bad flags, 3 the harness could not run the test.
// See docs/scale.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type options struct {
	bin           string
	users         int
	capacity      int
	late          float64
	fresh         float64
	conc          int
	lateConc      int
	port          int
	stepTimeout   time.Duration
	timeout       time.Duration
	settle        time.Duration
	redisAt       float64
	redisVictim   string
	redisDown     time.Duration
	killAt        float64
	killReplica   int
	restartKilled bool
	restartAfter  time.Duration
	faults        bool
	keep          bool
	verbose       bool
	botEnv        multiFlag
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "", "path of a built sinergi binary (go build -o /tmp/sinergi ./cmd/sinergi)")
	flag.IntVar(&o.users, "users", 1500, "simulated users")
	flag.IntVar(&o.capacity, "capacity", 900, "seats of the workshop (fewer than the users: the rest wait)")
	flag.Float64Var(&o.late, "late", 0.2, "share of users who register during the broadcast (after the seats are gone)")
	flag.Float64Var(&o.fresh, "new", 0.1, "share of first-time users, who answer the profile questions and the consent before registering")
	flag.IntVar(&o.conc, "concurrency", 100, "users in the middle of registering at one time")
	flag.IntVar(&o.lateConc, "late-concurrency", 10, "users registering at one time during the broadcast (replies go before broadcast copies)")
	flag.IntVar(&o.port, "port", 17300, "first port: fake Bot API; +1..+3 Redis; +10 nginx; +21..+23 webhooks; +31..+33 health")
	flag.DurationVar(&o.stepTimeout, "step-timeout", 2*time.Minute, "longest wait for the bot's next message to one user")
	flag.DurationVar(&o.timeout, "timeout", 20*time.Minute, "give up the whole run after")
	flag.DurationVar(&o.settle, "settle-timeout", 3*time.Minute, "longest wait for the system to go quiet after each phase")
	flag.Float64Var(&o.redisAt, "redis-at", 0.4, "restart a Redis node when this share of the first wave is done")
	flag.StringVar(&o.redisVictim, "redis-victim", "workshop", "which Redis master to restart: workshop (holds the workshop's slot) or budget (holds the shared send budget, {tb})")
	flag.DurationVar(&o.redisDown, "redis-down", 2*time.Second, "how long the Redis node stays down")
	flag.Float64Var(&o.killAt, "kill-at", 0.3, "SIGKILL a replica when this share of the broadcast has been sent")
	flag.IntVar(&o.killReplica, "kill", 2, "which replica (1-3) to SIGKILL")
	flag.BoolVar(&o.restartKilled, "restart-killed", true, "start the killed replica again")
	flag.DurationVar(&o.restartAfter, "restart-after", 5*time.Second, "how long the killed replica stays down")
	flag.BoolVar(&o.faults, "faults", true, "inject the faults (false: a clean baseline run)")
	flag.BoolVar(&o.keep, "keep", false, "keep the temp dir (logs, Redis data, nginx config)")
	flag.BoolVar(&o.verbose, "v", false, "more progress output")
	flag.Var(&o.botEnv, "bot-env", "extra KEY=VALUE for the replicas (repeatable)")
	flag.Parse()
	if err := o.check(); err != nil {
		fmt.Fprintln(os.Stderr, "sinergi-scale:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	ok, err := run(ctx, o)
	switch {
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		fmt.Fprintf(os.Stderr, "sinergi-scale: gave up after -timeout %v: %v\n", o.timeout, err)
		os.Exit(3)
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(os.Stderr, "sinergi-scale: interrupted; every process stopped")
		os.Exit(3)
	case err != nil:
		fmt.Fprintln(os.Stderr, "sinergi-scale:", err)
		os.Exit(3)
	case !ok:
		os.Exit(1)
	}
}

func (o *options) check() error {
	switch {
	case o.bin == "":
		return errors.New("give -bin <path of a built sinergi binary> (or run scripts/scale)")
	case o.users < 10:
		return errors.New("-users must be at least 10")
	case o.capacity < 1:
		return errors.New("-capacity must be at least 1")
	case o.late < 0 || o.late > 0.9 || o.fresh < 0 || o.fresh > 1:
		return errors.New("-late must be in [0, 0.9] and -new in [0, 1]")
	case o.users-lateCount(o) < o.capacity:
		return fmt.Errorf("the first wave (%d users) must fill the %d seats, so that everyone registering during the broadcast waits: lower -capacity or -late", o.users-lateCount(o), o.capacity)
	case o.conc < 1 || o.lateConc < 1:
		return errors.New("-concurrency and -late-concurrency must be at least 1")
	case o.killReplica < 1 || o.killReplica > 3:
		return errors.New("-kill must be 1, 2 or 3")
	case o.redisVictim != "workshop" && o.redisVictim != "budget":
		return errors.New("-redis-victim must be workshop or budget")
	case o.port < 1024 || o.port > 65535-10033:
		return errors.New("-port must leave room for the Redis cluster bus (+10000)")
	}
	if _, err := os.Stat(o.bin); err != nil {
		return fmt.Errorf("-bin: %w", err)
	}
	for _, b := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(b); err != nil {
			return fmt.Errorf("%s not found (apt-get install redis-server, or run scripts/scale)", b)
		}
	}
	for _, kv := range o.botEnv {
		if !strings.Contains(kv, "=") {
			return fmt.Errorf("-bot-env %q is not KEY=VALUE", kv)
		}
	}
	return nil
}

func lateCount(o *options) int { return int(float64(o.users)*o.late + 0.5) }

// logf prints a progress line with the time since start.
type clock struct{ t0 time.Time }

func (c clock) since() string { return fmt.Sprintf("+%6.1fs", time.Since(c.t0).Seconds()) }

func (c clock) logf(format string, a ...any) {
	fmt.Printf("%s  %s\n", c.since(), fmt.Sprintf(format, a...))
}
