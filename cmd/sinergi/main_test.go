package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/store/redistest"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// The binary's main path: it answers, serves /healthz and /metrics, and on
// SIGTERM (context cancelled) finishes and exits 0 within 10 s.
func TestRunServesAndStops(t *testing.T) {
	fake := telegramtest.New()
	defer fake.Close()
	r := redistest.New(t)
	addr := freeAddr(t)
	vars := map[string]string{
		"TELEGRAM_BOT_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": fake.URL(), "REDIS_URL": r.URL,
		"SINERGI_REDIS_PREFIX": r.Prefix, "SINERGI_HTTP_ADDR": addr, "SINERGI_ADMINS": "42",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	exit := make(chan int, 1)
	go func() { exit <- run(ctx, nil, env(vars), &logs) }()

	u := telegramtest.User{ID: 5, FirstName: "Rina", LanguageCode: "id"}
	fake.SendText(u, "/start")
	if _, err := fake.WaitBotMessages(u.ID, 1, 10*time.Second); err != nil {
		t.Fatalf("%v\nlogs:\n%s", err, logs.String())
	}
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("healthz %d %q", code, body)
	}
	// The container's health check probes the same endpoint.
	if code := run(ctx, []string{"healthcheck", "-http-addr", addr}, env(nil), io.Discard); code != 0 {
		t.Fatalf("sinergi healthcheck: exit %d", code)
	}
	// The counters move when the update is committed, just after the reply.
	var metrics string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, metrics = get("/metrics"); strings.Contains(metrics, `result="ok"} 1`) {
			break
		}
	}
	// Every sendMessage the fake answered is counted (the reply, and any
	// other message the bot sent meanwhile).
	sent := 0
	for _, c := range fake.CallsOf("sendMessage") {
		if c.ErrorCode == 0 {
			sent++
		}
	}
	for _, want := range []string{
		`sinergi_updates_handled_total{kind="command",result="ok"} 1`,
		fmt.Sprintf(`sinergi_messages_sent_total{method="sendMessage"} %d`, sent),
		"sinergi_handler_duration_seconds_bucket",
		"go_goroutines",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q; they have:\n%s\nlogs:\n%s", want, grepLines(metrics, "sinergi_"), logs.String())
		}
	}

	start := time.Now()
	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, logs.String())
		}
		if el := time.Since(start); el > 10*time.Second {
			t.Fatalf("stopped after %v", el)
		}
	case <-time.After(12 * time.Second):
		t.Fatal("did not stop within 10 s")
	}
}

// Redis down: /healthz says so.
func TestHealthzReportsRedis(t *testing.T) {
	fake := telegramtest.New()
	defer fake.Close()
	r := redistest.New(t)
	if r.Addr == "" {
		t.Skip()
	}
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, nil, env(map[string]string{
			"TELEGRAM_BOT_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": fake.URL(), "REDIS_URL": r.URL,
			"SINERGI_REDIS_PREFIX": r.Prefix, "SINERGI_HTTP_ADDR": addr,
		}), io.Discard)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no /healthz")
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.Stop()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz with Redis down: %d", resp.StatusCode)
	}
	cancel()
	<-exit
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// A port already in use stops the start before anything is announced, and
// the error names the variable and the flag to change (#15).
func TestPortInUseNamesTheSetting(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, c := range []struct {
		args      []string
		env, flag string
	}{
		{[]string{"-playground-addr", freeAddr(t), "-http-addr", taken.Addr().String()}, "SINERGI_HTTP_ADDR", "-http-addr"},
		{[]string{"-playground-addr", taken.Addr().String(), "-http-addr", freeAddr(t)}, "SINERGI_PLAYGROUND_ADDR", "-playground-addr"},
	} {
		var logs syncBuffer
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		code := run(ctx, c.args, env(nil), &logs)
		cancel()
		out := logs.String()
		if code != 1 || !strings.Contains(out, c.env) || !strings.Contains(out, c.flag) || !strings.Contains(out, "address already in use") {
			t.Errorf("%s taken: exit %d\n%s", c.env, code, out)
		}
		if strings.Contains(out, "playground ready") || strings.Contains(out, "open http") {
			t.Errorf("%s taken, yet the playground was announced:\n%s", c.env, out)
		}
	}
}
