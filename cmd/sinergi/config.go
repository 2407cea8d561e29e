package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sinergi/locales"
)

// config is Sinergi's configuration: environment variables, overridden by
// flags of the same meaning.
type config struct {
	Token         string
	APIURL        string
	RedisURL      string
	RedisPrefix   string
	Admins        []int64
	DefaultLang   string
	Location      *time.Location
	HTTPAddr      string
	WebhookURL    string
	WebhookSecret string
	WebhookListen string
	WebAppURL     string        // the Mini App's public https URL ("" not announced)
	WebAppMaxAge  time.Duration // how old the Mini App's launch data may be
	Workers       int
	RateLimit     float64
	SessionTTL    time.Duration
	CheckInOpens  time.Duration // how long before a workshop's start check-in opens
	CheckInCloses time.Duration // how long after a workshop's end check-in closes
	OnlineOpens   time.Duration // how long before a workshop's start online attendance opens
	OnlineCloses  time.Duration // how long after a workshop's end online attendance closes
	ForumName     string        // the forum, organizer of calendar invitations
	LogFormat     string
	Flood         floodSetting

	Playground       bool   // run the playground (also when there is no token)
	PlaygroundAddr   string // where the playground page listens
	PlaygroundPublic bool   // allow a non-loopback playground address
	Demo             bool   // seed the playground with an invented forum
	RedisURLSet      bool   // REDIS_URL or -redis-url was given
	CheckInOpensSet  bool   // SINERGI_CHECKIN_OPENS or -checkin-opens was given
}

// setting is one configuration value: its variable, flag, default and, for
// -help, the kind of value it takes and what an empty default means.
type setting struct {
	env, flag, def, usage string
	kind, none            string
}

var settings = []setting{
	{"TELEGRAM_BOT_TOKEN", "token", "", "bot token from @BotFather", "token", "none: the playground runs"},
	{"TELEGRAM_API_URL", "api-url", telegramAPI, "Bot API base URL", "URL", ""},
	{"REDIS_URL", "redis-url", "redis://127.0.0.1:6379/0", "Redis URL (redis://, rediss://, redis-sentinel://, redis-cluster://)", "URL", ""},
	{"SINERGI_REDIS_PREFIX", "redis-prefix", "sinergi:", "prefix of every Redis key", "text", ""},
	{"SINERGI_ADMINS", "admins", "", "comma-separated Telegram user ids of secretariat admins", "ids", "nobody"},
	{"SINERGI_DEFAULT_LANG", "lang", "id", "default language: id or en", "id|en", ""},
	{"SINERGI_TIMEZONE", "timezone", "Asia/Jakarta", "default time zone (IANA name)", "zone", ""},
	{"SINERGI_HTTP_ADDR", "http-addr", "127.0.0.1:8080", "address of /healthz and /metrics", "host:port", ""},
	{"SINERGI_WEBHOOK_URL", "webhook-url", "", "public HTTPS URL for webhook mode", "URL", "none: long polling"},
	{"SINERGI_WEBHOOK_SECRET", "webhook-secret", "", "secret token Telegram sends with each webhook request (needed in webhook mode)", "text", "none"},
	{"SINERGI_WEBHOOK_LISTEN", "webhook-listen", "", "address the webhook is served on", "host:port", "the -http-addr"},
	{"SINERGI_WEBAPP_URL", "webapp-url", "", "public HTTPS URL of the dashboard Mini App, served at /app/ of -http-addr (behind the same reverse proxy as the webhook)", "URL", "none: no menu button, /dashboard says it is not set up"},
	{"SINERGI_WEBAPP_MAX_AGE", "webapp-max-age", "24h", "how long the Mini App's signed launch data is accepted", "duration", ""},
	{"SINERGI_WORKERS", "workers", "64", "chats handled concurrently", "number", ""},
	{"SINERGI_RATE_LIMIT", "rate-limit", "28", "messages per second for the whole bot (0 = no limit, for load tests only)", "number", ""},
	{"SINERGI_SESSION_TTL", "session-ttl", "48h", "how long an unfinished conversation is kept", "duration", ""},
	{"SINERGI_CHECKIN_OPENS", "checkin-opens", "2h", "how long before a workshop's start QR check-in opens (the -demo playground: 96h unless set)", "duration", ""},
	{"SINERGI_CHECKIN_CLOSES", "checkin-closes", "2h", "how long after a workshop's end QR check-in closes", "duration", ""},
	{"SINERGI_ONLINE_OPENS", "online-opens", "15m", "how long before a workshop's start online participants can confirm attendance", "duration", ""},
	{"SINERGI_ONLINE_CLOSES", "online-closes", "30m", "how long after a workshop's end online participants can confirm attendance", "duration", ""},
	{"SINERGI_FORUM_NAME", "forum-name", "Sinergi", "the forum's name: the organizer of calendar invitations", "text", ""},
	{"SINERGI_LOG_FORMAT", "log-format", "text", "log format: text or json", "text|json", ""},
	{"SINERGI_FLOOD", "flood", "20/10s", "per-user flood control: N updates per window; 0 switches it off", "N/duration", ""},
	{"SINERGI_PLAYGROUND_ADDR", "playground-addr", "127.0.0.1:8090", "address of the playground page", "host:port", ""},
}

