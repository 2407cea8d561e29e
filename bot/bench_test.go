package bot

import (
	"context"
	"strconv"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/transport"
	"sinergi/locales"
	"sinergi/store"
	"sinergi/store/redistest"
)

// BenchmarkUpdateEngineRedis: one /start update through the state load (one
// round trip), the engine and the commit (one MULTI/EXEC) against a real
// redis-server, without the Telegram call, with 32 chats in flight.
func BenchmarkUpdateEngineRedis(b *testing.B) {
	r := redistest.New(b)
	st := store.New(r.Unguarded(b), store.Options{Prefix: r.Prefix})
	texts, err := locales.Load()
	if err != nil {
		b.Fatal(err)
	}
	e := flows.New(flows.Config{BotUsername: "bench_bot", DefaultLang: "id"}, st, texts, AllModules(st)...)
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
				m := rend.prepare(chat, res.User.Lang, rep)
				if _, err := rend.encode(&m); err != nil {
					b.Fatal(err)
				}
			}
			if err := st.Commit(ctx, transport.Commit{ChatID: chat, UpdateID: in.UpdateID, User: res.User, UserBefore: s.User, Session: res.Session}); err != nil {
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

// BenchmarkReport1000: the progress report (text, chart, CSV) of a workshop
// with 1,000 commitments, against real Redis.
func BenchmarkReport1000(b *testing.B) {
	r := redistest.New(b)
	st := store.New(r.Unguarded(b), store.Options{Prefix: r.Prefix})
	texts, _ := locales.Load()
	e := flows.New(flows.Config{BotUsername: "bench_bot", DefaultLang: "en", Admins: []int64{1}}, st, texts, AllModules(st)...)
	ctx := context.Background()
	now := time.Now()
	w := &flows.Workshop{Code: "bench1", Title: "Bench", Zone: "Asia/Jakarta", Start: now, End: now.Add(time.Hour), Deadline: now, Venue: "x", Facilitators: []int64{1}}
	if err := st.CreateWorkshop(ctx, w); err != nil {
		b.Fatal(err)
	}
	statuses := []string{flows.CmOpen, flows.CmOnTrack, flows.CmBlocked, flows.CmDone}
	for i := range 1000 {
		uid := int64(1000 + i%200)
		_ = st.SaveProfile(ctx, &flows.Profile{UserID: uid, FullName: "Owner", Organisation: "Org " + strconv.Itoa(i%40)})
		c := &flows.Commitment{ID: "c" + strconv.Itoa(i), Workshop: w.Code, What: "Commitment number " + strconv.Itoa(i), Owner: uid,
			Due: now.AddDate(0, 0, i%60-30), Status: statuses[i%4], Created: now,
			History: []flows.StatusEntry{{At: now, Status: statuses[i%4], Note: "progress note"}}}
		if err := st.SaveCommitment(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
	admin := &flows.User{ID: 1, Lang: "en", Role: flows.RoleAdmin}
	b.ResetTimer()
	for range b.N {
		in := flows.Input{ChatID: 1, UserID: 1, Private: true, Kind: flows.KindCallback, Callback: "followup.report:" + w.Code, MessageID: 5, Now: now}
		res, err := e.Handle(ctx, in, admin, nil)
		if err != nil || len(res.Replies) != 3 {
			b.Fatalf("%v %d", err, len(res.Replies))
		}
	}
}
