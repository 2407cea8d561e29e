// Package telegramtest is an in-process fake of the Telegram Bot API.
//
// A [Server] speaks the Bot API wire protocol (POST /bot<token>/<method> with
// multipart/form-data, application/x-www-form-urlencoded or application/json
// bodies; {"ok":…} JSON answers), so a bot under test talks to it through its
// ordinary client, e.g.
//
//	srv := telegramtest.New()
//	defer srv.Close()
//	b, _ := bot.New(telegramtest.Token, bot.WithServerURL(srv.URL()), bot.WithSkipGetMe())
//
// Tests inject user activity ([Server.SendText], [Server.Press], …), which the
// bot receives through getUpdates long polling or through a webhook, and then
// observe what the bot did ([Server.Transcript], [Server.Calls],
// [Server.WaitBotMessages], [Server.Subscribe]). Faults such as flood limits,
// blocked users and server errors can be injected ([Server.FailNext],
// [Server.Block], [Server.SetLimits]).
//
// All methods of [Server] are safe for concurrent use.
package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

const (
	// Token is the bot token the server accepts unless [WithToken] is used.
	Token = "123456:TEST-TOKEN"
	// BotID is the user id of the fake bot (as returned by getMe).
	BotID = 123456
	// BotUsername is the username of the fake bot (as returned by getMe).
	BotUsername = "sinergi_test_bot"
	// BotFirstName is the first name of the fake bot (as returned by getMe).
	BotFirstName = "Sinergi Test Bot"
)

// maxBodyBytes bounds the size of a request body the server reads.
const maxBodyBytes = 64 << 20

// Option configures a [Server].
type Option func(*Server)

// WithToken makes the server accept token t instead of [Token]. Requests
// carrying another token are answered 401 Unauthorized.
func WithToken(t string) Option {
	return func(s *Server) { s.token = t }
}

// WithClock dates messages by clock instead of the real time (the
// playground moves its clock forward). Rate limits keep using real time.
func WithClock(clock func() time.Time) Option {
	return func(s *Server) { s.clock = clock }
}

// WithoutRecording keeps counters ([Server.Stats]) and events
// ([Server.Subscribe]) but does not keep the call log ([Server.Calls]),
// the chat transcripts ([Server.Transcript]), uploaded files or the history of
// confirmed updates, so memory stays flat during load tests.
//
// Without recording the server cannot know the content of earlier messages:
// edits and deletions are accepted for any message id the chat has allocated,
// "message is not modified" is never reported, copyMessage copies no content,
// and [Server.Redeliver] only works for updates that are still pending.
func WithoutRecording() Option {
	return func(s *Server) { s.record = false }
}

// Server is a fake Telegram Bot API server. Create it with [New],
// [NewServer] or [NewHandler] (the zero value is not usable); it implements
// [http.Handler], so it can also be mounted in any HTTP server.
type Server struct {
	token  string
	record bool
	clock  func() time.Time // dates of messages (limits always use real time)

	ts        *httptest.Server
	hs        *http.Server
	serveDone chan struct{}
	url       string

	ctx       context.Context // canceled by Close
	cancel    context.CancelFunc
	closeOnce sync.Once
	wg        sync.WaitGroup // webhook goroutines
	client    *http.Client   // webhook deliveries

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change
	closed  bool

	// updates
	lastUpdateID   int64
	albums         int // media groups sent (SendAlbum)
	queue          []*queued
	history        map[int64]models.Update
	pollGen        uint64
	allowedUpdates []string
	webhook        *webhookState

	// chats and content
	restricted  map[int64]bool // users whose tg://user links are refused (RestrictUserLinks)
	privacyOff  bool           // the bot reads every group message (SetPrivacyMode(false))
	chats       map[int64]*chat
	fileSeq     int64
	callbackSeq int64
	files       map[string]File
	callbacks   map[string]pendingCallback
	commands    map[string][]models.BotCommand
	menuButtons map[int64]json.RawMessage

	// observing
	calls   []Call
	waiters map[*callWaiter]struct{}
	subs    map[*subscription]struct{}
	stats   Stats

	// faults
	failRules        []*failRule
	latency          map[string][2]time.Duration // SetLatency, SetLatencyRange: lowest, highest
	limits           Limits
	globalRetryUntil time.Time
	acceptedSends    []time.Time // accepted sends within the last second (Limits.Global)
	attemptedSends   []time.Time // send calls within the last second (Stats.MaxGlobalPerSecond)
}

// New starts a fake server on a loopback httptest listener. Call
// [Server.Close] when done.
func New(opts ...Option) *Server {
	s := newServer(opts)
	s.ts = httptest.NewServer(s)
	s.url = s.ts.URL
	return s
}

// NewServer starts a fake server listening on addr (e.g. "127.0.0.1:0" or
// ":8081"), for tools that need a real listener on a chosen address. Call
// [Server.Close] when done.
func NewServer(addr string, opts ...Option) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("telegramtest: listen on %s: %w", addr, err)
	}
	s := newServer(opts)
	s.hs = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.serveDone = make(chan struct{})
	s.url = "http://" + ln.Addr().String()
	go func() {
		defer close(s.serveDone)
		_ = s.hs.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	return s, nil
}

