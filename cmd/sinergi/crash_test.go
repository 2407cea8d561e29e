package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
	"sinergi/store"
	"sinergi/store/redistest"
)

// TestCrashChild is the bot process of TestCrashRepliesOnce: the real
// binary's run, in a process of its own that the test can SIGKILL.
func TestCrashChild(t *testing.T) {
	if os.Getenv("SINERGI_CRASH_CHILD") != "1" {
		t.Skip("run by TestCrashRepliesOnce")
	}
	os.Exit(run(context.Background(), nil, os.Getenv, os.Stderr))
}

// A burst of 300 registrations; the bot is SIGKILLed mid-burst and started
// again. Every registration is kept, and no user reads any reply twice
// (#13.4): replies are committed with the state and sent from the outbox,
// so the restarted bot sends only what was never sent. The one reply per
// chat whose send had begun at the kill is not sent again (it may or may
// not have arrived; Telegram offers no way to ask).
func TestCrashRepliesOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the bot twice as a process")
	}
	const users = 300
	fake := telegramtest.New()
	defer fake.Close()
	r := redistest.New(t)
	ctx := context.Background()
	st := store.New(r.Client, store.Options{Prefix: r.Prefix})
	defer st.Close()

	// A workshop with room for everyone, and members whose profiles are
	// complete: Register is one press.
	now := time.Now()
	w := &flows.Workshop{Code: "crashx", Title: "Joint Action", Start: now.Add(10 * 24 * time.Hour), End: now.Add(10*24*time.Hour + 3*time.Hour),
		Zone: "Asia/Jakarta", Venue: "Hotel Sahid", Capacity: 1000, Deadline: now.Add(9 * 24 * time.Hour),
		Facilitators: []int64{1}, CreatedBy: 1, Created: now}
	if err := st.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	us := make([]telegramtest.User, users)
	for i := range us {
		id := int64(50_000 + i)
		us[i] = telegramtest.User{ID: id, FirstName: fmt.Sprintf("U%d", i), LanguageCode: "en"}
		if err := st.SaveUser(ctx, &flows.User{ID: id, Lang: "en", Consent: flows.ConsentVersion, Created: now, Seen: now}); err != nil {
			t.Fatal(err)
		}
		if err := st.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: fmt.Sprintf("Peserta %d", i), Organisation: "Yayasan", Sector: "ngo",
			Province: "DKI Jakarta", ConsentAt: now, ConsentVersion: flows.ConsentVersion, Updated: now}); err != nil {
			t.Fatal(err)
		}
	}

	var logs syncBuffer
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "SINERGI_CRASH_CHILD=1",
			"TELEGRAM_BOT_TOKEN="+telegramtest.Token, "TELEGRAM_API_URL="+fake.URL(), "REDIS_URL="+r.URL,
			"SINERGI_REDIS_PREFIX="+r.Prefix, "SINERGI_HTTP_ADDR="+freeAddr(t), "SINERGI_RATE_LIMIT=0", "SINERGI_FLOOD=0")
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	bot := start()
	defer func() { _ = bot.Process.Kill(); _ = bot.Wait() }()

	// Everyone opens the workshop's card.
	for _, u := range us {
		fake.SendText(u, "/start ws_"+w.Code)
	}
	cards := make([]telegramtest.Message, users)
	for i, u := range us {
		msgs, err := fake.WaitBotMessages(u.ID, 1, 60*time.Second)
		if err != nil {
			t.Fatalf("%v\nlogs:\n%s", err, logs.String())
		}
		cards[i] = msgs[0]
	}
	// The burst: everyone presses Register; the bot is killed when a
	// third of the confirmations are out.
	for i, u := range us {
		fake.Press(u, cards[i].ID, buttonWith(t, cards[i], "✅"))
	}
	confirmed := func() int {
		n := 0
		for _, u := range us {
			for _, m := range fake.BotMessages(u.ID) {
				if strings.Contains(m.Plain, "You are registered") {
					n++
					break
				}
			}
		}
		return n
	}
	waitUntil(t, 60*time.Second, "a third of the confirmations", func() bool { return confirmed() >= users/3 })
	if err := bot.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = bot.Wait()
	atKill := confirmed()

	bot = start()
	// Every registration is kept; the replies left unsent go out.
	waitUntil(t, 90*time.Second, "every registration", func() bool {
		c, err := st.Counts(ctx, w.Code)
		return err == nil && c.Confirmed == users
	})
	// Settle: the restarted bot has sent what it will send when a /help
	// from each user is answered after it (the outbox of a chat goes
	// before the chat's next update).
	for _, u := range us {
		fake.SendText(u, "/help")
	}
	waitUntil(t, 90*time.Second, "an answer to /help everywhere", func() bool {
		for _, u := range us {
			msgs := fake.BotMessages(u.ID)
			if len(msgs) == 0 || !strings.Contains(msgs[len(msgs)-1].Plain, "/start") {
				return false
			}
		}
		return true
	})

	var dupUsers, dupMsgs, lost, moreLost int
	for _, u := range us {
		seen := map[string]int{}
		for _, m := range fake.BotMessages(u.ID) {
			key := m.Media + "|" + m.Plain
			if m.Document != nil {
				key += "|" + m.Document.Name
			}
			seen[key]++
		}
		dup := false
		for k, n := range seen {
			if n > 1 && !strings.Contains(k, "/start") { // /help's answer lists /start
				dupMsgs += n - 1
				dup = true
			}
		}
		if dup {
			dupUsers++
		}
		// card + confirmation + calendar file + QR code + /help's answer
		if n := len(fake.BotMessages(u.ID)); n < 5 {
			lost += 5 - n
			if n < 4 {
				// At most one reply per chat may be lost: the one whose
				// send had begun at the kill (uncertain, not resent).
				moreLost++
			}
		}
	}
	t.Logf("%d registrations, bot SIGKILLed after %d confirmations: %d users read a reply twice (%d duplicate messages), %d replies not delivered (uncertain at the kill)",
		users, atKill, dupUsers, dupMsgs, lost)
	if dupUsers > 0 {
		t.Fatalf("%d users read a reply twice", dupUsers)
	}
	if moreLost > 0 {
		t.Fatalf("%d users lost more than the one uncertain reply", moreLost)
	}
}

func buttonWith(t *testing.T, m telegramtest.Message, label string) string {
	t.Helper()
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				return b.CallbackData
			}
		}
	}
	t.Fatalf("no button %q in %q", label, m.Plain)
	return ""
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
