// Command sinergi runs the Sinergi Telegram bot. Configuration comes from
// environment variables, overridden by flags; see README.md or -help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"sinergi/bot"
	"sinergi/bot/chart"
	"sinergi/bot/webapp"
	"sinergi/flows"
	"sinergi/flows/agenda"
	"sinergi/flows/attendance"
	"sinergi/flows/audit"
	"sinergi/flows/broadcast"
	"sinergi/flows/certificates"
	"sinergi/flows/chapters"
	"sinergi/flows/dashboard"
	"sinergi/flows/followup"
	"sinergi/flows/groups"
	"sinergi/flows/matchmaking"
	"sinergi/flows/meetings"
	"sinergi/flows/privacy"
	"sinergi/flows/profile"
	"sinergi/flows/registration"
	"sinergi/flows/roles"
	"sinergi/flows/surveys"
	"sinergi/flows/workshops"
	"sinergi/locales"
	"sinergi/store"
)

// Shutdown budget: stop taking updates at once, finish those in flight, be
// gone within 10 s of SIGTERM.
const (
	drainGrace  = 8 * time.Second
	serverGrace = time.Second
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// go-redis writes its own lines (connection pool, Sentinel) through one
	// process-wide logger: set here, once, so they come through slog and
	// SINERGI_LOG_FORMAT=json stays JSON.
	os.Exit(runWith(ctx, os.Args[1:], os.Getenv, os.Stderr, func(log *slog.Logger) { redis.SetLogger(redisLogger{log}) }))
}

// run is main with its dependencies passed in; it returns the exit code:
// 2 for bad configuration, 1 for a failure at run time.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	return runWith(ctx, args, getenv, stderr, nil)
}

// runWith is run; withLog, when set, gets the logger once it is built.
func runWith(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, withLog func(*slog.Logger)) int {
	if len(args) > 0 && args[0] == "healthcheck" {
		return healthcheck(ctx, args[1:], getenv, stderr)
	}
	cfg, err := loadConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "sinergi:", err)
		return 2
	}
	log := newLogger(cfg.LogFormat, stderr)
	if withLog != nil {
		withLog(log)
	}
	if cfg.Playground {
		err = runPlayground(ctx, cfg, log, stderr)
	} else {
		err = serve(ctx, cfg, log, hooks{})
	}
	if err != nil {
		log.Error("sinergi stopped", "err", err)
		return 1
	}
	return 0
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// redisLogger takes go-redis's own log lines (redis.SetLogger) into slog.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	msg := strings.TrimSpace(fmt.Sprintf(format, v...))
	l.log.WarnContext(ctx, "redis client: "+strings.TrimPrefix(msg, "redis: "))
}

// hooks let the playground reach into a running bot.
type hooks struct {
	clock func() time.Time
	// ready runs once the bot is connected, with what the playground needs.
	ready func(b *bot.Bot, st *store.Store, app *webapp.Server) error
}

