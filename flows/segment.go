package flows

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"sinergi/locales"
)

// SegmentKind is a way to choose a broadcast's recipients.
type SegmentKind string

// Segment kinds; the value is also the step answer and locale suffix
// ("bc.seg.<kind>").
const (
	SegAll      SegmentKind = "all"
	SegWorkshop SegmentKind = "ws"     // registered for (or checked in to) a workshop
	SegSector   SegmentKind = "sector" // profile sector
	SegProvince SegmentKind = "prov"   // profile province
	SegTheme    SegmentKind = "theme"  // partner-profile theme
	SegLang     SegmentKind = "lang"   // language
	// SegRegistrants: a workshop's registrants by where they stand, whom
	// its team messages from the management card (not offered by
	// /broadcast).
	SegRegistrants SegmentKind = "wsr"
)

// RegistrantStatus chooses a workshop's registrants (SegRegistrants).
type RegistrantStatus string

// Registrant statuses; the value is also the segment's last part and the
// locale suffix ("ws.msg_status_<status>").
const (
	RegsConfirmed RegistrantStatus = "c" // holding a seat
	RegsWaiting   RegistrantStatus = "w" // on the waiting list
	RegsCheckedIn RegistrantStatus = "i" // holding a seat, checked in (or attended online)
	RegsNoShow    RegistrantStatus = "n" // holding a seat, not checked in
	RegsOffered   RegistrantStatus = "o" // offered a freed seat, not yet answered
	RegsPending   RegistrantStatus = "p" // waiting for the team's approval
)

// RegistrantStatuses are the statuses in the order the card offers them.
func RegistrantStatuses() []RegistrantStatus {
	return []RegistrantStatus{RegsConfirmed, RegsWaiting, RegsOffered, RegsPending, RegsCheckedIn, RegsNoShow}
}

// Has reports whether registration r is in status s.
func (s RegistrantStatus) Has(r *Registration) bool {
	switch s {
	case RegsConfirmed:
		return r.Status == RegConfirmed
	case RegsWaiting:
		return r.Status == RegWaiting
	case RegsCheckedIn:
		return r.Status == RegConfirmed && !r.CheckedInAt.IsZero()
	case RegsNoShow:
		return r.Status == RegConfirmed && r.CheckedInAt.IsZero()
	case RegsOffered:
		return r.Status == RegOffered
	case RegsPending:
		return r.Status == RegPending
	}
	return false
}

// segmentKinds are the kinds in the order the broadcast flow offers them.
// SegmentKinds are the kinds of segment in the order the broadcast flow
// offers them.
func SegmentKinds() []string { return slices.Clone(segmentKinds) }

var segmentKinds = []string{string(SegAll), string(SegWorkshop), string(SegSector), string(SegProvince), string(SegTheme), string(SegLang)}

// Segment is who a broadcast goes to. Its text form, stored with the
// broadcast ([Broadcast.Segment]), is "all", "ws:<code>:c" (registered),
// "ws:<code>:i" (checked in), "sector:<code>", "prov:<code>",
// "theme:<code>", "lang:<id|en>" or "wsr:<code>:<c|w|o|p|i|n>" (a workshop's
// registrants by status), scoped to a chapter's members by the prefix
// "in:<chapter id>:" ("in:k3mzq2:prov:JB"); [ParseSegment] is the one
// reader of it.
type Segment struct {
	Kind      SegmentKind
	Value     string           // workshop code, sector, province, theme or language; "" for SegAll
	CheckedIn bool             // SegWorkshop: only those who checked in
	Status    RegistrantStatus // SegRegistrants: which of them
	// Chapter limits the segment to the members of that chapter (see
	// ChapterMembers) when not "": a chapter admin's broadcasts.
	Chapter string
}

// chapterScope is the text form's prefix of a segment within a chapter.
const chapterScope = "in:"

