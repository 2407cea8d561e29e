package bot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// A webhook body without update_id (or with a zero one) is refused with
// 400 and never handled; it does not mark id 0 as seen either.
func TestWebhookRefusesUpdateWithoutID(t *testing.T) {
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
	const msg = `"message":{"message_id":1,"date":1,"chat":{"id":1021,"type":"private"},"from":{"id":1021,"is_bot":false,"first_name":"Kiki"},"text":"/start","entities":[{"type":"bot_command","offset":0,"length":6}]}`
	post := func(body string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/tg", strings.NewReader(body))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret_token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, body := range []string{
		`{` + msg + `}`,
		`{"update_id":null,` + msg + `}`,
		`{"update_id":0,` + msg + `}`,
		`{"update_id":-4,` + msg + `}`,
	} {
		if code := post(body); code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", body[:20], code)
		}
	}
	if n := len(e.fake.BotMessages(1021)); n != 0 {
		t.Fatalf("%d replies to refused updates", n)
	}
	if code := post(`{"update_id":7,` + msg + `}`); code != http.StatusOK {
		t.Fatalf("a real update: status %d", code)
	}
	if n := len(e.fake.BotMessages(1021)); n != 1 {
		t.Fatalf("%d replies to a real update", n)
	}
	if err := b.Stop(time.Second); err != nil {
		t.Fatal(err)
	}
}

// In webhook mode the bot asks for my_chat_member updates too (Telegram's
// fake delivers only the kinds setWebhook asked for): added to a group, it
// greets it; removed, the group's link goes inactive.
func TestWebhookGetsMyChatMember(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := e.newBot(ctx)
	defer b.Close()
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	defer srv.Close()
	var err error
	if h, err = b.Webhook(ctx, srv.URL+"/tg", ""); err != nil {
		t.Fatal(err)
	}
	const group = -4301
	admin := telegramtest.User{ID: adminID, FirstName: "Sekretariat", LanguageCode: "en"}
	e.fake.NewGroup(group, "Bab Bali")
	e.fake.SetMember(group, admin, telegramtest.StatusCreator)
	if _, err := e.store.LinkChat(ctx, &flows.ChatLink{Chat: group, Title: "Bab Bali", Type: "group", Purpose: flows.PurposeForum, By: adminID, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	e.fake.AddBot(group, admin, false)
	contains(t, e.nth(group, 1), "/linkgroup")
	e.fake.RemoveBot(group, admin)
	e.waitFor("the link inactive", func() bool { ls := e.groupLinks(); return len(ls) == 1 && ls[0].Inactive })
	if err := b.Stop(time.Second); err != nil {
		t.Fatal(err)
	}
}
