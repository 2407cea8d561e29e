package bot_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"sinergi/bot"
	"sinergi/bot/telegramtest"
	"sinergi/store"
)

// TestGroupBudgetAcrossReplicas: three replicas sending to one group share
// its budget through Redis and never exceed Telegram's 20 messages per
// minute there. Time is scaled: with a per-group gap of 300 ms (3 s in
// production) the rule is at most 20 sends in any 6 s (20 gaps); a burst
// allowance on top of the gap would break it.
func TestGroupBudgetAcrossReplicas(t *testing.T) {
	e := newEnv(t)
	const group = -1002000000001
	e.fake.NewSupergroup(group, "Forum Air", false)
	lim := bot.DefaultLimits()
	lim.Global, lim.PerGroup = 0, 300*time.Millisecond
	var senders []*bot.Sender
	for i := range 3 {
		api, err := tg.New(telegramtest.Token, tg.WithServerURL(e.fake.URL()), tg.WithSkipGetMe())
		if err != nil {
			t.Fatal(err)
		}
		s := bot.NewSender(api, lim, bot.NewMetrics(prometheus.NewRegistry()))
		s.Share(store.New(redis.NewClient(e.redis.Client.Options()), store.Options{Prefix: e.redis.Prefix}), fmt.Sprint("replica-", i))
		t.Cleanup(s.Close)
		senders = append(senders, s)
	}
	var wg sync.WaitGroup
	for i, s := range senders {
		wg.Go(func() {
			for n := range 9 {
				err := s.Send(context.Background(), group, bot.Bulk, "sendMessage", func(ctx context.Context, api *tg.Bot) error {
					_, err := api.SendMessage(ctx, &tg.SendMessageParams{ChatID: group, Text: fmt.Sprintf("replica %d message %d", i, n)})
					return err
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	var at []time.Time
	for _, c := range e.fake.CallsOf("sendMessage") {
		at = append(at, c.At)
	}
	window := 20 * lim.PerGroup
	worst := 0
	for i := range at {
		n := 0
		for _, t2 := range at[i:] {
			if t2.Sub(at[i]) < window {
				n++
			}
		}
		worst = max(worst, n)
	}
	t.Logf("%d sends, at most %d within %v (20 gaps)", len(at), worst, window)
	if len(at) != 27 {
		t.Fatalf("%d sends, want 27", len(at))
	}
	if worst > 20 {
		t.Fatalf("%d sends to the group within %v: more than 20 per 20 gaps (20 a minute at the real 3 s gap)", worst, window)
	}
}
