package bot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sinergi/bot"
	"sinergi/bot/telegramtest"
	"sinergi/flows"
	"sinergi/flows/flowstest"
	"sinergi/flows/transport"
	"sinergi/locales"
	"sinergi/store"
	"sinergi/store/redistest"
)

// env is one end-to-end setup: a fake Bot API, a real Redis, and the real bot.
type env struct {
	t      *testing.T
	fake   *telegramtest.Server
	redis  *redistest.Redis
	store  *store.Store
	texts  *locales.Catalog
	admins []int64
	limits bot.Limits
	clock  *clock
	seen   map[int64]int // bot messages already consumed per chat (see next)
	flood  bot.Flood
	// webApp is the dashboard's URL the engine announces ("" none).
	webApp string
	// metrics is the registry of the last bot newBot made.
	metrics *prometheus.Registry
}

// clock is a settable clock for the bot and its scheduler.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		return time.Now()
	}
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

const adminID = 777

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, redistest.New(t))
}

func newEnvOn(t *testing.T, r *redistest.Redis) *env {
	t.Helper()
	fake := telegramtest.New()
	t.Cleanup(fake.Close)
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	lim := bot.DefaultLimits()
	// Fast tests: the limits are tested on their own.
	lim.Global, lim.PerChat, lim.PerGroup, lim.BackoffBase = 0, 0, 0, 20*time.Millisecond
	return &env{t: t, fake: fake, redis: r, texts: texts, admins: []int64{adminID}, limits: lim, clock: &clock{}, seen: map[int64]int{},
		store: store.New(r.Client, store.Options{Prefix: r.Prefix})}
}

func (e *env) newBot(ctx context.Context) *bot.Bot {
	e.t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(&testWriter{e.t}, nil))
	}
	e.metrics = prometheus.NewRegistry()
	b, err := bot.New(ctx, bot.Config{
		Token: telegramtest.Token, APIURL: e.fake.URL(), Workers: 8, PollTimeout: time.Second,
		Limits: e.limits, DefaultLang: "id", Clock: e.clock.Now, Flood: e.flood,
	}, bot.Deps{
		Store: e.store, Texts: e.texts, Log: log, Metrics: bot.NewMetrics(e.metrics),
		Engine: func(username string) *flows.Engine {
			return flows.New(flows.Config{BotUsername: username, Admins: e.admins, DefaultLang: "id", Location: flows.LoadZone("Asia/Jakarta"), WebAppURL: e.webApp}, e.store, e.texts, bot.AllModules(e.store)...)
		},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// start runs the bot in polling mode; the returned stop ends it as SIGTERM
// would and waits for it.
func (e *env) start() (stop func()) {
	_, stop = e.startBot()
	return stop
}

func (e *env) startBot() (_ *bot.Bot, stop func()) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b := e.newBot(ctx)
	done := make(chan error, 1)
	bcDone := make(chan struct{})
	go func() { done <- b.Polling(ctx, 5*time.Second) }()
	go func() { defer close(bcDone); b.RunBroadcasts(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					e.t.Errorf("polling: %v", err)
				}
			case <-time.After(10 * time.Second):
				e.t.Error("bot did not stop within 10 s")
			}
			<-bcDone
			b.Close()
		})
	}
	e.t.Cleanup(stop)
	return b, stop
}

// next waits for the bot's next message in the chat.
func (e *env) next(chat int64) telegramtest.Message {
	e.t.Helper()
	e.seen[chat]++
	return e.nth(chat, e.seen[chat])
}

// skip consumes n bot messages of the chat.
func (e *env) skip(chat int64, n int) {
	e.t.Helper()
	for range n {
		e.next(chat)
	}
}

type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// last waits for the bot's n-th message in the chat and returns it.
func (e *env) nth(chat int64, n int) telegramtest.Message {
	e.t.Helper()
	msgs, err := e.fake.WaitBotMessages(chat, n, 5*time.Second)
	if err != nil {
		e.t.Fatal(err)
	}
	return msgs[n-1]
}

func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func buttonData(t *testing.T, m telegramtest.Message, text string) string {
	t.Helper()
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, text) {
				return b.CallbackData
			}
		}
	}
	t.Fatalf("no button %q in %q (%v)", text, m.Plain, m.Buttons)
	return ""
}

