// Package flows is Sinergi's product: the conversation engine, the domain
// types and one file per flow. It imports no Telegram and no Redis package:
// input arrives as an [Input], output leaves as [Reply] intents (a message id
// from locales plus data plus buttons), and storage is reached through the
// small interfaces in store.go. A flow test therefore needs neither Telegram
// nor Redis.
//
// Adding a capability is a new file in this package that registers its
// commands, flows, callback routes and deep links from an init function (see
// [register]), plus its strings in locales/.
package flows

import (
	"time"
)

// Role is what a user may do. Roles are ordered: an admin can do everything a
// facilitator can, a facilitator everything a participant can.
type Role int

// The roles of Sinergi.
const (
	RoleParticipant Role = iota
	RoleFacilitator
	RoleAdmin
)

// String returns the role's stable name (used in storage and commands).
func (r Role) String() string {
	switch r {
	case RoleFacilitator:
		return "facilitator"
	case RoleAdmin:
		return "admin"
	default:
		return "participant"
	}
}

// ParseRole parses a role name as produced by [Role.String].
func ParseRole(s string) (Role, bool) {
	switch s {
	case "participant":
		return RoleParticipant, true
	case "facilitator":
		return RoleFacilitator, true
	case "admin":
		return RoleAdmin, true
	}
	return RoleParticipant, false
}

// User is what Sinergi keeps about a Telegram user.
type User struct {
	ID        int64     `json:"id"`
	Lang      string    `json:"lang"`
	LangSet   bool      `json:"lang_set,omitempty"` // chosen with /language, not guessed
	Role      Role      `json:"role"`
	FirstName string    `json:"first_name,omitempty"`
	Username  string    `json:"username,omitempty"`
	Inactive  bool      `json:"inactive,omitempty"`   // blocked the bot or deactivated
	NoUpdates bool      `json:"no_updates,omitempty"` // opted out of secretariat broadcasts
	Consent   string    `json:"consent,omitempty"`    // privacy notice version their stored data is under
	Chapter   string    `json:"chapter,omitempty"`    // the chapter they administer (Chapter.ID), "" none
	Created   time.Time `json:"created"`
	Seen      time.Time `json:"seen"`
}

// Profile is a participant's short profile, stored only after explicit consent
// (UU PDP 27/2022).
type Profile struct {
	UserID         int64     `json:"user_id"`
	FullName       string    `json:"full_name"`
	Organisation   string    `json:"organisation"`
	Sector         string    `json:"sector"`
	Province       string    `json:"province"`
	ConsentAt      time.Time `json:"consent_at"`
	ConsentVersion string    `json:"consent_version"`
	Updated        time.Time `json:"updated"`
}

// Invite is a one-time deep link that grants a role.
type Invite struct {
	Token   string    `json:"token"`
	Role    Role      `json:"role"`
	By      int64     `json:"by"`
	Created time.Time `json:"created"`
	// Member, on a participant's invitation made by a member import (the
	// dashboard), is who the secretariat invited: the link is that
	// person's, and whoever opens it is welcomed under that name.
	Member *InvitedMember `json:"member,omitempty"`
}

// InvitedMember is one row of a member import: what the secretariat
// knows of someone it invites (nothing of it becomes a profile before the
// person consents in the chat).
type InvitedMember struct {
	Name         string `json:"name"`
	Organisation string `json:"org"`
	Sector       string `json:"sector"`   // a sector id (Sectors)
	Province     string `json:"province"` // a province code (Provinces)
	Contact      string `json:"contact"`  // @username or phone number, as given
}

// SessionVersion changes when the shape of [Session] changes incompatibly; a
// stored session of another version is reset politely.
const SessionVersion = 1

// Session is the conversation state of one chat: the flow and step it is in
// and the answers collected so far. It is stored with a TTL.
type Session struct {
	Version int               `json:"v"`
	Flow    string            `json:"flow,omitempty"`
	Step    string            `json:"step,omitempty"`
	Nonce   string            `json:"nonce,omitempty"` // ties step buttons to this step instance
	Data    map[string]string `json:"data,omitempty"`
	Started time.Time         `json:"started,omitzero"`
	// FlowVersion is the version of the flow's data the answers were given
	// under (Flow.DataVersion); "" for sessions saved before it existed.
	FlowVersion string `json:"fv,omitempty"`
}

