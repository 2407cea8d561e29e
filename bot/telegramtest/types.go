package telegramtest

import (
	"time"

	"github.com/go-telegram/bot/models"
)

// User is a Telegram user that takes part in a test conversation.
type User struct {
	ID           int64
	FirstName    string
	LastName     string
	Username     string
	LanguageCode string
	IsBot        bool
}

func (u User) model() *models.User {
	return &models.User{
		ID:           u.ID,
		IsBot:        u.IsBot,
		FirstName:    u.FirstName,
		LastName:     u.LastName,
		Username:     u.Username,
		LanguageCode: u.LanguageCode,
	}
}

// botUser is the fake bot itself.
var botUser = User{ID: BotID, FirstName: BotFirstName, Username: BotUsername, IsBot: true}

// File is an uploaded or referenced file.
type File struct {
	// Name is the file name given at upload (empty for files referenced by
	// file_id or URL that the server has never seen).
	Name string
	// Data is the uploaded content (nil when unknown).
	Data []byte
}

// Call is one Bot API request received by the server.
//
// Params holds every parameter as a string; nested objects (reply_markup,
// commands, scope, …) are JSON text. Files holds uploaded files by form field
// name. The maps must be treated as read-only.
type Call struct {
	Method    string
	Params    map[string]string
	Files     map[string]File
	At        time.Time
	ErrorCode int    // 0 when the call was answered ok
	Error     string // description of the error answer, "" when ok
}

// Button is one inline keyboard button.
type Button struct {
	Text         string
	CallbackData string
	URL          string
	WebApp       string // the Mini App URL of a web_app button
}

// Message is one message of a chat transcript, sent either by the bot or (when
// injected by the test) by a user.
type Message struct {
	ID      int
	ChatID  int64
	FromBot bool
	From    User
	// Text is the message text or media caption exactly as sent (with HTML
	// markup when ParseMode is "HTML").
	Text string
	// Plain is Text with HTML markup removed and entities decoded; it equals
	// Text when ParseMode is not HTML.
	Plain     string
	ParseMode string
	// Entities are the formatting entities of Text (of the caption for
	// media) when it was sent with entities rather than a parse mode: a
	// user's formatted message, and the bot's copies of it.
	Entities []models.MessageEntity
	// Buttons is the inline keyboard attached to the message.
	Buttons [][]Button
	// Keyboard holds the button texts of a reply keyboard attached to the
	// message.
	Keyboard [][]string
	// Media is the kind of media the message carries: "" for plain text,
	// otherwise "photo", "document", "audio", "video", "animation", "voice",
	// "sticker" or "contact".
	Media string
	// Document is the file of a document (and of audio, video, animation,
	// voice and sticker messages).
	Document *File
	// Photo is the file of a photo message.
	Photo   *File
	Edited  bool
	Deleted bool
	// ThreadID is the forum topic the message is in (message_thread_id;
	// 0 for the General topic and chats without topics).
	ThreadID int
	// CallbackData is set for a recorded button press by a user; such an
	// entry has ID 0, CallbackMessageID names the pressed message and Text is
	// the text of the pressed button when it is known.
	CallbackData      string
	CallbackMessageID int
	Date              time.Time
}

// Event kinds delivered by [Server.Subscribe].
const (
	// EventMessage: a new message, from the bot or injected for a user.
	EventMessage = "message"
	// EventEdit: the bot edited a message (Message is the new state).
	EventEdit = "edit"
	// EventDelete: a message was deleted (Message is the last state).
	EventDelete = "delete"
	// EventPress: a user pressed an inline button (see [Server.Press]).
	EventPress = "press"
	// EventCallbackAnswer: the bot answered a callback query; Text is the
	// notification text and Message is the recorded press.
	EventCallbackAnswer = "callback_answer"
	// EventChatAction: the bot sent a chat action; Text is the action
	// ("typing", …) and Message.ChatID the chat.
	EventChatAction = "chat_action"
)

// Event is a change in a chat, delivered to subscribers.
type Event struct {
	Kind            string
	Message         Message
	CallbackQueryID string
	Text            string
	ShowAlert       bool
}