// NewHandler returns a Server without a listener, to be mounted in another
// HTTP server (it serves /bot<token>/<method>; use [http.StripPrefix] when
// mounting it under a prefix). URL is empty; Close still stops long polls and
// webhook deliveries.
func NewHandler(opts ...Option) *Server {
	return newServer(opts)
}

func newServer(opts []Option) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		token:       Token,
		clock:       time.Now,
		record:      true,
		ctx:         ctx,
		cancel:      cancel,
		client:      &http.Client{Timeout: 30 * time.Second},
		changed:     make(chan struct{}),
		history:     map[int64]models.Update{},
		chats:       map[int64]*chat{},
		files:       map[string]File{},
		callbacks:   map[string]pendingCallback{},
		commands:    map[string][]models.BotCommand{},
		menuButtons: map[int64]json.RawMessage{},
		waiters:     map[*callWaiter]struct{}{},
		subs:        map[*subscription]struct{}{},
		stats:       Stats{ByMethod: map[string]int{}, Errors: map[int]int{}},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// URL returns the base URL of the server (e.g. "http://127.0.0.1:40123"), to
// be used as the Bot API server URL of the client. It is empty for a Server
// created with [NewHandler].
func (s *Server) URL() string { return s.url }

// Close stops the server: pending long polls return, webhook deliveries stop,
// the listener is closed and all event channels from [Server.Subscribe] are
// closed. Close is idempotent. Recorded data stays readable after Close.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.cancel()
		if s.webhook != nil {
			s.webhook.cancel()
		}
		s.notifyLocked()
		s.mu.Unlock()

		if s.ts != nil {
			s.ts.Close()
		}
		if s.hs != nil {
			_ = s.hs.Close()
			<-s.serveDone
		}
		s.wg.Wait()
		s.client.CloseIdleConnections()

		s.mu.Lock()
		for sub := range s.subs {
			delete(s.subs, sub)
			close(sub.ch)
		}
		s.mu.Unlock()
	})
}

// notifyLocked wakes everybody waiting for a state change.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// apiError is an error answer of the Bot API.
type apiError struct {
	code        int
	description string
	retryAfter  int
	migrateTo   int64 // parameters.migrate_to_chat_id
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, description: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func tooManyRequests(retryAfter int) *apiError {
	return &apiError{
		code:        http.StatusTooManyRequests,
		description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		retryAfter:  retryAfter,
	}
}

func forbidden(reason string) *apiError {
	return &apiError{code: http.StatusForbidden, description: "Forbidden: " + reason}
}

var (
	errUnauthorized = &apiError{code: http.StatusUnauthorized, description: "Unauthorized"}
	errNotFound     = &apiError{code: http.StatusNotFound, description: "Not Found"}
)

// ServeHTTP implements [http.Handler]: it serves the Bot API under
// /bot<token>/<method> (and /bot<token>/test/<method>).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call := &Call{At: time.Now()}
	token, method, ok := splitPath(r.URL.Path)
	call.Method = method
	if !ok {
		s.finish(w, call, "", false, nil, errNotFound)
		return
	}
	params, files, perr := parseRequest(r)
	call.Params, call.Files = params, files
	if token != s.token {
		s.finish(w, call, "", false, nil, errUnauthorized)
		return
	}
	spec, known := methodTable[strings.ToLower(method)]
	if !known {
		s.finish(w, call, "", false, nil, errNotFound)
		return
	}
	call.Method = spec.name
	if perr != nil {
		s.finish(w, call, spec.name, spec.send, nil, badRequest("can't parse request: %v", perr))
		return
	}
	if spec.name == "getUpdates" {
		res, aerr := s.getUpdates(r.Context(), call)
		s.finish(w, call, spec.name, false, res, aerr)
		return
	}

	s.mu.Lock()
	res, aerr := s.dispatchLocked(spec, call)
	body, aerr := encodeResult(res, aerr)
	s.recordLocked(call, spec.name, spec.send, aerr)
	delay := s.latency[spec.name][0]
	if lo, hi := delay, s.latency[spec.name][1]; hi > lo {
		delay = lo + rand.N(hi-lo+1)
	}
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	writeAnswer(w, body, aerr)
}

// SetLatency makes every call of method (Telegram's spelling, e.g.
// "copyMessage") answer d after it was handled, as a distant API would;
// calls run concurrently meanwhile. 0 takes it away.
func (s *Server) SetLatency(method string, d time.Duration) {
	s.SetLatencyRange(method, d, d)
}

// SetLatencyRange is [Server.SetLatency] with a delay drawn anew for every
// call, uniformly between lo and hi.
func (s *Server) SetLatencyRange(method string, lo, hi time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.latency == nil {
		s.latency = map[string][2]time.Duration{}
	}
	s.latency[method] = [2]time.Duration{lo, max(lo, hi)}
}

