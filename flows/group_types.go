package flows

import (
	"errors"
	"time"
)

// What a linked chat is for.
const (
	PurposeForum    = "forum"    // the forum's announcements
	PurposeChapter  = "chapter"  // a chapter's group
	PurposeWorkshop = "workshop" // a workshop's participants' group
	PurposeReports  = "reports"  // a workshop's facilitators' reports
)

// ChatLink is a group chat, forum topic or channel linked to Sinergi.
// Nothing about the chat's members is kept: only the chat, what it is for,
// and the Sinergi admin or facilitator who linked it.
type ChatLink struct {
	Chat     int64     `json:"-"` // the store's key
	Thread   int       `json:"-"` // forum topic (0: the whole chat, or General)
	Title    string    `json:"title,omitempty"`
	Type     string    `json:"type,omitempty"` // "group", "supergroup", "channel"
	Purpose  string    `json:"purpose"`
	Workshop string    `json:"ws,omitempty"` // the workshop of PurposeWorkshop and PurposeReports
	Chapter  string    `json:"ch,omitempty"` // the chapter of PurposeChapter (Chapter.ID); "" before chapters were named
	By       int64     `json:"by"`           // who linked it (told when it stops working)
	At       time.Time `json:"at"`
	// Was is the basic group this link was moved from when the group
	// became a supergroup (0: none); its live cards follow it here.
	Was int64 `json:"was,omitempty"`
	// Inactive: the bot was removed from the chat or may no longer post
	// there; the link is kept so that it can be seen and removed.
	Inactive bool `json:"-"`
}

// ErrAlreadyLinked: the chat (and topic) has an active link already.
var ErrAlreadyLinked = errors.New("chat already linked")

// Card is a workshop's live card posted in a linked chat: the message the
// bot edits as seats change, and what it shows now (a short state key).
type Card struct {
	Workshop  string `json:"-"`
	Chat      int64  `json:"-"`
	Thread    int    `json:"-"`
	MessageID int    `json:"msg"`
	State     string `json:"state"`
}