// String is the segment's text form.
func (s Segment) String() string {
	if s.Chapter != "" {
		inner := s
		inner.Chapter = ""
		return chapterScope + s.Chapter + ":" + inner.String()
	}
	switch s.Kind {
	case SegAll:
		return string(SegAll)
	case SegWorkshop:
		which := "c"
		if s.CheckedIn {
			which = "i"
		}
		return string(SegWorkshop) + ":" + s.Value + ":" + which
	case SegRegistrants:
		return string(SegRegistrants) + ":" + s.Value + ":" + string(s.Status)
	}
	return string(s.Kind) + ":" + s.Value
}

// ParseSegment reads a segment's text form. Anything it does not know — a
// kind, a sector, province, theme or language code — is an error: a
// broadcast never falls back to everyone.
func ParseSegment(text string) (Segment, error) {
	if rest, ok := strings.CutPrefix(text, chapterScope); ok {
		id, inner, _ := strings.Cut(rest, ":")
		s, err := ParseSegment(inner)
		if err != nil || !validChapterID(id) || s.Chapter != "" {
			return Segment{}, fmt.Errorf("segment %q: %w", text, ErrUnknownSegment)
		}
		s.Chapter = id
		return s, nil
	}
	kind, v, _ := strings.Cut(text, ":")
	s := Segment{Kind: SegmentKind(kind), Value: v}
	ok := false
	switch s.Kind {
	case SegAll:
		s.Value, ok = "", v == "" && !strings.Contains(text, ":")
	case SegWorkshop:
		code, which, _ := strings.Cut(v, ":")
		s.Value, s.CheckedIn = code, which == "i"
		ok = code != "" && (which == "c" || which == "i")
	case SegRegistrants:
		code, status, _ := strings.Cut(v, ":")
		s.Value, s.Status = code, RegistrantStatus(status)
		ok = code != "" && slices.Contains(RegistrantStatuses(), s.Status)
	case SegSector:
		ok = slices.Contains(sectors, v)
	case SegProvince:
		ok = slices.Contains(provinces, v)
	case SegTheme:
		ok = slices.Contains(themes, v)
	case SegLang:
		ok = locales.IsSupported(v)
	}
	if !ok {
		return Segment{}, fmt.Errorf("segment %q: %w", text, ErrUnknownSegment)
	}
	return s, nil
}

// ErrUnknownSegment: a segment this build cannot read.
var ErrUnknownSegment = errors.New("unknown segment")

// Recipients freezes who a broadcast goes to: the members of its segment
// other than its author who are active and have not opted out, each with
// the version in their language.
func (e *Engine) Recipients(ctx context.Context, b *Broadcast) ([]Recipient, error) {
	return Recipients(ctx, e.store, b)
}

// RecipientPages reads broadcast b's recipients after the member id after,
// a page at a time (the broadcast runner freezes them so).
func (e *Engine) RecipientPages(ctx context.Context, b *Broadcast, after int64) (*RecipientPages, error) {
	return NewRecipientPages(ctx, e.store, b, after)
}

// Receiver is a member who receives the secretariat's broadcasts: they
// agreed to the privacy notice, are active and have not turned the updates
// off — whom Recipients keeps for every segment but a workshop team's
// messages —, with their language.
type Receiver struct {
	ID   int64
	Lang string
}

// ErrNoIndex: the store keeps no index of receivers (a Redis Cluster,
// where it cannot be written with the user record); Recipients reads every
// member instead.
var ErrNoIndex = errors.New("no index of receivers")

