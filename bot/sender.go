package bot

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tg "github.com/go-telegram/bot"
	"golang.org/x/time/rate"

	"sinergi/flows/transport"
)

// Errors the sender reports to its caller instead of retrying.
var (
	// ErrBlocked: the user blocked the bot or was deactivated (403); mark
	// them inactive.
	ErrBlocked = errors.New("recipient blocked the bot or is deactivated")
	// ErrChatNotFound: Telegram does not know the chat (400 "chat not found").
	ErrChatNotFound = errors.New("chat not found")
	// ErrTelegramDown: 5xx or network errors persisted through every retry
	// (Limits.RetryFor); the message was not delivered and may be tried
	// again later.
	ErrTelegramDown = errors.New("telegram unavailable")
)

// Limits are Telegram's flood limits as the sender applies them. Zero values
// switch a limit off.
type Limits struct {
	Global       float64       // messages per second for the whole bot (Telegram: about 30)
	GlobalBurst  int           // tokens the global bucket may hold (default 1)
	PerChat      time.Duration // minimum average gap per private chat (Telegram: 1 s)
	ChatBurst    int           // short burst tolerated per chat (default 3)
	PerGroup     time.Duration // gap between sends to a group, no burst (Telegram: 20/min = 3 s)
	RetryFor     time.Duration // keep retrying 5xx and network errors this long (default 2 min)
	Max429       int           // 429s waited out before giving up (default 10)
	BackoffBase  time.Duration // first 5xx backoff (default 500 ms), doubling
	BackoffLimit time.Duration // longest backoff (default 10 s)
}

// DefaultLimits are safe for a production bot.
func DefaultLimits() Limits {
	return Limits{Global: 28, GlobalBurst: 1, PerChat: time.Second, ChatBurst: 3, PerGroup: 3 * time.Second}
}

// Telemetry receives what the sender observes (metrics).
type Telemetry interface {
	Sent(method string)
	TelegramError(method string, code int)
	BudgetFallback()
	LateSlot()
}

// SharedBudget is the send budget every replica shares (store.Store keeps
// it in Redis). When it does not answer, the sender paces with its own
// local budget, so an outage of Redis does not stop replies.
type SharedBudget interface {
	GlobalBucket(perSecond float64, burst int) transport.Bucket
	ChatBucket(chat int64, interval time.Duration, burst int) transport.Bucket
	Reserve(ctx context.Context, maxWait time.Duration, bs ...transport.Bucket) (time.Duration, bool, error)
	Pause(ctx context.Context, d time.Duration, bs ...transport.Bucket) error
	Heartbeat(ctx context.Context, owner string, window time.Duration) (int, error)
}

// interactiveHorizon is how far ahead an interactive send books the shared
// global budget; bulk sends only take a slot that is free within one
// interval, so they never get ahead of a waiting reply.
const interactiveHorizon = 30 * time.Second

// bulkHorizon is how many slots of the bot's budget ahead a bulk send may
// book, and bulkHorizonMin how far ahead in any case (at a high ceiling
// three slots are a few milliseconds: a booking would be refused more
// often than made).
const (
	bulkHorizon    = 3
	bulkHorizonMin = 100 * time.Millisecond
)

// slotTolerance is how late a send may start after the instant it booked in
// the shared budget. Telegram counts its ~30 a second over any second: at
// 28/s, 31 booked slots span 1.07 s, so a send that leaves 71 ms after its
// slot while a later one leaves on time makes 31 in a second. A send later
// than slotTolerance (a goroutine woken late on a busy machine, a slow
// round trip to Redis) gives its slot up and books another, which keeps
// every send within slotTolerance of a slot booked under the limit and
// leaves the rest of the 71 ms for the way to Telegram.
const (
	slotTolerance = 20 * time.Millisecond
	maxLate       = 3
)

// While the shared budget does not answer: an Immediate send paces
// locally and skips Redis for sharedRetry; an Interactive one tries Redis
// every sharedProbe for fallbackAfter first; a Bulk one waits for Redis.
const (
	sharedRetry   = 5 * time.Second
	sharedProbe   = 250 * time.Millisecond
	fallbackAfter = 10 * time.Second
)

