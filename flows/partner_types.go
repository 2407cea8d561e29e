package flows

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// Themes are the focus themes of an organisation; names are in locales as
// "theme.<code>".
var themes = []string{"education", "health", "econ", "env", "wash", "disaster", "child", "food", "digital", "other"}

// Themes returns the theme codes in display order.
func Themes() []string { return slices.Clone(themes) }

// Resources are what an organisation offers and what it needs (the same
// list both ways); names are in locales as "offer.<code>".
var resources = []string{"funding", "volunteers", "expertise", "tech", "data", "network", "venue", "inkind"}

// Resources returns the offer/need codes in display order.
func Resources() []string { return slices.Clone(resources) }

// PartnerProfile is an organisation's matchmaking profile: one per Telegram
// user. Codes are from Sectors, Themes, Provinces and Resources, each list
// in display order without duplicates.
type PartnerProfile struct {
	UserID      int64     `json:"user_id"`
	Org         string    `json:"org"`
	Sector      string    `json:"sector"`
	Themes      []string  `json:"themes"`
	Provinces   []string  `json:"provinces"`
	Offers      []string  `json:"offers,omitempty"`
	Needs       []string  `json:"needs,omitempty"`
	Description string    `json:"description,omitempty"`
	Visible     bool      `json:"visible"` // false: paused, shown to nobody
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
}

// MatchFilter narrows suggestions to one theme, province or sector ("" is
// any). Coalition keeps only coalition candidates: the same theme in the same
// province with the same offer.
type MatchFilter struct {
	Theme, Province, Sector string
	Coalition               bool
}

// Code is f in callback data: "a" (none), "c" (coalition candidates),
// "t.<theme>", "p.<province>" or "s.<sector>".
func (f MatchFilter) Code() string {
	switch {
	case f.Coalition:
		return "c"
	case f.Theme != "":
		return "t." + f.Theme
	case f.Province != "":
		return "p." + f.Province
	case f.Sector != "":
		return "s." + f.Sector
	}
	return "a"
}

// ParseMatchFilter reads a filter's Code; false for one naming no known
// theme, province or sector.
func ParseMatchFilter(s string) (MatchFilter, bool) {
	switch s {
	case "a":
		return MatchFilter{}, true
	case "c":
		return MatchFilter{Coalition: true}, true
	}
	kind, code, _ := strings.Cut(s, ".")
	switch {
	case kind == "t" && slices.Contains(themes, code):
		return MatchFilter{Theme: code}, true
	case kind == "p" && slices.Contains(provinces, code):
		return MatchFilter{Province: code}, true
	case kind == "s" && slices.Contains(sectors, code):
		return MatchFilter{Sector: code}, true
	}
	return MatchFilter{}, false
}

// MatchQuery asks for the best-ranked suggestions for Me.
type MatchQuery struct {
	Me     *PartnerProfile
	Filter MatchFilter
	Limit  int
}

// IntroStatus is where an introduction stands.
type IntroStatus string

// Introduction statuses.
const (
	IntroPending   IntroStatus = "pending"
	IntroAccepted  IntroStatus = "accepted"
	IntroDeclined  IntroStatus = "declined"
	IntroWithdrawn IntroStatus = "withdrawn" // by the requester, while pending
)

// Introduction is a request by From to be introduced to To. Contacts are
// revealed only when To accepts.
type Introduction struct {
	ID      string
	From    int64
	To      int64
	FromOrg string // organisation names when requested, for the lists
	ToOrg   string
	Note    string
	Status  IntroStatus
	Created time.Time
	Decided time.Time // zero while pending
}

// Refusals of Partners.RequestIntro and Partners.DecideIntro.
var (
	ErrIntroPending   = errors.New("introduction pending between the pair")
	ErrIntroConnected = errors.New("pair already introduced")
	ErrIntroCooldown  = errors.New("pair declined recently")
	ErrTooManyIntros  = errors.New("too many pending introduction requests")
	ErrIntroDecided   = errors.New("introduction no longer pending")
	ErrIntroForbidden = errors.New("not a party allowed to decide")
)

// Partners stores organisation profiles, their indexes for suggestions, the
// "not interested" marks, and introductions.
type Partners interface {
	GetPartner(ctx context.Context, uid int64) (*PartnerProfile, error) // ErrNotFound
	// SavePartner creates or replaces uid's profile and, atomically with it,
	// its entries in the suggestion indexes (none while not Visible).
	SavePartner(ctx context.Context, p *PartnerProfile) error
	// DeletePartner removes the profile from storage and every index
	// (ErrNotFound when there is none).
	DeletePartner(ctx context.Context, uid int64) error
	// SuggestPartners ranks visible profiles for q.Me by MatchScore, best
	// first (ties: lower user id first), and returns up to q.Limit of them.
	// Only profiles sharing at least one need/offer, theme or province are
	// candidates; q.Me itself, the profiles q.Me marked not interested and
	// those of inactive users are left out.
	SuggestPartners(ctx context.Context, q MatchQuery) ([]*PartnerProfile, error)
	// NotInterested hides other from uid's suggestions for good.
	NotInterested(ctx context.Context, uid, other int64) error

	// RequestIntro stores a new pending introduction, atomically refusing
	// with ErrIntroPending or ErrIntroConnected when the pair (either
	// direction) has one pending or accepted, ErrIntroCooldown within
	// cooldown of a decline, and ErrTooManyIntros when From already has max
	// pending requests.
	RequestIntro(ctx context.Context, in *Introduction, cooldown time.Duration, max int) error
	GetIntro(ctx context.Context, id string) (*Introduction, error) // ErrNotFound
	// PendingSent counts uid's requests still waiting for an answer.
	PendingSent(ctx context.Context, uid int64) (int, error)
	// PairIntro is the latest introduction between a and b, either
	// direction (ErrNotFound when none).
	PairIntro(ctx context.Context, a, b int64) (*Introduction, error)
	// DecideIntro moves a pending introduction to status: accepted or
	// declined only by its To, withdrawn only by its From (else
	// ErrIntroForbidden); ErrIntroDecided when no longer pending.
	DecideIntro(ctx context.Context, id string, actor int64, status IntroStatus, now time.Time) (*Introduction, error)
	// UserIntros lists uid's introductions, newest first, up to limit each.
	UserIntros(ctx context.Context, uid int64, limit int) (sent, received []*Introduction, err error)
}
