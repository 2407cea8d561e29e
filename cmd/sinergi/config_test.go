package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigDefaultsAndOverrides(t *testing.T) {
	c, err := loadConfig([]string{"-lang", "en", "-workers", "8"}, env(map[string]string{
		"TELEGRAM_BOT_TOKEN": "1:abc", "SINERGI_ADMINS": "11, 22", "SINERGI_DEFAULT_LANG": "id",
	}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.DefaultLang != "en" || c.Workers != 8 || c.WebAppURL != "" || c.WebAppMaxAge != 24*time.Hour {
		t.Errorf("flags did not override: %+v", c)
	}
	if len(c.Admins) != 2 || c.Admins[1] != 22 || c.Location.String() != "Asia/Jakarta" ||
		c.HTTPAddr != "127.0.0.1:8080" || c.APIURL != "https://api.telegram.org" || c.RateLimit != 28 || c.SessionTTL != 48*time.Hour ||
		c.CheckInOpens != 2*time.Hour || c.CheckInOpensSet {
		t.Errorf("defaults: %+v", c)
	}
}

// A bad value gets one line naming the variable, and exit code 2.
func TestBadConfigExitsTwo(t *testing.T) {
	base := map[string]string{"TELEGRAM_BOT_TOKEN": "1:abc"}
	for _, c := range []struct{ key, val string }{
		{"SINERGI_ADMINS", "12,abc"},
		{"SINERGI_ADMINS", "-5"},
		{"SINERGI_DEFAULT_LANG", "fr"},
		{"SINERGI_TIMEZONE", "Mars/Olympus"},
		{"SINERGI_HTTP_ADDR", "localhost"},
		{"TELEGRAM_API_URL", "ftp://x"},
		{"REDIS_URL", "localhost"},
		{"SINERGI_WEBHOOK_URL", "not a url"},
		{"SINERGI_WORKERS", "0"},
		{"SINERGI_RATE_LIMIT", "fast"},
		{"SINERGI_SESSION_TTL", "1s"},
		{"TELEGRAM_BOT_TOKEN", "nocolon"},
		{"SINERGI_LOG_FORMAT", "xml"},
		{"SINERGI_CHECKIN_OPENS", "soon"},
		{"SINERGI_CHECKIN_OPENS", "-1h"},
		{"SINERGI_CHECKIN_CLOSES", "0"},
		{"SINERGI_FORUM_NAME", "   "},
		{"SINERGI_WEBAPP_URL", "http://forum.example.org/app/"},
		{"SINERGI_WEBAPP_URL", "forum.example.org"},
		{"SINERGI_WEBAPP_MAX_AGE", "30s"},
		{"SINERGI_WEBAPP_MAX_AGE", "soon"},
	} {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		m[c.key] = c.val
		var stderr bytes.Buffer
		code := run(context.Background(), nil, env(m), &stderr)
		out := stderr.String()
		if code != 2 || strings.Count(out, "\n") != 1 || !strings.Contains(out, c.key) {
			t.Errorf("%s=%q: exit %d, stderr %q", c.key, c.val, code, out)
		}
	}
}

func TestWebhookNeedsSecret(t *testing.T) {
	var stderr bytes.Buffer
	code := run(context.Background(), nil, env(map[string]string{
		"TELEGRAM_BOT_TOKEN": "1:abc", "SINERGI_WEBHOOK_URL": "https://bot.example.org/tg",
	}), &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "SINERGI_WEBHOOK_SECRET") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
}

func TestPlaygroundConfig(t *testing.T) {
	c, err := loadConfig(nil, env(nil), &bytes.Buffer{})
	if err != nil || !c.Playground || c.PlaygroundAddr != "127.0.0.1:8090" || c.RedisURLSet {
		t.Fatalf("no token: %+v %v", c, err)
	}
	c, _ = loadConfig([]string{"-playground", "-redis-url", "redis://10.0.0.1:6379/0"}, env(nil), &bytes.Buffer{})
	if c == nil || !c.RedisURLSet || !c.Playground {
		t.Fatalf("-redis-url not noticed: %+v", c)
	}
	if c, _ := loadConfig(nil, env(map[string]string{"TELEGRAM_BOT_TOKEN": "1:a"}), &bytes.Buffer{}); c.Playground {
		t.Fatal("a token starts the playground")
	}
	// Beyond loopback only on request: the playground has no authentication.
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-playground-addr", "0.0.0.0:8090"}, env(nil), &stderr); code != 2 || !strings.Contains(stderr.String(), "SINERGI_PLAYGROUND_ADDR") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if c, err := loadConfig([]string{"-playground-addr", "0.0.0.0:8090", "-playground-public"}, env(nil), &bytes.Buffer{}); err != nil || !c.PlaygroundPublic {
		t.Fatalf("public: %v", err)
	}
	if _, err := loadConfig([]string{"-demo"}, env(map[string]string{"TELEGRAM_BOT_TOKEN": "1:a"}), &bytes.Buffer{}); err == nil {
		t.Fatal("-demo with a real bot accepted")
	}
}

func TestCheckInOpensSetting(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
		want time.Duration
	}{
		{nil, map[string]string{"SINERGI_CHECKIN_OPENS": "90m"}, 90 * time.Minute},
		{[]string{"-checkin-opens", "3h"}, map[string]string{"SINERGI_CHECKIN_OPENS": "90m"}, 3 * time.Hour},
	} {
		c.env["TELEGRAM_BOT_TOKEN"] = "1:abc"
		got, err := loadConfig(c.args, env(c.env), &bytes.Buffer{})
		if err != nil || got.CheckInOpens != c.want || !got.CheckInOpensSet {
			t.Errorf("%v %v: %+v, %v", c.args, c.env, got, err)
		}
	}
}