// Audience is what Recipients reads.
type Audience interface {
	AllUsers(ctx context.Context) ([]*User, error)
	// Receivers lists at most n receivers (Receiver) whose id is above
	// after, in ascending id, whose language is lang ("": any), from an
	// index kept exact with the user records, reading no record; or
	// ErrNoIndex.
	Receivers(ctx context.Context, lang string, after int64, n int) ([]Receiver, error)
	// ProfileMembers lists the users whose profile has sector (kind
	// SegSector) or province (SegProvince) value, or whose organisation
	// profile (visible or paused) has theme value (SegTheme), in any
	// order, reading only them (an index), never every member. A user
	// here may carry only the fields a segment reads: ID, Lang, Consent,
	// Inactive, NoUpdates.
	ProfileMembers(ctx context.Context, kind SegmentKind, value string) ([]*User, error)
	// ProfileReceivers lists the receivers (Receiver) whose profile has
	// sector (kind SegSector) or province (SegProvince) one of values —
	// those of ProfileMembers that Receives —, in ascending id, from
	// indexes kept exact with the profiles and the user records, reading
	// neither; or ErrNoIndex.
	ProfileReceivers(ctx context.Context, kind SegmentKind, values ...string) ([]Receiver, error)
	// UsersOf reads the records of ids that exist, in any order.
	UsersOf(ctx context.Context, ids []int64) ([]*User, error)
	Registrations(ctx context.Context, code string) ([]*Registration, error)
	ProfilesOf(ctx context.Context, ids []int64) (map[int64]*Profile, error)
	ChapterReader
}

// validChapterID: a chapter id is a code of NewCode.
func validChapterID(id string) bool {
	return len(id) == 6 && strings.Trim(id, CodeAlphabet) == ""
}

// Recipients is who broadcast b goes to among the members st holds (see
// Engine.Recipients), in ascending id.
func Recipients(ctx context.Context, st Audience, b *Broadcast) ([]Recipient, error) {
	pages, err := NewRecipientPages(ctx, st, b, math.MinInt64)
	if err != nil {
		return nil, err
	}
	var out []Recipient
	for {
		page, err := pages.Next(ctx, recipientsPage)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			return out, nil
		}
		out = append(out, page...)
	}
}

// recipientsPage is how many receivers Recipients reads at a time.
const recipientsPage = 10_000

// RecipientPages hands out a broadcast's recipients (those of Recipients)
// in ascending id, a page at a time. The segments everyone and a language,
// not within a chapter, are read page by page from the store's index of
// receivers, so no more than a page is held; any other segment is resolved
// once, at the first page (it reads only its members), and handed out from
// memory.
type RecipientPages struct {
	st       Audience
	b        *Broadcast
	seg      Segment
	after    int64
	indexed  bool        // read page by page with Receivers
	resolved bool        // all holds the whole segment
	all      []Recipient // resolved, in ascending id
}

// NewRecipientPages starts reading broadcast b's recipients whose id is
// above after (math.MinInt64: all of them).
func NewRecipientPages(_ context.Context, st Audience, b *Broadcast, after int64) (*RecipientPages, error) {
	seg, err := ParseSegment(b.Segment)
	if err != nil {
		return nil, fmt.Errorf("broadcast %s: %w", b.ID, err)
	}
	return &RecipientPages{st: st, b: b, seg: seg, after: after,
		indexed: seg.Chapter == "" && (seg.Kind == SegAll || seg.Kind == SegLang)}, nil
}

