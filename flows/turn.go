package flows

import (
	"html"
)

// The Turn API capability packages call besides Say, Send and Answer.

// MenuButtons are the main-menu buttons the user's role allows.
func (t *Turn) MenuButtons() [][]Button { return t.e.menuButtons(t) }

// BotLink is the deep link to the bot with an optional /start payload.
func (t *Turn) BotLink(payload string) string { return t.e.botLink(payload) }

// RoleOf is the effective role of u: configured admins are always admins.
func (t *Turn) RoleOf(u *User) Role { return t.e.RoleOf(u) }

// Forget marks the user's data as deleted: the transport must not write
// the user back, nor keep a session or dedupe mark (Result.Forget).
func (t *Turn) Forget() { t.forget = true }

// NameLabel is the name behind a locale id as a literal button label: names
// in locales are HTML ("water &amp; sanitation"), button labels are plain.
func (t *Turn) NameLabel(id string) string {
	s, _ := t.e.texts.Text(t.Lang, id, nil, nil)
	return html.UnescapeString(s)
}
