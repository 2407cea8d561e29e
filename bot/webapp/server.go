// Package webapp serves the Mini App — the dashboard secretariats and
// facilitators open inside Telegram — on the bot's HTTP server: the page at
// /app/ (static files embedded in the binary) and its JSON API under
// /app/api/. Every API call carries Telegram's signed launch data
// ("Authorization: tma <initData>", see Validate) and is authorised by the
// rules of the chat: the flows engine's Actor (role, chapter, CanManage,
// ManagedWorkshops) and, for actions, the very button handler the chat runs
// (Engine.Press).
package webapp

import (
	"cmp"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"sinergi/flows"
	"sinergi/locales"
)

//go:embed static
var static embed.FS

// Store is what the dashboard reads; the Redis store satisfies it.
type Store interface {
	GetUser(ctx context.Context, id int64) (*flows.User, error)
	GetWorkshop(ctx context.Context, code string) (*flows.Workshop, error)
	Facilitated(ctx context.Context, uid int64) ([]*flows.Workshop, error)
	Registrations(ctx context.Context, code string) ([]*flows.Registration, error)
	Counts(ctx context.Context, code string) (flows.Counts, error)
	// CountsOf is Counts of each of codes, in that order, at once.
	CountsOf(ctx context.Context, codes []string) ([]flows.Counts, error)
	Form(ctx context.Context, code string) ([]flows.FormQuestion, error)
	WorkshopCommitments(ctx context.Context, code string) ([]*flows.Commitment, error)
	flows.CommitmentTallies
	GetProfile(ctx context.Context, userID int64) (*flows.Profile, error)
	CreateInvite(ctx context.Context, inv *flows.Invite, ttl time.Duration) error
	TakeInvite(ctx context.Context, token string) (*flows.Invite, error)
	MeetingSetup(ctx context.Context, code string) (*flows.MeetingSetup, error)
	WorkshopMeetings(ctx context.Context, code string) ([]*flows.Meeting, error)
	flows.Members
	flows.ChapterReader
	flows.MemberCounter
}

// Texts renders localised messages (the locales catalog).
type Texts interface {
	Text(lang, id string, data map[string]any, count any) (string, error)
}

// Config is what the Mini App needs.
type Config struct {
	Token  string        // the bot's token: the key initData is signed with
	MaxAge time.Duration // how old initData may be (default 24 h)
	Skew   time.Duration // how far in the future auth_date may be (default 1 min)
	Clock  func() time.Time
	Store  Store
	Texts  Texts
	// Engine is the bot's flow engine (its access rules and handlers).
	Engine func() *flows.Engine
	// Deliver sends replies to other chats an action of user produced (the
	// people an approval tells), durably: through user's chat's outbox
	// (bot.Bot.Deliver). An error: nothing was committed.
	Deliver func(ctx context.Context, user int64, replies []flows.Reply) error
	// Chart draws a workshop's progress chart as PNG (bot/chart).
	Chart func(*flows.Chart) ([]byte, error)
	Log   *slog.Logger
	// DefaultLang is the language of refusals to someone not known yet.
	DefaultLang string
}

// DefaultMaxAge is how long launch data is accepted unless configured.
const DefaultMaxAge = 24 * time.Hour

// Server is the Mini App.
type Server struct{ cfg Config }

// New returns the Mini App of cfg.
func New(cfg Config) *Server {
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.Skew <= 0 {
		cfg.Skew = time.Minute
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Server{cfg: cfg}
}

// csp allows nothing inline and nothing from elsewhere; Telegram's web
// clients may frame the page.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; " +
	"font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self' https://web.telegram.org https://*.telegram.org"

// Handler serves /app/ and /app/api/ (mount it at "/app/").
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	sub, _ := fs.Sub(static, "static") // the embedded directory exists
	files := http.StripPrefix("/app/", http.FileServerFS(sub))
	mux.HandleFunc("/app/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		files.ServeHTTP(w, r)
	})
	s.routes(mux)
	mux.HandleFunc("/app/api/", func(w http.ResponseWriter, r *http.Request) {
		s.refuse(w, http.StatusNotFound, s.cfg.DefaultLang, errNoEndpoint)
	})
	return secure(mux)
}

