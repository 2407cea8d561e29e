package bot

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
	"sinergi/locales"
	"sinergi/store"
	"sinergi/store/redistest"
)

func benchmarkPolling(b *testing.B, users int) {
	fake := telegramtest.New(telegramtest.WithoutRecording())
	defer fake.Close()
	r := redistest.New(b)
	st := store.New(r.Unguarded(b), store.Options{Prefix: r.Prefix})
	texts, err := locales.Load()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bt, err := New(ctx, Config{Token: telegramtest.Token, APIURL: fake.URL(), PollTimeout: time.Second, DefaultLang: "id"},
		Deps{Store: st, Texts: texts, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: NewMetrics(prometheus.NewRegistry()),
			Engine: func(u string) *flows.Engine {
				return flows.New(flows.Config{BotUsername: u, DefaultLang: "id"}, st, texts, AllModules(st)...)
			}})
	if err != nil {
		b.Fatal(err)
	}
	defer bt.Close()
	events, stop := fake.Subscribe()
	defer stop()
	done := make(chan error, 1)
	go func() { done <- bt.Polling(ctx, 5*time.Second) }()
	us := make([]telegramtest.User, users)
	for i := range us {
		us[i] = telegramtest.User{ID: int64(i + 1), FirstName: "U"}
	}
	const window = 256
	sem := make(chan struct{}, window)
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for i := range b.N {
			sem <- struct{}{}
			fake.SendText(us[i%users], "/start")
		}
	}()
	for n := 0; n < b.N; {
		ev := <-events
		if ev.Kind == telegramtest.EventMessage && ev.Message.FromBot {
			n++
			<-sem
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
	cancel()
	<-done
}
