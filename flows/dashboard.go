package flows

import (
	"context"
	"time"
)

// The dashboard is the Mini App (bot/webapp) secretariats and facilitators
// open from Telegram. Who may see it, and what of it, is decided here by the
// rules of the chat: the same Turn.CanManage, Turn.ChapterAdmin and
// ManagedWorkshops, applied to an Actor instead of an update.

// SeesDashboard: facilitators (chapter admins are at least facilitators)
// and admins; participants never.
func (t *Turn) SeesDashboard() bool { return t.Role >= RoleFacilitator }

// GiveDashboard sets the private chat's menu button to the dashboard for
// someone who may see it, when the Mini App is served (Config.WebAppURL);
// called when they gain the role and on /dashboard.
func (t *Turn) GiveDashboard() {
	if t.e.cfg.WebAppURL == "" || !t.SeesDashboard() || !t.In.Private {
		return
	}
	t.Send(Reply{MenuApp: t.DashboardMenu(t.Role)})
}

// DashboardMenu is the menu button for someone of role: the dashboard for
// facilitators and admins, Telegram's default (an empty URL) for a
// participant — who never keeps it after losing the role; nil when the
// dashboard is not served.
func (t *Turn) DashboardMenu(role Role) *MenuApp {
	switch {
	case t.e.cfg.WebAppURL == "":
		return nil
	case role < RoleFacilitator:
		return &MenuApp{}
	}
	return &MenuApp{Label: T("dashboard.menu_button"), URL: t.e.cfg.WebAppURL}
}

// Actor is the turn of a request that comes from outside a chat (the Mini
// App's API) by user u, a stored user record: the role, language and
// chapter are read as for an update, so the access rules are the chat's.
// It has no input but the time; nothing it says is sent.
func (e *Engine) Actor(u *User, now time.Time) *Turn {
	t := &Turn{In: Input{ChatID: u.ID, UserID: u.ID, Private: true, Now: now}, User: u, e: e}
	t.Role = e.RoleOf(u)
	t.Lang = u.Lang
	if t.Lang == "" {
		t.Lang = e.cfg.DefaultLang
	}
	return t
}

// Press runs the button data as if user u (their stored record) had pressed
// it in their private chat: the route's role check, its handler and what it
// records are the chat's. The result's replies to u's own chat (ChatID 0)
// describe the chat's view and are for the caller to drop; replies to other
// chats are to be delivered. The session is not touched.
func (e *Engine) Press(ctx context.Context, u *User, data string, now time.Time) (*Result, error) {
	in := Input{ChatID: u.ID, UserID: u.ID, Private: true, Kind: KindCallback, Callback: data,
		Username: u.Username, FirstName: u.FirstName, Now: now}
	return e.Handle(ctx, in, u, nil)
}

// WebAppURL is the Mini App's public URL ("" when it is not served).
func (t *Turn) WebAppURL() string { return t.e.cfg.WebAppURL }
