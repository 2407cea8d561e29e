package bot_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sinergi/bot"
	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A due job of a kind this build does not run (renamed by a deploy) is
// not dropped: it is parked with its due time, logged and counted once,
// and not claimed again by later ticks.
func TestUnknownJobKindParked(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	var logs lockedBuffer
	b, err := bot.New(ctx, bot.Config{Token: telegramtest.Token, APIURL: e.fake.URL(), PollTimeout: time.Second, Limits: e.limits, DefaultLang: "id", Clock: e.clock.Now},
		bot.Deps{Store: e.store, Texts: e.texts, Log: slog.New(slog.NewTextHandler(&logs, nil)), Metrics: bot.NewMetrics(reg),
			Engine: func(u string) *flows.Engine {
				return flows.New(flows.Config{BotUsername: u, DefaultLang: "id"}, e.store, e.texts, bot.AllModules(e.store)...)
			}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	e.clock.Set(now)
	due := now.Add(-time.Minute)
	if err := e.store.Schedule(ctx, flows.Job{ID: "remind_renamed|ws1|42", Due: due}); err != nil {
		t.Fatal(err)
	}
	for tick := range 3 {
		if n, err := b.Tick(ctx); n != 0 || err != nil {
			t.Fatalf("tick %d: ran %d, %v", tick, n, err)
		}
		e.clock.Set(now.Add(time.Duration(tick+1) * 2 * time.Minute)) // past any lease
	}
	const metric = "sinergi_jobs_unknown_total"
	if n := counterValue(t, reg, metric); n != 1 {
		t.Fatalf("%s = %v after three ticks, want 1 (parked, not claimed again)", metric, n)
	}
	if !strings.Contains(logs.String(), "remind_renamed|ws1|42") {
		t.Fatalf("not logged:\n%s", logs.String())
	}
	parked, err := e.store.ParkedJobs(ctx, 10)
	if err != nil || len(parked) != 1 || parked[0].ID != "remind_renamed|ws1|42" || !parked[0].Due.Equal(due) {
		t.Fatalf("parked %v, %v", parked, err)
	}
}

// counterValue reads a registered counter by its metric name.
func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
