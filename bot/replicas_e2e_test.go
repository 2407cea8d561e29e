package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"sinergi/bot"
	"sinergi/bot/telegramtest"
	"sinergi/flows"
	"sinergi/store"
)

// replica is one bot process of several sharing one Redis.
type replica struct {
	bot    *bot.Bot
	store  *store.Store
	cancel context.CancelFunc
	done   sync.WaitGroup
	once   sync.Once
}

// newReplica starts a bot with its own Redis client (as another process
// would have) running broadcasts; lease is its broadcast claim lease.
func (e *env) newReplica(lease time.Duration) *replica {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{cancel: cancel}
	r.store = store.New(redis.NewClient(e.redis.Client.Options()), store.Options{Prefix: e.redis.Prefix})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(&testWriter{e.t}, nil))
	}
	b, err := bot.New(ctx, bot.Config{
		Token: telegramtest.Token, APIURL: e.fake.URL(), Workers: 8, PollTimeout: time.Second,
		Limits: e.limits, DefaultLang: "id", Clock: e.clock.Now, ClaimLease: lease,
	}, bot.Deps{
		Store: r.store, Texts: e.texts, Log: log, Metrics: bot.NewMetrics(prometheus.NewRegistry()),
		Engine: func(username string) *flows.Engine {
			return flows.New(flows.Config{BotUsername: username, Admins: e.admins, DefaultLang: "id", Location: flows.LoadZone("Asia/Jakarta")}, r.store, e.texts, bot.AllModules(r.store)...)
		},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	r.bot = b
	r.done.Add(1)
	go func() { defer r.done.Done(); b.RunBroadcasts(ctx) }()
	e.t.Cleanup(r.stop)
	return r
}

// stop ends the replica as SIGTERM would.
func (r *replica) stop() {
	r.once.Do(func() {
		r.cancel()
		r.done.Wait()
		r.bot.Close()
	})
}

// kill ends the replica as SIGKILL would, as far as Redis can tell: its
// connection goes first, so nothing it held is given back.
func (r *replica) kill() {
	_ = r.store.Client().Close()
	r.stop()
}

// TestTwoReplicasSameUpdates: every update is delivered to two replicas at
// once (as two webhook deliveries racing through a load balancer would).
// Each update is handled exactly once and each chat's updates in order.
func TestTwoReplicasSameUpdates(t *testing.T) {
	e := newEnv(t)
	a, b := e.newReplica(0), e.newReplica(0)
	ctx := context.Background()
	const secret = "s3cret"
	var handlers [2]http.Handler
	var mu sync.Mutex
	statuses := map[int]int{}
	fanout := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i, h := range handlers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(time.Duration(rand.N(3000)) * time.Microsecond)
				req := httptest.NewRequest(http.MethodPost, "/tg", bytes.NewReader(body))
				req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				codes[i] = rec.Code
			}()
		}
		wg.Wait()
		mu.Lock()
		statuses[codes[0]]++
		statuses[codes[1]]++
		mu.Unlock()
		if codes[0] != http.StatusOK || codes[1] != http.StatusOK {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer fanout.Close()
	for i, r := range []*replica{a, b} {
		h, err := r.bot.Webhook(ctx, fanout.URL+"/tg", secret)
		if err != nil {
			t.Fatal(err)
		}
		handlers[i] = h
	}

	const users = 20
	var us []telegramtest.User
	for i := range users {
		u := telegramtest.User{ID: int64(5000 + i), FirstName: fmt.Sprintf("U%d", i), LanguageCode: "en"}
		us = append(us, u)
		// All at once: the fake delivers a chat's updates one at a time, in order.
		e.fake.SendText(u, "/profile")
		e.fake.SendText(u, fmt.Sprintf("Name %d", i))
		e.fake.SendText(u, fmt.Sprintf("Org %d", i))
	}
	for _, u := range us {
		contains(t, e.nth(u.ID, 2), "full name")
		contains(t, e.nth(u.ID, 3), "organisation")
		sector := e.nth(u.ID, 4)
		contains(t, sector, "sector")
		e.fake.Press(u, sector.ID, buttonData(t, sector, "NGO"))
		contains(t, e.nth(u.ID, 5), "province")
	}
	time.Sleep(300 * time.Millisecond) // a duplicate would be sent by now
	for _, u := range us {
		if n := len(e.fake.BotMessages(u.ID)); n != 5 {
			t.Errorf("user %d got %d messages, want 5 (an update handled twice?)", u.ID, n)
		}
		st, err := e.store.LoadState(ctx, u.ID, u.ID, 0)
		if err != nil || st.Session == nil {
			t.Fatalf("state of %d: %+v %v", u.ID, st, err)
		}
		got := fmt.Sprint(st.Session.Data)
		want := fmt.Sprintf("Name %d", u.ID-5000)
		if !strings.Contains(got, want) || !strings.Contains(got, fmt.Sprintf("Org %d", u.ID-5000)) {
			t.Errorf("session of %d: %s", u.ID, got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if statuses[http.StatusOK] != 2*(4*users) {
		t.Errorf("webhook answers %v, want %d× 200", statuses, 2*4*users)
	}
}

// TestReplicasShareBroadcastAndTakeOver: two replicas send one broadcast
// together within one global limit; one is killed midway and the other
// finishes its claims after the lease. Every member gets exactly one copy,
// the limits hold for the sum, and the author gets one report.
func TestReplicasShareBroadcastAndTakeOver(t *testing.T) {
	e := newEnv(t)
	e.limited()
	ntt := e.members(300)
	stop := e.start() // takes the author's conversation (polling) and broadcasts too
	a, b := e.newReplica(2*time.Second), e.newReplica(2*time.Second)
	admin := telegramtest.User{ID: adminID, FirstName: "Sekretariat", LanguageCode: "en"}
	confirm := e.composeBroadcast(admin, "Rapat kerja nasional", "Nusa Tenggara Timur")
	e.fake.Press(admin, confirm.ID, buttonData(t, confirm, "Send now"))
	e.waitForN("30 deliveries", 20*time.Second, func() int { return len(copiesTo(e.fake)) - 1 }, 30)
	a.kill()
	e.waitForN("all deliveries", 40*time.Second, func() int { return len(copiesTo(e.fake)) - 1 }, len(ntt))
	var reports int
	deadline := time.Now().Add(10 * time.Second)
	for reports == 0 && time.Now().Before(deadline) {
		for _, m := range e.fake.BotMessages(admin.ID) {
			if strings.Contains(m.Plain, "Update sent") {
				reports++
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	reports = 0
	for _, m := range e.fake.BotMessages(admin.ID) {
		if strings.Contains(m.Plain, "Update sent") {
			reports++
		}
	}
	if reports != 1 {
		t.Errorf("%d reports, want 1", reports)
	}
	got := copiesTo(e.fake)
	for _, id := range ntt {
		if got[id] != 1 {
			t.Errorf("member %d got %d copies", id, got[id])
		}
	}
	st := e.fake.Stats()
	if st.LimitViolations != 0 || st.SentIntoRetryAfter != 0 || st.Errors[429] != 0 {
		t.Errorf("flood limits broken by the replicas together: %+v", st)
	}
	t.Logf("max %d sends in a second across three replicas (limit %v/s)", st.MaxGlobalPerSecond, e.limits.Global)
	stop()
	b.stop()
}
