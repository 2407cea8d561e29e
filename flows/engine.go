package flows

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"sinergi/locales"
)

// Texts renders localised messages; flows use it only where they must look at
// the words themselves (type-to-search over province names, for example).
type Texts interface {
	Text(lang, id string, data map[string]any, count any) (string, error)
}

// Config is what the engine needs to know about its deployment.
type Config struct {
	BotUsername string         // for deep links https://t.me/<BotUsername>?start=…
	Admins      []int64        // secretariat admins (bootstrap, cannot be revoked)
	DefaultLang string         // "id" or "en"
	Location    *time.Location // default time zone
	InviteTTL   time.Duration  // lifetime of a role invitation link
	// CheckInOpens is how long before a workshop's start its check-in
	// opens (default 2 hours); a QR code scanned earlier is refused.
	CheckInOpens time.Duration
	// CheckInCloses is how long after a workshop's end its check-in stays
	// open (default 2 hours); past it, whoever did not check in is a
	// no-show.
	CheckInCloses time.Duration
	// OnlineOpens is how long before a workshop's start its online
	// attendance button is accepted (default 15 minutes); OnlineCloses how
	// long after its end (default 30 minutes).
	OnlineOpens, OnlineCloses time.Duration
	// ForumName is the forum's name, the organizer of its calendar
	// invitations (default "Sinergi").
	ForumName string
	// ConsentVersion is the privacy notice in force (default the package's
	// ConsentVersion); users who consented to another are asked again.
	ConsentVersion string
	// WebAppURL is the public https URL of the Mini App (the dashboard);
	// "" when it is not served.
	WebAppURL string
}

// Command is a slash command.
type Command struct {
	Name string // without slash, lower case
	Role Role   // minimum role
	// Describe is the locale id of the one-line description published with
	// setMyCommands and listed in /help; "" keeps the command unlisted.
	Describe string
	// ListedFrom is the least role /help and the published commands list
	// it for, when above Role: a command anyone may send that only some
	// can use (/dashboard, which tells a participant it is not for them).
	ListedFrom Role
	// Anywhere commands work inside a flow without leaving it (/help,
	// /language, /cancel). Any other command leaves the current flow first.
	Anywhere bool
	// CheckMember asks the transport to look up, with Telegram's
	// getChatMember, the sender's and the bot's standing in the chat
	// (Input.Member): for a group command the group itself, for a private
	// one the chat named "@name" in its first argument.
	CheckMember bool
	// Scoped: a chapter admin may use it too, below Role, within their
	// chapter (the command itself limits what they reach).
	Scoped bool
	Run    func(ctx context.Context, t *Turn) error
}

// DeepLink handles /start <Prefix>_<arg>.
type DeepLink struct {
	Prefix string
	Run    func(ctx context.Context, t *Turn, arg string) error
}

// MenuItem is a button of the main menu; pressing it runs Command.
type MenuItem struct {
	Command string
	Label   string // locale id
	Role    Role
	Scoped  bool // shown to chapter admins too (see Command.Scoped)
	Order   int
}

// Engine runs the conversation: it routes an input to a command, a button
// handler or the current flow step, and returns what to say.
type Engine struct {
	cfg    Config
	store  CoreStore
	texts  Texts
	admins map[int64]bool

	commands map[string]*Command
	flows    map[string]*Flow
	routes   map[string]*Route // by name and by legacy name
	// namespaces of routes taken, the core's and one per module
	namespaces map[string]bool
	links      map[string]*DeepLink
	jobs       map[string]JobFunc
	menu       []MenuItem
	// promoted tells someone promoted from a waiting list (the
	// registration capability's; nil without it).
	promoted PromotedFunc
	// profileSaved carries on with what asked for a profile (the
	// registration capability's; nil without it).
	profileSaved func(ctx context.Context, t *Turn) error
	// manageCard shows a workshop's management card (the workshops
	// capability's; nil without it).
	showManageCard func(ctx context.Context, t *Turn, w *Workshop) error
	checkedIn      CheckedInFunc
	// agenda is what the agenda capability adds to registration's views.
	agenda *AgendaHooks
	// regEnded and forgetting: what modules do when a registration ends
	// or a user is about to be forgotten (hooks.go).
	regEnded     []func(ctx context.Context, t *Turn, code string, uid int64) error
	wsEnded      []func(ctx context.Context, t *Turn, w *Workshop) error
	wsMoved      []func(ctx context.Context, t *Turn, w *Workshop) error
	forgetting   []func(ctx context.Context, t *Turn, uid int64) error
	reports      []func(ctx context.Context, w *Workshop) ([]Text, error)
	surveyInvite SurveyInviteFunc
	// groupCommands are the commands of group chats, a namespace of their
	// own (/workshops in a group is not /workshops in private); chats
	// handles what happens to group chats and channels (the groups
	// capability's; nil without it).
	groupCommands map[string]*Command
	chats         *ChatEvents
}