func serve(ctx context.Context, cfg *config, log *slog.Logger, h hooks) error {
	// Every address is taken before anything is announced: a port in use
	// stops the start with the setting to change.
	httpLn, err := listen(cfg.HTTPAddr, "SINERGI_HTTP_ADDR")
	if err != nil {
		return err
	}
	defer httpLn.Close()
	var hookLn net.Listener
	if cfg.WebhookURL != "" && cfg.WebhookListen != "" && cfg.WebhookListen != cfg.HTTPAddr {
		if hookLn, err = listen(cfg.WebhookListen, "SINERGI_WEBHOOK_LISTEN"); err != nil {
			return err
		}
		defer hookLn.Close()
	}
	st, err := store.Open(ctx, cfg.RedisURL, store.Options{Prefix: cfg.RedisPrefix, SessionTTL: cfg.SessionTTL})
	if err != nil {
		return fmt.Errorf("redis at REDIS_URL: %w", err)
	}
	defer st.Close()
	// User records of builds before the per-field hash are converted once
	// (idempotent; replicas starting together do not conflict).
	if n, err := st.MigrateUsers(ctx); err != nil {
		return fmt.Errorf("migrate user records: %w", err)
	} else if n > 0 {
		log.Info("user records migrated to per-field hashes", "users", n)
	}
	// Workshops of builds before teams get theirs: the facilitators, owned by
	// the creator (idempotent, like the users').
	if n, err := st.MigrateTeams(ctx); err != nil {
		return fmt.Errorf("migrate workshop teams: %w", err)
	} else if n > 0 {
		log.Info("workshops given their teams", "workshops", n)
	}
	// The sector and province indexes of broadcast segments are built
	// once for a database of a build before them.
	if n, err := st.MigrateMembers(ctx); err != nil {
		return fmt.Errorf("index members: %w", err)
	} else if n > 0 {
		log.Info("members indexed by sector and province", "profiles", n)
	}
	// On one server those indexes are exact (written with the profile):
	// once, they are rebuilt from the profiles, without what builds that
	// wrote them in steps may have left.
	if n, err := st.MigrateExactMembers(ctx); err != nil {
		return fmt.Errorf("index members exactly: %w", err)
	} else if n > 0 {
		log.Info("sector and province indexes rebuilt from the profiles", "members", n)
	}
	// The index of receivers (the segments everyone and a language) is
	// built once for a database of a build before it.
	if n, err := st.MigrateReceivers(ctx); err != nil {
		return fmt.Errorf("index receivers: %w", err)
	} else if n > 0 {
		log.Info("members indexed as receivers of broadcasts", "users", n)
	}
	// Who a commitment names besides its owner is indexed once for a
	// database of a build before that index (forgetting someone reads it).
	if n, err := st.MigrateCommitmentNames(ctx); err != nil {
		return fmt.Errorf("index commitment names: %w", err)
	} else if n > 0 {
		log.Info("commitments indexed by who they name", "commitments", n)
	}
	// The commitment tallies the dashboard reads are built once for a
	// database of a build before them.
	if n, err := st.MigrateCommitmentTallies(ctx); err != nil {
		return fmt.Errorf("tally commitments: %w", err)
	} else if n > 0 {
		log.Info("commitments tallied", "commitments", n)
	}
	// Who marked whom "not interested" and who created which invitation
	// are indexed once for a database of a build before those indexes.
	if n, err := st.MigrateForgetIndexes(ctx); err != nil {
		return fmt.Errorf("index marks and invitations: %w", err)
	} else if n > 0 {
		log.Info("not-interested marks and invitations indexed", "entries", n)
	}
	// Dedupe marks, team and chapter-admin invitations and jobs are indexed
	// once for a database of a build before those indexes (forgetting
	// someone reads them instead of scanning every key).
	if n, err := st.MigrateForgetScans(ctx); err != nil {
		return fmt.Errorf("index dedupe marks, invitations and jobs: %w", err)
	} else if n > 0 {
		log.Info("dedupe marks, invitations and jobs indexed", "entries", n)
	}
	// Partner profiles of builds before the suggestion bitmaps get their
	// bits (idempotent; one EXISTS when there is nothing to move).
	if n, err := st.MigratePartners(ctx); err != nil {
		return fmt.Errorf("migrate partner profiles: %w", err)
	} else if n > 0 {
		log.Info("partner profiles moved to the suggestion bitmaps", "profiles", n)
	}
	// Invite-only workshops saved by a build before the registration
	// scripts refused plain registrations get the meta field they refuse by
	// (idempotent; a save writes it too).
	if n, err := st.MigrateInviteMeta(ctx); err != nil {
		return fmt.Errorf("migrate invite-only meta: %w", err)
	} else if n > 0 {
		log.Info("workshops' invite-only field written to their meta", "workshops", n)
	}
	texts, err := locales.Load()
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := bot.NewMetrics(reg)

	limits := bot.DefaultLimits()
	limits.Global = cfg.RateLimit
	if cfg.RateLimit == 0 {
		limits.PerChat, limits.PerGroup = 0, 0
	}
	b, err := bot.New(ctx, bot.Config{
		Token: cfg.Token, APIURL: cfg.APIURL, Workers: cfg.Workers, Limits: limits, DefaultLang: cfg.DefaultLang, Clock: h.clock,
		Flood: bot.Flood{Burst: cfg.Flood.Burst, Per: cfg.Flood.Per},
	}, bot.Deps{
		Store: st, Texts: texts, Log: log, Metrics: metrics,
		Engine: func(username string) *flows.Engine {
			return flows.New(flows.Config{
				BotUsername: username, Admins: cfg.Admins, DefaultLang: cfg.DefaultLang, Location: cfg.Location,
				CheckInOpens: cfg.CheckInOpens, CheckInCloses: cfg.CheckInCloses, OnlineOpens: cfg.OnlineOpens, OnlineCloses: cfg.OnlineCloses, ForumName: cfg.ForumName,
				WebAppURL: cfg.WebAppURL,
			}, st, texts,
				// The capabilities Sinergi runs, in menu order.
				registration.Module(st),
				followup.Module(st),
				profile.Module(st),
				matchmaking.Module(st),
				workshops.Module(st),
				broadcast.Module(st),
				roles.Module(st),
				chapters.Module(st),
				audit.Module(st),
				privacy.Module(st),
				groups.Module(st),
				agenda.Module(st),
				dashboard.Module(),
				attendance.Module(st),
				certificates.Module(st),
				meetings.Module(st),
				surveys.Module(st),
			)
		},
	})
	if err != nil {
		return err
	}
	defer b.Close()
	log.Info("connected", "bot", b.Username(), "mode", map[bool]string{true: "webhook", false: "polling"}[cfg.WebhookURL != ""])
	b.PublishCommands(ctx, cfg.Admins)
	// The dashboard Mini App: the page and its API, signed by Telegram.
	app := newWebApp(cfg, b, st, texts, log, h.clock)
	if h.ready != nil {
		if err := h.ready(b, st, app); err != nil {
			return err
		}
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		pctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := st.Ping(pctx); err != nil {
			http.Error(w, "redis: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("/app/", app.Handler())
	servers := []*http.Server{newServer(cfg.HTTPAddr, mux)}
	lns := []net.Listener{httpLn}

	if cfg.WebhookURL != "" {
		h, err := b.Webhook(ctx, cfg.WebhookURL, cfg.WebhookSecret)
		if err != nil {
			return err
		}
		u, _ := url.Parse(cfg.WebhookURL)
		path := u.Path
		if path == "" {
			path = "/"
		}
		if hookLn == nil {
			mux.Handle(path, h)
		} else {
			wm := http.NewServeMux()
			wm.Handle(path, h)
			servers = append(servers, newServer(cfg.WebhookListen, wm))
			lns = append(lns, hookLn)
		}
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		ln := lns[i]
		log.Info("http listening", "addr", ln.Addr().String())
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	shutdownHTTP := func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), serverGrace)
		defer cancel()
		for _, srv := range servers {
			_ = srv.Shutdown(sctx)
		}
	}

	sctx, stopScheduler := context.WithCancel(context.WithoutCancel(ctx))
	schedulerDone := make(chan struct{})
	broadcastsDone := make(chan struct{})
	go func() { defer close(schedulerDone); b.RunScheduler(sctx, cfg.Location) }()
	go func() { defer close(broadcastsDone); b.RunBroadcasts(sctx) }()
	defer func() { stopScheduler(); <-schedulerDone; <-broadcastsDone }()

	if cfg.WebhookURL != "" {
		select {
		case <-ctx.Done():
		case err = <-errc:
		}
		log.Info("shutting down")
		shutdownHTTP() // no new webhook requests
		if serr := b.Stop(drainGrace); serr != nil {
			log.Warn("shutdown", "err", serr)
		}
		return err
	}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case err = <-errc:
			cancel()
		case <-pctx.Done():
		}
	}()
	perr := b.Polling(pctx, drainGrace)
	log.Info("stopped polling")
	shutdownHTTP()
	return errors.Join(perr, err)
}

// newWebApp is the dashboard Mini App of the running bot.
func newWebApp(cfg *config, b *bot.Bot, st *store.Store, texts *locales.Catalog, log *slog.Logger, clock func() time.Time) *webapp.Server {
	return webapp.New(webapp.Config{
		Clock: clock, Token: cfg.Token, MaxAge: cfg.WebAppMaxAge, Store: st, Texts: texts, Engine: b.Engine,
		Deliver: b.Deliver, Chart: chart.PNG, Log: log, DefaultLang: cfg.DefaultLang,
	})
}

// listen takes addr, the value of the setting env; an error names the
// variable and the flag to change.
func listen(addr, env string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	for _, s := range settings {
		if s.env == env {
			return nil, fmt.Errorf("cannot listen on %s (%s, -%s; choose another host:port): %w", addr, s.env, s.flag, err)
		}
	}
	return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
}

func newServer(addr string, h http.Handler) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
}