// switches are the flags without a variable.
var switches = []struct{ flag, usage, def string }{
	{"playground", "run the playground: the real bot against a pretend Telegram, in the browser (needed when REDIS_URL is set)", "on without TELEGRAM_BOT_TOKEN and REDIS_URL"},
	{"playground-public", "let the playground listen on a non-loopback address (it has no authentication)", "off"},
	{"demo", "seed the playground with an invented forum, workshop and registrants", "off"},
}

// telegramAPI is Telegram's own Bot API server.
const telegramAPI = "https://api.telegram.org"

const helpIntro = `Sinergi is a Telegram bot for Indonesian social forums: workshop registration,
partner matchmaking, follow-up of action items and secretariat broadcasts.

Usage:
  sinergi [flags]               the bot, or the playground
  sinergi healthcheck [flags]   probe GET /healthz of a running bot (-http-addr);
                                exit 0 when healthy (for container health checks)

Two modes:
  Playground  Without TELEGRAM_BOT_TOKEN: the real bot against a pretend Telegram inside
              the program, with a chat page for made-up users at http://127.0.0.1:8090/.
              Needs nothing else; its data is in memory. With REDIS_URL set it starts only
              with -playground (it would take that Redis's reminders and broadcasts).
  Bot         With TELEGRAM_BOT_TOKEN: the bot on Telegram, with Redis at REDIS_URL.
              Long polling, or webhook mode with SINERGI_WEBHOOK_URL (HTTPS) and
              SINERGI_WEBHOOK_SECRET.

Examples:
  sinergi -demo                       the playground with an invented forum
  TELEGRAM_BOT_TOKEN=123456:ABC-DEF REDIS_URL=redis://127.0.0.1:6379/0 \
  SINERGI_ADMINS=111111111 sinergi   the bot, long polling
  sinergi -lang en -log-format json   flags override the environment
  sinergi healthcheck -http-addr 127.0.0.1:8080

Settings: each is an environment variable; the flag of the same meaning overrides it.
`

// usage writes -help: the introduction, then every flag with the kind of
// value it takes, its variable and its default.
func usage(w io.Writer) {
	fmt.Fprint(w, helpIntro)
	for _, s := range settings {
		def := s.def
		if def == "" {
			def = s.none
		}
		fmt.Fprintf(w, "\n  -%s %s   (%s)\n      %s; default %s\n", s.flag, s.kind, s.env, s.usage, def)
	}
	for _, sw := range switches {
		fmt.Fprintf(w, "\n  -%s   (no variable)\n      %s; default %s\n", sw.flag, sw.usage, sw.def)
	}
}

// configError names the variable (and flag) whose value is wrong.
type configError struct {
	s   setting
	msg string
}

func (e *configError) Error() string {
	return fmt.Sprintf("invalid %s (-%s): %s", e.s.env, e.s.flag, e.msg)
}

