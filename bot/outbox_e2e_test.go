package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/bot/telegramtest"
	"sinergi/flows/transport"
)

// leaveOutbox commits replies for chat as a process would that then died
// before sending them: entries in the transport's encoding, the lock taken
// and never released; begun names the entry whose send had begun.
func leaveOutbox(t *testing.T, e *env, chat, upd int64, begun string, texts ...string) {
	t.Helper()
	ctx := context.Background()
	lock, err := e.store.NewLocker(time.Minute).Acquire(ctx, chat, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for i, s := range texts {
		out = append(out, fmt.Appendf(nil, `{"id":"%d.%d","c":%d,"k":"t","t":%q}`, upd, i, chat, s))
	}
	if err := e.store.Commit(ctx, transport.Commit{ChatID: chat, UpdateID: upd, Outbox: out, Lock: lock}); err != nil {
		t.Fatal(err)
	}
	if begun != "" {
		if err := e.store.OutboxBegin(ctx, chat, begun, false); err != nil {
			t.Fatal(err)
		}
	}
	// The process is gone: its lock expires, its outbox is old.
	e.redis.Client.Del(ctx, e.redis.Prefix+fmt.Sprintf("{c:%d}:lock", chat))
	e.redis.Client.ZAdd(ctx, e.redis.Prefix+"outbox:pending", redis.Z{Score: float64(time.Now().Add(-time.Hour).UnixMilli()), Member: chat})
}

// Replies a dead process committed and did not send are sent by the
// sweeper, in order, even when the chat never writes again; the one whose
// send had begun is not sent again (#13.4).
func TestOutboxLeftBehindIsSwept(t *testing.T) {
	e := newEnv(t)
	leaveOutbox(t, e, 4001, 9, "9.0", "first", "second", "third")
	e.start()
	msgs, err := e.fake.WaitBotMessages(4001, 2, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].Plain != "second" || msgs[1].Plain != "third" {
		t.Fatalf("sent %q, %q; want second, third", msgs[0].Plain, msgs[1].Plain)
	}
	e.waitFor("the outbox emptied", func() bool {
		st, err := e.store.LoadState(context.Background(), 4001, 4001, 0)
		return err == nil && st.Outbox == 0
	})
	if n := len(e.fake.BotMessages(4001)); n != 2 {
		t.Fatalf("%d messages, want 2", n)
	}
}

// The chat's next update sends what was left before its own replies.
func TestOutboxLeftBehindGoesFirst(t *testing.T) {
	e := newEnv(t)
	leaveOutbox(t, e, 4002, 9, "", "first", "second")
	e.start()
	e.fake.SendText(telegramtest.User{ID: 4002, FirstName: "Dewi", LanguageCode: "en"}, "/start")
	msgs, err := e.fake.WaitBotMessages(4002, 3, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].Plain != "first" || msgs[1].Plain != "second" {
		t.Fatalf("sent %q, %q first; want first, second", msgs[0].Plain, msgs[1].Plain)
	}
	contains(t, msgs[2], "Dewi")
}

// Telegram refuses a message with a tg://user button when that user's
// privacy settings forbid such links (BUTTON_USER_PRIVACY_RESTRICTED). The
// message then goes once, without the button and with a note saying why
// and how the two can reach each other (#15).
func TestUserLinkRefusedFallsBack(t *testing.T) {
	e := newEnv(t)
	const ani, bayu = 4301, 4302
	e.fake.RestrictUserLinks(bayu)
	ctx := context.Background()
	lock, err := e.store.NewLocker(time.Minute).Acquire(ctx, ani, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	entry := fmt.Appendf(nil, `{"id":"9.0","c":%d,"k":"t","l":"en","t":"Contact: Bayu has no Telegram username.",`+
		`"b":[[{"t":"Open chat","u":"tg://user?id=%d"}],[{"t":"My introductions","d":"core.menu:introductions"}]]}`, ani, bayu)
	if err := e.store.Commit(ctx, transport.Commit{ChatID: ani, UpdateID: 9, Outbox: [][]byte{entry}, Lock: lock}); err != nil {
		t.Fatal(err)
	}
	e.redis.Client.Del(ctx, e.redis.Prefix+fmt.Sprintf("{c:%d}:lock", ani))
	e.start()
	e.fake.SendText(telegramtest.User{ID: ani, FirstName: "Ani", LanguageCode: "en"}, "/help")
	msgs, err := e.fake.WaitBotMessages(ani, 2, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	got := msgs[0]
	contains(t, got, "Contact: Bayu")
	contains(t, got, "privacy settings do not allow a link")
	for _, row := range got.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.URL, "tg://") {
				t.Fatalf("the refused button is still there: %+v", got.Buttons)
			}
		}
	}
	if len(got.Buttons) != 1 || got.Buttons[0][0].CallbackData != "core.menu:introductions" {
		t.Fatalf("the other buttons: %+v", got.Buttons)
	}
	refused := 0
	for _, c := range e.fake.CallsOf("sendMessage") {
		if c.ErrorCode == 400 {
			refused++
		}
	}
	copies := 0
	for _, m := range e.fake.BotMessages(ani) {
		if strings.Contains(m.Plain, "Contact: Bayu") {
			copies++
		}
	}
	if refused != 1 || copies != 1 {
		t.Fatalf("%d refused sends, %d copies delivered; want 1 and 1", refused, copies)
	}
}