func contains(t *testing.T, m telegramtest.Message, want string) {
	t.Helper()
	if !strings.Contains(m.Plain, want) {
		t.Fatalf("message %q does not contain %q", m.Plain, want)
	}
}

// /start → choose English → /help → enter a flow → /cancel.
func TestConversation(t *testing.T) {
	e := newEnv(t)
	e.start()
	u := telegramtest.User{ID: 1001, FirstName: "Ayu", LanguageCode: "id"}

	e.fake.SendText(u, "/start")
	welcome := e.nth(u.ID, 1)
	contains(t, welcome, "Halo Ayu")
	if len(welcome.Buttons) == 0 {
		t.Fatal("welcome without menu")
	}

	e.fake.SendText(u, "/language")
	choose := e.nth(u.ID, 2)
	e.fake.Press(u, choose.ID, buttonData(t, choose, "English"))
	e.waitFor("language message edited", func() bool {
		m := e.fake.BotMessages(u.ID)[1]
		return m.Edited && strings.Contains(m.Plain, "I will speak English")
	})
	e.waitFor("callback answered", func() bool { return len(e.fake.CallsOf("answerCallbackQuery")) == 1 })

	e.fake.SendText(u, "/help")
	help := e.nth(u.ID, 3)
	contains(t, help, "Sinergi — help")
	contains(t, help, "/profile — My participant profile")

	e.fake.SendText(u, "/profile")
	contains(t, e.nth(u.ID, 4), "participant profile")
	contains(t, e.nth(u.ID, 5), "full name")

	e.fake.SendText(u, "/cancel")
	contains(t, e.nth(u.ID, 6), "Cancelled")
	e.waitFor("session gone after /cancel", func() bool {
		st, err := e.store.LoadState(context.Background(), u.ID, u.ID, 0)
		return err == nil && st.Session == nil
	})
}

// A bot restarted in the middle of a flow carries on from the same step.
func TestRestartMidFlow(t *testing.T) {
	e := newEnv(t)
	stop := e.start()
	u := telegramtest.User{ID: 1002, FirstName: "Budi", LanguageCode: "en"}
	e.fake.SendText(u, "/profile")
	e.nth(u.ID, 2)
	e.fake.SendText(u, "Budi Santoso")
	contains(t, e.nth(u.ID, 3), "organisation")
	stop()

	e.start()
	e.fake.SendText(u, "Yayasan Sejahtera")
	sector := e.nth(u.ID, 4)
	contains(t, sector, "sector")
	e.fake.Press(u, sector.ID, buttonData(t, sector, "NGO"))
	contains(t, e.nth(u.ID, 5), "province")
}