// Sender is the bot's one outbound path to Telegram. Every message goes
// through it: it keeps the global and per-chat limits, waits out retry_after
// (pausing that chat and the whole bot), retries 5xx and network errors with
// backoff, and reports 403 and "chat not found" as ErrBlocked and
// ErrChatNotFound.
type Sender struct {
	api    *tg.Bot
	lim    Limits
	global *budget
	tel    Telemetry
	shared SharedBudget // nil: this process alone
	gb     transport.Bucket
	// sharedDown: until when (unix ns) the shared budget is skipped after
	// it failed, so an outage of Redis costs one failed call per interval
	// rather than one per message.
	sharedDown atomic.Int64
	owner      string        // this replica, for heartbeats
	beat       atomic.Int64  // last heartbeat (unix ns)
	fallback   *rate.Limiter // this replica's share of the bot's rate, while Redis is away
	pausedAll  atomic.Int64  // a global retry_after this replica was told (unix ns)
	bookedTo   atomic.Int64  // the latest instant this replica booked in the shared budget (unix ns)
	localTo    atomic.Int64  // the latest instant this replica scheduled a send by its local pacing (unix ns)

	mu    sync.Mutex
	chats map[int64]*chatLimit
	swept time.Time
}

type chatLimit struct {
	lim         *rate.Limiter
	pausedUntil time.Time
	used        time.Time
}

// NewSender builds a sender over api.
func NewSender(api *tg.Bot, lim Limits, tel Telemetry) *Sender {
	if lim.GlobalBurst < 1 {
		lim.GlobalBurst = 1
	}
	if lim.ChatBurst < 1 {
		lim.ChatBurst = 3
	}
	if lim.RetryFor <= 0 {
		lim.RetryFor = 2 * time.Minute
	}
	if lim.Max429 < 1 {
		lim.Max429 = 10
	}
	if lim.BackoffBase <= 0 {
		lim.BackoffBase = 500 * time.Millisecond
	}
	if lim.BackoffLimit <= 0 {
		lim.BackoffLimit = 10 * time.Second
	}
	return &Sender{api: api, lim: lim, global: newBudget(lim.Global, lim.GlobalBurst), tel: tel, chats: make(map[int64]*chatLimit)}
}

// Share makes the sender keep the limits together with every other replica
// using the same budget (see SharedBudget).
func (s *Sender) Share(b SharedBudget, owner string) {
	s.shared, s.owner = b, owner
	if s.lim.Global > 0 {
		s.gb = b.GlobalBucket(s.lim.Global, s.lim.GlobalBurst)
		s.fallback = rate.NewLimiter(rate.Limit(fallbackShare*s.lim.Global), 1)
	}
}

// Heartbeats: every replica that sends says so every heartbeatEvery; the
// replicas seen within heartbeatWindow share the bot's rate when the shared
// budget is unreachable, each at fallbackShare of its part (a margin for
// their unsynchronised clocks).
const (
	heartbeatEvery  = 5 * time.Second
	heartbeatWindow = 30 * time.Second
	fallbackShare   = 0.8
)

// heartbeat tells Redis this replica sends, at most every heartbeatEvery,
// and sets the local fallback rate to this replica's share.
func (s *Sender) heartbeat(ctx context.Context) {
	now := time.Now()
	last := s.beat.Load()
	if now.UnixNano()-last < int64(heartbeatEvery) || !s.beat.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	n, err := s.shared.Heartbeat(ctx, s.owner, heartbeatWindow)
	if err != nil || s.fallback == nil {
		return
	}
	s.fallback.SetLimit(rate.Limit(fallbackShare * s.lim.Global / float64(max(1, n))))
}

// Close stops the sender's dispenser.
func (s *Sender) Close() { s.global.close() }

// API is the underlying client, for calls that are not messages (getMe,
// setMyCommands, setWebhook).
func (s *Sender) API() *tg.Bot { return s.api }