var webhookSecret = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// loadConfig reads the environment through getenv and then the flags.
func loadConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("sinergi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(stderr) }
	vals := make(map[string]*string, len(settings))
	for _, s := range settings {
		def := s.def
		if v, ok := lookup(getenv, s.env); ok {
			def = v
		}
		vals[s.env] = fs.String(s.flag, def, s.usage+" ($"+s.env+")")
	}
	playground := fs.Bool("playground", false, switches[0].usage)
	public := fs.Bool("playground-public", false, switches[1].usage)
	demo := fs.Bool("demo", false, switches[2].usage)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	redisSet := getenv("REDIS_URL") != ""
	checkinSet := getenv("SINERGI_CHECKIN_OPENS") != ""
	fs.Visit(func(f *flag.Flag) {
		redisSet = redisSet || f.Name == "redis-url"
		checkinSet = checkinSet || f.Name == "checkin-opens"
	})
	get := func(env string) string { return strings.TrimSpace(*vals[env]) }
	bad := func(env, format string, a ...any) error {
		for _, s := range settings {
			if s.env == env {
				return &configError{s: s, msg: fmt.Sprintf(format, a...)}
			}
		}
		return fmt.Errorf(format, a...)
	}

	c := &config{
		Token: get("TELEGRAM_BOT_TOKEN"), APIURL: strings.TrimRight(get("TELEGRAM_API_URL"), "/"),
		RedisURL: get("REDIS_URL"), RedisPrefix: get("SINERGI_REDIS_PREFIX"),
		DefaultLang: get("SINERGI_DEFAULT_LANG"), HTTPAddr: get("SINERGI_HTTP_ADDR"),
		WebhookURL: get("SINERGI_WEBHOOK_URL"), WebhookSecret: get("SINERGI_WEBHOOK_SECRET"),
		WebhookListen: get("SINERGI_WEBHOOK_LISTEN"), LogFormat: get("SINERGI_LOG_FORMAT"),
		WebAppURL:  get("SINERGI_WEBAPP_URL"),
		Playground: *playground || get("TELEGRAM_BOT_TOKEN") == "", PlaygroundAddr: get("SINERGI_PLAYGROUND_ADDR"),
		PlaygroundPublic: *public, Demo: *demo, RedisURLSet: redisSet, CheckInOpensSet: checkinSet,
	}
	if c.Token == "" && redisSet && !*playground {
		// The playground runs the scheduler and the broadcast runner: on a
		// real Redis they would take its due reminders and broadcasts and
		// "send" them to the pretend Telegram.
		return nil, bad("TELEGRAM_BOT_TOKEN", "not set, but REDIS_URL is: set the token to run the bot, or add -playground to run the playground against that Redis on purpose (it takes its due reminders and broadcasts)")
	}
	if c.Token != "" && !strings.Contains(c.Token, ":") {
		return nil, bad("TELEGRAM_BOT_TOKEN", "a bot token looks like 123456:ABC-DEF… (from @BotFather)")
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, bad("TELEGRAM_API_URL", "%q is not an http(s) URL", c.APIURL)
	}
	if u, err := url.Parse(c.RedisURL); err != nil || u.Host == "" {
		return nil, bad("REDIS_URL", "%q is not a Redis URL like redis://127.0.0.1:6379/0", c.RedisURL)
	}
	for _, f := range strings.Split(get("SINERGI_ADMINS"), ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, bad("SINERGI_ADMINS", "%q is not a Telegram user id (a positive number)", f)
		}
		c.Admins = append(c.Admins, id)
	}
	if !locales.IsSupported(c.DefaultLang) {
		return nil, bad("SINERGI_DEFAULT_LANG", "%q is not supported (id or en)", c.DefaultLang)
	}
	loc, err := time.LoadLocation(get("SINERGI_TIMEZONE"))
	if err != nil || get("SINERGI_TIMEZONE") == "" {
		return nil, bad("SINERGI_TIMEZONE", "unknown time zone %q (e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura)", get("SINERGI_TIMEZONE"))
	}
	c.Location = loc
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		return nil, bad("SINERGI_HTTP_ADDR", "%q is not host:port", c.HTTPAddr)
	}
	if c.WebhookListen != "" {
		if _, _, err := net.SplitHostPort(c.WebhookListen); err != nil {
			return nil, bad("SINERGI_WEBHOOK_LISTEN", "%q is not host:port", c.WebhookListen)
		}
	}
	if c.WebhookURL != "" {
		u, err := url.Parse(c.WebhookURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, bad("SINERGI_WEBHOOK_URL", "%q is not an https URL", c.WebhookURL)
		}
		// Telegram posts only to HTTPS; a self-hosted Bot API server
		// (TELEGRAM_API_URL) also to plain HTTP.
		if u.Scheme != "https" && c.APIURL == telegramAPI {
			return nil, bad("SINERGI_WEBHOOK_URL", "%q is not https: Telegram sends webhooks only to https:// URLs", c.WebhookURL)
		}
		if !webhookSecret.MatchString(c.WebhookSecret) {
			return nil, bad("SINERGI_WEBHOOK_SECRET", "webhook mode needs a secret of 1-256 characters A-Z a-z 0-9 _ -")
		}
	}
	if c.WebAppURL != "" {
		// Telegram opens Mini Apps only over HTTPS.
		u, err := url.Parse(c.WebAppURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, bad("SINERGI_WEBAPP_URL", "%q is not an https:// URL (Telegram opens Mini Apps only over HTTPS)", c.WebAppURL)
		}
	}
	if c.WebAppMaxAge, err = time.ParseDuration(get("SINERGI_WEBAPP_MAX_AGE")); err != nil || c.WebAppMaxAge < time.Minute || c.WebAppMaxAge > 7*24*time.Hour {
		return nil, bad("SINERGI_WEBAPP_MAX_AGE", "%q is not a duration from 1m to 168h (e.g. 24h)", get("SINERGI_WEBAPP_MAX_AGE"))
	}
	if c.Workers, err = strconv.Atoi(get("SINERGI_WORKERS")); err != nil || c.Workers < 1 || c.Workers > 10_000 {
		return nil, bad("SINERGI_WORKERS", "%q is not a number from 1 to 10000", get("SINERGI_WORKERS"))
	}
	if c.RateLimit, err = strconv.ParseFloat(get("SINERGI_RATE_LIMIT"), 64); err != nil || c.RateLimit < 0 || c.RateLimit > 1000 {
		return nil, bad("SINERGI_RATE_LIMIT", "%q is not a rate from 0 to 1000 messages per second", get("SINERGI_RATE_LIMIT"))
	}
	if c.SessionTTL, err = time.ParseDuration(get("SINERGI_SESSION_TTL")); err != nil || c.SessionTTL < time.Minute {
		return nil, bad("SINERGI_SESSION_TTL", "%q is not a duration of at least 1m (e.g. 48h)", get("SINERGI_SESSION_TTL"))
	}
	if c.CheckInOpens, err = time.ParseDuration(get("SINERGI_CHECKIN_OPENS")); err != nil || c.CheckInOpens < 0 || c.CheckInOpens > 30*24*time.Hour {
		return nil, bad("SINERGI_CHECKIN_OPENS", "%q is not a duration from 0 to 720h (e.g. 2h)", get("SINERGI_CHECKIN_OPENS"))
	}
	if c.CheckInCloses, err = time.ParseDuration(get("SINERGI_CHECKIN_CLOSES")); err != nil || c.CheckInCloses <= 0 || c.CheckInCloses > 30*24*time.Hour {
		return nil, bad("SINERGI_CHECKIN_CLOSES", "%q is not a duration from 1s to 720h (e.g. 2h)", get("SINERGI_CHECKIN_CLOSES"))
	}
	if c.OnlineOpens, err = time.ParseDuration(get("SINERGI_ONLINE_OPENS")); err != nil || c.OnlineOpens <= 0 || c.OnlineOpens > 24*time.Hour {
		return nil, bad("SINERGI_ONLINE_OPENS", "%q is not a duration from 1s to 24h (e.g. 15m)", get("SINERGI_ONLINE_OPENS"))
	}
	if c.OnlineCloses, err = time.ParseDuration(get("SINERGI_ONLINE_CLOSES")); err != nil || c.OnlineCloses <= 0 || c.OnlineCloses > 7*24*time.Hour {
		return nil, bad("SINERGI_ONLINE_CLOSES", "%q is not a duration from 1s to 168h (e.g. 30m)", get("SINERGI_ONLINE_CLOSES"))
	}
	if c.ForumName = strings.TrimSpace(get("SINERGI_FORUM_NAME")); c.ForumName == "" || utf8.RuneCountInString(c.ForumName) > 100 {
		return nil, bad("SINERGI_FORUM_NAME", "the forum's name must have 1 to 100 characters")
	}
	if host, _, err := net.SplitHostPort(c.PlaygroundAddr); err != nil {
		return nil, bad("SINERGI_PLAYGROUND_ADDR", "%q is not host:port", c.PlaygroundAddr)
	} else if ip := net.ParseIP(host); c.Playground && !c.PlaygroundPublic && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, bad("SINERGI_PLAYGROUND_ADDR", "%q is not a loopback address; the playground has no authentication — add -playground-public to allow it", c.PlaygroundAddr)
	}
	if c.Demo && !c.Playground {
		return nil, errors.New("-demo works only in the playground (without TELEGRAM_BOT_TOKEN, or with -playground)")
	}
	if c.Flood, err = parseFlood(get("SINERGI_FLOOD")); err != nil {
		return nil, bad("SINERGI_FLOOD", "%q is not N/duration like 20/10s (or 0)", get("SINERGI_FLOOD"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return nil, bad("SINERGI_LOG_FORMAT", "%q is neither text nor json", c.LogFormat)
	}
	return c, nil
}

func lookup(getenv func(string) string, key string) (string, bool) {
	v := getenv(key)
	return v, v != ""
}

// floodSetting is SINERGI_FLOOD parsed: Burst updates per Per.
type floodSetting struct {
	Burst int
	Per   time.Duration
}

func parseFlood(v string) (floodSetting, error) {
	if v == "0" || v == "off" {
		return floodSetting{}, nil
	}
	n, per, ok := strings.Cut(v, "/")
	burst, err := strconv.Atoi(n)
	if !ok || err != nil || burst < 1 {
		return floodSetting{}, errors.New("bad flood setting")
	}
	d, err := time.ParseDuration(per)
	if err != nil || d <= 0 {
		return floodSetting{}, errors.New("bad flood setting")
	}
	return floodSetting{Burst: burst, Per: d}, nil
}
