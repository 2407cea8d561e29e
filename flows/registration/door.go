package registration

import (
	"context"
	"errors"
	"strconv"
	"time"

	"sinergi/flows"
)

// Door check-in without the QR code: the team searches the confirmed
// registrants by name or organisation (part of either, case and accents
// aside) and checks one in, in the same window as the QR link's.

const (
	routeDoor   = "registration.door"    // <code>: search a registrant to check in (team)
	routeDoorIn = "registration.door_in" // <code>:<uid>: checks them in (team)
	doorFlow    = "wsdoor"
	// doorMatches is how many matches a search shows.
	doorMatches = 8
	// maxDoorQuery bounds a search, in characters.
	maxDoorQuery = 100
)

func (e *module) registerDoor(r *flows.Registry) {
	r.Route(&flows.Route{Name: routeDoor, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.doorSearch)})
	r.Route(&flows.Route{Name: routeDoorIn, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.doorCheckIn)})
	// Each search shows its matches and asks for the next: the step never
	// finishes, /cancel (or another command) ends the search.
	r.Flow(&flows.Flow{Name: doorFlow, Done: func(context.Context, *flows.Turn) error { return nil }, Steps: []*flows.Step{
		{Name: "query", Parse: e.doorQuery, Prompt: flows.Ask("door.ask")},
	}})
}

// checkInRefusal explains why check-in at w is not open at now (nil when
// it is): before Config.CheckInOpens ahead of the start, or from
// Config.CheckInCloses after the end.
func (e *module) checkInRefusal(w *flows.Workshop, now time.Time) *flows.Text {
	if opens := w.Start.Add(-e.cfg.CheckInOpens); now.Before(opens) {
		t := flows.T("checkin.too_early", "Title", w.Title, "Opens", flows.When{At: opens, Zone: w.Zone})
		return &t
	}
	if closed := w.End.Add(e.cfg.CheckInCloses); w.End.After(w.Start) && !now.Before(closed) {
		t := flows.T("checkin.too_late", "Title", w.Title, "Closed", flows.When{At: closed, Zone: w.Zone})
		return &t
	}
	return nil
}

func (e *module) doorSearch(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if refusal := e.checkInRefusal(w, t.In.Now); refusal != nil {
		t.Say(*refusal)
		return nil
	}
	return t.StartFlowAt(ctx, doorFlow, "query", map[string]string{"code": w.Code})
}

// doorQuery lists the confirmed registrants matching the search, each a
// button that checks them in, and asks for the next search.
func (e *module) doorQuery(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
	query, err := flows.TextBetween(in, 1, maxDoorQuery)
	if err != nil {
		return "", err
	}
	w, err := e.store.GetWorkshop(ctx, t.Session.Data["code"])
	if err != nil {
		return "", flows.InternalError("door workshop", err)
	}
	if !t.CanManage(w) {
		return "", flows.Refuse("errors.not_allowed")
	}
	regs, err := e.store.Registrations(ctx, w.Code)
	if err != nil {
		return "", flows.InternalError("registrations", err)
	}
	var rows [][]flows.Button
	found := 0
	for _, r := range regs {
		if r.Status != flows.RegConfirmed || flows.ModeOf(w, r) == flows.ModeOnline { // online: not at the door
			continue
		}
		name, org := flows.NameOf(ctx, e.store, r.UserID)
		if !flows.MatchesAny(query, name, org) {
			continue
		}
		found++
		if found > doorMatches {
			continue
		}
		label := flows.T("door.match", "Name", name, "Org", org)
		if !r.CheckedInAt.IsZero() {
			label = flows.T("door.match_in", "Name", name, "Org", org)
		}
		rows = append(rows, []flows.Button{{Label: label, Data: flows.MustData(routeDoorIn, w.Code, strconv.FormatInt(r.UserID, 10))}})
	}
	switch {
	case found == 0:
		t.Say(flows.T("door.none", "Query", query))
	case found > doorMatches:
		t.Say(flows.T("door.many", "Query", query, "Count", found, "Shown", doorMatches), rows...)
	default:
		t.Say(flows.T("door.found", "Query", query, "Count", found), rows...)
	}
	return "", flows.Goto("query")
}

// doorCheckIn checks a confirmed registrant in from the search, as their
// QR link would.
func (e *module) doorCheckIn(ctx context.Context, t *flows.Turn, w *flows.Workshop, arg string) error {
	uid, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	if refusal := e.checkInRefusal(w, t.In.Now); refusal != nil {
		t.Say(*refusal)
		return nil
	}
	if err := e.checkInPerson(ctx, t, w, uid); err != nil {
		return err
	}
	// On to the next person at the door.
	return t.StartFlowAt(ctx, doorFlow, "query", map[string]string{"code": w.Code})
}

// checkInPerson marks uid present at w (the window checked), says so to
// the team member and welcomes them the first time.
func (e *module) checkInPerson(ctx context.Context, t *flows.Turn, w *flows.Workshop, uid int64) error {
	first, err := e.store.CheckIn(ctx, w.Code, uid, t.In.Now)
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("checkin.not_confirmed"))
		return nil
	}
	if err != nil {
		return flows.InternalError("check in", err)
	}
	if first {
		if err := t.Audit(ctx, flows.AuditCheckIn, w.Code, uid); err != nil {
			return err
		}
	}
	name, org := flows.NameOf(ctx, e.store, uid)
	if !first {
		t.Say(flows.T("checkin.again", "Name", name, "Title", w.Title))
		// Scanned again during a session: that session is marked.
		return t.CheckedIn(ctx, w, uid, true)
	}
	c, err := e.store.Counts(ctx, w.Code)
	if err != nil {
		return flows.InternalError("counts", err)
	}
	t.Say(flows.T("checkin.done", "Name", name, "Org", org, "Title", w.Title, "N", c.CheckedIn, "Of", c.Confirmed))
	lang := ""
	if u, err := e.store.GetUser(ctx, uid); err == nil {
		lang = u.Lang
	}
	t.Send(flows.Reply{ChatID: uid, Lang: lang, Bulk: true, Text: flows.T("checkin.welcome", "Title", w.Title)})
	return t.CheckedIn(ctx, w, uid, true)
}

// checkIn runs when someone opens a participant's QR link: a facilitator of
// that workshop (or an admin) checks them in, from Config.CheckInOpens
// before the start on; anyone else is refused.
func (e *module) checkIn(ctx context.Context, t *flows.Turn, token string) error {
	code, uid, err := e.store.CheckinToken(ctx, token)
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("checkin.invalid"))
		return nil
	}
	if err != nil {
		return flows.InternalError("checkin token", err)
	}
	w, err := e.store.GetWorkshop(ctx, code)
	if err != nil {
		return flows.InternalError("checkin workshop", err)
	}
	if !t.CanManage(w) {
		if uid == t.User.ID {
			t.Say(flows.T("checkin.own_code", "Title", w.Title))
		} else {
			t.Say(flows.T("checkin.not_facilitator"))
		}
		return nil
	}
	if refusal := e.checkInRefusal(w, t.In.Now); refusal != nil {
		t.Say(*refusal)
		return nil
	}
	return e.checkInPerson(ctx, t, w, uid)
}
