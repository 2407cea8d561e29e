// Package playground lets anyone try Sinergi on one machine with no Telegram
// account: the real bot runs against the fake Bot API (bot/telegramtest), and
// a small web page plays Telegram for any number of made-up users — their
// chats, buttons, deep links, photos and files — with a clock that can be
// moved forward to see reminders.
//
// The playground has no authentication: it listens on 127.0.0.1 unless told
// otherwise.
package playground

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // uploaded pictures
	_ "image/jpeg"
	_ "image/png"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/bot/webapp"
	"sinergi/flows"
)

//go:embed web
var web embed.FS

// Clock is the bot's clock in the playground: real time plus an offset that
// only grows.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the playground's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
	return c.Now()
}

// Ticker runs the jobs that are due now (bot.Bot.Tick).
type Ticker interface {
	Tick(ctx context.Context) (int, error)
}

// Users stores the playground users' records (their role).
type Users interface {
	GetUser(ctx context.Context, id int64) (*flows.User, error)
	SaveUser(ctx context.Context, u *flows.User) error
}

// User is a made-up Telegram user of the playground.
type User struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Lang string `json:"lang"`
	Role string `json:"role"`
	Demo bool   `json:"demo,omitempty"` // seeded by --demo
}

// Playground serves the chat page and its API.
type Playground struct {
	fake     *telegramtest.Server
	clock    *Clock
	ticker   Ticker
	users    Users
	username string
	token    string
	log      *slog.Logger

	admins []int64 // admins by configuration; everyone else's role is stored

	mu     sync.Mutex
	people []User
	groups []Group
	nextID int64
}

// Group is a forum supergroup of the playground: its topics and the users
// who can speak in it.
type Group struct {
	ID      int64   `json:"id"`
	Title   string  `json:"title"`
	Topics  []Topic `json:"topics"`
	Members []int64 `json:"members"`
}

// Topic is a forum topic (ID 0: General).
type Topic struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// firstGroupID is the chat id of the first playground group (supergroup ids
// are -100…).
const firstGroupID = -100_1000_000_001

// AddForum makes a forum supergroup titled title with the topics named,
// members[0] its creator and the others members, and adds the bot as an
// administrator (Telegram's my_chat_member update reaches the bot).
func (p *Playground) AddForum(title string, topics []string, members []User) (Group, error) {
	if len(members) == 0 {
		return Group{}, errors.New("a group needs a member")
	}
	p.mu.Lock()
	g := Group{ID: firstGroupID - int64(len(p.groups)), Title: title, Topics: []Topic{{ID: 0, Name: "General"}}}
	p.mu.Unlock()
	p.fake.NewSupergroup(g.ID, title, true)
	for i, u := range members {
		status := telegramtest.StatusMember
		if i == 0 {
			status = telegramtest.StatusCreator
		}
		p.fake.SetMember(g.ID, u.tg(), status)
		g.Members = append(g.Members, u.ID)
	}
	for _, name := range topics {
		g.Topics = append(g.Topics, Topic{ID: p.fake.CreateTopic(g.ID, members[0].tg(), name), Name: name})
	}
	p.fake.AddBot(g.ID, members[0].tg(), true)
	p.mu.Lock()
	p.groups = append(p.groups, g)
	p.mu.Unlock()
	return g, nil
}

// Groups lists the playground's groups.
func (p *Playground) Groups() []Group {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.groups)
}

func (p *Playground) group(id int64) (Group, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, g := range p.groups {
		if g.ID == id {
			return g, true
		}
	}
	return Group{}, false
}

// Config wires a playground.
type Config struct {
	Fake        *telegramtest.Server
	Clock       *Clock
	Ticker      Ticker
	Users       Users
	BotUsername string
	Log         *slog.Logger
	// Admins are the users made admins by configuration (SINERGI_ADMINS);
	// the first is offered as the secretariat user.
	Admins []int64
	// Token is the playground bot's token: the dashboard (Mini App) is
	// opened with launch data signed with it, as Telegram would.
	Token string
}

// FirstUserID is where made-up user ids start.
const FirstUserID = 100_001

// New builds a playground.
func New(c Config) *Playground {
	p := &Playground{fake: c.Fake, clock: c.Clock, ticker: c.Ticker, users: c.Users, username: c.BotUsername, token: c.Token, log: c.Log, nextID: FirstUserID,
		admins: slices.Clone(c.Admins)}
	for _, id := range c.Admins {
		p.people = append(p.people, User{ID: id, Name: "Sekretariat", Lang: "id", Role: "admin"})
		p.nextID = max(p.nextID, id+1)
	}
	return p
}

