package flows

import (
	"context"
	"time"
)

// UserData is everything Sinergi stores about one user: the /mydata export
// (UU PDP 27/2022, the right of access). Every part is empty when there is
// nothing stored.
type UserData struct {
	UserID        int64              `json:"user_id"`
	Exported      time.Time          `json:"exported"`
	User          *User              `json:"user,omitempty"`
	Profile       *Profile           `json:"profile,omitempty"` // carries the consent record
	Registrations []RegistrationData `json:"registrations,omitempty"`
	Feedback      []FeedbackData     `json:"feedback,omitempty"`
	Partner       *PartnerProfile    `json:"partner_profile,omitempty"`
	Introductions []IntroData        `json:"introductions,omitempty"`
	Commitments   []*Commitment      `json:"commitments,omitempty"` // owned or proposed to them, with history
	Broadcasts    []BroadcastData    `json:"broadcasts,omitempty"`  // secretariat messages sent to them
	Chapters      []string           `json:"chapters,omitempty"`    // ids of the chapters they joined by link
	Teams         []TeamData         `json:"teams,omitempty"`       // the workshop teams they are on, by code
	Administers   *ChapterData       `json:"administers,omitempty"` // the chapter they administer
	Messages      []MessageData      `json:"messages,omitempty"`    // what they wrote to a workshop's registrants, newest first
	// Certificates are their certificates of attendance, by workshop code.
	Certificates []*Certificate `json:"certificates,omitempty"`
	// Surveys are the survey answers they shared with the team (their
	// anonymous answers do not name them and are not theirs to list), by
	// workshop code.
	Surveys []SurveyData `json:"surveys,omitempty"`
	// Sessions are the agenda sessions they were marked present at, by
	// workshop code and session id.
	Sessions []SessionMarkData `json:"sessions,omitempty"`
}

// SurveyData is one survey answer the user shared with the team, as
// exported: Answers[i] answers question i (a rating, an option's number
// from 0, a text).
type SurveyData struct {
	Workshop string    `json:"workshop"`
	Title    string    `json:"title"`
	Answers  []string  `json:"answers"`
	At       time.Time `json:"at"`
}

// SessionMarkData is one agenda session the user was marked present at.
type SessionMarkData struct {
	Workshop string    `json:"workshop"`
	Session  string    `json:"session"`
	At       time.Time `json:"at"`
}

// TeamData is one workshop team the user is on, as exported.
type TeamData struct {
	Workshop string `json:"workshop"`
	Title    string `json:"title"`
	Owner    bool   `json:"owner,omitempty"`
}

// ChapterData is the chapter a user administers, as exported ("" name: the
// chapter no longer exists).
type ChapterData struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// MessageData is one message the user sent to a workshop's registrants
// (a broadcast of segment SegRegistrants): the text stays in their chat,
// the export names it by its message id.
type MessageData struct {
	ID        string    `json:"id"`
	Segment   string    `json:"segment"`
	MessageID int       `json:"message_id"`
	Created   time.Time `json:"created"`
}

// RegistrationData is one registration as exported.
type RegistrationData struct {
	Workshop     string    `json:"workshop"`
	Title        string    `json:"title"`
	Status       RegStatus `json:"status"`
	Position     int       `json:"waiting_position,omitempty"`
	RegisteredAt time.Time `json:"registered_at"`
	CheckedInAt  time.Time `json:"checked_in_at,omitzero"`
	Answer       string    `json:"answer,omitempty"`
	// Answers are the answers to the workshop's registration form by
	// question id, as stored; Form the same with each question's wording
	// and the answer as the registrant reads it (filled by /mydata).
	Answers map[string]string `json:"answers,omitempty"`
	Form    []FormAnswerData  `json:"form,omitempty"`
	// Sessions are the parallel sessions of the workshop's agenda they
	// hold a seat in, in the order chosen (filled by /mydata).
	Sessions []SessionData `json:"sessions,omitempty"`
}

// SessionData is a session of an agenda one signed up for, as exported.
type SessionData struct {
	ID    string    `json:"id"`
	Title string    `json:"title"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Room  string    `json:"room,omitempty"`
}

// FormAnswerData is one answer to a registration form as exported.
type FormAnswerData struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// FeedbackData is one feedback as exported.
type FeedbackData struct {
	Workshop string    `json:"workshop"`
	Title    string    `json:"title"`
	Rating   int       `json:"rating"`
	Comment  string    `json:"comment,omitempty"`
	At       time.Time `json:"at"`
}

// IntroData is one introduction as exported: Sent when the user asked for it.
type IntroData struct {
	ID      string      `json:"id"`
	Sent    bool        `json:"sent"`
	FromOrg string      `json:"from_org"`
	ToOrg   string      `json:"to_org"`
	Note    string      `json:"note,omitempty"`
	Status  IntroStatus `json:"status"`
	Created time.Time   `json:"created"`
	Decided time.Time   `json:"decided,omitzero"`
}

// BroadcastData is the outcome of one broadcast for the user.
type BroadcastData struct {
	ID      string `json:"id"`
	Outcome string `json:"outcome"` // sent, blocked, failed, uncertain
}

// AnonPrefix starts the member that replaces a forgotten user in a
// workshop's registration sets and hashes and in broadcast outcomes, so
// counts stay right while nobody is named. Readers skip such members.
const AnonPrefix = "anon:"

// Privacy serves the data subject's rights.
type Privacy interface {
	// ExportUser collects everything stored about uid.
	ExportUser(ctx context.Context, uid int64) (*UserData, error)
	// ForgetUser deletes uid's personal data: records and indexes go,
	// registrations, feedback, broadcast outcomes and commitments stay as
	// anonymous counts and content, introductions lose uid's side, and
	// uid's scheduled jobs are removed. A registration for a workshop that
	// has not begun, and that uid did not check in to, goes as on a
	// cancellation: a freed seat is given to the head of the waiting list
	// in the same atomic step, and those promoted are returned (to be told
	// and reminded). It is idempotent.
	ForgetUser(ctx context.Context, uid int64, now time.Time) (promoted []Promotion, err error)
}

// Promotion is someone confirmed from a workshop's waiting list.
type Promotion struct {
	Workshop string
	UserID   int64
}
