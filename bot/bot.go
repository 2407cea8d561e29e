// Package bot is Sinergi's Telegram transport: it receives updates (long
// polling or webhook), handles the updates of one chat in order and one at a
// time, skips redelivered updates, loads and saves the conversation state
// around the flow engine, renders replies through locales, and sends every
// message through one rate-limited Sender.
package bot

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"sinergi/flows"
	"sinergi/flows/transport"
	"sinergi/locales"
)

// Config tunes the transport.
type Config struct {
	Token       string
	APIURL      string // Bot API base URL
	Workers     int    // concurrent chats (default 64)
	MaxQueued   int    // updates queued or running before intake waits (default 10,000)
	PollTimeout time.Duration
	Limits      Limits
	Clock       func() time.Time // the bot's clock (tests and the playground move it)
	DefaultLang string
	Flood       Flood // per-user flood control; zero: off
	// LockLease is the lifetime of a chat's Redis lock without renewal (a
	// dead replica's lock frees after this); LockWait how long an update
	// waits for a chat another replica is busy with before it is handed
	// back for redelivery. Defaults 10 s and 15 s.
	LockLease time.Duration
	LockWait  time.Duration
	// ClaimLease is how long a replica holds claimed broadcast recipients
	// before another may take them over (default 15 s).
	ClaimLease time.Duration
}

// Bot is the running transport.
type Bot struct {
	cfg     Config
	api     *tg.Bot
	sender  *Sender
	store   Store
	engine  *flows.Engine
	texts   *locales.Catalog
	render  *renderer
	log     *slog.Logger
	metrics *Metrics
	http    *http.Client
	me      *models.User
	disp    *dispatcher
	flood   *floodGuard
	locks   transport.Locker
	outage  *apologies
	owner   string // this replica's token for broadcast claims
	// progressing: an edit of a broadcast's progress message is on its way.
	progressing atomic.Bool
	sweeper     sync.WaitGroup // the outbox sweeper (outbox.go)
	stopSweeper context.CancelFunc
}

// Deps are the bot's collaborators.
type Deps struct {
	Store   Store
	Texts   *locales.Catalog
	Log     *slog.Logger
	Metrics *Metrics
	// Engine builds the flow engine once the bot knows its username.
	Engine func(username string) *flows.Engine
}

// getMeError tells a token Telegram refused from a Bot API it could not
// reach: the one is fixed in TELEGRAM_BOT_TOKEN, the other in the network.
func getMeError(ctx context.Context, apiURL string, err error) error {
	var netErr *url.Error
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("getMe: %w", ctx.Err())
	case errors.Is(err, tg.ErrorUnauthorized), errors.Is(err, tg.ErrorNotFound):
		return fmt.Errorf("the Bot API at %s refused the bot token: check TELEGRAM_BOT_TOKEN (from @BotFather): %w", apiURL, err)
	case errors.As(err, &netErr):
		return fmt.Errorf("cannot reach the Bot API at %s (network, DNS or proxy; the token was not checked): %w", apiURL, err)
	}
	return fmt.Errorf("getMe at %s: %w", apiURL, err)
}