// Stats are counters over everything the server received.
type Stats struct {
	// Calls is the number of requests, ByMethod splits them by method.
	Calls    int
	ByMethod map[string]int
	// Sent is the number of successful message-producing calls ("sends":
	// sendMessage, sendPhoto, sendDocument, sendAudio, sendVideo,
	// sendAnimation, sendVoice, sendSticker, sendMediaGroup, copyMessage,
	// forwardMessage, editMessageText, editMessageCaption,
	// editMessageReplyMarkup).
	Sent int
	// Errors counts error answers by error_code.
	Errors map[int]int
	// LimitViolations counts sends rejected because they exceeded a limit
	// set with [Server.SetLimits].
	LimitViolations int
	// GlobalLimitViolations is the part of LimitViolations that exceeded
	// Limits.Global (the rest exceeded a per-chat or per-group limit).
	GlobalLimitViolations int
	// SentIntoRetryAfter counts sends made to a chat (or, after a global
	// 429, to any chat) before an announced retry_after had expired.
	SentIntoRetryAfter int
	// MaxGlobalPerSecond is the highest number of send calls (whatever their
	// outcome) seen within any one-second window.
	MaxGlobalPerSecond int
	// WebhookDeliveries counts updates successfully delivered to a webhook.
	WebhookDeliveries int
	// WebhookErrors counts webhook POSTs that failed (connection error or a
	// non-2xx answer) and were retried; attempts cut short because the
	// webhook was changed or deleted are not counted.
	WebhookErrors int
}

// Limits are flood limits enforced like Telegram does; see [Server.SetLimits].
type Limits struct {
	// Global is the maximum number of sends per second across all chats
	// (0 = off).
	Global int
	// PerChat is the minimum gap between sends to one private chat, e.g.
	// time.Second (0 = off).
	PerChat time.Duration
	// Burst is the number of back-to-back sends tolerated per private chat
	// before PerChat applies (default 1).
	Burst int
	// GroupPerMinute is the maximum number of sends per minute to one group
	// chat (0 = off).
	GroupPerMinute int
	// RetryAfter is the retry_after, in seconds, announced in a 429 answer
	// (default 1).
	RetryAfter int
}

// chat is the server-side state of one chat.
type chat struct {
	id        int64
	typ       models.ChatType
	title     string
	user      *User // the other party of a private chat, when known
	lastMsgID int

	// recording only
	msgs []*record
	byID map[int]*record

	blocked     bool
	deactivated bool

	// groups and channels (groups.go)
	username   string            // a public channel's or group's @name, without "@"
	forum      bool              // a supergroup with topics
	topics     map[int]*topic    // forum topics by message_thread_id
	members    map[int64]*member // known members by user id (the bot: BotID)
	migratedTo int64             // a basic group upgraded to this supergroup

	// limits
	tokens         float64
	tokensAt       time.Time
	groupSends     []time.Time
	enforcedUntil  time.Time // retry_after announced by a limit: enforced
	announcedUntil time.Time // retry_after announced by FailNext: only counted
}

func (c *chat) model() models.Chat {
	m := models.Chat{ID: c.id, Type: c.typ, Title: c.title, Username: c.username, IsForum: c.forum}
	if c.user != nil && c.typ == models.ChatTypePrivate {
		m.FirstName, m.LastName, m.Username = c.user.FirstName, c.user.LastName, c.user.Username
	}
	return m
}

func (c *chat) isPrivate() bool { return c.typ == models.ChatTypePrivate }

// record is a message as stored in a transcript: the public view and the Bot
// API object it corresponds to. Both are replaced, never mutated in place,
// once published.
type record struct {
	pub Message
	raw models.Message
}

// pendingCallback is a callback query the bot has not answered yet.
type pendingCallback struct {
	chatID    int64
	messageID int
	from      User
	data      string
	text      string
}

// queued is an update waiting to be fetched or delivered.
type queued struct {
	upd         models.Update
	redelivered bool // queued again by Redeliver
	returned    bool // returned by getUpdates at least once
	inflight    bool // being delivered to the webhook
}

// failRule is a fault injected with FailNext.
type failRule struct {
	method     string
	chatID     int64
	code       int
	retryAfter int
	remaining  int
}