// Next returns the next at most n recipients; none when there are no more.
func (p *RecipientPages) Next(ctx context.Context, n int) ([]Recipient, error) {
	for p.indexed {
		lang := ""
		if p.seg.Kind == SegLang {
			lang = p.seg.Value
		}
		rs, err := p.st.Receivers(ctx, lang, p.after, n)
		if errors.Is(err, ErrNoIndex) {
			p.indexed = false
			break
		}
		if err != nil {
			return nil, InternalError("receivers", err)
		}
		if len(rs) == 0 {
			return nil, nil
		}
		p.after = rs[len(rs)-1].ID
		out := make([]Recipient, 0, len(rs))
		for _, r := range rs {
			if r.ID != p.b.By {
				out = append(out, Recipient{UserID: r.ID, MessageID: p.b.messageFor(r.Lang)})
			}
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	if !p.resolved {
		all, err := resolve(ctx, p.st, p.b, p.seg)
		if err != nil {
			return nil, err
		}
		p.all, p.resolved = all, true
	}
	i, _ := slices.BinarySearchFunc(p.all, p.after, func(r Recipient, id int64) int { return cmp.Compare(r.UserID, id+1) })
	page := p.all[i:min(i+n, len(p.all))]
	if len(page) > 0 {
		p.after = page[len(page)-1].UserID
	}
	return page, nil
}

// From makes the next page start after the member id after (another
// reader handed out those up to it).
func (p *RecipientPages) From(after int64) { p.after = after }

// messageFor is the version of b for a member whose language is lang.
func (b *Broadcast) messageFor(lang string) int {
	if lang == "en" && b.EnglishID != 0 {
		return b.EnglishID
	}
	return b.MessageID
}

// resolve is every recipient of b (segment seg), in ascending id, reading
// the members the segment may hold.
func resolve(ctx context.Context, st Audience, b *Broadcast, seg Segment) ([]Recipient, error) {
	v := seg.Value
	var chapter *Chapter
	if seg.Chapter != "" {
		var err error
		if chapter, err = st.GetChapter(ctx, seg.Chapter); err != nil {
			return nil, InternalError("chapter of broadcast "+b.ID, err)
		}
	}
	var (
		users []*User
		err   error
		keep  func(u *User) bool
	)
	switch seg.Kind {
	case SegWorkshop, SegRegistrants:
		// Only the workshop's registrants are read.
		regs, err := st.Registrations(ctx, v)
		if err != nil {
			return nil, InternalError("registrations", err)
		}
		in := map[int64]bool{}
		var ids []int64
		for _, r := range regs {
			ok := r.Status == RegConfirmed && (!seg.CheckedIn || !r.CheckedInAt.IsZero())
			if seg.Kind == SegRegistrants {
				ok = seg.Status.Has(r)
			}
			if ok && !in[r.UserID] {
				in[r.UserID] = true
				ids = append(ids, r.UserID)
			}
		}
		if users, err = st.UsersOf(ctx, ids); err != nil {
			return nil, InternalError("registrants", err)
		}
		keep = func(u *User) bool { return in[u.ID] }
	case SegSector, SegProvince, SegTheme:
		if seg.Kind != SegTheme && chapter == nil {
			// The receivers among the segment's members, from the
			// indexes, reading no record.
			rs, err := st.ProfileReceivers(ctx, seg.Kind, v)
			if err == nil {
				return b.recipientsOf(rs), nil
			}
			if !errors.Is(err, ErrNoIndex) {
				return nil, InternalError("segment receivers", err)
			}
		}
		// Only the segment's members are read.
		if users, err = st.ProfileMembers(ctx, seg.Kind, v); err != nil {
			return nil, InternalError("segment members", err)
		}
		keep = func(*User) bool { return true }
	default: // SegAll, SegLang
		if chapter != nil && chapter.Kind == ChapterProvince {
			// The receivers among its provinces' members from the
			// indexes, and among those who joined by link.
			rs, err := chapterReceivers(ctx, st, chapter)
			if err == nil {
				if seg.Kind == SegLang {
					rs = slices.DeleteFunc(rs, func(r Receiver) bool { return r.Lang != v })
				}
				return b.recipientsOf(rs), nil
			}
			if !errors.Is(err, ErrNoIndex) {
				return nil, err
			}
		}
		if chapter != nil {
			// Only the chapter's members are read (a network chapter's,
			// or any on a Cluster): those who joined by link and those
			// whose profile is in its provinces (the province index's
			// members, on a Cluster their profiles checked) — which is
			// what ChapterMembers decides, so it is not asked again.
			users, err = chapterCandidates(ctx, st, chapter)
			if err != nil {
				return nil, err
			}
			chapter = nil
		} else if users, err = st.AllUsers(ctx); err != nil { // a store without the index of receivers
			return nil, InternalError("all users", err)
		}
		keep = func(*User) bool { return true }
		if seg.Kind == SegLang {
			keep = func(u *User) bool { return u.Lang == v }
		}
	}
	if c := chapter; c != nil {
		// Within a chapter: its members as they are now, at sending time.
		m, err := ChapterMembers(ctx, st, []*Chapter{c}, users)
		if err != nil {
			return nil, err
		}
		inner, in := keep, m[c.ID]
		keep = func(u *User) bool { return in[u.ID] && inner(u) }
	}
	var out []Recipient
	for _, u := range users {
		// Only members who agreed to the privacy notice receive
		// broadcasts: opening the bot once does not subscribe anyone.
		// The author is no recipient: they have the preview, and "sent to
		// 1000 members" counts members other than themselves. Turning off
		// the secretariat's updates (/settings) does not turn off what a
		// workshop's team tells its registrants, as it does not turn off
		// their reminders. (Receivers, the index, keeps the same members.)
		if u.Consent == "" || u.Inactive || (u.NoUpdates && seg.Kind != SegRegistrants) || u.ID == b.By || !keep(u) {
			continue
		}
		out = append(out, Recipient{UserID: u.ID, MessageID: b.messageFor(u.Lang)})
	}
	slices.SortFunc(out, func(a, b Recipient) int { return cmp.Compare(a.UserID, b.UserID) })
	return slices.CompactFunc(out, func(a, b Recipient) bool { return a.UserID == b.UserID }), nil
}

// recipientsOf are the receivers rs (ascending id, each once) but b's
// author, with the version in their language.
func (b *Broadcast) recipientsOf(rs []Receiver) []Recipient {
	out := make([]Recipient, 0, len(rs))
	for _, r := range rs {
		if r.ID != b.By {
			out = append(out, Recipient{UserID: r.ID, MessageID: b.messageFor(r.Lang)})
		}
	}
	return out
}

// Receives reports whether u is a receiver (Receiver): what the index of
// receivers holds.
func Receives(u *User) bool { return u.Consent != "" && !u.Inactive && !u.NoUpdates }

// chapterReceivers are the receivers among province chapter c's members
// (see ChapterMembers), in ascending id: those of its provinces from the
// store's indexes (Audience.ProfileReceivers, ErrNoIndex without them),
// and those who joined by link, whose records are read.
func chapterReceivers(ctx context.Context, st Audience, c *Chapter) ([]Receiver, error) {
	rs, err := st.ProfileReceivers(ctx, SegProvince, c.Provinces...)
	if errors.Is(err, ErrNoIndex) {
		return nil, err
	}
	if err != nil {
		return nil, InternalError("chapter receivers", err)
	}
	joined, err := st.ChapterJoined(ctx, c.ID)
	if err != nil {
		return nil, InternalError("chapter members", err)
	}
	users, err := st.UsersOf(ctx, joined)
	if err != nil {
		return nil, InternalError("chapter members", err)
	}
	for _, u := range users {
		if Receives(u) {
			rs = append(rs, Receiver{ID: u.ID, Lang: u.Lang})
		}
	}
	slices.SortFunc(rs, func(a, b Receiver) int { return cmp.Compare(a.ID, b.ID) })
	return slices.CompactFunc(rs, func(a, b Receiver) bool { return a.ID == b.ID }), nil
}

// chapterCandidates reads the users who joined chapter c by link and, for
// a province chapter, those whose profile is in one of its provinces (by
// the province index), once each.
func chapterCandidates(ctx context.Context, st Audience, c *Chapter) ([]*User, error) {
	joined, err := st.ChapterJoined(ctx, c.ID)
	if err != nil {
		return nil, InternalError("chapter members", err)
	}
	users, err := st.UsersOf(ctx, joined)
	if err != nil {
		return nil, InternalError("chapter members", err)
	}
	if c.Kind == ChapterProvince {
		for _, p := range c.Provinces {
			in, err := st.ProfileMembers(ctx, SegProvince, p)
			if err != nil {
				return nil, InternalError("chapter members", err)
			}
			users = append(users, in...)
		}
	}
	slices.SortFunc(users, func(a, b *User) int { return cmp.Compare(a.ID, b.ID) })
	return slices.CompactFunc(users, func(a, b *User) bool { return a.ID == b.ID }), nil
}