// New connects to the Bot API (getMe) and builds the bot.
func New(ctx context.Context, cfg Config, d Deps) (*Bot, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 64
	}
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = 10_000
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 25 * time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.APIURL == "" {
		cfg.APIURL = "https://api.telegram.org"
	}
	if cfg.LockLease <= 0 {
		cfg.LockLease = 10 * time.Second
	}
	if cfg.ClaimLease <= 0 {
		cfg.ClaimLease = claimLease
	}
	if cfg.LockWait <= 0 {
		cfg.LockWait = cfg.LockLease + 5*time.Second
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	// A broadcast keeps up to broadcastWorkers copies in flight besides the
	// update workers' calls: their connections are kept for the next one.
	transport.MaxIdleConns = 4*cfg.Workers + broadcastWorkers(cfg.Limits.Global)
	transport.MaxIdleConnsPerHost = 2*cfg.Workers + broadcastWorkers(cfg.Limits.Global)
	client := &http.Client{Transport: bufferedBody{transport}, Timeout: cfg.PollTimeout + 15*time.Second}
	api, err := tg.New(cfg.Token,
		tg.WithServerURL(cfg.APIURL),
		tg.WithSkipGetMe(),
		tg.WithHTTPClient(cfg.PollTimeout, client),
		tg.WithErrorsHandler(func(err error) { d.Log.Warn("telegram client", "err", err) }),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram client: %w", err)
	}
	me, err := api.GetMe(ctx)
	if err != nil {
		return nil, getMeError(ctx, cfg.APIURL, err)
	}
	owner := randomToken()
	sender := NewSender(api, cfg.Limits, d.Metrics)
	sender.Share(d.Store, owner) // the limits hold for all replicas together
	b := &Bot{
		cfg: cfg, api: api, sender: sender, store: d.Store, texts: d.Texts,
		engine: d.Engine(me.Username), log: d.Log, metrics: d.Metrics, http: client, me: me,
		render: &renderer{texts: d.Texts, sender: sender, log: d.Log, moved: func(context.Context, int64, int64) {},
			text2: &textClient{url: cfg.APIURL + "/bot" + cfg.Token + "/sendMessage", http: client}},
		flood:  newFloodGuard(cfg.Flood),
		locks:  d.Store.NewLocker(cfg.LockLease),
		outage: newApologies(30 * time.Second),
		owner:  owner,
	}
	b.render.moved = b.chatMoved
	b.render.posted = func(ctx context.Context, m outMsg, id int) {
		if err := b.engine.Posted(ctx, m.Posted, m.Chat, m.Thread, id); err != nil {
			b.log.Warn("posted message not recorded", "chat", m.Chat, "msg", id, "err", err)
		}
	}
	return b, nil
}

// Engine is the bot's flow engine.
func (b *Bot) Engine() *flows.Engine { return b.engine }

// Username is the bot's Telegram username.
func (b *Bot) Username() string { return b.me.Username }

// Sender is the bot's outbound sender (shared with schedulers and broadcasts).
func (b *Bot) Sender() *Sender { return b.sender }

// Close releases the sender.
func (b *Bot) Close() { b.sender.Close() }

// start launches the dispatcher; its jobs run on a context that ignores the
// cancellation of ctx, so in-flight updates finish during shutdown.
func (b *Bot) start(ctx context.Context) {
	b.disp = newDispatcher(context.WithoutCancel(ctx), b.cfg.Workers, b.cfg.MaxQueued)
	sctx, cancel := context.WithCancel(ctx)
	b.stopSweeper = cancel
	b.sweeper.Go(func() { b.runOutboxSweeper(sctx) })
}

// stop waits for in-flight updates up to grace.
func (b *Bot) stop(grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := b.disp.drain(ctx); err != nil {
		return fmt.Errorf("updates still in flight after %s: %w", grace, err)
	}
	b.stopSweeper()
	b.sweeper.Wait()
	return nil
}

