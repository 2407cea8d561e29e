package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sinergi/bot/telegramtest"
)

// The drivers recognise the bot's messages by the bot's own locale texts:
// a renamed or removed message id must fail here, not in a long scale run.
func TestTextsAndClassifier(t *testing.T) {
	tx, err := loadTexts("Scale & test")
	if err != nil {
		t.Fatal(err)
	}
	for name, l := range map[string][]string{"askName": tx.askName, "askOrg": tx.askOrg, "already": tx.already,
		"internal": tx.internal, "unavailable": tx.unavailable, "waitlisted": tx.waitlisted} {
		if len(l) != 2 || l[0] == "" || l[1] == "" || l[0] == l[1] {
			t.Errorf("%s = %q, want two different languages", name, l)
		}
	}
	if !strings.Contains(tx.waitlisted[1], "Scale & test") {
		t.Errorf("waiting-list prefix %q lacks the unescaped title", tx.waitlisted[1])
	}
	c := &classifier{code: "abc234", tx: tx}
	btn := func(data string) [][]telegramtest.Button {
		return [][]telegramtest.Button{{{Text: "x", CallbackData: data}}}
	}
	for _, tc := range []struct {
		m    telegramtest.Message
		want int
	}{
		{telegramtest.Message{Plain: "card", Buttons: btn("registration.join:abc234")}, mCard},
		{telegramtest.Message{Plain: "card", Buttons: btn("registration.leave:abc234")}, mOther},
		{telegramtest.Message{Media: "document", Document: &telegramtest.File{Name: "workshop-abc234.ics"}}, mConfirmed},
		{telegramtest.Message{Plain: tx.waitlisted[0] + "7 …", Buttons: btn("registration.leave:abc234")}, mWaiting},
		{telegramtest.Message{Plain: tx.already[1]}, mAlready},
		{telegramtest.Message{Plain: tx.askName[0]}, mAskText},
		{telegramtest.Message{Plain: "sector?", Buttons: btn("core.step:n0nce:ngo")}, mChoice},
		{telegramtest.Message{Plain: "page", Buttons: btn("core.step:n0nce:p1")}, mOther},
	} {
		if got := c.kind(tc.m); got != tc.want {
			t.Errorf("kind(%+v) = %d, want %d", tc.m, got, tc.want)
		}
	}
	consent := telegramtest.Message{Buttons: [][]telegramtest.Button{{{CallbackData: "core.step:n:no"}, {CallbackData: "core.step:n:yes"}}}}
	if got := pickChoice(consent); got != "core.step:n:yes" {
		t.Errorf("pickChoice(consent) = %q", got)
	}
	prov := telegramtest.Message{Buttons: [][]telegramtest.Button{{{CallbackData: "core.step:n:AC"}}, {{CallbackData: "core.step:n:noop"}, {CallbackData: "core.step:n:p1"}}}}
	if got := pickChoice(prov); got != "core.step:n:AC" {
		t.Errorf("pickChoice(provinces) = %q", got)
	}
}

func TestConfigs(t *testing.T) {
	n := &redisNode{port: 17301, dir: "/tmp/x"}
	rc := redisConf(n)
	for _, want := range []string{"cluster-enabled yes", "appendonly yes", "appendfsync always", "cluster-require-full-coverage no", "port 17301", "bind 127.0.0.1"} {
		if !strings.Contains(rc, want+"\n") {
			t.Errorf("redis.conf lacks %q", want)
		}
	}
	nc := nginxConf("/tmp/n", "127.0.0.1:17310", []string{"127.0.0.1:17321", "127.0.0.1:17322"})
	for _, want := range []string{"server 127.0.0.1:17321 ", "server 127.0.0.1:17322 ", "listen 127.0.0.1:17310;", "keepalive 32;",
		"proxy_next_upstream error timeout http_502 http_503 non_idempotent;", "pid /tmp/n/nginx.pid;", "client_body_temp_path /tmp/n/body;"} {
		if !strings.Contains(nc, want) {
			t.Errorf("nginx.conf lacks %q", want)
		}
	}
	if strings.Count(nc, "{") != strings.Count(nc, "}") {
		t.Error("nginx.conf braces do not balance")
	}
}

func TestNginxStats(t *testing.T) {
	dir := t.TempDir()
	log := "1.0|200|200|127.0.0.1:1|0.01\n" +
		"2.0|200|502, 200|127.0.0.1:1, 127.0.0.1:2|0.02\n" +
		"3.0|502|-|sinergi|0.00\n"
	if err := os.WriteFile(filepath.Join(dir, "access.log"), []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	st := readNginxStats(dir)
	if st.requests != 3 || st.retried != 1 || st.status["200"] != 2 || st.status["502"] != 1 {
		t.Fatalf("stats = %+v", st)
	}
}