// Updates received but not handled before a crash are replayed from the
// inbox, and an update handled before is not handled again.
func TestInboxReplayAfterCrash(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// What a crashed poller leaves: two updates stored and confirmed, not handled.
	raw := func(id int64, text string) []byte {
		return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":1003,"type":"private"},"from":{"id":1003,"is_bot":false,"first_name":"Citra","language_code":"en"},"text":%q,"entities":[{"type":"bot_command","offset":0,"length":%d}]}}`, id, id, text, len(strings.Fields(text)[0]))
	}
	if err := e.store.SaveInbox(ctx, []transport.InboxItem{{ID: 5, Raw: raw(5, "/start")}, {ID: 6, Raw: raw(6, "/help")}}, 7); err != nil {
		t.Fatal(err)
	}
	e.start()
	contains(t, e.nth(1003, 1), "Hello Citra")
	contains(t, e.nth(1003, 2), "Sinergi — help")
	e.waitFor("inbox emptied", func() bool { items, _ := e.store.Inbox(ctx); return len(items) == 0 })
	if off, _ := e.store.Offset(ctx); off != 7 {
		t.Fatalf("offset %d, want 7 (kept from before the crash)", off)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(e.fake.BotMessages(1003)); n != 2 {
		t.Fatalf("%d replies, want 2", n)
	}
}

// The same update_id delivered twice is answered once.
func TestDuplicateUpdateAnsweredOnce(t *testing.T) {
	e := newEnv(t)
	e.start()
	u := telegramtest.User{ID: 1004, FirstName: "Dewi"}
	id := e.fake.SendText(u, "/start")
	e.nth(u.ID, 1)
	e.fake.Redeliver(id)
	e.fake.SendText(u, "/help") // a later update, to know the redelivery was processed
	e.nth(u.ID, 2)
	time.Sleep(100 * time.Millisecond)
	if n := len(e.fake.BotMessages(u.ID)); n != 2 {
		t.Fatalf("%d messages, want 2 (welcome once, help)", n)
	}
}

// A 429 is waited out: the reply arrives after retry_after and nothing is
// sent into the window.
func TestFloodWaitIsWaitedOut(t *testing.T) {
	e := newEnv(t)
	e.start()
	u := telegramtest.User{ID: 1005, FirstName: "Eko"}
	e.fake.FailNext("sendMessage", u.ID, 429, 1, 1)
	start := time.Now()
	e.fake.SendText(u, "/start")
	e.nth(u.ID, 1)
	if el := time.Since(start); el < time.Second {
		t.Fatalf("reply after %v, inside retry_after", el)
	}
	st := e.fake.Stats()
	if st.SentIntoRetryAfter != 0 || st.Errors[429] != 1 || len(e.fake.BotMessages(u.ID)) != 1 {
		t.Fatalf("stats %+v, messages %d", st, len(e.fake.BotMessages(u.ID)))
	}
}

// 5xx answers are retried with backoff.
func TestServerErrorsRetried(t *testing.T) {
	e := newEnv(t)
	e.start()
	u := telegramtest.User{ID: 1006, FirstName: "Fajar"}
	e.fake.FailNext("sendMessage", u.ID, 502, 0, 2)
	e.fake.SendText(u, "/start")
	contains(t, e.nth(u.ID, 1), "Halo Fajar")
	if n := e.fake.Stats().Errors[502]; n != 2 {
		t.Fatalf("%d 502s", n)
	}
}

// User text comes back escaped: Telegram would reject unescaped HTML (the
// fake does too), and the user sees exactly what they typed.
func TestUserTextIsEscaped(t *testing.T) {
	e := newEnv(t)
	e.start()
	u := telegramtest.User{ID: 1007, FirstName: "<i>Gita</i> & co", LanguageCode: "en"}
	e.fake.SendText(u, "/start")
	contains(t, e.nth(u.ID, 1), "Hello <i>Gita</i> & co!")

	e.fake.SendText(u, "/profile")
	e.nth(u.ID, 3)
	e.fake.SendText(u, "<b>Tom & Jerry</b>")
	e.nth(u.ID, 4)
	e.fake.SendText(u, "R&D <Lab>")
	sector := e.nth(u.ID, 5)
	e.fake.Press(u, sector.ID, buttonData(t, sector, "Company"))
	e.nth(u.ID, 6)
	e.fake.SendText(u, "Bali")
	consent := e.nth(u.ID, 7)
	e.fake.Press(u, consent.ID, buttonData(t, consent, "I agree"))
	saved := e.nth(u.ID, 8)
	contains(t, saved, "Name: <b>Tom & Jerry</b>")
	contains(t, saved, "Organisation: R&D <Lab>")
	if !strings.Contains(saved.Text, "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;") {
		t.Fatalf("sent HTML %q", saved.Text)
	}
	if n := e.fake.Stats().Errors[400]; n != 0 {
		t.Fatalf("%d bad requests", n)
	}
}

// A participant pressing an admin-only button is refused, and nothing is
// created; the admin pressing it gets the invitation.
func TestAdminButtonRefusedToParticipant(t *testing.T) {
	e := newEnv(t)
	e.start()
	admin := telegramtest.User{ID: adminID, FirstName: "Sekretariat", LanguageCode: "en"}
	u := telegramtest.User{ID: 1008, FirstName: "Hadi", LanguageCode: "en"}
	e.fake.SendText(admin, "/grant")
	grant := e.nth(admin.ID, 1)
	data := buttonData(t, grant, "Invite a facilitator")

	e.fake.SendText(u, "/start")
	e.nth(u.ID, 1)
	e.fake.PressIn(u, u.ID, e.fake.BotMessages(u.ID)[0].ID, data) // forged: the admin's button in the participant's chat
	e.waitFor("refusal", func() bool {
		for _, c := range e.fake.CallsOf("answerCallbackQuery") {
			if c.Params["show_alert"] == "true" && strings.Contains(c.Params["text"], "not allowed") {
				return true
			}
		}
		return false
	})
	if n := len(e.fake.BotMessages(u.ID)); n != 1 {
		t.Fatalf("participant got %d messages", n)
	}
	keys, _ := e.redis.Client.Keys(context.Background(), e.redis.Prefix+"invite:*").Result()
	if len(keys) != 0 {
		t.Fatalf("invites created: %v", keys)
	}

	e.fake.Press(admin, grant.ID, data)
	link := e.nth(admin.ID, 2)
	contains(t, link, "https://t.me/"+telegramtest.BotUsername+"?start=invite_")
}

// A sticker where text is expected, a garbage deep link and an unknown
// command each get a clear reply; nothing stored changes.
func TestBadInputReplies(t *testing.T) {
	e := newEnv(t)
	e.start()
	u := telegramtest.User{ID: 1009, FirstName: "Intan", LanguageCode: "en"}
	e.fake.SendText(u, "/profile")
	e.nth(u.ID, 2)
	e.fake.SendSticker(u)
	contains(t, e.nth(u.ID, 3), "Please answer with a text message")
	contains(t, e.nth(u.ID, 4), "full name")
	e.fake.SendText(u, strings.Repeat("x", 5000))
	contains(t, e.nth(u.ID, 5), "(you wrote 5000)")
	e.fake.SendText(u, "/start ws_<script>")
	contains(t, e.nth(u.ID, 7), "not valid")
	e.fake.SendText(u, "/teleport")
	contains(t, e.nth(u.ID, 8), "don't know the command /teleport")
	if _, err := e.store.GetProfile(context.Background(), u.ID); !errors.Is(err, flows.ErrNotFound) {
		t.Fatal("profile stored")
	}
}

// A user who blocked the bot is marked inactive.
func TestBlockedUserMarkedInactive(t *testing.T) {
	e := newEnv(t)
	e.start()
	u := telegramtest.User{ID: 1010, FirstName: "Joko"}
	e.fake.Block(u.ID)
	e.fake.SendText(u, "/start")
	e.waitFor("user marked inactive", func() bool {
		got, err := e.store.GetUser(context.Background(), u.ID)
		return err == nil && got.Inactive
	})
}

// Webhook mode: requests without the secret are rejected; with it the
// update is handled and only then answered 200.
func TestWebhook(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := e.newBot(ctx)
	defer b.Close()
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	defer srv.Close()
	var err error
	if h, err = b.Webhook(ctx, srv.URL+"/tg", "s3cret_token"); err != nil {
		t.Fatal(err)
	}
	body := `{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":1011,"type":"private"},"from":{"id":1011,"is_bot":false,"first_name":"Kiki"},"text":"/start","entities":[{"type":"bot_command","offset":0,"length":6}]}}`
	for _, c := range []struct {
		secret string
		want   int
	}{{"", 401}, {"wrong", 401}, {"s3cret_token", 200}} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/tg", strings.NewReader(body))
		if c.secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", c.secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Fatalf("secret %q: status %d, want %d", c.secret, resp.StatusCode, c.want)
		}
	}
	// Answered 200 only after the reply went out and the state was saved.
	if n := len(e.fake.BotMessages(1011)); n != 1 {
		t.Fatalf("%d replies", n)
	}
	if calls := e.fake.CallsOf("setWebhook"); len(calls) != 1 || calls[0].Params["secret_token"] != "s3cret_token" {
		t.Fatalf("setWebhook %+v", calls)
	}
	if err := b.Stop(time.Second); err != nil {
		t.Fatal(err)
	}
}