// Send performs call — one Telegram method that produces or edits a message
// in chatID — within the limits, retrying as described on Sender. call runs
// once per attempt, so it must build its request (and any upload reader)
// anew each time.
func (s *Sender) Send(ctx context.Context, chatID int64, p Priority, method string, call func(ctx context.Context, api *tg.Bot) error) error {
	return s.do(ctx, chatID, p, method, true, nil, call)
}

// SendReady is Send with a last word: ready runs once, for Bulk work as
// soon as the shared budget booked the send (at most bulkHorizonMin or
// three slots before it, so its round trip does not make the send late for
// its slot), otherwise right before the first attempt; an
// error from it cancels the send (it is returned as is). Broadcasts mark
// the send as begun there, so time spent waiting for a turn in the budget
// is not time in which a crash leaves the recipient uncertain.
func (s *Sender) SendReady(ctx context.Context, chatID int64, p Priority, method string, ready func(ctx context.Context) error, call func(ctx context.Context, api *tg.Bot) error) error {
	return s.do(ctx, chatID, p, method, true, ready, call)
}

// Call performs a method that is not rate limited (answerCallbackQuery,
// setMyCommands) with the same retries.
func (s *Sender) Call(ctx context.Context, method string, call func(ctx context.Context, api *tg.Bot) error) error {
	return s.do(ctx, 0, Interactive, method, false, nil, call)
}

