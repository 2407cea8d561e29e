package flows

import (
	"context"
	"regexp"
	"strings"

	"sinergi/locales"
)

func registerCore(e *Engine) {
	e.addCommand(&Command{Name: "start", Describe: "cmd.start", Run: e.start})
	e.addCommand(&Command{Name: "menu", Describe: "cmd.menu", Run: e.showMenu})
	e.addCommand(&Command{Name: "help", Describe: "cmd.help", Anywhere: true, Run: e.help})
	e.addCommand(&Command{Name: "cancel", Describe: "cmd.cancel", Anywhere: true, Run: cancel})
	e.addCommand(&Command{Name: "language", Describe: "cmd.language", Anywhere: true, Run: chooseLanguage})
	e.addRoute(CoreNamespace, &Route{Name: languageRoute, Legacy: "lang", Run: e.setLanguage})
	e.addRoute(CoreNamespace, &Route{Name: menuRoute, Legacy: "m", Run: e.menuPress})
	e.addMenu(MenuItem{Command: "language", Label: "menu.language", Order: 90})
	e.addMenu(MenuItem{Command: "help", Label: "menu.help", Order: 100})
}

// The core's routes (with stepRoute).
const (
	languageRoute = "core.language" // core.language:<id|en>
	menuRoute     = "core.menu"     // core.menu:<command>
)

// startPayload is what Telegram allows after /start.
var startPayload = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// start greets, or routes a deep-link payload "<prefix>_<arg>".
func (e *Engine) start(ctx context.Context, t *Turn) error {
	payload := strings.TrimSpace(t.In.Args)
	if payload == "" {
		t.Say(T("start.welcome", "Name", t.In.FirstName), e.menuButtons(t)...)
		return nil
	}
	prefix, arg, _ := strings.Cut(payload, "_")
	link := e.links[prefix]
	if !startPayload.MatchString(payload) || link == nil || arg == "" {
		t.Say(T("start.bad_link"), e.menuButtons(t)...)
		return nil
	}
	return link.Run(ctx, t, arg)
}

func (e *Engine) showMenu(_ context.Context, t *Turn) error {
	t.Say(T("menu.title"), e.menuButtons(t)...)
	return nil
}

// menuButtons are the main-menu buttons the user's role allows, two a row.
func (e *Engine) menuButtons(t *Turn) [][]Button {
	var rows [][]Button
	var row []Button
	for _, m := range e.menu {
		if !t.may(m.Role, m.Scoped) {
			continue
		}
		row = append(row, Button{Label: T(m.Label), Data: MenuData(m.Command)})
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

// menuPress runs the command behind a menu button, checking its role again:
// a button is never trusted to carry permission.
func (e *Engine) menuPress(ctx context.Context, t *Turn, payload string) error {
	c := e.commands[payload]
	if c == nil {
		t.Answer(T("errors.bad_button"), true)
		return nil
	}
	if !t.may(c.Role, c.Scoped) {
		t.Answer(T("errors.not_allowed"), true)
		return nil
	}
	if !c.Anywhere {
		t.Session = &Session{Version: SessionVersion}
	}
	return c.Run(ctx, t)
}

func (e *Engine) help(ctx context.Context, t *Turn) error {
	var lines []Text
	for _, c := range e.commandsFor(t.Role, t.ChapterAdmin() != "") {
		lines = append(lines, T("help.line", "Command", "/"+c.Name, "What", T(c.Describe)))
	}
	t.Say(T("help.text", "Commands", lines, "Role", T("role."+t.Role.String())))
	if t.Session.Active() {
		return e.prompt(ctx, t)
	}
	return nil
}

func cancel(_ context.Context, t *Turn) error {
	if !t.Session.Active() {
		t.Say(T("cancel.nothing"))
		return nil
	}
	t.EndFlow()
	t.Say(T("cancel.done"))
	return nil
}

func chooseLanguage(_ context.Context, t *Turn) error {
	var row []Button
	for _, l := range locales.Supported() {
		row = append(row, Button{Label: T("language.name." + l), Data: MustData(languageRoute, l)})
	}
	t.Say(T("language.choose"), row)
	return nil
}

func (e *Engine) setLanguage(ctx context.Context, t *Turn, payload string) error {
	if !locales.IsSupported(payload) {
		t.Answer(T("errors.bad_button"), true)
		return nil
	}
	t.User.Lang, t.User.LangSet = payload, true
	t.Lang = payload
	t.Send(Reply{EditMessageID: t.In.MessageID, Text: T("language.set")})
	if t.Session.Active() {
		return e.prompt(ctx, t)
	}
	return nil
}
