package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/alicebob/miniredis/v2"

	"sinergi/bot"
	"sinergi/bot/playground"
	"sinergi/bot/telegramtest"
	"sinergi/bot/webapp"
	"sinergi/store"
)

// demoCheckInOpens is how long before the start check-in opens in the
// -demo playground, unless configured: the demo workshop starts three to
// four days ahead.
const demoCheckInOpens = 96 * time.Hour

// playgroundAdmin is the secretariat user the playground offers when
// SINERGI_ADMINS names nobody.
const playgroundAdmin = 100_000

// runPlayground runs the real bot against an in-process fake Telegram and
// serves the chat page: Sinergi on one machine, offline, with no bot token.
func runPlayground(ctx context.Context, cfg *config, log *slog.Logger, stderr io.Writer) error {
	clock := &playground.Clock{}
	fake, err := telegramtest.NewServer("127.0.0.1:0", telegramtest.WithClock(clock.Now))
	if err != nil {
		return fmt.Errorf("fake Telegram: %w", err)
	}
	defer fake.Close()
	if !cfg.RedisURLSet {
		mr, err := miniredis.Run()
		if err != nil {
			return fmt.Errorf("in-process redis: %w", err)
		}
		defer mr.Close()
		cfg.RedisURL = "redis://" + mr.Addr() + "/0"
		log.Info("playground: using an in-process Redis — its data lives only as long as this process (set REDIS_URL and -playground to keep it)")
	}
	cfg.Token, cfg.APIURL = telegramtest.Token, fake.URL()
	if len(cfg.Admins) == 0 {
		cfg.Admins = []int64{playgroundAdmin}
	}
	if cfg.Demo && !cfg.CheckInOpensSet {
		// The README's steps check Siti in right after she registers,
		// days before the demo workshop.
		cfg.CheckInOpens = demoCheckInOpens
	}
	ln, err := listen(cfg.PlaygroundAddr, "SINERGI_PLAYGROUND_ADDR")
	if err != nil {
		return err
	}
	defer ln.Close() // when the bot does not start, nobody serves it
	if host, _, _ := net.SplitHostPort(cfg.PlaygroundAddr); cfg.PlaygroundPublic {
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			log.Warn("playground: listening beyond this machine — it has NO authentication; anyone who reaches it can act as any user", "addr", ln.Addr().String())
		}
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	ready := func(b *bot.Bot, st *store.Store, app *webapp.Server) error {
		p := playground.New(playground.Config{
			Fake: fake, Clock: clock, Ticker: b, Users: st, BotUsername: b.Username(), Log: log, Admins: cfg.Admins, Token: cfg.Token,
		})
		if cfg.Demo {
			if err := seedDemo(ctx, p, st, clock.Now(), log); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
		}
		// The dashboard Mini App next to the chat page, opened by the
		// page's "Open dashboard" with launch data signed with the
		// playground's own token.
		mux := http.NewServeMux()
		mux.Handle("/app/", app.Handler())
		mux.Handle("/", p.Handler())
		srv.Handler = mux
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
		url := "http://" + ln.Addr().String() + "/"
		fmt.Fprintf(stderr, "\n  Sinergi playground: open %s in your browser\n\n", url)
		log.Info("playground ready", "url", url)
		return nil
	}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case err := <-errc:
			log.Error("playground server", "err", err)
			cancel()
		case <-pctx.Done():
		}
	}()
	return serve(pctx, cfg, log, hooks{clock: clock.Now, ready: ready})
}