// handle runs one update through the engine. An error means the update was
// not committed and should be delivered again (webhook: non-2xx; polling: it
// stays in the inbox).
func (b *Bot) handle(ctx context.Context, upd *models.Update, fromInbox bool) (err error) {
	start := time.Now()
	in, cbID, ok := toInput(upd, b.me.Username, b.cfg.Clock())
	kind := kindName(in.Kind)
	if !ok {
		if cbID != "" {
			b.render.answer(ctx, cbID, b.cfg.DefaultLang, nil)
		}
		if fromInbox {
			err = b.store.AckInbox(ctx, upd.ID)
		}
		b.metrics.updates.WithLabelValues(kind, "ignored").Inc()
		return err
	}
	result := "ok"
	defer func() {
		if err != nil {
			result = "error"
		}
		b.metrics.updates.WithLabelValues(kind, result).Inc()
		b.metrics.latency.Observe(time.Since(start).Seconds())
	}()

	if ok, warn := b.flood.allow(in.UserID, in.UpdateID, sentAt(upd, b.cfg.Clock())); !ok {
		// Too much, too fast: acknowledged unhandled, with one polite
		// word per window; other users are not affected.
		result = "flood"
		if warn {
			b.apologise(ctx, in, cbID, "errors.slow_down")
		} else if cbID != "" {
			b.render.answer(ctx, cbID, b.cfg.DefaultLang, nil)
		}
		return b.store.Commit(ctx, transport.Commit{ChatID: in.ChatID, UpdateID: in.UpdateID, FromInbox: fromInbox})
	}
	// One chat, one update at a time — across replicas too: the lock is
	// taken before the state is read and given up after it is written.
	// Both in one round trip; the commit releases the lock in its
	// transaction, every other path on return.
	lock, st, err := b.locks.LockAndLoad(ctx, in.ChatID, in.UserID, in.UpdateID, b.cfg.LockWait)
	if err != nil {
		if !errors.Is(err, transport.ErrLockBusy) {
			b.unavailable(ctx, in, cbID)
		}
		return err
	}
	defer func() {
		if rerr := lock.Release(context.WithoutCancel(ctx)); rerr != nil {
			b.log.Warn("release chat lock", "chat", in.ChatID, "err", rerr) // it expires
		}
	}()
	if st.Outbox > 0 {
		// A process stopped before it had sent this chat's replies:
		// they go first, in order.
		if err := b.resumeOutbox(ctx, in.ChatID, lock, false); err != nil {
			b.unavailable(ctx, in, cbID)
			return err
		}
	}
	if st.Dup {
		result = "duplicate"
		if cbID != "" {
			b.render.answer(ctx, cbID, b.cfg.DefaultLang, nil)
		}
		if fromInbox {
			return b.store.AckInbox(ctx, upd.ID)
		}
		return nil
	}

	in.Keyboard = st.Keyboard
	if ref, ok := b.engine.NeedsMember(in); ok {
		in.Member = b.lookupMember(ctx, ref, in.UserID)
	}
	res, err := b.runEngine(ctx, in, st)
	commit := transport.Commit{ChatID: in.ChatID, UpdateID: in.UpdateID, FromInbox: fromInbox, Lock: lock}
	if err != nil && b.store.Unavailable(err) {
		// Redis went away mid-flow: not the flow's fault. Hand the update
		// back (webhook 503, polling retry) to run again once Redis is
		// back; what the flow wrote meanwhile is idempotent on a rerun
		// (a second registration finds the first).
		b.log.Warn("update met a Redis outage", "update", in.UpdateID, "chat", in.ChatID, "err", err)
		b.unavailable(ctx, in, cbID)
		return err
	}
	if err != nil {
		// The flow failed (a bug or bad data): apologise, keep the
		// previous state, and count the update as handled so it is not
		// replayed into the same failure.
		result = "panic"
		if !errors.Is(err, errPanic) {
			result = "failed"
		}
		b.log.Error("handle update", "update", in.UpdateID, "chat", in.ChatID, "err", err)
		if st.User != nil {
			b.apologiseIn(ctx, in, cbID, st.User.Lang, "errors.internal")
		} else {
			b.apologise(ctx, in, cbID, "errors.internal")
		}
		return b.commit(ctx, commit)
	}

	if res.LegacyRoute != "" {
		b.metrics.legacyButtons.WithLabelValues(res.LegacyRoute).Inc()
	}
	// The replies are rendered now and committed with the state; they are
	// sent once the commit holds (see outbox.go): a crash can then lose
	// the sending, which is resumed, but never repeat a reply.
	lang := res.User.Lang
	msgs := make([]outMsg, 0, len(res.Replies))
	for _, rep := range res.Replies {
		chat, rlang := rep.ChatID, rep.Lang
		if chat == 0 {
			chat, rlang = in.ChatID, lang
			if rep.Thread == 0 {
				rep.Thread = in.Thread // an answer goes into the topic it answers
			}
		}
		if rlang == "" {
			rlang = lang
		}
		ms, err := b.render.prepareAll(chat, rlang, rep)
		if err != nil { // a file that could not be made: a bug, said once
			b.log.Error("render reply", "update", in.UpdateID, "chat", chat, "err", err)
			ms = []outMsg{b.render.prepare(chat, rlang, flows.Reply{Text: flows.T("errors.internal")})}
		}
		msgs = append(msgs, ms...)
	}
	commit.Outbox = make([][]byte, len(msgs))
	for i := range msgs {
		msgs[i].ID = strconv.FormatInt(in.UpdateID, 10) + "." + strconv.Itoa(i)
		if commit.Outbox[i], err = b.render.encode(&msgs[i]); err != nil {
			return err
		}
	}
	if len(msgs) > 0 {
		commit.OutboxBegun = msgs[0].ID // sent right after the commit
	}
	if res.UserChanged {
		commit.User, commit.UserBefore = res.User, st.User
	}
	if res.Forget { // /forgetme: write nothing that names the user
		commit.User, commit.Forget = nil, true
	}
	switch {
	case res.Session.Active():
		commit.Session = res.Session
	case st.Session != nil:
		commit.Session = &flows.Session{} // leave the flow: delete the stored session
	}
	if err := b.commit(ctx, commit); err != nil {
		// Not saved: the update comes again (webhook 503, polling
		// inbox) and runs from the state before it. Nothing was sent.
		b.unavailable(ctx, in, cbID)
		return err
	}
	if cbID != "" {
		b.render.answer(ctx, cbID, lang, res.Answer)
	}
	if len(msgs) == 0 {
		return nil
	}
	// The update is handled; an error now only leaves replies in the
	// outbox for later (the chat's next update or the sweeper).
	if err := b.sendOutbox(ctx, in.ChatID, lock, msgs, true, true, func(m outMsg, err error) {
		b.deliveryFailed(ctx, in, m.Chat, m.Thread, err)
	}); err != nil {
		b.log.Warn("replies left in the outbox", "chat", in.ChatID, "update", in.UpdateID, "err", err)
	}
	return nil
}