// No token but a REDIS_URL: the playground would run its scheduler and
// broadcast runner on that Redis and "send" its due reminders and
// broadcasts to the pretend Telegram. It starts only when asked for (#15).
func TestRedisURLWithoutTokenNeedsPlayground(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
	}{
		{nil, map[string]string{"REDIS_URL": "redis://10.0.0.1:6379/0"}},
		{[]string{"-redis-url", "redis://10.0.0.1:6379/0"}, nil},
	} {
		var stderr bytes.Buffer
		code := run(context.Background(), c.args, env(c.env), &stderr)
		out := stderr.String()
		if code != 2 || strings.Count(out, "\n") != 1 || !strings.Contains(out, "TELEGRAM_BOT_TOKEN") || !strings.Contains(out, "-playground") {
			t.Errorf("%v %v: exit %d, stderr %q", c.args, c.env, code, out)
		}
	}
	c, err := loadConfig([]string{"-playground"}, env(map[string]string{"REDIS_URL": "redis://10.0.0.1:6379/0"}), &bytes.Buffer{})
	if err != nil || !c.Playground || c.RedisURL != "redis://10.0.0.1:6379/0" {
		t.Fatalf("-playground with REDIS_URL: %+v %v", c, err)
	}
}

// Telegram posts webhooks only to HTTPS: http:// is refused in one line,
// unless TELEGRAM_API_URL names a self-hosted Bot API server (#15).
func TestWebhookNeedsHTTPS(t *testing.T) {
	vars := map[string]string{
		"TELEGRAM_BOT_TOKEN": "1:abc", "SINERGI_WEBHOOK_URL": "http://bot.example.org/tg", "SINERGI_WEBHOOK_SECRET": "s3cret",
	}
	var stderr bytes.Buffer
	code := run(context.Background(), nil, env(vars), &stderr)
	if out := stderr.String(); code != 2 || strings.Count(out, "\n") != 1 || !strings.Contains(out, "SINERGI_WEBHOOK_URL") || !strings.Contains(out, "https://") {
		t.Fatalf("exit %d: %q", code, out)
	}
	vars["TELEGRAM_API_URL"] = "http://127.0.0.1:8081"
	if _, err := loadConfig(nil, env(vars), &bytes.Buffer{}); err != nil {
		t.Fatalf("http webhook with a self-hosted Bot API server: %v", err)
	}
}

// -help: an introduction, the two modes, examples, and every flag with
// the kind of value it takes, its variable and its default (#15).
func TestHelp(t *testing.T) {
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-help"}, env(nil), &stderr); code != 0 {
		t.Fatalf("exit %d", code)
	}
	out := stderr.String()
	for _, want := range []string{
		"Sinergi is a Telegram bot", "Two modes:", "  Playground  Without TELEGRAM_BOT_TOKEN", "  Bot         With TELEGRAM_BOT_TOKEN",
		"Examples:\n  sinergi -demo", "sinergi healthcheck",
		"\n  -workers number   (SINERGI_WORKERS)\n      chats handled concurrently; default 64\n",
		"\n  -session-ttl duration   (SINERGI_SESSION_TTL)\n",
		"\n  -http-addr host:port   (SINERGI_HTTP_ADDR)\n      address of /healthz and /metrics; default 127.0.0.1:8080\n",
		"\n  -webhook-url URL   (SINERGI_WEBHOOK_URL)\n      public HTTPS URL for webhook mode; default none: long polling\n",
		"\n  -demo   (no variable)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("-help lacks %q", want)
		}
	}
	for _, s := range settings {
		if s.kind == "" || (s.def == "" && s.none == "") || !strings.Contains(out, "\n  -"+s.flag+" "+s.kind+"   ("+s.env+")\n") {
			t.Errorf("-help: -%s has no kind, default or line", s.flag)
		}
	}
	if strings.Contains(out, " string") {
		t.Errorf("-help names a Go type:\n%s", out)
	}
}

func TestWebAppSettings(t *testing.T) {
	c, err := loadConfig([]string{"-webapp-max-age", "2h"}, env(map[string]string{
		"TELEGRAM_BOT_TOKEN": "1:abc", "SINERGI_WEBAPP_URL": "https://forum.example.org/app/",
	}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.WebAppURL != "https://forum.example.org/app/" || c.WebAppMaxAge != 2*time.Hour {
		t.Fatalf("%+v", c)
	}
}