// pollWithFlowStore runs a bot in polling mode whose flows use st (a
// wrapper of the env's store that injects faults) until ctx ends; the
// channel yields Polling's result.
func (e *env) pollWithFlowStore(ctx context.Context, st flowstest.Stores) <-chan error {
	e.t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := bot.New(ctx, bot.Config{Token: telegramtest.Token, APIURL: e.fake.URL(), PollTimeout: time.Second, Limits: e.limits, DefaultLang: "id"},
		bot.Deps{Store: e.store, Texts: e.texts, Log: log, Metrics: bot.NewMetrics(prometheus.NewRegistry()),
			Engine: func(u string) *flows.Engine {
				return flows.New(flows.Config{BotUsername: u, DefaultLang: "id"}, st, e.texts, flowstest.AllModules(st)...)
			}})
	if err != nil {
		e.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- b.Polling(ctx, time.Second)
		b.Close()
	}()
	return done
}

// panicky is the Redis store with profile reads that panic, standing in
// for a bug in a flow.
type panicky struct{ *store.Store }

func (panicky) GetProfile(context.Context, int64) (*flows.Profile, error) { panic("boom") }

// A panic in a handler is recovered: the user gets a localised apology, the
// previous state is kept, and the bot goes on answering.
func TestPanicRecovered(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := e.pollWithFlowStore(ctx, panicky{e.store})
	u := telegramtest.User{ID: 1012, FirstName: "Lina", LanguageCode: "en"}
	e.fake.SendText(u, "/profile")
	contains(t, e.nth(u.ID, 1), "something went wrong")
	e.fake.SendText(u, "/start")
	contains(t, e.nth(u.ID, 2), "Hello Lina")
	cancel()
	<-done
}

