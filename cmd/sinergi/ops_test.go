package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/store/redistest"
)

// "sinergi healthcheck" is the container's health check (distroless has
// no shell or curl): 0 when /healthz answers 200, 1 when it does not or
// nothing listens; an unspecified host is probed on loopback (#15).
func TestHealthcheckCommand(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusOK)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	check := func(args []string, vars map[string]string) (int, string) {
		var out bytes.Buffer
		code := run(context.Background(), append([]string{"healthcheck"}, args...), env(vars), &out)
		return code, out.String()
	}
	// No token and no other setting is needed.
	if code, out := check(nil, map[string]string{"SINERGI_HTTP_ADDR": "0.0.0.0:" + port}); code != 0 {
		t.Errorf("healthy via SINERGI_HTTP_ADDR 0.0.0.0: exit %d %s", code, out)
	}
	if code, out := check([]string{"-http-addr", addr}, nil); code != 0 {
		t.Errorf("healthy via -http-addr: exit %d %s", code, out)
	}
	status.Store(http.StatusServiceUnavailable)
	if code, out := check([]string{"-http-addr", addr}, nil); code != 1 || !strings.Contains(out, "503") {
		t.Errorf("unhealthy: exit %d %s", code, out)
	}
	if code, out := check([]string{"-http-addr", freeAddr(t)}, nil); code != 1 {
		t.Errorf("nothing listening: exit %d %s", code, out)
	}
	if code, out := check([]string{"-http-addr", "nonsense"}, nil); code != 2 || !strings.Contains(out, "SINERGI_HTTP_ADDR") {
		t.Errorf("bad address: exit %d %s", code, out)
	}
}

// TestMainChild is the whole process, main() included, for
// TestJSONLogsStayJSON.
func TestMainChild(t *testing.T) {
	if os.Getenv("SINERGI_MAIN_CHILD") != "1" {
		t.Skip("run by TestJSONLogsStayJSON")
	}
	os.Args = os.Args[:1] // the settings come from the environment
	main()
}

// With SINERGI_LOG_FORMAT=json every line the process writes is JSON, also
// go-redis's own (here: its connection pool failing to dial a Redis that is
// not there), which main routes through slog (#15).
func TestJSONLogsStayJSON(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SINERGI_MAIN_CHILD=1", "SINERGI_LOG_FORMAT=json",
		"TELEGRAM_BOT_TOKEN=1:abc", "REDIS_URL=redis://"+freeAddr(t)+"/0", "SINERGI_HTTP_ADDR="+freeAddr(t))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("want exit 1, got %v\n%s", err, stderr.String())
	}
	dial := false
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("not JSON: %q", line)
			continue
		}
		msg, _ := rec["msg"].(string)
		dial = dial || strings.HasPrefix(msg, "redis client: connection pool: failed to dial") && rec["level"] == "WARN"
	}
	if !dial {
		t.Errorf("go-redis's dial failure is not among the JSON lines:\n%s", stderr.String())
	}
}

// A Bot API that cannot be reached is not reported as a wrong token, and a
// refused token is not reported as a network problem (#15).
func TestGetMeFailureNamesTheCause(t *testing.T) {
	r := redistest.New(t)
	wrongToken := telegramtest.New(telegramtest.WithToken("999:OTHER"))
	defer wrongToken.Close()
	for _, c := range []struct {
		name, api   string
		want, avoid []string
	}{
		{"token refused", wrongToken.URL(), []string{"refused the bot token", "TELEGRAM_BOT_TOKEN"}, []string{"cannot reach"}},
		{"nothing listening", "http://" + freeAddr(t), []string{"cannot reach the Bot API", "connection refused"}, []string{"TELEGRAM_BOT_TOKEN"}},
		{"no such host", "http://sinergi-no-such-host.invalid", []string{"cannot reach the Bot API", "sinergi-no-such-host.invalid"}, []string{"TELEGRAM_BOT_TOKEN"}},
	} {
		var logs syncBuffer
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		code := run(ctx, nil, env(map[string]string{
			"TELEGRAM_BOT_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": c.api, "REDIS_URL": r.URL,
			"SINERGI_REDIS_PREFIX": r.Prefix, "SINERGI_HTTP_ADDR": freeAddr(t),
		}), &logs)
		cancel()
		out := logs.String()
		if code != 1 {
			t.Errorf("%s: exit %d\n%s", c.name, code, out)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: no %q in\n%s", c.name, w, out)
			}
		}
		for _, a := range c.avoid {
			if strings.Contains(out, a) {
				t.Errorf("%s: %q in\n%s", c.name, a, out)
			}
		}
	}
}
