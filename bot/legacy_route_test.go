package bot_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sinergi/bot"
	"sinergi/bot/telegramtest"
	"sinergi/flows"
	"sinergi/flows/flowstest"
	"sinergi/locales"
)

// A button sent before route names were namespaced ("lang:en") still works
// and is counted in sinergi_legacy_buttons_total by its legacy name, so
// that one can tell when the legacy names are no longer pressed; a button
// with the route's name is not counted.
func TestLegacyButtonCounted(t *testing.T) {
	fake := telegramtest.New()
	t.Cleanup(fake.Close)
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	users := flowstest.NewStore()
	lim := bot.DefaultLimits()
	lim.Global, lim.PerChat, lim.PerGroup = 0, 0, 0
	reg := prometheus.NewRegistry()
	ctx, cancel := context.WithCancel(context.Background())
	b, err := bot.New(ctx, bot.Config{Token: telegramtest.Token, APIURL: fake.URL(), PollTimeout: time.Second, Limits: lim, DefaultLang: "id"},
		bot.Deps{Store: newMemTransport(users), Texts: texts, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: bot.NewMetrics(reg),
			Engine: func(username string) *flows.Engine {
				return flows.New(flows.Config{BotUsername: username, DefaultLang: "id"}, users, texts)
			}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Polling(ctx, 5*time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("polling: %v", err)
		}
		b.Close()
	})

	u := telegramtest.User{ID: 1301, FirstName: "Ayu", LanguageCode: "id"}
	fake.SendText(u, "/language")
	msgs, err := fake.WaitBotMessages(u.ID, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if d := msgs[0].Buttons[0][1].CallbackData; d != "core.language:en" {
		t.Fatalf("the button is built with %q", d)
	}
	// Pressed as the same button of an older message read it; /help after
	// it answers once the press is handled (a chat's updates run in order).
	fake.Press(u, msgs[0].ID, "lang:en")
	fake.SendText(u, "/help")
	if msgs, err = fake.WaitBotMessages(u.ID, 2, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if got, err := users.GetUser(ctx, u.ID); err != nil || got.Lang != "en" {
		t.Fatalf("the legacy button did not set the language: %+v %v", got, err)
	}
	fake.Press(u, msgs[0].ID, "core.language:id")
	fake.SendText(u, "/help")
	if _, err = fake.WaitBotMessages(u.ID, 3, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if got, err := users.GetUser(ctx, u.ID); err != nil || got.Lang != "id" {
		t.Fatalf("the button did not set the language: %+v %v", got, err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counted := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() == "sinergi_legacy_buttons_total" {
			for _, m := range mf.GetMetric() {
				counted[m.GetLabel()[0].GetValue()] += m.GetCounter().GetValue()
			}
		}
	}
	if len(counted) != 1 || counted["lang"] != 1 {
		t.Fatalf("legacy buttons counted %v, want lang: 1", counted)
	}
}
