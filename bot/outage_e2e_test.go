package bot_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
	"sinergi/store"
	"sinergi/store/redistest"
)

// unavailable counts the "temporarily unavailable" apologies a chat got.
func unavailable(fake *telegramtest.Server, chat int64) int {
	n := 0
	for _, m := range fake.BotMessages(chat) {
		if strings.Contains(m.Plain, "temporarily unavailable") {
			n++
		}
	}
	return n
}

// Redis goes away in the middle of a conversation (polling). The user is
// told, once, that the bot is briefly unavailable; nothing they sent is
// lost: when Redis is back the bot carries on by itself from the same step,
// with what was saved before the outage.
func TestRedisOutagePolling(t *testing.T) {
	r := redistest.NewPersistent(t)
	e := newEnvOn(t, r)
	e.start()
	u := telegramtest.User{ID: 3101, FirstName: "Dewi", LanguageCode: "en"}
	e.fake.SendText(u, "/profile")
	e.nth(u.ID, 2)
	e.fake.SendText(u, "Dewi Lestari")
	contains(t, e.nth(u.ID, 3), "organisation")
	e.waitCommitted(u.ID, "Dewi Lestari")

	r.Kill()
	e.fake.SendText(u, "Yayasan Air Bersih")
	e.waitFor("an apology", func() bool { return unavailable(e.fake, u.ID) == 1 })
	time.Sleep(2 * time.Second) // retries meanwhile apologise no more
	if n := unavailable(e.fake, u.ID); n != 1 {
		t.Fatalf("%d apologies during one outage, want 1", n)
	}
	r.Start(t)
	sector := e.nth(u.ID, 5) // the update was kept and is handled now
	contains(t, sector, "sector")
	e.fake.Press(u, sector.ID, buttonData(t, sector, "NGO"))
	contains(t, e.nth(u.ID, 6), "province")
}

// The same in webhook mode: the bot answers 503 while Redis is away, so
// the update is delivered again, and handled once Redis is back.
func TestRedisOutageWebhook(t *testing.T) {
	r := redistest.NewPersistent(t)
	e := newEnvOn(t, r)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := e.newBot(ctx)
	defer b.Close()
	var h http.Handler
	var unavailableAnswers atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code == http.StatusServiceUnavailable {
			unavailableAnswers.Add(1)
		}
		w.WriteHeader(rec.Code)
	}))
	defer srv.Close()
	var err error
	if h, err = b.Webhook(ctx, srv.URL+"/tg", "s3cret"); err != nil {
		t.Fatal(err)
	}
	u := telegramtest.User{ID: 3102, FirstName: "Eko", LanguageCode: "en"}
	e.fake.SendText(u, "/profile")
	e.nth(u.ID, 2)
	e.waitCommitted(u.ID, "")

	r.Kill()
	e.fake.SendText(u, "Eko Prasetyo")
	e.waitFor("an apology", func() bool { return unavailable(e.fake, u.ID) == 1 })
	e.waitFor("a 503 to Telegram", func() bool { return unavailableAnswers.Load() > 0 })
	r.Start(t)
	// Telegram delivers again on its own schedule, which backs off while
	// the bot answers 503: allow it more than one attempt.
	msgs, err := e.fake.WaitBotMessages(u.ID, 4, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	contains(t, msgs[3], "organisation")
	if n := unavailable(e.fake, u.ID); n != 1 {
		t.Fatalf("%d apologies during one outage, want 1", n)
	}
	if err := b.Stop(5 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// waitCommitted waits until the chat's session is saved (holding want):
// a reply goes out before its update is committed.
func (e *env) waitCommitted(chat int64, want string) {
	e.t.Helper()
	e.waitFor("the update committed", func() bool {
		st, err := e.store.LoadState(context.Background(), chat, chat, 0)
		// Committed, and its replies sent (the outbox emptied, which
		// also gives the chat's lock up).
		return err == nil && st.Session != nil && strings.Contains(fmt.Sprint(st.Session.Data), want) && st.Outbox == 0
	})
}

// Telegram answers 5xx to every message for a while: the sender backs off
// (with jitter, up to BackoffLimit) and every reply arrives once Telegram
// is back — none is dropped.
func TestTelegramOutage(t *testing.T) {
	e := newEnv(t)
	e.limits.BackoffLimit = 100 * time.Millisecond // the test's scale; production: 10 s, for 2 min
	e.start()
	e.fake.FailNext("sendMessage", 0, 502, 0, 40)
	var us []telegramtest.User
	for i := range 5 {
		u := telegramtest.User{ID: int64(3200 + i), FirstName: "Gita"}
		us = append(us, u)
		e.fake.SendText(u, "/start")
	}
	for _, u := range us {
		contains(t, e.nth(u.ID, 1), "Halo Gita")
	}
	if n := e.fake.Stats().Errors[502]; n != 40 {
		t.Fatalf("%d 502s, want 40", n)
	}
	for _, u := range us {
		if n := len(e.fake.BotMessages(u.ID)); n != 1 {
			t.Errorf("user %d got %d replies", u.ID, n)
		}
	}
}

// flaky is the Redis store with profile reads failing as if Redis were
// unreachable, the first n times.
type flaky struct {
	*store.Store
	n atomic.Int32
}

func (f *flaky) GetProfile(ctx context.Context, id int64) (*flows.Profile, error) {
	if f.n.Add(-1) >= 0 {
		return nil, fmt.Errorf("get profile %d: %w", id, syscall.ECONNREFUSED)
	}
	return f.Store.GetProfile(ctx, id)
}

// A flow that meets a Redis outage halfway is not "something went wrong"
// committed as handled: the user hears that the bot is briefly away, and
// the update runs again by itself.
func TestOutageInsideFlowRetried(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := &flaky{Store: e.store}
	st.n.Store(2)
	done := e.pollWithFlowStore(ctx, st)
	u := telegramtest.User{ID: 1013, FirstName: "Rina", LanguageCode: "en"}
	e.fake.SendText(u, "/profile")
	contains(t, e.nth(u.ID, 1), "temporarily unavailable")
	contains(t, e.nth(u.ID, 2), "participant profile")
	for _, m := range e.fake.BotMessages(u.ID) {
		if strings.Contains(m.Plain, "something went wrong") {
			t.Fatalf("outage reported as a failure: %q", m.Plain)
		}
	}
	cancel()
	<-done
}
