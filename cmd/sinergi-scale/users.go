package main

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/locales"
)

// notifier wakes the driver of a chat when the bot sends or edits a message
// there. Subscribe drops the oldest events when it falls behind, so drivers
// also look at their chat once a second on their own.
type notifier struct {
	chans map[int64]chan struct{} // read-only after newNotifier
	sends atomic.Int64            // bot messages and edits seen

	mu     sync.Mutex
	alerts map[int64][]alert // answers to button presses that carry a text
}

// alert is the bot's answer to a button press, shown as a pop-up.
type alert struct {
	at   time.Time
	text string
}

// alertsOf returns the pop-ups a chat got.
func (n *notifier) alertsOf(id int64) []alert {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]alert(nil), n.alerts[id]...)
}

func newNotifier(ids []int64) *notifier {
	n := &notifier{chans: make(map[int64]chan struct{}, len(ids)), alerts: map[int64][]alert{}}
	for _, id := range ids {
		n.chans[id] = make(chan struct{}, 1)
	}
	return n
}

func (n *notifier) run(events <-chan telegramtest.Event) {
	for ev := range events {
		switch {
		case ev.Kind == telegramtest.EventCallbackAnswer && ev.Text != "":
			n.mu.Lock()
			n.alerts[ev.Message.ChatID] = append(n.alerts[ev.Message.ChatID], alert{time.Now(), plain(ev.Text)})
			n.mu.Unlock()
		case (ev.Kind == telegramtest.EventMessage || ev.Kind == telegramtest.EventEdit) && ev.Message.FromBot:
			n.sends.Add(1)
		default:
			continue
		}
		if c := n.chans[ev.Message.ChatID]; c != nil {
			select {
			case c <- struct{}{}:
			default:
			}
		}
	}
}

// wait returns after a bot message in chat id, after poll, or when ctx ends.
func (n *notifier) wait(ctx context.Context, id int64, poll time.Duration) {
	t := time.NewTimer(poll)
	defer t.Stop()
	select {
	case <-n.chans[id]:
	case <-t.C:
	case <-ctx.Done():
	}
}

// texts are the bot's messages the drivers recognise, rendered from the
// bot's own locale files in both languages and compared without markup.
type texts struct {
	askName, askOrg, already, internal, unavailable, slowDown, waitlisted []string
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

func plain(s string) string {
	return strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(s, "")))
}

func loadTexts(title string) (*texts, error) {
	cat, err := locales.Load()
	if err != nil {
		return nil, err
	}
	t := &texts{}
	for _, lang := range locales.Supported() {
		r := func(id string, data map[string]any) (string, error) {
			s, err := cat.Text(lang, id, data, nil)
			return plain(s), err
		}
		for _, x := range []struct {
			id  string
			dst *[]string
		}{
			{"profile.ask_name", &t.askName}, {"profile.ask_org", &t.askOrg}, {"ws.already", &t.already},
			{"errors.internal", &t.internal}, {"errors.unavailable", &t.unavailable}, {"errors.slow_down", &t.slowDown},
		} {
			s, err := r(x.id, nil)
			if err != nil {
				return nil, err
			}
			*x.dst = append(*x.dst, s)
		}
		// The waiting-list answer up to the position, which is not known.
		s, err := r("ws.waitlisted", map[string]any{"Title": html.EscapeString(title), "Pos": "\x00"})
		if err != nil {
			return nil, err
		}
		prefix, _, _ := strings.Cut(s, "\x00")
		t.waitlisted = append(t.waitlisted, prefix)
	}
	return t, nil
}