// AddUser creates a user with a role (stored, so the bot checks it as it
// would a granted role).
func (p *Playground) AddUser(ctx context.Context, name, lang, role string, demo bool) (User, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 64 {
		return User{}, errors.New("a name of 1 to 64 characters is needed")
	}
	if lang != "id" && lang != "en" {
		return User{}, errors.New("language must be id or en")
	}
	r, ok := flows.ParseRole(role)
	if !ok {
		return User{}, errors.New("role must be participant, facilitator or admin")
	}
	p.mu.Lock()
	u := User{ID: p.nextID, Name: name, Lang: lang, Role: role, Demo: demo}
	p.nextID++
	p.people = append(p.people, u)
	p.mu.Unlock()
	if r != flows.RoleParticipant {
		// The role, as an admin's grant would set it; nothing personal
		// before the user consents in the chat.
		if err := p.users.SaveUser(ctx, &flows.User{ID: u.ID, Lang: lang, Role: r}); err != nil {
			return User{}, fmt.Errorf("save user: %w", err)
		}
	}
	return u, nil
}

// Users lists the playground's users.
func (p *Playground) Users() []User {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.people)
}

// withRoles returns users with the roles the bot now gives them: a role
// changes in the chat too (an invitation used, a grant), not only when the
// user is added.
func (p *Playground) withRoles(ctx context.Context, users []User) []User {
	for i, u := range users {
		if slices.Contains(p.admins, u.ID) {
			users[i].Role = flows.RoleAdmin.String()
			continue
		}
		rec, err := p.users.GetUser(ctx, u.ID)
		switch {
		case errors.Is(err, flows.ErrNotFound):
		case err != nil:
			p.log.Warn("playground: read role", "user", u.ID, "err", err)
		default:
			users[i].Role = rec.Role.String()
		}
	}
	return users
}

func (p *Playground) user(id int64) (User, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, u := range p.people {
		if u.ID == id {
			return u, true
		}
	}
	return User{}, false
}

func (u User) tg() telegramtest.User {
	return telegramtest.User{ID: u.ID, FirstName: u.Name, LanguageCode: u.Lang}
}

// Send types text into u's chat, as that user.
func (p *Playground) Send(u User, text string) { p.fake.SendText(u.tg(), text) }

// Message is a chat message as the page shows it.
type Message struct {
	ID       int        `json:"id"`
	Chat     int64      `json:"chat"`
	Thread   int        `json:"thread,omitempty"` // the forum topic (0: General)
	FromBot  bool       `json:"from_bot"`
	FromName string     `json:"from_name,omitempty"` // who wrote it, in a group
	HTML     string     `json:"html,omitempty"`      // bot text in Telegram's HTML subset (the page sanitises it)
	Text     string     `json:"text,omitempty"`      // user text, plain
	Buttons  [][]Button `json:"buttons,omitempty"`
	Media    string     `json:"media,omitempty"` // photo, document, sticker, …
	FileName string     `json:"file_name,omitempty"`
	FileURL  string     `json:"file_url,omitempty"`
	Edited   bool       `json:"edited,omitempty"`
	Deleted  bool       `json:"deleted,omitempty"`
	Pressed  string     `json:"pressed,omitempty"` // the label of a button the user pressed
	Time     time.Time  `json:"time"`
}

// Button is an inline button.
type Button struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

func convert(m telegramtest.Message) Message {
	out := Message{ID: m.ID, Chat: m.ChatID, Thread: m.ThreadID, FromBot: m.FromBot, Media: m.Media, Edited: m.Edited, Deleted: m.Deleted, Time: m.Date}
	if m.ChatID < 0 && !m.FromBot {
		out.FromName = m.From.FirstName
	}
	if m.ChatID < 0 && !m.FromBot && m.ID == m.ThreadID && m.Plain == "" && m.Media == "" {
		out.Text = "(opened this topic)" // the topic's service message
		return out
	}
	switch {
	case m.CallbackData != "":
		out.Pressed = m.Text
		if out.Pressed == "" {
			out.Pressed = m.CallbackData
		}
	case m.FromBot && m.ParseMode == "HTML":
		out.HTML = m.Text
	case len(m.Entities) > 0:
		// A user's formatted message, or the bot's copy of one.
		out.HTML = entitiesHTML(m.Plain, m.Entities)
	default:
		out.Text = m.Plain
	}
	for _, row := range m.Buttons {
		var r []Button
		for _, b := range row {
			r = append(r, Button{Text: b.Text, Data: b.CallbackData, URL: b.URL})
		}
		out.Buttons = append(out.Buttons, r)
	}
	f := m.Document
	if m.Photo != nil {
		f = m.Photo
	}
	if f != nil && m.ID != 0 {
		out.FileName = f.Name
		out.FileURL = fmt.Sprintf("/api/chats/%d/files/%d", m.ChatID, m.ID)
	}
	return out
}

