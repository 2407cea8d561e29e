package flows

import (
	"context"
	"errors"
	"slices"
	"time"
)

// A chapter is a part of a federated forum: a provincial chapter of a
// national CSR forum (kind province, covering one or more provinces) or one
// network of an alliance (kind network). A chapter has its admins (users
// whose User.Chapter names it), its workshops (Workshop.Chapter), its
// members (see ChapterMembers) and, later, its linked groups and the teams
// of its workshops, which hang off the chapter's id the same way.

// ChapterKind is what a chapter is.
type ChapterKind string

// Chapter kinds.
const (
	ChapterProvince ChapterKind = "province" // members also join by their profile's province
	ChapterNetwork  ChapterKind = "network"  // members join only by the chapter's link
)

// Chapter is one chapter of the forum.
type Chapter struct {
	ID        string      `json:"id"` // NewCode(): the deep link chapter_<id>
	Name      string      `json:"name"`
	Kind      ChapterKind `json:"kind"`
	Provinces []string    `json:"provinces,omitempty"` // province codes it covers
	By        int64       `json:"by"`
	Created   time.Time   `json:"created"`
}

// Covers reports whether a member whose profile is in province prov belongs
// to the chapter by that province (province chapters only).
func (c *Chapter) Covers(prov string) bool {
	return c.Kind == ChapterProvince && prov != "" && slices.Contains(c.Provinces, prov)
}

// ErrChapterTaken: a new chapter's id is another chapter's.
var ErrChapterTaken = errors.New("chapter id taken")

// ChapterInvite is a one-time link that makes its user an admin of a
// chapter.
type ChapterInvite struct {
	Token   string    `json:"token"`
	Chapter string    `json:"chapter"`
	By      int64     `json:"by"`
	Created time.Time `json:"created"`
}

// ChapterReader reads chapters and who joined them by link.
type ChapterReader interface {
	// GetChapter returns a chapter (ErrNotFound when there is none).
	GetChapter(ctx context.Context, id string) (*Chapter, error)
	// ListChapters returns every chapter, oldest first (equal times by id).
	ListChapters(ctx context.Context) ([]*Chapter, error)
	// ChapterJoined lists the users who joined chapter id by its link, in
	// increasing order.
	ChapterJoined(ctx context.Context, id string) ([]int64, error)
	// JoinedChapters lists the chapters uid joined by link, by id.
	JoinedChapters(ctx context.Context, uid int64) ([]string, error)
}

// Chapters stores chapters, their members by link, and chapter-admin
// invitations. Forgetting a user (Privacy.ForgetUser) takes them out of
// every chapter.
type Chapters interface {
	ChapterReader
	// CreateChapter stores a new chapter (ErrChapterTaken when its id is
	// another's).
	CreateChapter(ctx context.Context, c *Chapter) error
	// JoinChapter adds uid to chapter id's members by link (ErrNotFound
	// when there is no such chapter); joining twice is joining once.
	JoinChapter(ctx context.Context, id string, uid int64) error
	// UpdateChapter renames chapter id and, for a province chapter, sets
	// the provinces it covers (a network's stay none); its members by
	// province follow at once, being read from the profiles. ErrNotFound
	// when there is no such chapter.
	UpdateChapter(ctx context.Context, id, name string, provinces []string) (*Chapter, error)
	// DeleteChapter deletes chapter id: its admins no longer administer it,
	// its members by link and its admin invitations go, and its workshops
	// become national. ErrNotFound when there is no such chapter (what
	// remained of one deleted half-way is finished all the same).
	DeleteChapter(ctx context.Context, id string) error
	// LeaveChapter takes uid out of chapter id's members by link
	// (ErrNotFound when they had not joined it by link).
	LeaveChapter(ctx context.Context, id string, uid int64) error
	// SetChapterAdmin changes only the chapter an existing user administers
	// ("" none; ErrNotFound when there is no such user).
	SetChapterAdmin(ctx context.Context, uid int64, chapter string) error
	CreateChapterInvite(ctx context.Context, inv *ChapterInvite, ttl time.Duration) error
	// TakeChapterInvite returns the invitation and deletes it atomically
	// (ErrNotFound when unknown, used or expired).
	TakeChapterInvite(ctx context.Context, token string) (*ChapterInvite, error)
}

// ChapterAdmin is the chapter the acting user administers, "" when none —
// and "" for national admins, who act on everything.
func (t *Turn) ChapterAdmin() string {
	if t.Role >= RoleAdmin || t.User == nil {
		return ""
	}
	return t.User.Chapter
}

// Membership is who belongs to which chapters.
type Membership map[string]map[int64]bool

// ChapterMembers is who belongs to each of chs: the users who joined by the
// chapter's link and, for a province chapter, every user whose profile is in
// one of its provinces — read now, so a changed province moves the member
// and a forgotten user (no profile, no user record) is nobody's member.
// users are the users to consider (st.AllUsers when nil).
func ChapterMembers(ctx context.Context, st interface {
	ChapterReader
	Members
}, chs []*Chapter, users []*User) (Membership, error) {
	out := Membership{}
	if len(chs) == 0 {
		return out, nil
	}
	if users == nil {
		var err error
		if users, err = st.AllUsers(ctx); err != nil {
			return nil, InternalError("all users", err)
		}
	}
	known := make(map[int64]bool, len(users))
	ids := make([]int64, len(users))
	for i, u := range users {
		known[u.ID], ids[i] = true, u.ID
	}
	var profiles map[int64]*Profile
	if slices.ContainsFunc(chs, func(c *Chapter) bool { return c.Kind == ChapterProvince }) {
		var err error
		if profiles, err = st.ProfilesOf(ctx, ids); err != nil {
			return nil, InternalError("profiles", err)
		}
	}
	for _, c := range chs {
		in := map[int64]bool{}
		joined, err := st.ChapterJoined(ctx, c.ID)
		if err != nil {
			return nil, InternalError("chapter members", err)
		}
		for _, uid := range joined {
			if known[uid] {
				in[uid] = true
			}
		}
		for uid, p := range profiles {
			if c.Covers(p.Province) {
				in[uid] = true
			}
		}
		out[c.ID] = in
	}
	return out, nil
}

// ChaptersOf are the chapters uid belongs to (see ChapterMembers), oldest
// first; p is uid's profile or nil.
func ChaptersOf(ctx context.Context, st ChapterReader, uid int64, p *Profile) ([]*Chapter, error) {
	all, err := st.ListChapters(ctx)
	if err != nil {
		return nil, InternalError("chapters", err)
	}
	if len(all) == 0 {
		return nil, nil
	}
	joined, err := st.JoinedChapters(ctx, uid)
	if err != nil {
		return nil, InternalError("joined chapters", err)
	}
	var out []*Chapter
	for _, c := range all {
		if slices.Contains(joined, c.ID) || (p != nil && c.Covers(p.Province)) {
			out = append(out, c)
		}
	}
	return out, nil
}