// JobFunc carries out a scheduled job of one kind; args is what follows
// "<kind>|" in the job's ID. It returns the messages to send (each with its
// ChatID and Lang set).
type JobFunc func(ctx context.Context, now time.Time, args string) ([]Reply, error)

// Module is a capability: it adds its commands, button routes, flows, deep
// links, menu items and jobs to an engine. cmd/ lists the modules it runs in
// its call to New; nothing registers itself.
type Module interface {
	Register(r *Registry)
}

// ModuleFunc adapts a function to Module.
type ModuleFunc func(r *Registry)

// Register calls f.
func (f ModuleFunc) Register(r *Registry) { f(r) }

// Registry is what a Module registers with while New builds the engine; each
// module has its own. A duplicate or malformed name, or a route outside the
// module's namespace, is a programming error and panics.
type Registry struct {
	e  *Engine
	ns string // the module's namespace, once declared
}

// Command adds a slash command.
func (r *Registry) Command(c *Command) { r.e.addCommand(c) }

// Link adds a /start deep-link prefix.
func (r *Registry) Link(l *DeepLink) { r.e.addLink(l) }

// Flow adds a flow.
func (r *Registry) Flow(f *Flow) { r.e.addFlow(f) }

// Menu adds a main-menu button.
func (r *Registry) Menu(m MenuItem) { r.e.addMenu(m) }

// Job adds the runner of a scheduled job kind.
func (r *Registry) Job(kind string, f JobFunc) { r.e.addJob(kind, f) }

// Config is the engine's configuration, defaults filled in.
func (r *Registry) Config() Config { return r.e.cfg }

// Texts is the engine's message catalogue.
func (r *Registry) Texts() Texts { return r.e.texts }

