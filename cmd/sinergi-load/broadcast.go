package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
	"sinergi/store"
)

// loadAdmin is the admin of the broadcast scenario.
const loadAdmin = 42

// runBroadcast: o.users members, one broadcast to all of them, the fake API
// enforcing Telegram's limits (30/s overall, 1/s per chat) unless -rate 0.
// Reports the delivery rate, flood violations, duplicates and the bot's
// memory over the run.
func runBroadcast(ctx context.Context, o options) error {
	if o.plain {
		return fmt.Errorf("scenario broadcast needs Sinergi, not -plain")
	}
	fake, err := telegramtest.NewServer("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer fake.Close()
	lo, hi, err := parseLatency(o.latency)
	if err != nil {
		return err
	}
	fake.SetLatencyRange("copyMessage", lo, hi)
	limited := o.rate != "0"
	if limited {
		fake.SetLimits(telegramtest.Limits{Global: o.ceiling, PerChat: time.Second, Burst: 3, RetryAfter: 1})
	}
	opts, err := redis.ParseURL(o.redisURL)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	prefix := fmt.Sprintf("load:%d:", time.Now().UnixNano())
	st := store.New(rdb, store.Options{Prefix: prefix})
	defer st.Close()
	defer cleanRedis(o.redisURL, prefix)
	now := time.Now()
	seeding := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for w := range 32 {
		wg.Go(func() {
			for i := w; i < o.users; i += 32 {
				id := int64(100_000 + i)
				if err := st.SaveUser(ctx, &flows.User{ID: id, Lang: []string{"id", "en"}[i%2], FirstName: "M", Consent: flows.ConsentVersion, Created: now, Seen: now}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	fmt.Printf("seeded:     %d members in %.1fs\n", o.users, time.Since(seeding).Seconds())
	admin := telegramtest.User{ID: loadAdmin, FirstName: "Sekretariat", LanguageCode: "id"}
	fake.SendText(admin, "Kabar forum: rapat kerja nasional 2 Desember") // becomes message 1 of the admin's chat

	httpAddr, err := freeAddr()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, o.bin)
	cmd.Env = append(os.Environ(),
		"TELEGRAM_BOT_TOKEN="+telegramtest.Token, "TELEGRAM_API_URL="+fake.URL(),
		"REDIS_URL="+o.redisURL, "SINERGI_REDIS_PREFIX="+prefix, "SINERGI_RATE_LIMIT="+o.rate,
		"SINERGI_ADMINS="+strconv.Itoa(loadAdmin), "SINERGI_HTTP_ADDR="+httpAddr)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if o.verbose {
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start bot: %w", err)
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	if _, err := fake.WaitBotMessages(admin.ID, 1, 30*time.Second); err != nil { // the bot answered the admin's message
		return fmt.Errorf("bot not ready: %w", err)
	}
	rssStart, _ := procMem(cmd.Process.Pid)
	late0 := metric(httpAddr, "sinergi_send_slots_late_total")
	bc := &flows.Broadcast{ID: flows.NewCode(), By: loadAdmin, FromChat: loadAdmin, MessageID: 1, Segment: "all", Created: time.Now(), StartAt: time.Now()}
	if err := st.CreateBroadcast(ctx, bc); err != nil {
		return err
	}
	// The bot's RSS from /proc/<pid>/status (VmRSS), sampled every 200 ms:
	// before the broadcast, its lowest and highest once a tenth was sent,
	// the highest over the whole run, and at the end.
	var rssMin, rssMax, rssPeak, rssEnd float64
	cpu0, rcpu0, own0 := procCPU(cmd.Process.Pid), redisCPU(o.redisURL), selfCPU()
	load0 := loadAvg()
	start := time.Now()
	next := 0.0
	for {
		_, state, err := st.GetBroadcast(ctx, bc.ID)
		if err != nil {
			return err
		}
		rss, _ := procMem(cmd.Process.Pid)
		rssPeak, rssEnd = max(rssPeak, rss), rss
		if state.Sent > o.users/10 { // memory after warm-up
			if rssMin == 0 || rss < rssMin {
				rssMin = rss
			}
			rssMax = max(rssMax, rss)
		}
		if done := float64(state.Sent) / float64(o.users); done >= next {
			fmt.Printf("  %5.1fs  sent %6d  rss %.1f MiB\n", time.Since(start).Seconds(), state.Sent, rss)
			next += 0.1
		}
		if state.Status == flows.BcDone {
			break
		}
		if time.Since(start) > o.timeout {
			return fmt.Errorf("broadcast not done after %v: %+v", o.timeout, state)
		}
		time.Sleep(200 * time.Millisecond)
	}
	cpu, rcpu, own := procCPU(cmd.Process.Pid)-cpu0, redisCPU(o.redisURL)-rcpu0, selfCPU()-own0
	elapsed := time.Since(start)
	var first, last time.Time
	per := map[string]int{}
	for _, c := range fake.CallsOf("copyMessage") {
		if c.ErrorCode != 0 || c.Params["chat_id"] == strconv.Itoa(loadAdmin) {
			continue
		}
		per[c.Params["chat_id"]]++
		if first.IsZero() || c.At.Before(first) {
			first = c.At
		}
		if c.At.After(last) {
			last = c.At
		}
	}
	dups := 0
	for _, n := range per {
		if n > 1 {
			dups++
		}
	}
	_, state, _ := st.GetBroadcast(ctx, bc.ID)
	stats := fake.Stats()
	sec := last.Sub(first).Seconds()
	fmt.Printf("broadcast:  %d members, rate limit %s/s (fake limits %v, %d/s overall), copies answered after %v–%v\n", o.users, o.rate, limited, o.ceiling, lo, hi)
	fmt.Printf("delivered:  %d of %d in %.1fs = %.1f messages/s", state.Sent, state.Total, sec, float64(len(per)-1)/sec)
	if r, err := strconv.ParseFloat(o.rate, 64); err == nil && r > 0 {
		fmt.Printf(" (%.1f%% of %v/s)", 100*float64(len(per)-1)/sec/r, r)
	}
	fmt.Printf("\nproblems:   %d flood violations, %d sent into a retry_after, %d duplicates, %d failed, %d uncertain\n",
		stats.LimitViolations, stats.SentIntoRetryAfter, dups, state.Failed, state.Uncertain)
	_, hwm := procMem(cmd.Process.Pid)
	fmt.Printf("late slots: %.0f given up (the send would have left more than 20 ms after its slot)\n", metric(httpAddr, "sinergi_send_slots_late_total")-late0)
	fmt.Printf("cpu:        over %.1fs: bot %.1fs, fake API and this tool %.1fs, redis-server %.1fs (of %.1fs the machine's %d cores had); load average %s before, %s after\n",
		elapsed.Seconds(), cpu.Seconds(), own.Seconds(), rcpu.Seconds(), elapsed.Seconds()*float64(runtime.NumCPU()), runtime.NumCPU(), load0, loadAvg())
	fmt.Printf("bot memory: rss %.1f MiB before, %.1f–%.1f MiB once a tenth was sent, peak %.1f MiB (VmHWM %.1f), %.1f MiB at the end\n",
		rssStart, rssMin, rssMax, rssPeak, hwm, rssEnd)
	return nil
}

// freeAddr is a local address with a port nobody listens on now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// metric reads one unlabelled counter or gauge from the bot's /metrics (0
// when it cannot).
func metric(addr, name string) float64 {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f
		}
	}
	return 0
}

// selfCPU is the user+system CPU time this process (the fake API and the
// driver) has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAvg is the machine's load average over 1, 5 and 15 minutes.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// parseLatency reads -latency: one duration, or two joined by "-".
func parseLatency(s string) (lo, hi time.Duration, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = time.ParseDuration(a); err != nil {
		return 0, 0, fmt.Errorf("-latency %q: %w", s, err)
	}
	hi = lo
	if isRange {
		if hi, err = time.ParseDuration(b); err != nil {
			return 0, 0, fmt.Errorf("-latency %q: %w", s, err)
		}
	}
	if lo < 0 || hi < lo {
		return 0, 0, fmt.Errorf("-latency %q: want 0 ≤ lowest ≤ highest", s)
	}
	return lo, hi, nil
}
