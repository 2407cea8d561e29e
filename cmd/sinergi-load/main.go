// Command sinergi-load drives a bot through the fake Telegram Bot API and
// reports throughput, latency and the bot process's memory.
//
//	go build -o /tmp/sinergi ./cmd/sinergi
//	go run ./cmd/sinergi-load -bot /tmp/sinergi -users 2000 -updates 30000
//	go run ./cmd/sinergi-load -plain -users 2000 -updates 30000   # baseline: a plain go-telegram/bot bot
//	go run ./cmd/sinergi-load -bot /tmp/sinergi -scenario flow -users 10000  # 10,000 chats mid-flow
//	go run ./cmd/sinergi-load -bot /tmp/sinergi -scenario broadcast -users 3000 -rate 28  # Telegram's limits enforced by the fake
//	go run ./cmd/sinergi-load -bot /tmp/sinergi -scenario broadcast -users 100000 -rate 1000 -ceiling 1100  # a raised ceiling
//
// The bot runs as a separate process (so its memory is its own) against a
// fake Bot API served by this process and the Redis at -redis-url, with the
// send limits off unless -rate is given. Scenario "start": users send /start,
// at most -inflight unanswered at a time; latency is from injecting an update
// to the bot's reply reaching the fake API. Scenario "flow": every user opens
// /profile, leaving one conversation in flight per chat.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/redis/go-redis/v9"

	"sinergi/bot/telegramtest"
)

type options struct {
	bin      string
	plain    bool
	scenario string
	users    int
	updates  int
	inflight int
	redisURL string
	rate     string
	ceiling  int
	latency  string
	verbose  bool
	timeout  time.Duration
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "plainbot" {
		os.Exit(plainBot())
	}
	var o options
	flag.StringVar(&o.bin, "bot", "", "path of the sinergi binary to drive")
	flag.BoolVar(&o.plain, "plain", false, "drive a plain go-telegram/bot bot instead (baseline)")
	flag.StringVar(&o.scenario, "scenario", "start", "start: /start round trips; flow: every user enters /profile; broadcast: one broadcast to every user")
	flag.IntVar(&o.users, "users", 2000, "distinct users (chats); scenario broadcast: its recipients")
	flag.IntVar(&o.updates, "updates", 30000, "updates to send (scenario start)")
	flag.IntVar(&o.inflight, "inflight", 256, "unanswered updates allowed at a time")
	flag.StringVar(&o.redisURL, "redis-url", envOr("REDIS_URL", "redis://127.0.0.1:6379/0"), "Redis for the bot")
	flag.StringVar(&o.rate, "rate", "0", "the bot's SINERGI_RATE_LIMIT (0 = limits off)")
	flag.IntVar(&o.ceiling, "ceiling", 30, "scenario broadcast: the fake API's overall limit, messages per second (Telegram's is 30)")
	flag.StringVar(&o.latency, "latency", "0", "scenario broadcast: how long the fake API takes to answer each copy, as a duration (100ms) or a range drawn anew for each (50ms-100ms)")
	flag.BoolVar(&o.verbose, "v", false, "show the bot's log")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up after")
	flag.Parse()
	if o.bin == "" && !o.plain {
		fmt.Fprintln(os.Stderr, "sinergi-load: give -bot <path of a built sinergi binary> or -plain")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "sinergi-load:", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, o options) error {
	if o.scenario == "broadcast" {
		return runBroadcast(ctx, o)
	}
	fake, err := telegramtest.NewServer("127.0.0.1:0", telegramtest.WithoutRecording())
	if err != nil {
		return err
	}
	defer fake.Close()
	events, cancelEvents := fake.Subscribe()
	defer cancelEvents()

	prefix := fmt.Sprintf("load:%d:", time.Now().UnixNano())
	name, args := o.bin, []string{}
	if o.plain {
		name, args = os.Args[0], []string{"plainbot"}
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(),
		"TELEGRAM_BOT_TOKEN="+telegramtest.Token, "TELEGRAM_API_URL="+fake.URL(),
		"REDIS_URL="+o.redisURL, "SINERGI_REDIS_PREFIX="+prefix, "SINERGI_RATE_LIMIT="+o.rate,
		"SINERGI_HTTP_ADDR=127.0.0.1:0", "SINERGI_LOG_FORMAT=text", "SINERGI_FLOOD=0")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if o.verbose {
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start bot: %w", err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if !o.plain {
			cleanRedis(o.redisURL, prefix)
		}
	}()

	// Match every bot message to the oldest unanswered update of its chat.
	var (
		mu      sync.Mutex
		pending = map[int64][]time.Time{}
		lat     = make([]time.Duration, 0, o.updates)
		last    time.Time
		slots   = make(chan struct{}, o.inflight)
		got     = make(chan struct{}, 1<<16)
	)
	go func() {
		for ev := range events {
			if ev.Kind != telegramtest.EventMessage || !ev.Message.FromBot {
				continue
			}
			now := time.Now()
			mu.Lock()
			q := pending[ev.Message.ChatID]
			if len(q) > 0 {
				lat = append(lat, now.Sub(q[0]))
				pending[ev.Message.ChatID] = q[1:]
				last = now
				select {
				case <-slots:
				default:
				}
			}
			mu.Unlock()
			got <- struct{}{}
		}
	}()
	send := func(u telegramtest.User, text string, replies int) {
		mu.Lock()
		for range replies {
			pending[u.ID] = append(pending[u.ID], time.Now())
		}
		mu.Unlock()
		fake.SendText(u, text)
	}
	waitReplies := func(n int, d time.Duration) error {
		timer := time.NewTimer(d)
		defer timer.Stop()
		for range n {
			select {
			case <-got:
			case <-timer.C:
				return fmt.Errorf("only part of %d replies arrived within %v", n, d)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}

	// Warm up: the bot is ready when it answers.
	warm := telegramtest.User{ID: 1, FirstName: "Warmup", LanguageCode: "en"}
	send(warm, "/start", 1)
	if err := waitReplies(1, 30*time.Second); err != nil {
		return fmt.Errorf("bot did not answer the warm-up /start: %w", err)
	}
	mu.Lock()
	lat = lat[:0]
	mu.Unlock()

	users := make([]telegramtest.User, o.users)
	for i := range users {
		users[i] = telegramtest.User{ID: int64(100_000 + i), FirstName: "User" + strconv.Itoa(i), LanguageCode: []string{"id", "en"}[i%2]}
	}
	var total, perUpdate int
	text := "/start"
	switch o.scenario {
	case "start":
		total, perUpdate = o.updates, 1
	case "flow":
		if o.plain {
			return errors.New("scenario flow needs Sinergi, not -plain")
		}
		total, perUpdate, text = o.users, 2, "/profile" // intro + first question
	default:
		return fmt.Errorf("unknown scenario %q", o.scenario)
	}
	cpu0, rcpu0 := procCPU(cmd.Process.Pid), redisCPU(o.redisURL)
	start := time.Now()
	go func() {
		for i := range total {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			for range perUpdate - 1 {
				slots <- struct{}{}
			}
			send(users[i%len(users)], text, perUpdate)
		}
	}()
	if err := waitReplies(total*perUpdate, o.timeout); err != nil {
		return err
	}
	cpu, rcpu := procCPU(cmd.Process.Pid)-cpu0, redisCPU(o.redisURL)-rcpu0
	mu.Lock()
	elapsed := last.Sub(start)
	ls := slices.Clone(lat)
	mu.Unlock()
	slices.Sort(ls)
	pct := func(p float64) time.Duration { return ls[min(len(ls)-1, int(float64(len(ls))*p))] }
	rss, hwm := procMem(cmd.Process.Pid)
	who := "sinergi"
	if o.plain {
		who = "plain go-telegram/bot"
	}
	st := fake.Stats()
	fmt.Printf("bot:        %s (scenario %s, %d users, inflight %d, rate limit %s)\n", who, o.scenario, o.users, o.inflight, o.rate)
	fmt.Printf("updates:    %d in %.2fs = %.0f updates/s (%d bot messages)\n", total, elapsed.Seconds(), float64(total)/elapsed.Seconds(), len(ls))
	fmt.Printf("latency:    p50 %v  p90 %v  p99 %v  max %v\n", pct(.50).Round(10*time.Microsecond), pct(.90).Round(10*time.Microsecond), pct(.99).Round(10*time.Microsecond), ls[len(ls)-1].Round(time.Millisecond))
	fmt.Printf("bot memory: rss %.1f MB, peak %.1f MB\n", rss, hwm)
	fmt.Printf("cpu:        bot %.0f µs/update, redis-server %.0f µs/update\n", cpu.Seconds()*1e6/float64(total), rcpu.Seconds()*1e6/float64(total))
	fmt.Printf("fake api:   %d calls, %d errors\n", st.Calls, sum(st.Errors))
	return nil
}

func sum(m map[int]int) (n int) {
	for _, v := range m {
		n += v
	}
	return n
}

// procMem reads VmRSS and VmHWM (peak) of a process in MB.
func procMem(pid int) (rss, hwm float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			hwm = kb / 1024
		}
	}
	return rss, hwm
}