// Handler serves the page, the API and the event stream.
func (p *Playground) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(web, "web")
	mux.Handle("GET /", http.FileServerFS(static))
	mux.HandleFunc("GET /api/state", p.state)
	mux.HandleFunc("POST /api/users", p.addUser)
	mux.HandleFunc("GET /api/chats/{chat}", p.chat)
	mux.HandleFunc("POST /api/chats/{chat}/send", p.send)
	mux.HandleFunc("POST /api/chats/{chat}/photo", p.photo)
	mux.HandleFunc("POST /api/chats/{chat}/press", p.press)
	mux.HandleFunc("GET /api/chats/{chat}/files/{msg}", p.file)
	mux.HandleFunc("GET /api/groups/{chat}", p.groupChat)
	mux.HandleFunc("POST /api/groups/{chat}/send", p.groupSend)
	mux.HandleFunc("POST /api/groups/{chat}/press", p.groupPress)
	mux.HandleFunc("GET /api/chats/{chat}/dashboard", p.dashboard)
	mux.HandleFunc("POST /api/clock", p.advance)
	mux.HandleFunc("GET /api/events", p.events)
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

// decode reads a small JSON body.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func (p *Playground) state(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"bot": p.username, "users": p.withRoles(r.Context(), p.Users()), "groups": p.Groups(), "now": p.clock.Now()})
}