// Active reports whether the chat is inside a flow.
func (s *Session) Active() bool { return s != nil && s.Flow != "" }

// Kind says what an input is.
type Kind int

// Input kinds.
const (
	KindText     Kind = iota // plain text
	KindCommand              // text starting with /
	KindCallback             // an inline button press
	KindMedia                // photo, sticker, document, voice … (no text expected)
	KindContact              // a shared contact
	KindOther                // anything else (edited message, member update …)
	// KindMembership: the bot's own membership of a group or channel
	// changed (Telegram's my_chat_member); BotStatus is the new status.
	KindMembership
	// KindMigrated: a basic group became a supergroup (MigrateFrom to
	// MigrateTo).
	KindMigrated
)

// Input is one thing a user did, independent of Telegram.
type Input struct {
	UpdateID  int64
	ChatID    int64
	Private   bool // a one-to-one chat with the bot
	UserID    int64
	Username  string
	FirstName string
	LangCode  string // Telegram's language_code of the user
	Kind      Kind
	Text      string // message text or caption
	Command   string // without the slash and @bot suffix, lower case
	Args      string // what follows the command
	Callback  string // callback data
	MessageID int    // the message a button belonged to, or the user's message
	Keyboard  int    // the bot's last message with buttons in this chat (0: none known)
	Phone     string // of a shared contact
	Now       time.Time
	// MediaGroup is Telegram's media_group_id: the message is one item of
	// an album, each item arriving as a message of its own.
	MediaGroup string

	// Groups and channels.
	// Thread is the forum topic the message is in (0: General or none).
	Thread int
	// ChatTitle and ChatType ("group", "supergroup", "channel") describe a
	// chat that is not private.
	ChatTitle string
	ChatType  string
	// Anonymous: sent by an anonymous administrator as the group itself
	// (sender_chat); UserID is then Telegram's placeholder.
	Anonymous bool
	// BotStatus is the bot's new status in the chat (KindMembership):
	// "creator", "administrator", "member", "restricted", "left", "kicked";
	// BotCanPost whether it may post there now.
	BotStatus  string
	BotCanPost bool
	// BotJoined: the bot was not in the chat before this change (rather
	// than promoted or restricted there).
	BotJoined bool
	// MigrateFrom and MigrateTo are the old and new chat ids of a group
	// upgraded to a supergroup (KindMigrated).
	MigrateFrom, MigrateTo int64
	// Forwarded is the channel a message forwarded in a private chat comes
	// from (0: not a channel post).
	Forwarded int64
	// Member is what the transport learned from Telegram (getChatMember)
	// about the sender and the bot in the chat the engine named with
	// NeedsMember; nil when it was not asked for. Never taken from the
	// update itself.
	Member *ChatMember
}

// ChatMember is the standing of an input's sender and of the bot in a
// chat, as Telegram's getChatMember reports them.
type ChatMember struct {
	Chat     int64
	Title    string
	Type     string // "group", "supergroup", "channel"
	Username string // a public chat's @name, without "@"
	Forum    bool
	// UserStatus and BotStatus: "creator", "administrator", "member",
	// "restricted", "left" or "kicked".
	UserStatus string
	BotStatus  string
	// BotCanPost: the bot may post there (a member or administrator of a
	// group not restricted from writing; an administrator of a channel
	// with the right to post).
	BotCanPost bool
	// Failed: Telegram could not tell (the chat is unknown, the bot is not
	// in it, or the call failed); the other fields are then empty.
	Failed bool
}

// UserIsAdmin reports whether the sender administers the chat.
func (m *ChatMember) UserIsAdmin() bool {
	return m != nil && !m.Failed && (m.UserStatus == "creator" || m.UserStatus == "administrator")
}

// ChatRef names a chat by id or, when ID is 0, by its public @Username.
type ChatRef struct {
	ID       int64
	Username string
}
