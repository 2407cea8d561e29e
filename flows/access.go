package flows

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
)

// Workshop access, shared by the capabilities that act on a workshop
// (registration, workshop management, follow-up): who may manage one, the
// workshops someone manages, loading one named by user input, and naming
// the people in it. Each takes the store it reads, so a capability passes
// its own.

// WorkshopGetter loads a workshop (ErrNotFound when there is none).
type WorkshopGetter interface {
	GetWorkshop(ctx context.Context, code string) (*Workshop, error)
}

// CanManage: the members of the workshop's team, the admins of its chapter,
// and admins.
func (t *Turn) CanManage(w *Workshop) bool {
	return t.Role == RoleAdmin || (t.Role >= RoleFacilitator && slices.Contains(w.Facilitators, t.User.ID)) ||
		(w.Chapter != "" && w.Chapter == t.ChapterAdmin())
}

// OwnsTeam: the owner of the workshop's team, and admins, who invite,
// remove and hand over.
func (t *Turn) OwnsTeam(w *Workshop) bool {
	return t.Role == RoleAdmin || (t.CanManage(w) && w.Owner == t.User.ID)
}

// Managed wraps a management button "<code>[:<arg>]": the code must name a
// workshop the user may manage — checked on every press.
func Managed(st WorkshopGetter, run func(context.Context, *Turn, *Workshop, string) error) func(context.Context, *Turn, string) error {
	return func(ctx context.Context, t *Turn, payload string) error {
		code, arg, _ := strings.Cut(payload, ":")
		w, err := st.GetWorkshop(ctx, code)
		if errors.Is(err, ErrNotFound) {
			t.Answer(T("ws.not_found"), true)
			return nil
		}
		if err != nil {
			return InternalError("get workshop", err)
		}
		if !t.CanManage(w) {
			t.Answer(T("errors.not_allowed"), true)
			return nil
		}
		return run(ctx, t, w, arg)
	}
}

// Facilitations lists the workshops someone is on the team of.
type Facilitations interface {
	Facilitated(ctx context.Context, uid int64) ([]*Workshop, error)
}

// ManagedWorkshops are the workshops the user facilitates, and a chapter
// admin's the chapter's too (in the order of Facilitated); admins manage
// every workshop.
func ManagedWorkshops(ctx context.Context, st Facilitations, t *Turn) ([]*Workshop, error) {
	uid := t.User.ID
	ch := t.ChapterAdmin()
	if t.Role == RoleAdmin || ch != "" {
		uid = 0
	}
	ws, err := st.Facilitated(ctx, uid)
	if err != nil {
		return nil, InternalError("facilitated", err)
	}
	if t.Role != RoleAdmin && ch != "" {
		ws = slices.DeleteFunc(ws, func(w *Workshop) bool { return !t.CanManage(w) })
	}
	return ws, nil
}

// FindWorkshop loads a workshop named by user input; an unknown or
// malformed code gets a polite reply and nil.
func FindWorkshop(ctx context.Context, t *Turn, st WorkshopGetter, code string) (*Workshop, error) {
	if len(code) != 6 || strings.Trim(code, CodeAlphabet) != "" {
		t.Say(T("ws.not_found"))
		return nil, nil
	}
	w, err := st.GetWorkshop(ctx, code)
	if errors.Is(err, ErrNotFound) {
		t.Say(T("ws.not_found"))
		return nil, nil
	}
	if err != nil {
		return nil, InternalError("get workshop", err)
	}
	return w, nil
}

// Names is what NameOf reads.
type Names interface {
	GetProfile(ctx context.Context, userID int64) (*Profile, error)
	GetUser(ctx context.Context, id int64) (*User, error)
}

// NameOf names user uid for people who manage them: the full name and
// organisation of their profile, else their Telegram first name, else the
// id.
func NameOf(ctx context.Context, st Names, uid int64) (string, string) {
	if p, err := st.GetProfile(ctx, uid); err == nil {
		return p.FullName, p.Organisation
	}
	if u, err := st.GetUser(ctx, uid); err == nil && u.FirstName != "" {
		return u.FirstName, ""
	}
	return strconv.FormatInt(uid, 10), ""
}

// LookupName is NameOf with the store's failures reported: an error only
// when the store failed (not for a user it does not know).
func LookupName(ctx context.Context, st Names, uid int64) (name, org string, err error) {
	p, err := st.GetProfile(ctx, uid)
	if err == nil {
		return p.FullName, p.Organisation, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return "", "", InternalError("profile", err)
	}
	u, err := st.GetUser(ctx, uid)
	switch {
	case err == nil && u.FirstName != "": // names are kept only under consent
		return u.FirstName, "", nil
	case err != nil && !errors.Is(err, ErrNotFound):
		return "", "", InternalError("user", err)
	}
	return strconv.FormatInt(uid, 10), "", nil
}