func (p *Playground) addUser(w http.ResponseWriter, r *http.Request) {
	var in struct{ Name, Lang, Role string }
	if err := decode(r, &in); err != nil {
		fail(w, http.StatusBadRequest, "bad request: "+err.Error())
		return
	}
	u, err := p.AddUser(r.Context(), in.Name, in.Lang, in.Role, false)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

// chatUser resolves the {chat} path value to a playground user.
func (p *Playground) chatUser(w http.ResponseWriter, r *http.Request) (User, bool) {
	id, err := strconv.ParseInt(r.PathValue("chat"), 10, 64)
	u, ok := p.user(id)
	if err != nil || !ok {
		fail(w, http.StatusNotFound, "no such user")
		return User{}, false
	}
	return u, true
}

// dashboardTheme is the theme the playground opens the dashboard with, as
// Telegram passes a client's (tgWebAppThemeParams).
const dashboardTheme = `{"bg_color":"#ffffff","text_color":"#1f2933","hint_color":"#7b8794","link_color":"#0b7285","button_color":"#0b7285","button_text_color":"#ffffff","secondary_bg_color":"#f1f5f9"}`

// dashboard is the address that opens the Mini App as the user: the
// launch parameters in the fragment, as a Telegram client opens it, with
// initData signed with the playground's token at the bot's clock.
func (p *Playground) dashboard(w http.ResponseWriter, r *http.Request) {
	u, ok := p.chatUser(w, r)
	if !ok {
		return
	}
	data := webapp.SignedInitData(webapp.TelegramUser{ID: u.ID, FirstName: u.Name, LanguageCode: u.Lang}, p.clock.Now(), p.token)
	frag := url.Values{"tgWebAppData": {data}, "tgWebAppVersion": {"8.0"}, "tgWebAppPlatform": {"web"}, "tgWebAppThemeParams": {dashboardTheme}}
	writeJSON(w, http.StatusOK, map[string]string{"url": "/app/#" + frag.Encode()})
}

// chatGroup resolves the {chat} path value to a playground group.
func (p *Playground) chatGroup(w http.ResponseWriter, r *http.Request) (Group, bool) {
	id, err := strconv.ParseInt(r.PathValue("chat"), 10, 64)
	g, ok := p.group(id)
	if err != nil || !ok {
		fail(w, http.StatusNotFound, "no such group")
		return Group{}, false
	}
	return g, true
}

// member resolves a group member who speaks (or presses) in g.
func (p *Playground) member(w http.ResponseWriter, g Group, id int64) (User, bool) {
	u, ok := p.user(id)
	if !ok || !slices.Contains(g.Members, id) {
		fail(w, http.StatusBadRequest, "not a member of this group")
		return User{}, false
	}
	return u, true
}

func (p *Playground) groupChat(w http.ResponseWriter, r *http.Request) {
	g, ok := p.chatGroup(w, r)
	if !ok {
		return
	}
	p.writeTranscript(w, g.ID)
}

// groupSend types text into a topic of the group, as one of its members.
func (p *Playground) groupSend(w http.ResponseWriter, r *http.Request) {
	g, ok := p.chatGroup(w, r)
	if !ok {
		return
	}
	var in struct {
		User   int64  `json:"user"`
		Thread int    `json:"thread"`
		Text   string `json:"text"`
	}
	if err := decode(r, &in); err != nil || strings.TrimSpace(in.Text) == "" || len(in.Text) > 4096 {
		fail(w, http.StatusBadRequest, "user, thread and a text of 1 to 4096 bytes needed")
		return
	}
	if !slices.ContainsFunc(g.Topics, func(t Topic) bool { return t.ID == in.Thread }) {
		fail(w, http.StatusBadRequest, "no such topic")
		return
	}
	u, ok := p.member(w, g, in.User)
	if !ok {
		return
	}
	p.fake.SendTopicText(u.tg(), g.ID, in.Thread, in.Text)
	w.WriteHeader(http.StatusAccepted)
}

// groupPress presses a button of the bot's message in the group, as one
// of its members.
func (p *Playground) groupPress(w http.ResponseWriter, r *http.Request) {
	g, ok := p.chatGroup(w, r)
	if !ok {
		return
	}
	var in struct {
		User      int64  `json:"user"`
		MessageID int    `json:"message_id"`
		Data      string `json:"data"`
	}
	if err := decode(r, &in); err != nil || in.MessageID <= 0 || in.Data == "" || len(in.Data) > 64 {
		fail(w, http.StatusBadRequest, "user, message_id and data (1-64 bytes) needed")
		return
	}
	u, ok := p.member(w, g, in.User)
	if !ok {
		return
	}
	p.fake.PressIn(u.tg(), g.ID, in.MessageID, in.Data)
	w.WriteHeader(http.StatusAccepted)
}

func (p *Playground) chat(w http.ResponseWriter, r *http.Request) {
	u, ok := p.chatUser(w, r)
	if !ok {
		return
	}
	p.writeTranscript(w, u.ID)
}

// writeTranscript answers with a chat's messages, oldest first.
func (p *Playground) writeTranscript(w http.ResponseWriter, chat int64) {
	msgs := []Message{}
	for _, m := range p.fake.Transcript(chat) {
		msgs = append(msgs, convert(m))
	}
	writeJSON(w, http.StatusOK, msgs)
}

func (p *Playground) send(w http.ResponseWriter, r *http.Request) {
	u, ok := p.chatUser(w, r)
	if !ok {
		return
	}
	var in struct {
		Text     string   `json:"text"`
		Entities []Entity `json:"entities"`
	}
	if err := decode(r, &in); err != nil || strings.TrimSpace(in.Text) == "" || len(in.Text) > 4096 {
		fail(w, http.StatusBadRequest, "text of 1 to 4096 bytes needed")
		return
	}
	ents, err := checkEntities(in.Text, in.Entities)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	if len(ents) == 0 {
		p.Send(u, in.Text)
	} else {
		p.fake.SendFormatted(u.tg(), in.Text, ents)
	}
	w.WriteHeader(http.StatusAccepted)
}

// maxPhoto bounds an uploaded picture (Telegram takes photos up to 10 MB).
const maxPhoto = 5 << 20

// photo sends a picture as the user: a multipart form with the image in
// "photo" (PNG, JPEG or GIF up to 5 MB), an optional "caption" and its
// "entities" (JSON, as for send).
func (p *Playground) photo(w http.ResponseWriter, r *http.Request) {
	u, ok := p.chatUser(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxPhoto+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(w, http.StatusRequestEntityTooLarge, "a picture of at most 5 MB, please")
			return
		}
		fail(w, http.StatusBadRequest, "a multipart form with a photo is needed")
		return
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	f, _, err := r.FormFile("photo") // the browser's file name is not kept
	if err != nil {
		fail(w, http.StatusBadRequest, "no photo in the form")
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPhoto+1))
	if err != nil {
		fail(w, http.StatusBadRequest, "the photo could not be read")
		return
	}
	if len(data) > maxPhoto {
		fail(w, http.StatusRequestEntityTooLarge, "a picture of at most 5 MB, please")
		return
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width < 1 || cfg.Height < 1 || cfg.Width > 10_000 || cfg.Height > 10_000 {
		fail(w, http.StatusBadRequest, "not a PNG, JPEG or GIF picture (up to 10000×10000)")
		return
	}
	caption := r.FormValue("caption")
	if len([]rune(caption)) > 1024 {
		fail(w, http.StatusBadRequest, "a caption of at most 1024 characters")
		return
	}
	var in []Entity
	if raw := r.FormValue("entities"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &in); err != nil {
			fail(w, http.StatusBadRequest, "entities: "+err.Error())
			return
		}
	}
	ents, err := checkEntities(caption, in)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	name := "photo." + format
	if format == "jpeg" {
		name = "photo.jpg"
	}
	p.fake.SendPhotoFile(u.tg(), name, data, caption, ents)
	w.WriteHeader(http.StatusAccepted)
}

