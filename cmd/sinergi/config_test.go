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
	if c.DefaultLang != "en" || c.Workers != 8 {
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
	c, _ = loadConfig([]string{"-redis-url", "redis://10.0.0.1:6379/0"}, env(nil), &bytes.Buffer{})
	if !c.RedisURLSet {
		t.Fatal("-redis-url not noticed")
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