// Commands are published for each language and for the admins' chats.
func TestCommandsPublished(t *testing.T) {
	e := newEnv(t)
	b := e.newBot(context.Background())
	defer b.Close()
	b.PublishCommands(context.Background(), []int64{adminID})
	byLang := map[string]string{}
	for _, c := range e.fake.CallsOf("setMyCommands") {
		byLang[c.Params["language_code"]+"|"+c.Params["scope"]] = c.Params["commands"]
	}
	if !strings.Contains(byLang["en|"], "Main menu") || !strings.Contains(byLang["id|"], "Menu utama") || strings.Contains(byLang["en|"], "grant") {
		t.Fatalf("published %v", byLang)
	}
	var admin string
	for k, v := range byLang {
		if strings.Contains(k, fmt.Sprint(adminID)) {
			admin = v
		}
	}
	if !strings.Contains(admin, "grant") {
		t.Fatalf("admin commands %q", admin)
	}
	// Group chats get the commands that work there.
	group := byLang["en|"+`{"type":"all_group_chats"}`]
	if !strings.Contains(group, `"linkgroup"`) || !strings.Contains(group, `"workshops"`) || !strings.Contains(group, `"commit"`) ||
		strings.Contains(group, `"profile"`) || strings.Contains(group, `"start"`) {
		t.Fatalf("group commands %q (published %v)", group, byLang)
	}
}

// Flood control: 30 messages at once from one user are slowed down with one
// polite word; someone else is answered as usual meanwhile.
func TestFloodControl(t *testing.T) {
	e := newEnv(t)
	e.flood = bot.Flood{Burst: 20, Per: 10 * time.Second}
	e.start()
	noisy := telegramtest.User{ID: 1101, FirstName: "Cepat", LanguageCode: "en"}
	calm := telegramtest.User{ID: 1102, FirstName: "Tenang", LanguageCode: "en"}
	for range 30 {
		e.fake.SendText(noisy, "/help")
	}
	e.fake.SendText(calm, "/start")
	contains(t, e.nth(calm.ID, 1), "Hello Tenang")
	e.waitFor("the slow-down note", func() bool {
		for _, m := range e.fake.BotMessages(noisy.ID) {
			if strings.Contains(m.Plain, "please wait") {
				return true
			}
		}
		return false
	})
	time.Sleep(300 * time.Millisecond)
	msgs := e.fake.BotMessages(noisy.ID)
	help, wait := 0, 0
	for _, m := range msgs {
		switch {
		case strings.Contains(m.Plain, "Sinergi — help"):
			help++
		case strings.Contains(m.Plain, "please wait"):
			wait++
		}
	}
	if help < 20 || help > 22 || wait != 1 {
		t.Fatalf("%d answers and %d slow-down notes to 30 messages", help, wait)
	}
}