func (p *Playground) press(w http.ResponseWriter, r *http.Request) {
	u, ok := p.chatUser(w, r)
	if !ok {
		return
	}
	var in struct {
		MessageID int    `json:"message_id"`
		Data      string `json:"data"`
	}
	if err := decode(r, &in); err != nil || in.MessageID <= 0 || in.Data == "" || len(in.Data) > 64 {
		fail(w, http.StatusBadRequest, "message_id and data (1-64 bytes) needed")
		return
	}
	p.fake.Press(u.tg(), in.MessageID, in.Data)
	w.WriteHeader(http.StatusAccepted)
}

func (p *Playground) file(w http.ResponseWriter, r *http.Request) {
	u, ok := p.chatUser(w, r)
	if !ok {
		return
	}
	id, _ := strconv.Atoi(r.PathValue("msg"))
	for _, m := range p.fake.Transcript(u.ID) {
		if m.ID != id || m.ID == 0 {
			continue
		}
		f := m.Document
		if m.Photo != nil {
			f = m.Photo
		}
		if f == nil || f.Data == nil {
			break
		}
		ctype := http.DetectContentType(f.Data)
		switch {
		case strings.HasSuffix(f.Name, ".ics"):
			ctype = "text/calendar; charset=utf-8"
		case strings.HasSuffix(f.Name, ".csv"):
			ctype = "text/csv; charset=utf-8"
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		disposition := "attachment"
		if m.Photo != nil {
			disposition = "inline"
		}
		w.Header().Set("Content-Disposition", disposition+`; filename="`+strings.ReplaceAll(f.Name, `"`, "")+`"`)
		_, _ = w.Write(f.Data)
		return
	}
	fail(w, http.StatusNotFound, "no such file")
}

// maxAdvance bounds one fast-forward.
const maxAdvance = 60 * 24 * time.Hour

func (p *Playground) advance(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Hours float64 `json:"hours"`
	}
	if err := decode(r, &in); err != nil || in.Hours <= 0 || time.Duration(in.Hours*float64(time.Hour)) > maxAdvance {
		fail(w, http.StatusBadRequest, "hours between 0 and 1440 needed")
		return
	}
	now := p.clock.Advance(time.Duration(in.Hours * float64(time.Hour)))
	n, err := p.ticker.Tick(r.Context())
	if err != nil {
		p.log.Error("playground tick", "err", err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"now": now, "jobs": n})
}

// event is what the stream carries.
type event struct {
	Kind    string   `json:"kind"`
	Message *Message `json:"message,omitempty"`
	Text    string   `json:"text,omitempty"` // a callback answer's toast
	Alert   bool     `json:"alert,omitempty"`
	Chat    int64    `json:"chat,omitempty"`
}

// events is a server-sent event stream of every chat change.
func (p *Playground) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		fail(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	evs, cancel := p.fake.Subscribe()
	defer cancel()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": connected\n\n")
	flusher.Flush()
	keepalive := time.NewTicker(15 * time.Second)
	defer keepalive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-keepalive.C:
			fmt.Fprint(w, ": keepalive\n\n")
			flusher.Flush()
		case ev, ok := <-evs:
			if !ok {
				return
			}
			out := event{Kind: ev.Kind, Chat: ev.Message.ChatID}
			switch ev.Kind {
			case telegramtest.EventMessage, telegramtest.EventEdit, telegramtest.EventDelete, telegramtest.EventPress:
				m := convert(ev.Message)
				out.Message = &m
			case telegramtest.EventCallbackAnswer:
				out.Text, out.Alert = ev.Text, ev.ShowAlert
			default:
				continue
			}
			b, _ := json.Marshal(out)
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Kind, b)
			flusher.Flush()
		}
	}
}