// procCPU is the user+system CPU time a process has used.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) in parentheses.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// redisCPU is the CPU time the Redis server has used (INFO cpu).
func redisCPU(url string) time.Duration {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return 0
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	info, err := rdb.Info(context.Background(), "cpu").Result()
	if err != nil {
		return 0
	}
	var total float64
	for _, line := range strings.Split(info, "\r\n") {
		k, v, _ := strings.Cut(line, ":")
		if k == "used_cpu_sys" || k == "used_cpu_user" {
			f, _ := strconv.ParseFloat(v, 64)
			total += f
		}
	}
	return time.Duration(total * float64(time.Second))
}

func cleanRedis(url, prefix string) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		if keys = append(keys, iter.Val()); len(keys) == 1000 {
			rdb.Unlink(ctx, keys...)
			keys = keys[:0]
		}
	}
	if len(keys) > 0 {
		rdb.Unlink(ctx, keys...)
	}
}

// plainBot is the baseline: go-telegram/bot as its README shows it, answering
// /start with one message, no state, no ordering, no dedupe.
func plainBot() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b, err := tg.New(os.Getenv("TELEGRAM_BOT_TOKEN"), tg.WithServerURL(os.Getenv("TELEGRAM_API_URL")),
		tg.WithDefaultHandler(func(ctx context.Context, b *tg.Bot, upd *models.Update) {
			if upd.Message == nil {
				return
			}
			_, _ = b.SendMessage(ctx, &tg.SendMessageParams{ChatID: upd.Message.Chat.ID, Text: "Hello " + upd.Message.From.FirstName + "!"})
		}))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	b.Start(ctx)
	return 0
}