// commitRetryFor is how long a commit is retried while Redis is briefly
// unavailable (a Cluster node restarting, a Sentinel failover takes about
// 2 s). The replies are out already: a commit given up means the update
// runs again and the user may read a reply twice.
const commitRetryFor = 5 * time.Second

// commit writes an update's outcome, retrying while Redis is unavailable
// (the chat's lock is held, and renewed, meanwhile).
func (b *Bot) commit(ctx context.Context, c transport.Commit) error {
	deadline := time.Now().Add(commitRetryFor)
	for backoff := 50 * time.Millisecond; ; backoff = min(2*backoff, time.Second) {
		err := b.store.Commit(ctx, c)
		if err == nil || !b.store.Unavailable(err) || time.Now().Add(backoff).After(deadline) {
			return err
		}
		if serr := sleep(ctx, backoff); serr != nil {
			return err
		}
	}
}

// unavailable tells the user Redis is away (at most once per chat in a
// while: Telegram redelivers the update every few seconds meanwhile).
func (b *Bot) unavailable(ctx context.Context, in flows.Input, cbID string) {
	b.metrics.unavailable.Inc()
	if !b.outage.allow(in.ChatID, time.Now()) {
		if cbID != "" {
			b.render.answer(ctx, cbID, b.cfg.DefaultLang, nil)
		}
		return
	}
	b.apologise(ctx, in, cbID, "errors.unavailable")
}

var errPanic = errors.New("panic in handler")

// runEngine calls the engine and turns a panic into an error.
func (b *Bot) runEngine(ctx context.Context, in flows.Input, st *transport.State) (res *flows.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("panic in handler", "update", in.UpdateID, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", errPanic, p)
		}
	}()
	return b.engine.Handle(ctx, in, st.User, st.Session)
}