// dispatchLocked runs the generic checks and the method handler.
func (s *Server) dispatchLocked(spec methodSpec, c *Call) (any, *apiError) {
	chatID, _ := parseChatID(c.Params["chat_id"])
	if spec.send {
		if e := s.preSendLocked(chatID); e != nil {
			return nil, e
		}
	}
	if e := s.failNextLocked(c.Method, chatID); e != nil {
		return nil, e
	}
	if e := checkRequired(spec, c); e != nil {
		return nil, e
	}
	return spec.handle(s, c)
}

// finish records the call and writes the answer (for paths that do not hold
// the lock).
func (s *Server) finish(w http.ResponseWriter, c *Call, method string, send bool, res any, aerr *apiError) {
	body, aerr := encodeResult(res, aerr)
	s.mu.Lock()
	s.recordLocked(c, method, send, aerr)
	s.mu.Unlock()
	writeAnswer(w, body, aerr)
}

// encodeResult marshals a successful result; a marshal failure becomes a 500.
func encodeResult(res any, aerr *apiError) ([]byte, *apiError) {
	if aerr != nil {
		return nil, aerr
	}
	body, err := json.Marshal(struct {
		OK     bool `json:"ok"`
		Result any  `json:"result"`
	}{true, res})
	if err != nil {
		return nil, &apiError{code: http.StatusInternalServerError, description: "Internal Server Error: " + err.Error()}
	}
	return body, nil
}

func writeAnswer(w http.ResponseWriter, body []byte, aerr *apiError) {
	w.Header().Set("Content-Type", "application/json")
	if aerr != nil {
		type parameters struct {
			RetryAfter      int   `json:"retry_after,omitempty"`
			MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
		}
		ans := struct {
			OK          bool        `json:"ok"`
			ErrorCode   int         `json:"error_code"`
			Description string      `json:"description"`
			Parameters  *parameters `json:"parameters,omitempty"`
		}{ErrorCode: aerr.code, Description: aerr.description}
		if aerr.retryAfter > 0 || aerr.migrateTo != 0 {
			ans.Parameters = &parameters{RetryAfter: aerr.retryAfter, MigrateToChatID: aerr.migrateTo}
		}
		body, _ = json.Marshal(ans)
		status := aerr.code
		if status < 100 || status > 599 { // e.g. an odd FailNext code: keep HTTP valid
			status = http.StatusInternalServerError
		}
		w.WriteHeader(status)
	}
	_, _ = w.Write(body)
}

// splitPath splits "/bot<token>/<method>" (optionally "/bot<token>/test/<method>").
func splitPath(p string) (token, method string, ok bool) {
	rest, found := strings.CutPrefix(p, "/bot")
	if !found {
		return "", strings.TrimPrefix(p, "/"), false
	}
	token, method, found = strings.Cut(rest, "/")
	if !found {
		return token, "", false
	}
	method = strings.TrimPrefix(method, "test/")
	if method == "" || strings.Contains(method, "/") {
		return token, method, false
	}
	return token, method, true
}

// parseRequest collects the parameters of a request from the query string
// and from a multipart, urlencoded or JSON body. Values of nested objects are
// kept as JSON text, exactly as the Bot API expects them in form fields.
func parseRequest(r *http.Request) (map[string]string, map[string]File, error) {
	params := map[string]string{}
	files := map[string]File{}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			params[k] = v[0]
		}
	}
	if r.Body == nil {
		return params, files, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return params, files, fmt.Errorf("read body: %w", err)
	}
	if len(body) > maxBodyBytes {
		return params, files, errors.New("request body too large")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return params, files, nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		form, err := multipart.NewReader(bytes.NewReader(body), ctParams["boundary"]).ReadForm(maxBodyBytes)
		if err != nil {
			return params, files, fmt.Errorf("multipart: %w", err)
		}
		defer func() { _ = form.RemoveAll() }()
		for k, v := range form.Value {
			if len(v) > 0 {
				params[k] = v[0]
			}
		}
		for k, fhs := range form.File {
			if len(fhs) == 0 {
				continue
			}
			f, err := fhs[0].Open()
			if err != nil {
				return params, files, fmt.Errorf("multipart file %s: %w", k, err)
			}
			data, err := io.ReadAll(f)
			_ = f.Close()
			if err != nil {
				return params, files, fmt.Errorf("multipart file %s: %w", k, err)
			}
			files[k] = File{Name: fhs[0].Filename, Data: data}
		}
	case "application/json":
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return params, files, fmt.Errorf("json: %w", err)
		}
		for k, raw := range obj {
			raw = bytes.TrimSpace(raw)
			switch {
			case bytes.Equal(raw, []byte("null")):
			case len(raw) > 0 && raw[0] == '"':
				var str string
				if err := json.Unmarshal(raw, &str); err != nil {
					return params, files, fmt.Errorf("json field %s: %w", k, err)
				}
				params[k] = str
			default:
				params[k] = string(raw)
			}
		}
	default: // application/x-www-form-urlencoded and anything else that looks like it
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return params, files, fmt.Errorf("form: %w", err)
		}
		for k, v := range vals {
			if len(v) > 0 {
				params[k] = v[0]
			}
		}
	}
	return params, files, nil
}