// New builds an engine with the core commands (/start, /menu, /help,
// /cancel, /language, the step buttons and the consent gate) and the
// capabilities of modules, in the order given. store is only what the core
// itself uses (CoreStore); each module was given its own store.
func New(cfg Config, store CoreStore, texts Texts, modules ...Module) *Engine {
	if cfg.DefaultLang == "" {
		cfg.DefaultLang = "id"
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.InviteTTL == 0 {
		cfg.InviteTTL = 7 * 24 * time.Hour
	}
	if cfg.CheckInOpens <= 0 {
		cfg.CheckInOpens = DefaultCheckInOpens
	}
	if cfg.ConsentVersion == "" {
		cfg.ConsentVersion = ConsentVersion
	}
	if cfg.CheckInCloses == 0 {
		cfg.CheckInCloses = 2 * time.Hour
	}
	if cfg.OnlineOpens <= 0 {
		cfg.OnlineOpens = DefaultOnlineOpens
	}
	if cfg.OnlineCloses <= 0 {
		cfg.OnlineCloses = DefaultOnlineCloses
	}
	if cfg.ForumName == "" {
		cfg.ForumName = "Sinergi"
	}
	e := &Engine{
		cfg:        cfg,
		store:      store,
		texts:      texts,
		admins:     make(map[int64]bool, len(cfg.Admins)),
		commands:   make(map[string]*Command),
		flows:      make(map[string]*Flow),
		routes:     make(map[string]*Route),
		namespaces: map[string]bool{CoreNamespace: true},
		links:      make(map[string]*DeepLink),
		jobs:       make(map[string]JobFunc),

		groupCommands: make(map[string]*Command),
	}
	for _, id := range cfg.Admins {
		e.admins[id] = true
	}
	e.addRoute(CoreNamespace, &Route{Name: stepRoute, Legacy: "s", Run: e.stepButton})
	registerCore(e)
	registerReconsent(e)
	for _, m := range modules {
		m.Register(&Registry{e: e})
	}
	slices.SortStableFunc(e.menu, func(a, b MenuItem) int { return a.Order - b.Order })
	return e
}

func (e *Engine) addCommand(c *Command) {
	if _, dup := e.commands[c.Name]; dup {
		panic("flows: duplicate command " + c.Name)
	}
	e.commands[c.Name] = c
}

func (e *Engine) addLink(l *DeepLink) {
	if _, dup := e.links[l.Prefix]; dup {
		panic("flows: duplicate deep link " + l.Prefix)
	}
	e.links[l.Prefix] = l
}

func (e *Engine) addFlow(f *Flow) {
	if _, dup := e.flows[f.Name]; dup || len(f.Steps) == 0 {
		panic("flows: bad or duplicate flow " + f.Name)
	}
	for _, s := range f.Steps {
		if s.Prompt == nil || s.Parse == nil {
			panic("flows: step without prompt or parser: " + f.Name + "." + s.Name)
		}
	}
	e.flows[f.Name] = f
}

func (e *Engine) addMenu(m MenuItem) { e.menu = append(e.menu, m) }

func (e *Engine) addJob(kind string, f JobFunc) {
	if _, dup := e.jobs[kind]; dup || strings.Contains(kind, "|") {
		panic("flows: bad or duplicate job kind " + kind)
	}
	e.jobs[kind] = f
}

// ErrUnknownJob: a job of a kind this build does not run (renamed or
// removed since it was scheduled, or added by a newer build). It is not
// consumed: the scheduler keeps it for a build that knows its kind.
var ErrUnknownJob = errors.New("unknown job kind")

// RunJob carries out a due job; one of a kind this build does not know
// fails with ErrUnknownJob.
func (e *Engine) RunJob(ctx context.Context, job Job, now time.Time) ([]Reply, error) {
	kind, args, _ := strings.Cut(job.ID, "|")
	f := e.jobs[kind]
	if f == nil {
		return nil, fmt.Errorf("job %s: %w", job.ID, ErrUnknownJob)
	}
	return f(ctx, now, args)
}

// KnowsJob reports whether this build runs the job id's kind.
func (e *Engine) KnowsJob(id string) bool {
	kind, _, _ := strings.Cut(id, "|")
	return e.jobs[kind] != nil
}

// Config returns the engine's configuration.
func (e *Engine) Config() Config { return e.cfg }

// RoleOf is the effective role of u: configured admins are always admins.
func (e *Engine) RoleOf(u *User) Role {
	if u == nil {
		return RoleParticipant
	}
	if e.admins[u.ID] {
		return RoleAdmin
	}
	return u.Role
}

// CommandInfo describes a command for publishing with setMyCommands.
type CommandInfo struct {
	Name     string
	Describe string // locale id
}

// Commands lists the described commands available to role, sorted by name
// with /start, /menu and /help first.
func (e *Engine) Commands(role Role) []CommandInfo { return e.commandsFor(role, false) }

// commandsFor is Commands, with the scoped commands of a chapter admin when
// chapterAdmin.
func (e *Engine) commandsFor(role Role, chapterAdmin bool) []CommandInfo {
	var out []CommandInfo
	for _, c := range e.commands {
		if c.Describe != "" && (role >= max(c.Role, c.ListedFrom) || (chapterAdmin && c.Scoped)) {
			out = append(out, CommandInfo{Name: c.Name, Describe: c.Describe})
		}
	}
	rank := map[string]int{"start": 0, "menu": 1, "help": 2}
	slices.SortFunc(out, func(a, b CommandInfo) int {
		ra, oka := rank[a.Name]
		rb, okb := rank[b.Name]
		switch {
		case oka && okb:
			return ra - rb
		case oka:
			return -1
		case okb:
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// Result is the outcome of one input: what to say, and what changed.
type Result struct {
	Replies     []Reply
	Answer      *Answer // for a button press; nil answers it silently
	User        *User
	UserChanged bool     // User differs from the stored record (or is new)
	Session     *Session // nil or inactive: the chat is not in a flow
	// Forget: the user's data was deleted (/forgetme). The transport must
	// not write User back, nor keep a session or dedupe mark for the chat.
	Forget bool
	// LegacyRoute is the legacy route name of the button pressed (Route.Legacy:
	// a button sent before namespaces), or "". The transport logs it, so that
	// one can tell when the legacy names are no longer pressed.
	LegacyRoute string
}

// Turn is one input being handled: the acting user, their session, and the
// replies collected so far. Flow code reads and changes it.
type Turn struct {
	In      Input
	User    *User
	Session *Session
	Role    Role
	Lang    string

	e       *Engine
	replies []Reply
	answer  *Answer
	forget  bool   // see Result.Forget
	legacy  string // see Result.LegacyRoute
}

// may: the acting user has role, or scoped and they administer a chapter.
func (t *Turn) may(role Role, scoped bool) bool {
	return t.Role >= role || (scoped && t.ChapterAdmin() != "")
}

// Say queues a message to the current chat.
func (t *Turn) Say(text Text, buttons ...[]Button) {
	t.replies = append(t.replies, Reply{Text: text, Buttons: buttons})
}

// Send queues any reply.
func (t *Turn) Send(r Reply) { t.replies = append(t.replies, r) }

// Answer sets the answer to the button press being handled.
func (t *Turn) Answer(text Text, alert bool) { t.answer = &Answer{Text: text, Alert: alert} }

// Now is the time of the input.
func (t *Turn) Now() time.Time { return t.In.Now }

// Handle runs one input. u is the stored user (nil when new) and s the stored
// session of the chat (nil when none); both are returned, changed, in the
// Result for the transport to save together with the update's dedupe mark.
func (e *Engine) Handle(ctx context.Context, in Input, u *User, s *Session) (*Result, error) {
	t := &Turn{In: in, e: e}
	t.User = e.touchUser(in, u)
	t.Role = e.RoleOf(t.User)
	t.Lang = t.User.Lang
	var resumed bool
	t.Session, resumed = e.checkSession(t, s)

	if in.Kind == KindText {
		if payload, ok := e.pastedLink(in.Text); ok {
			// A deep link pasted into the chat does what opening it does.
			in.Kind, in.Command, in.Args = KindCommand, "start", payload
			t.In = in
		}
	}
	var err error
	switch {
	case resumed && in.Kind != KindCommand:
		// The input was meant for a step that is no longer next: it is
		// not taken as the answer to the question asked now.
		err = e.prompt(ctx, t)
	case in.Private && e.consentGate(t):
		// The privacy notice changed since they agreed: nothing else
		// happens with their data until they answer it.
		if in.Kind == KindCallback {
			t.Answer(T("privacy.again_first"), true)
		}
		if t.Session.Flow == "reconsent" {
			t.Say(T("privacy.again_first"))
			err = e.prompt(ctx, t)
		} else {
			err = t.StartFlowAt(ctx, "reconsent", "consent", nil)
		}
	case !in.Private:
		err = e.groupInput(ctx, t)
	case in.Forwarded != 0 && t.Role >= RoleAdmin && !t.Session.Active() && e.chats != nil && e.chats.Forwarded != nil:
		// An admin forwarding a channel's post: linking that channel.
		err = e.chats.Forwarded(ctx, t)
	case in.Kind == KindCommand:
		err = e.command(ctx, t)
	case in.Kind == KindCallback:
		err = e.callback(ctx, t)
	case t.Session.Active():
		err = e.stepInput(ctx, t, in)
	default:
		t.Say(T("errors.not_understood"))
	}
	if err != nil {
		return nil, err
	}
	if !in.Private {
		// Group senders never become members: nothing about them is
		// stored from a group (their own record, if they have one, is
		// written only from their private chat).
		return &Result{Replies: t.replies, Answer: t.answer, User: t.User, Session: t.Session, LegacyRoute: t.legacy}, nil
	}
	// Nothing personal is kept before consent (UU PDP): the name,
	// @username and the dates of contact are stored once the user agreed
	// to the privacy notice, and dropped when they withdraw it.
	if t.User.Consent != "" && !t.forget {
		t.User.FirstName, t.User.Username = in.FirstName, in.Username
		if t.User.Created.IsZero() {
			t.User.Created = in.Now.Round(0)
		}
	} else {
		t.User.FirstName, t.User.Username = "", ""
		t.User.Created, t.User.Seen = time.Time{}, time.Time{}
	}
	changed := u == nil || *u != *t.User
	return &Result{Replies: t.replies, Answer: t.answer, User: t.User, UserChanged: changed, Session: t.Session, Forget: t.forget, LegacyRoute: t.legacy}, nil
}

// seenEvery is how stale User.Seen may get before it is written again: it
// keeps an update that changes nothing else from rewriting the user record.
const seenEvery = time.Hour

// touchUser creates the user on first contact (language from Telegram's
// language_code, else the default). Before consent a user record holds only
// what is needed to answer: the id, the language, a role, and when they were
// first and last seen (Handle adds the name once they consented).
func (e *Engine) touchUser(in Input, u *User) *User {
	if u == nil {
		lang := locales.Match(in.LangCode)
		if lang == "" {
			lang = e.cfg.DefaultLang
		}
		u = &User{ID: in.UserID, Lang: lang}
	} else {
		cp := *u
		u = &cp
	}
	u.Inactive = false // they are talking to us again
	if in.Now.Sub(u.Seen) >= seenEvery {
		u.Seen = in.Now.Round(0) // no monotonic reading, so == compares wall time
	}
	return u
}

// checkSession returns a usable session: a stored one of another version, or
// one naming a flow or step this build does not know (after a deploy), is
// reset with a polite note. One saved under another version of its flow's
// data moves back to the first required step it has no answer for, if any
// (resumed, with a polite note; the step is asked by the caller).
func (e *Engine) checkSession(t *Turn, s *Session) (_ *Session, resumed bool) {
	if s == nil {
		return &Session{Version: SessionVersion}, false
	}
	cp := *s
	s = &cp
	if s.Data == nil { // an empty map does not survive JSON (omitempty)
		s.Data = map[string]string{}
	}
	if s.Version != SessionVersion {
		if s.Flow != "" {
			t.Say(T("flow.reset"))
		}
		return &Session{Version: SessionVersion}, false
	}
	if s.Flow == "" {
		return s, false
	}
	f := e.flows[s.Flow]
	if f == nil || f.step(s.Step) == nil {
		t.Say(T("flow.reset"))
		return &Session{Version: SessionVersion}, false
	}
	if v := f.DataVersion(); s.FlowVersion != v {
		s.FlowVersion = v
		t.Session = s // Skip functions read the session
		if missing := f.unanswered(t, s.Step); missing != nil {
			t.Say(T("flow.resumed"))
			s.Step, s.Nonce = missing.Name, newNonce()
			s.Data[resumeKey] = "1"
			return s, true
		}
	}
	return s, false
}

func (e *Engine) command(ctx context.Context, t *Turn) error {
	c := e.commands[t.In.Command]
	if c == nil {
		t.Say(T("errors.unknown_command", "Command", "/"+t.In.Command))
		if t.Session.Active() {
			return e.prompt(ctx, t)
		}
		return nil
	}
	if !t.may(c.Role, c.Scoped) {
		t.Say(T("errors.not_allowed"))
		return nil
	}
	if !c.Anywhere {
		t.Session = &Session{Version: SessionVersion}
	}
	return c.Run(ctx, t)
}

// botLink is the deep link to the bot with an optional /start payload.
func (e *Engine) botLink(payload string) string {
	u := "https://t.me/" + e.cfg.BotUsername
	if payload != "" {
		u += "?start=" + payload
	}
	return u
}

// pastedLink recognises https://t.me/<bot>?start=<payload> sent as text.
func (e *Engine) pastedLink(text string) (string, bool) {
	text = strings.TrimSpace(text)
	for _, prefix := range []string{"https://t.me/", "http://t.me/", "t.me/"} {
		if rest, ok := strings.CutPrefix(text, prefix); ok {
			bot, payload, ok := strings.Cut(rest, "?start=")
			if ok && strings.EqualFold(bot, e.cfg.BotUsername) && startPayload.MatchString(payload) {
				return payload, true
			}
		}
	}
	return "", false
}

// BotLink is the public form of botLink, for flows of other packages' tests.
func (e *Engine) BotLink(payload string) string { return e.botLink(payload) }

func newNonce() string { return strconv.FormatUint(rand.Uint64()%(36*36*36*36*36), 36) }

// UnixTime is the UTC time of Unix seconds sec.
func UnixTime(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