func anyEqual(s string, list []string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

func anyPrefix(s string, list []string) bool {
	for _, x := range list {
		if x != "" && strings.HasPrefix(s, x) {
			return true
		}
	}
	return false
}

// Kinds of bot message a user sees.
const (
	mOther = iota
	mCard
	mConfirmed // the calendar file of a confirmation
	mWaiting
	mAlready
	mInternal
	mUnavailable
	mSlowDown
	mAskText
	mChoice
)

type classifier struct {
	code string
	tx   *texts
}

func hasButton(m telegramtest.Message, pred func(string) bool) (telegramtest.Button, bool) {
	for _, row := range m.Buttons {
		for _, b := range row {
			if pred(b.CallbackData) {
				return b, true
			}
		}
	}
	return telegramtest.Button{}, false
}

func (c *classifier) kind(m telegramtest.Message) int {
	p := strings.TrimSpace(m.Plain)
	switch {
	case m.Document != nil && m.Document.Name == "workshop-"+c.code+".ics":
		return mConfirmed
	case anyPrefix(p, c.tx.waitlisted):
		return mWaiting
	case anyEqual(p, c.tx.already):
		return mAlready
	case anyEqual(p, c.tx.internal):
		return mInternal
	case anyEqual(p, c.tx.unavailable):
		return mUnavailable
	case anyEqual(p, c.tx.slowDown):
		return mSlowDown
	}
	if _, ok := hasButton(m, func(d string) bool { return d == "registration.join:"+c.code }); ok {
		return mCard
	}
	if anyEqual(p, c.tx.askName) || anyEqual(p, c.tx.askOrg) {
		return mAskText
	}
	if _, ok := hasButton(m, isStepChoice); ok {
		return mChoice
	}
	return mOther
}

var navValue = regexp.MustCompile(`^(p\d+|noop|=)$`)

// isStepChoice: a button answering a flow step ("core.step:<nonce>:<value>"), not a
// page turn.
func isStepChoice(d string) bool {
	parts := strings.Split(d, ":")
	return len(parts) == 3 && parts[0] == "core.step" && !navValue.MatchString(parts[2])
}

// simUser is one simulated participant.
type simUser struct {
	idx   int
	u     telegramtest.User
	wave  int  // 1: before the broadcast, 2: during it
	fresh bool // no profile yet: goes through profile and consent first
}

// userResult is what the driver saw of one user, live.
type userResult struct {
	user     simUser
	pressed  bool      // pressed the register button at least once
	answered time.Time // first registration answer (zero: none)
	answer   int       // mConfirmed, mWaiting or mAlready
	updates  int       // updates injected
	repeats  int       // actions repeated after "something went wrong"
	stuck    string    // why the driver gave up, "" when it did not
	start    time.Time
}

// driver drives simulated users through the bot via the fake Bot API.
type driver struct {
	fake   *telegramtest.Server
	notify *notifier
	cls    *classifier
	step   time.Duration // longest wait for the bot's next message
}

// maxActions bounds the actions of one user (a registration needs two, a
// first-time user with the profile eight).
const maxActions = 24

// run drives one user: /start ws_<code> (the deep link of the workshop),
// the register button, then whatever the bot asks (the profile questions
// and the consent of a first-time user), until the registration is
// answered. Every wait is bounded by d.step.
func (d *driver) run(ctx context.Context, su simUser) *userResult {
	res := &userResult{user: su, start: time.Now()}
	id := su.u.ID
	acted := map[int]bool{}
	var card telegramtest.Message
	var redo func()
	lastAction, lastProgress := 0, time.Now()
	actions, redoAt := 0, time.Time{}
	var actedAt time.Time
	act := func(f func(), msgs int) {
		actedAt = time.Now()
		f()
		res.updates++
		actions++
		redo, lastAction, lastProgress, redoAt = f, msgs, time.Now(), time.Time{}
	}
	act(func() { d.fake.SendText(su.u, "/start ws_"+d.cls.code) }, 0)
	for ctx.Err() == nil {
		msgs := d.fake.BotMessages(id)
		if len(msgs) > lastAction {
			lastProgress = time.Now()
		}
		// The latest message asking something, and whether the
		// registration is answered.
		next := -1
		for i := lastAction; i < len(msgs); i++ {
			switch k := d.cls.kind(msgs[i]); k {
			case mConfirmed, mWaiting, mAlready:
				if res.pressed {
					res.answered, res.answer = time.Now(), k
					return res
				}
			case mCard:
				if !res.pressed {
					next = i
				}
			case mInternal:
				// Nothing was done; a person would try again.
				if redoAt.IsZero() {
					redoAt = time.Now().Add(2 * time.Second)
				}
			case mAskText, mChoice:
				if res.pressed && !acted[msgs[i].ID] {
					next = i
				}
			}
		}
		for _, a := range d.notify.alertsOf(id) {
			if a.at.After(actedAt) && anyEqual(a.text, d.cls.tx.internal) && redoAt.IsZero() {
				redoAt = time.Now().Add(2 * time.Second) // the pop-up said: try again
			}
		}
		if actions >= maxActions {
			res.stuck = fmt.Sprintf("gave up after %d actions; last bot message: %s", actions, lastText(msgs))
			return res
		}
		switch {
		case next >= 0:
			m := msgs[next]
			acted[m.ID] = true
			switch d.cls.kind(m) {
			case mCard:
				card = m
				res.pressed = true
				act(func() { d.fake.Press(su.u, card.ID, "registration.join:"+d.cls.code) }, len(msgs))
			case mAskText:
				answer := "Org " + strconv.Itoa(su.idx)
				if anyEqual(strings.TrimSpace(m.Plain), d.cls.tx.askName) {
					answer = su.u.FirstName + " Scale"
				}
				act(func() { d.fake.SendText(su.u, answer) }, len(msgs))
			case mChoice:
				b := pickChoice(m)
				act(func() { d.fake.Press(su.u, m.ID, b) }, len(msgs))
			}
			continue
		case !redoAt.IsZero() && time.Now().After(redoAt) && redo != nil:
			res.repeats++
			act(redo, len(msgs))
			continue
		case time.Since(lastProgress) > d.step:
			what := "the workshop card"
			if res.pressed {
				what = "an answer to the registration"
			}
			res.stuck = fmt.Sprintf("no %s within %v; last bot message: %s", what, d.step, lastText(msgs))
			return res
		}
		d.notify.wait(ctx, id, time.Second)
	}
	res.stuck = "interrupted"
	return res
}

// pickChoice answers a step: "yes" to the consent, otherwise the first
// choice offered.
func pickChoice(m telegramtest.Message) string {
	if b, ok := hasButton(m, func(d string) bool { return isStepChoice(d) && strings.HasSuffix(d, ":yes") }); ok {
		return b.CallbackData
	}
	b, _ := hasButton(m, isStepChoice)
	return b.CallbackData
}

func lastText(msgs []telegramtest.Message) string {
	if len(msgs) == 0 {
		return "(none)"
	}
	m := msgs[len(msgs)-1]
	s := strings.ReplaceAll(m.Plain, "\n", " ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	if m.Media != "" {
		s += " [" + m.Media + "]"
	}
	return fmt.Sprintf("%q", s)
}

// drive runs users through d with at most conc at a time. done counts
// finished users; results are indexed like users.
func (d *driver) drive(ctx context.Context, users []simUser, conc int, done *atomic.Int64) []*userResult {
	out := make([]*userResult, len(users))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(conc, len(users)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				out[i] = d.run(ctx, users[i])
				done.Add(1)
			}
		}()
	}
	for i := range users {
		select {
		case work <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	for i, r := range out {
		if r == nil {
			out[i] = &userResult{user: users[i], stuck: "not started (interrupted)"}
		}
	}
	return out
}

// adminStep waits for a bot message in the admin's chat, after the first
// from messages, with a button whose data ends in suffix, and presses it.
func (d *driver) adminStep(ctx context.Context, admin telegramtest.User, from int, suffix string) (int, error) {
	deadline := time.Now().Add(d.step)
	for ctx.Err() == nil {
		msgs := d.fake.BotMessages(admin.ID)
		for i := len(msgs) - 1; i >= from; i-- {
			if b, ok := hasButton(msgs[i], func(s string) bool { return strings.HasSuffix(s, suffix) }); ok {
				d.fake.Press(admin, msgs[i].ID, b.CallbackData)
				return len(msgs), nil
			}
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("admin: no button %q within %v; last bot message: %s", suffix, d.step, lastText(msgs))
		}
		d.notify.wait(ctx, admin.ID, time.Second)
	}
	return 0, ctx.Err()
}

// waitBotMessages waits for more than n bot messages in the chat.
func (d *driver) waitBotMessages(ctx context.Context, id int64, n int) (int, error) {
	deadline := time.Now().Add(d.step)
	for ctx.Err() == nil {
		msgs := d.fake.BotMessages(id)
		if len(msgs) > n {
			return len(msgs), nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("no bot message in chat %d within %v", id, d.step)
		}
		d.notify.wait(ctx, id, time.Second)
	}
	return 0, ctx.Err()
}

// createBroadcast has the admin write a broadcast to the workshop's
// confirmed registrants through the bot's /broadcast conversation; it
// returns the id of the source message in the admin's chat.
func (d *driver) createBroadcast(ctx context.Context, admin telegramtest.User, text string) (int, error) {
	n := len(d.fake.BotMessages(admin.ID))
	d.fake.SendText(admin, "/broadcast")
	n, err := d.waitBotMessages(ctx, admin.ID, n)
	if err != nil {
		return 0, fmt.Errorf("/broadcast: %w", err)
	}
	d.fake.SendText(admin, text)
	src := 0
	for _, m := range d.fake.Transcript(admin.ID) {
		if !m.FromBot && m.Text == text {
			src = m.ID
		}
	}
	for _, suffix := range []string{":none", ":ws", ":c_" + d.cls.code, ":now"} {
		if n, err = d.adminStep(ctx, admin, n, suffix); err != nil {
			return src, err
		}
	}
	return src, nil
}