// deliveryFailed records a failed reply: a recipient that blocked the bot is
// marked inactive.
func (b *Bot) deliveryFailed(ctx context.Context, in flows.Input, chat int64, thread int, err error) {
	if b.groupUndelivered(ctx, chat, thread, err) {
		return
	}
	if !errors.Is(err, ErrBlocked) && !errors.Is(err, ErrChatNotFound) {
		b.log.Warn("reply not delivered", "chat", chat, "update", in.UpdateID, "err", err)
		return
	}
	b.undelivered(ctx, chat, thread, err)
}

func (b *Bot) apologise(ctx context.Context, in flows.Input, cbID, id string) {
	lang := locales.Match(in.LangCode)
	if lang == "" {
		lang = b.cfg.DefaultLang
	}
	b.apologiseIn(ctx, in, cbID, lang, id)
}

func (b *Bot) apologiseIn(ctx context.Context, in flows.Input, cbID, lang, id string) {
	if cbID != "" {
		b.render.answer(ctx, cbID, lang, &flows.Answer{Text: flows.T(id), Alert: true})
		return
	}
	if !in.Private {
		return
	}
	// Immediate: this notice must not wait for Redis (it is often why).
	if _, err := b.render.sendText(ctx, in.ChatID, Immediate, lang, flows.Reply{Text: flows.T(id)}); err != nil {
		b.log.Warn("apology not delivered", "chat", in.ChatID, "err", err)
	}
}

func kindName(k flows.Kind) string {
	switch k {
	case flows.KindText:
		return "text"
	case flows.KindCommand:
		return "command"
	case flows.KindCallback:
		return "callback"
	case flows.KindMedia:
		return "media"
	case flows.KindContact:
		return "contact"
	}
	return "other"
}

// PublishCommands publishes the command menu per language (setMyCommands),
// and the full list for each configured admin's chat.
func (b *Bot) PublishCommands(ctx context.Context, admins []int64) {
	publish := func(role flows.Role, lang string, scope models.BotCommandScope, code string) error {
		var cmds []models.BotCommand
		for _, c := range b.engine.Commands(role) {
			cmds = append(cmds, models.BotCommand{Command: c.Name, Description: b.texts.MustText(lang, c.Describe, nil)})
		}
		return b.sender.Call(ctx, "setMyCommands", func(ctx context.Context, api *tg.Bot) error {
			_, err := api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds, Scope: scope, LanguageCode: code})
			return err
		})
	}
	if err := publish(flows.RoleParticipant, b.cfg.DefaultLang, nil, ""); err != nil {
		b.log.Warn("publish commands", "err", err)
	}
	for _, lang := range locales.Supported() {
		if err := publish(flows.RoleParticipant, lang, nil, lang); err != nil {
			b.log.Warn("publish commands", "lang", lang, "err", err)
		}
	}
	// Group chats list the commands that work there.
	for _, lang := range append([]string{""}, locales.Supported()...) {
		var cmds []models.BotCommand
		for _, c := range b.engine.GroupCommands() {
			cmds = append(cmds, models.BotCommand{Command: c.Name, Description: b.texts.MustText(cmp.Or(lang, b.cfg.DefaultLang), c.Describe, nil)})
		}
		if err := b.sender.Call(ctx, "setMyCommands", func(ctx context.Context, api *tg.Bot) error {
			_, err := api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds, Scope: &models.BotCommandScopeAllGroupChats{}, LanguageCode: lang})
			return err
		}); err != nil {
			b.log.Warn("publish group commands", "lang", lang, "err", err)
		}
	}
	for _, id := range admins {
		if err := publish(flows.RoleAdmin, b.cfg.DefaultLang, &models.BotCommandScopeChat{ChatID: id}, ""); err != nil {
			// An admin who never opened the bot has no chat yet.
			b.log.Info("publish admin commands", "admin", id, "err", err)
		}
	}
}

// randomToken names this replica in Redis (claims and turns).
func randomToken() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// rawUpdate decodes one update.
func rawUpdate(raw []byte) (*models.Update, error) {
	upd := new(models.Update)
	if err := json.Unmarshal(raw, upd); err != nil {
		return nil, fmt.Errorf("decode update: %w", err)
	}
	return upd, nil
}