func (s *Sender) do(ctx context.Context, chatID int64, p Priority, method string, limited bool, ready func(context.Context) error, call func(context.Context, *tg.Bot) error) error {
	var n429, nFail int
	var failingSince time.Time
	// ready runs once: for bulk work as soon as the shared budget booked
	// the send (at most a few slots ahead), so that its round trip is not
	// between the slot and the send; otherwise (a reply may book seconds
	// ahead) right before the first attempt.
	book := func(ctx context.Context) error {
		r := ready
		ready = nil
		if r == nil {
			return nil
		}
		return r(ctx)
	}
	for {
		if limited {
			var booked func(context.Context) error
			if p == Bulk {
				booked = book
			}
			if err := s.acquireReady(ctx, chatID, p, booked); err != nil {
				var rf readyFailed
				if errors.As(err, &rf) {
					return rf.err
				}
				return err
			}
		}
		if err := book(ctx); err != nil {
			return err
		}
		err := call(ctx, s.api)
		if err == nil {
			s.tel.Sent(method)
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s to chat %d: %w", method, chatID, ctx.Err())
		}
		code, retryAfter, kind := classify(err)
		s.tel.TelegramError(method, code)
		switch kind {
		case errFlood:
			n429++
			if n429 > s.lim.Max429 {
				return fmt.Errorf("%s to chat %d: gave up after %d flood waits: %w", method, chatID, n429-1, err)
			}
			wait := time.Duration(retryAfter)*time.Second + 50*time.Millisecond
			until := time.Now().Add(wait)
			s.pauseChat(chatID, until)
			s.global.pause(until)
			if u := until.UnixNano(); u > s.pausedAll.Load() {
				s.pausedAll.Store(u) // a race here only shortens an extra wait
			}
			s.pauseShared(ctx, chatID, wait)
			if !limited {
				if err := sleep(ctx, time.Until(until)); err != nil {
					return err
				}
			}
		case errRetry:
			nFail++
			if failingSince.IsZero() {
				failingSince = time.Now()
			}
			if time.Since(failingSince) >= s.lim.RetryFor {
				return fmt.Errorf("%s to chat %d: %w: gave up after %d attempts in %v: %w", method, chatID, ErrTelegramDown, nFail, s.lim.RetryFor, err)
			}
			d := min(s.lim.BackoffLimit, s.lim.BackoffBase<<(nFail-1))
			d = d/2 + rand.N(d/2+1) // jitter
			if err := sleep(ctx, d); err != nil {
				return err
			}
		case errBlocked:
			return fmt.Errorf("%s to chat %d: %w: %w", method, chatID, ErrBlocked, err)
		case errNoChat:
			return fmt.Errorf("%s to chat %d: %w: %w", method, chatID, ErrChatNotFound, err)
		case errNoPost:
			return fmt.Errorf("%s to chat %d: %w: %w", method, chatID, ErrCannotPost, err)
		case errNoThread:
			return fmt.Errorf("%s to chat %d: %w: %w", method, chatID, ErrTopicGone, err)
		default:
			return fmt.Errorf("%s to chat %d: %w", method, chatID, err)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// acquire waits until chatID may be sent to: any retry_after Telegram
// announced for the chat, then the chat's and the bot's budget — shared
// with the other replicas, or this process's own when Redis does not answer.
func (s *Sender) acquire(ctx context.Context, chatID int64, p Priority) error {
	return s.acquireReady(ctx, chatID, p, nil)
}

// readyFailed is the error of acquireReady's booked, returned as is.
type readyFailed struct{ err error }

func (r readyFailed) Error() string { return r.err.Error() }
func (r readyFailed) Unwrap() error { return r.err }

// acquireReady is acquire that runs booked (when not nil) once the shared
// budget booked the send, before waiting for its slot; its error ends the
// wait as a readyFailed.
func (s *Sender) acquireReady(ctx context.Context, chatID int64, p Priority, booked func(context.Context) error) error {
	if s.shared != nil {
		if err := s.waitPaused(ctx, chatID); err != nil {
			return err
		}
		for p == Bulk {
			// Bulk work never paces itself locally: with several
			// replicas each would spend the whole budget. It waits for
			// the shared one.
			err := s.acquireShared(ctx, chatID, p, booked)
			if err == nil || ctx.Err() != nil || errors.As(err, new(readyFailed)) {
				return err
			}
			if err := sleep(ctx, sharedProbe); err != nil {
				return err
			}
		}
		if p == Interactive {
			// A reply waits a little for the shared budget (a node
			// restarting, a failover: seconds) before pacing locally:
			// replicas pacing themselves while others book in Redis
			// would add up.
			deadline := time.Now().Add(fallbackAfter)
			for time.Now().Before(deadline) {
				err := s.acquireShared(ctx, chatID, p, booked)
				if err == nil || ctx.Err() != nil || errors.As(err, new(readyFailed)) {
					return err
				}
				if err := sleep(ctx, sharedProbe); err != nil {
					return err
				}
			}
		} else if time.Now().UnixNano() >= s.sharedDown.Load() {
			err := s.acquireShared(ctx, chatID, p, booked)
			if err == nil || ctx.Err() != nil || errors.As(err, new(readyFailed)) {
				return err
			}
			s.sharedDown.Store(time.Now().Add(sharedRetry).UnixNano())
		}
		// Replies to people waiting go out paced by this replica at its
		// share of the bot's rate (few, while Redis is away: handling an
		// update needs Redis too).
		s.tel.BudgetFallback()
		// Sends booked in the shared budget before it went away still go
		// out at their instants: local pacing starts after them, or the
		// two would add up.
		wait := max(s.pausedAll.Load(), s.bookedTo.Load())
		if err := sleep(ctx, time.Until(time.Unix(0, wait))); err != nil {
			return err
		}
		if err := s.waitChat(ctx, chatID); err != nil {
			return err
		}
		if s.fallback != nil {
			d := s.fallback.Reserve().Delay()
			raiseTo(&s.localTo, time.Now().Add(d))
			return sleep(ctx, d)
		}
		return nil
	}
	if err := s.waitChat(ctx, chatID); err != nil {
		return err
	}
	return s.global.take(ctx, p)
}

// raiseTo moves *v up to t (unix ns), never down.
func raiseTo(v *atomic.Int64, t time.Time) {
	at := t.UnixNano()
	for cur := v.Load(); at > cur; cur = v.Load() {
		if v.CompareAndSwap(cur, at) {
			return
		}
	}
}

// acquireShared books the first instant both the chat's and the bot's
// bucket allow, in one script, and sleeps until then. Sends this replica
// paced locally while the shared budget was away go first: the shared
// budget does not know of them.
func (s *Sender) acquireShared(ctx context.Context, chatID int64, p Priority, booked func(context.Context) error) error {
	if err := sleep(ctx, time.Until(time.Unix(0, s.localTo.Load()))); err != nil {
		return err
	}
	var cb transport.Bucket
	if gap := s.chatGap(chatID); gap > 0 {
		// 10% slower than the nominal gap (see waitChat).
		cb = s.shared.ChatBucket(chatID, gap+gap/10, s.chatBurst(chatID))
	}
	horizon := interactiveHorizon
	if p == Bulk && s.lim.Global > 0 {
		// A few slots: a reply waits behind at most the bookings bulk
		// work holds (see bulkHorizon).
		horizon = max(bulkHorizon*s.gb.Interval, bulkHorizonMin)
	}
	for late := 0; ; {
		// A retry_after this replica was told: nothing is booked before
		// its end (the other replicas learn it from the paused cells).
		if err := sleep(ctx, time.Until(time.Unix(0, s.pausedAll.Load()))); err != nil {
			return err
		}
		asked := time.Now()
		wait, ok, err := s.shared.Reserve(ctx, horizon, cb, s.gb)
		if err != nil {
			return err
		}
		s.heartbeat(ctx)
		if ok {
			// Redis read its clock between asked and now: the slot is
			// taken as half the round trip before now, plus wait.
			now := time.Now()
			slot := now.Add(wait - now.Sub(asked)/2)
			raiseTo(&s.bookedTo, now.Add(wait))
			if booked != nil {
				// A chat's gap may put the slot far beyond the horizon:
				// the send is marked begun only within the horizon of it,
				// so that a stop while it waits leaves it not begun.
				if d := time.Until(now.Add(wait)) - min(horizon, bulkHorizonMin); d > 0 {
					if err := sleep(ctx, d); err != nil {
						return err
					}
				}
				if err := booked(ctx); err != nil {
					return readyFailed{err}
				}
				booked = nil
			}
			if err := sleep(ctx, time.Until(now.Add(wait))); err != nil {
				return err
			}
			// A retry_after told meanwhile covers the slot (a send
			// booked before it and answered 429): book after it.
			if time.Unix(0, s.pausedAll.Load()).After(slot) {
				continue
			}
			// Too late for the slot: book another, a few times at
			// most (a machine that late every time still sends).
			if time.Since(slot) <= slotTolerance || late == maxLate {
				return nil
			}
			late++
			s.tel.LateSlot()
			continue
		}
		// Not booked: come back when a slot is within reach.
		if err := sleep(ctx, max(time.Millisecond, wait-horizon)); err != nil {
			return err
		}
	}
}

// pauseShared tells the other replicas about a retry_after.
func (s *Sender) pauseShared(ctx context.Context, chatID int64, d time.Duration) {
	if s.shared == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	var cb transport.Bucket
	if gap := s.chatGap(chatID); gap > 0 {
		cb = s.shared.ChatBucket(chatID, gap+gap/10, s.chatBurst(chatID))
	}
	// A 429 for one chat pauses that chat; Telegram's global flood answer
	// comes per chat too, so the bot's cell is paused as well.
	_ = s.shared.Pause(ctx, d, cb, s.gb)
}

func (s *Sender) chatGap(chatID int64) time.Duration {
	switch {
	case chatID == 0:
		return 0
	case chatID < 0:
		return s.lim.PerGroup
	}
	return s.lim.PerChat
}

// chatBurst is how many sends a chat takes back to back before its gap
// applies: a private chat's short burst; none for a group, whose limit is
// a count per minute (20): a burst on top of the gap would let 21 through
// in a minute.
func (s *Sender) chatBurst(chatID int64) int {
	if chatID < 0 {
		return 1
	}
	return s.lim.ChatBurst
}

// waitPaused sleeps out a retry_after this process was told for the chat.
func (s *Sender) waitPaused(ctx context.Context, chatID int64) error {
	if chatID == 0 {
		return nil
	}
	s.mu.Lock()
	var until time.Time
	if c := s.chats[chatID]; c != nil {
		until = c.pausedUntil
	}
	s.mu.Unlock()
	return sleep(ctx, time.Until(until))
}

// waitChat waits for the chat's own limit (1/s with a small burst for a
// private chat, 20/min for a group, and any retry_after Telegram announced).
func (s *Sender) waitChat(ctx context.Context, chatID int64) error {
	if chatID == 0 {
		return nil
	}
	gap := s.lim.PerChat
	if chatID < 0 {
		gap = s.lim.PerGroup
	}
	now := time.Now()
	s.mu.Lock()
	c := s.chatLocked(chatID, gap)
	c.used = now
	paused := c.pausedUntil
	s.sweepLocked(now)
	s.mu.Unlock()
	if err := sleep(ctx, paused.Sub(now)); err != nil {
		return err
	}
	if c.lim == nil {
		return nil
	}
	return c.lim.Wait(ctx)
}

// chatLocked is chat's local state, made on first use.
func (s *Sender) chatLocked(chatID int64, gap time.Duration) *chatLimit {
	c := s.chats[chatID]
	if c == nil {
		c = &chatLimit{}
		if gap > 0 {
			// 10% slower than the nominal gap: our clock starts when a
			// send is allowed, Telegram's when the request arrives, and
			// network jitter must not turn a 1.00 s gap into 0.99 s there.
			c.lim = rate.NewLimiter(rate.Every(gap+gap/10), s.chatBurst(chatID))
		}
		s.chats[chatID] = c
	}
	return c
}

// sweepLocked forgets chats idle for a minute (their bucket is full again),
// so memory follows the chats active now, not every chat ever seen.
func (s *Sender) sweepLocked(now time.Time) {
	if now.Sub(s.swept) < time.Minute {
		return
	}
	s.swept = now
	for id, c := range s.chats {
		if now.Sub(c.used) > time.Minute && now.After(c.pausedUntil) {
			delete(s.chats, id)
		}
	}
}

func (s *Sender) pauseChat(chatID int64, until time.Time) {
	if chatID == 0 {
		return
	}
	s.mu.Lock()
	if c := s.chatLocked(chatID, s.chatGap(chatID)); until.After(c.pausedUntil) {
		c.pausedUntil = until
		c.used = time.Now()
	}
	s.mu.Unlock()
}

type errKind int

const (
	errFatal errKind = iota
	errFlood
	errRetry
	errBlocked
	errNoChat
	errNoPost
	errNoThread
)

// go-telegram/bot reports 5xx and other unlisted codes untyped, as
// "error response from telegram for method M, CODE DESCRIPTION".
var untypedCode = regexp.MustCompile(`error response from telegram for method \S+, (\d{3}) `)

// classify maps an error of go-telegram/bot to its HTTP code (0 for network
// errors) and what to do about it.
func classify(err error) (code, retryAfter int, kind errKind) {
	var flood *tg.TooManyRequestsError
	var urlErr *url.Error
	var migrated *tg.MigrateError
	switch {
	case errors.As(err, &flood):
		return 429, max(1, flood.RetryAfter), errFlood
	case errors.As(err, &migrated):
		return 400, 0, errFatal // the caller follows the new chat id
	case errors.Is(err, tg.ErrorBadRequest) && (containsFold(err.Error(), "not enough rights to send") || containsFold(err.Error(), "need administrator rights in the channel")):
		return 400, 0, errNoPost
	case errors.Is(err, tg.ErrorBadRequest) && containsFold(err.Error(), "message thread not found"):
		return 400, 0, errNoThread
	case errors.Is(err, tg.ErrorForbidden):
		return 403, 0, errBlocked
	case errors.Is(err, tg.ErrorBadRequest):
		if containsFold(err.Error(), "chat not found") {
			return 400, 0, errNoChat
		}
		return 400, 0, errFatal
	case errors.Is(err, tg.ErrorUnauthorized):
		return 401, 0, errFatal
	case errors.Is(err, tg.ErrorNotFound):
		return 404, 0, errFatal
	case errors.Is(err, tg.ErrorConflict):
		return 409, 0, errFatal
	case errors.As(err, &urlErr):
		return 0, 0, errRetry
	}
	if m := untypedCode.FindStringSubmatch(err.Error()); m != nil {
		code, _ = strconv.Atoi(m[1])
		if code >= 500 {
			return code, 0, errRetry
		}
		return code, 0, errFatal
	}
	return 0, 0, errRetry // transport trouble (timeouts, broken bodies)
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), sub)
}