// secure sets the security headers of every response.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if strings.HasPrefix(r.URL.Path, "/app/api/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// apiError is the body of every refusal.
type apiError struct {
	Error string `json:"error"` // for the person, in their language
	Code  string `json:"code"`  // what happened: the message's id
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v) // the client went away: nothing to do
}

// Refusals, by their locale ids (the page shows the message, the id says
// what happened).
const (
	errNoInitData  = "app.err_no_initdata"
	errBadInitData = "app.err_bad_initdata"
	errExpired     = "app.err_expired"
	errFuture      = "app.err_future"
	errNotStarted  = "app.err_not_started"
	errNoRole      = "app.err_no_role"
	errNotYours    = "app.err_not_yours"
	errAdminsOnly  = "app.err_admins_only"
	errNoWorkshop  = "app.err_no_workshop"
	errNoEndpoint  = "app.err_no_endpoint"
	errInternal    = "app.err_internal"
)

// refuse answers code with the message id in lang.
func (s *Server) refuse(w http.ResponseWriter, code int, lang, id string) {
	writeJSON(w, code, apiError{Error: s.text(lang, id, nil, nil), Code: id})
}

// initDataRefusal is the message of a Validate error.
func initDataRefusal(err error) string {
	switch {
	case errors.Is(err, ErrNoInitData):
		return errNoInitData
	case errors.Is(err, ErrExpired):
		return errExpired
	case errors.Is(err, ErrFuture):
		return errFuture
	}
	return errBadInitData
}

// authed is a handler of an authorised request: t is the caller as the
// chat's rules see them.
type authed func(w http.ResponseWriter, r *http.Request, t *flows.Turn)

// auth validates the launch data, loads the caller and lets facilitators
// and admins through: 401 for missing or bad launch data, 403 for a user
// the bot does not know or without the role.
func (s *Server) auth(next authed) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, data, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "tma") {
			data = ""
		}
		now := s.cfg.Clock()
		d, err := Validate(strings.TrimSpace(data), s.cfg.Token, now, s.cfg.MaxAge, s.cfg.Skew)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `tma realm="sinergi"`)
			s.cfg.Log.Info("mini app: launch data refused", "err", err)
			s.refuse(w, http.StatusUnauthorized, s.cfg.DefaultLang, initDataRefusal(err))
			return
		}
		u, err := s.cfg.Store.GetUser(r.Context(), d.User.ID)
		if errors.Is(err, flows.ErrNotFound) || (err == nil && u.Inactive) {
			s.refuse(w, http.StatusForbidden, cmp.Or(locales.Match(d.User.LanguageCode), s.cfg.DefaultLang), errNotStarted)
			return
		}
		if err != nil {
			s.internal(w, s.cfg.DefaultLang, "get user", err)
			return
		}
		t := s.cfg.Engine().Actor(u, now)
		if !t.SeesDashboard() {
			s.refuse(w, http.StatusForbidden, t.Lang, errNoRole)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), launchKey{}, d)), t)
	}
}

// launchKey is the context key of the request's validated launch data.
type launchKey struct{}

// launchOf is the request's validated launch data.
func launchOf(r *http.Request) *InitData {
	d, _ := r.Context().Value(launchKey{}).(*InitData)
	return d
}

func (s *Server) internal(w http.ResponseWriter, lang, what string, err error) {
	s.cfg.Log.Error("mini app", "what", what, "err", err)
	s.refuse(w, http.StatusInternalServerError, lang, errInternal)
}

// text renders a locale message in lang.
func (s *Server) text(lang, id string, data map[string]any, count any) string {
	out, err := s.cfg.Texts.Text(lang, id, data, count)
	if err != nil {
		s.cfg.Log.Error("mini app text", "id", id, "err", err)
		return id
	}
	// Messages are HTML for Telegram; the page shows plain text.
	return html.UnescapeString(out)
}
