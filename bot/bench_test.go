package bot

import (
	"context"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/locales"
	"sinergi/store"
	"sinergi/store/redistest"
)

// BenchmarkUpdateEngineRedis: one /start update through the state load (one
// round trip), the engine and the commit (one MULTI/EXEC) against a real
// redis-server, without the Telegram call, with 32 chats in flight.
func BenchmarkUpdateEngineRedis(b *testing.B) {
	r := redistest.New(b)
	st := store.New(r.Client, store.Options{Prefix: r.Prefix})
	texts, err := locales.Load()
	if err != nil {
		b.Fatal(err)
	}
	e := flows.New(flows.Config{BotUsername: "bench_bot", DefaultLang: "id"}, st, texts)
	rend := &renderer{texts: texts}
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(16) // 32 chats in flight on 2 cores, as under load
	b.RunParallel(func(pb *testing.PB) {
		var i int64
		for pb.Next() {
			i++
			chat := i%10_000 + 1
			in := flows.Input{UpdateID: time.Now().UnixNano(), ChatID: chat, UserID: chat, Private: true,
				Kind: flows.KindCommand, Command: "start", Text: "/start", FirstName: "Bench", Now: time.Now()}
			s, err := st.LoadState(ctx, chat, chat, in.UpdateID)
			if err != nil {
				b.Fatal(err)
			}
			res, err := e.Handle(ctx, in, s.User, s.Session)
			if err != nil {
				b.Fatal(err)
			}
			for _, rep := range res.Replies {
				_ = rend.text(res.User.Lang, rep.Text, false)
				_ = rend.markup(res.User.Lang, rep.Buttons)
			}
			if err := st.Commit(ctx, store.Commit{ChatID: chat, UpdateID: in.UpdateID, User: res.User, Session: res.Session}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPollingStart: /start updates from 1,000 users through the whole
// bot — getUpdates, inbox, ordering, state, engine, render, sendMessage,
// commit — against the fake Bot API and a real redis-server.
func BenchmarkPollingStart(b *testing.B) {
	benchmarkPolling(b, 1000)
}
