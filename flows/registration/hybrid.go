package registration

import (
	"context"
	"errors"
	"strings"

	"sinergi/flows"
)

// Registration: hybrid workshops (flows.FormatHybrid). A participant
// chooses on site or online when registering (routeJoinAs), each mode with
// its own seats and waiting list; the card shows the seats left of each.
// They may switch mode (routeSwitch) from the card or /mine: to a free
// seat of the other mode at once, or, when none is free, only by giving up
// their place for the other mode's waiting list (asked first) — never two
// places. The online link reaches confirmed online participants only
// (flows.ForAttendee, flows.GetsLink): the confirmation and its calendar
// file, reminders, the start message, date changes; never the public card,
// on-site, waiting, pending or offered people.

const (
	routeJoinAs = "registration.join_as" // <code>:<onsite|online>: register in a mode of a hybrid workshop
	routeSwitch = "registration.switch"  // <code>:<onsite|online>[:g]: switch to that mode (g: giving up one's place when full)
)

// modeData, in a form flow's answers, is the mode the registration joins.
const modeData = "ws_mode"

func (e *module) registerHybrid(r *flows.Registry) {
	r.Route(&flows.Route{Name: routeJoinAs, Run: func(ctx context.Context, t *flows.Turn, p string) error {
		code, mode, _ := strings.Cut(p, ":")
		if mode != flows.ModeOnsite && mode != flows.ModeOnline {
			t.Answer(flows.T("errors.bad_button"), true)
			return nil
		}
		return e.registerFor(ctx, t, code, mode)
	}})
	r.Route(&flows.Route{Name: routeSwitch, Run: e.switchMode})
}

// modeText is "on site" or "online".
func modeText(mode string) flows.Text { return flows.T("ws.mode." + mode) }

// chooseMode asks how the user attends hybrid workshop w.
func chooseMode(t *flows.Turn, w *flows.Workshop, onsite, online flows.Counts) {
	t.Say(flows.T("ws.choose_mode", "Title", w.Title), modeButtons(w, onsite, online))
}

// modeButtons are the two registration buttons of a hybrid workshop: a
// seat, or the waiting list of a mode that is full.
func modeButtons(w *flows.Workshop, onsite, online flows.Counts) []flows.Button {
	label := func(mode string, c flows.Counts) flows.Text {
		if modeFull(w, mode, c) {
			return flows.T("ws.btn_waitlist_" + mode)
		}
		return flows.T("ws.btn_register_" + mode)
	}
	return []flows.Button{
		{Label: label(flows.ModeOnsite, onsite), Data: flows.MustData(routeJoinAs, w.Code, flows.ModeOnsite)},
		{Label: label(flows.ModeOnline, online), Data: flows.MustData(routeJoinAs, w.Code, flows.ModeOnline)},
	}
}

// modeFull: a newcomer to mode waits (no seat left, or people wait).
func modeFull(w *flows.Workshop, mode string, c flows.Counts) bool {
	capacity := w.ModeCapacity(mode)
	return capacity > 0 && (c.Confirmed+c.Offered >= capacity || c.Waiting > 0)
}

// modeSeats is one mode's line of seats on the card.
func modeSeats(w *flows.Workshop, mode string, c flows.Counts) flows.Text {
	capacity := w.ModeCapacity(mode)
	switch {
	case capacity == 0:
		return flows.T("ws.seats_unlimited", "N", c.Confirmed)
	case modeFull(w, mode, c):
		return flows.T("ws.mode_full", "Waiting", c.Waiting)
	}
	return flows.T("ws.seats_left", "Left", capacity-c.Confirmed-c.Offered, "Count", capacity)
}

// hybridSeats are the seats left of each mode, for the card.
func (e *module) hybridSeats(ctx context.Context, w *flows.Workshop) (flows.Text, flows.Counts, flows.Counts, error) {
	onsite, online, err := e.store.ModeCounts(ctx, w.Code)
	if err != nil {
		return flows.Text{}, onsite, online, flows.InternalError("mode counts", err)
	}
	return flows.T("ws.hybrid_seats", "Onsite", modeSeats(w, flows.ModeOnsite, onsite), "Online", modeSeats(w, flows.ModeOnline, online)), onsite, online, nil
}

// statusText is where r stands, with how they attend a hybrid workshop.
func statusText(w *flows.Workshop, r *flows.Registration) flows.Text {
	s := regStatusText(w, r)
	if mode := flows.ModeOf(w, r); mode != "" {
		return flows.T("ws.you_mode", "Status", s, "Mode", modeText(mode))
	}
	return s
}

// switchButton offers r's registrant of hybrid workshop w the other mode;
// nil when w is not hybrid or a seat is offered to them (they answer the
// offer first).
func switchButton(w *flows.Workshop, r *flows.Registration) []flows.Button {
	mode := flows.ModeOf(w, r)
	if mode == "" || r.Status == flows.RegOffered {
		return nil
	}
	to := flows.ModeOnline
	if mode == flows.ModeOnline {
		to = flows.ModeOnsite
	}
	return []flows.Button{{Label: flows.T("ws.btn_switch_" + to), Data: flows.MustData(routeSwitch, w.Code, to)}}
}

// askModeIfHybrid asks the mode of a registration of hybrid workshop w
// that lacks one; it returns true when it asked.
func (e *module) askModeIfHybrid(ctx context.Context, t *flows.Turn, w *flows.Workshop, mode string) (bool, error) {
	if !w.Hybrid() || mode == flows.ModeOnsite || mode == flows.ModeOnline {
		return false, nil
	}
	_, onsite, online, err := e.hybridSeats(ctx, w)
	if err != nil {
		return true, err
	}
	chooseMode(t, w, onsite, online)
	return true, nil
}

// registrationMode is the mode a registration of w joins: mode for a
// hybrid workshop, "" (its only list) for any other.
func registrationMode(w *flows.Workshop, mode string) string {
	if !w.Hybrid() {
		return ""
	}
	return mode
}

// switchMode moves the user's registration to the other mode (payload
// <code>:<mode>[:g]).
func (e *module) switchMode(ctx context.Context, t *flows.Turn, p string) error {
	parts := strings.Split(p, ":")
	if len(parts) < 2 || (parts[1] != flows.ModeOnsite && parts[1] != flows.ModeOnline) {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	to, giveUp := parts[1], len(parts) > 2 && parts[2] == "g"
	w, err := flows.FindWorkshop(ctx, t, e.store, parts[0])
	if w == nil {
		return err
	}
	uid := t.User.ID
	r, promoted, err := e.store.SwitchMode(ctx, w.Code, uid, to, giveUp, t.In.Now)
	switch {
	case errors.Is(err, flows.ErrModeFull):
		_, onsite, online, cerr := e.hybridSeats(ctx, w)
		if cerr != nil {
			return cerr
		}
		waiting := onsite.Waiting
		if to == flows.ModeOnline {
			waiting = online.Waiting
		}
		t.Say(flows.T("ws.switch_full", "Title", w.Title, "Mode", modeText(to), "Waiting", waiting), []flows.Button{
			{Label: flows.T("ws.btn_switch_giveup"), Data: flows.MustData(routeSwitch, w.Code, to, "g")},
			{Label: flows.T("ws.keep_place"), Data: flows.MustData(routeShow, w.Code)}})
		return nil
	case errors.Is(err, flows.ErrSameMode):
		t.Answer(flows.T("ws.switch_same", "Mode", modeText(to)), true)
		return nil
	case errors.Is(err, flows.ErrSwitchOffered):
		t.Answer(flows.T("ws.switch_offered"), true)
		return nil
	case errors.Is(err, flows.ErrSwitchStarted):
		t.Answer(flows.T("ws.switch_started"), true)
		return nil
	case errors.Is(err, flows.ErrWorkshopCancelled):
		t.Answer(flows.T("ws.cancelled_note"), true)
		return nil
	case errors.Is(err, flows.ErrNotFound):
		t.Answer(flows.T("ws.not_registered"), true)
		return nil
	case err != nil:
		return flows.InternalError("switch mode", err)
	}
	if t.In.MessageID != 0 {
		t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	leave := []flows.Button{{Label: flows.T("ws.btn_unregister"), Data: flows.MustData(routeLeave, w.Code)}}
	switch r.Status {
	case flows.RegConfirmed:
		if err := flows.PlanReminders(ctx, e.store, w, uid, t.In.Now); err != nil {
			return err
		}
		for _, reply := range e.confirmation(w, r, 0, "", t.In.Now, "ws.switched_"+to) {
			t.Send(reply)
		}
		// Confirmed in the other mode (a new registration number there): the
		// sessions chosen under the old one lapsed, so choose them again.
		if err := t.AgendaConfirmed(ctx, w); err != nil {
			return err
		}
	case flows.RegWaiting:
		if err := e.store.Unschedule(ctx, flows.ReminderIDs(w.Code, uid)...); err != nil {
			return flows.InternalError("unschedule", err)
		}
		t.Say(flows.T("ws.switched_waiting", "Title", w.Title, "Mode", modeText(to), "Pos", r.Position), leave)
	default:
		t.Say(flows.T("ws.switched_pending", "Title", w.Title, "Mode", modeText(to)), leave)
	}
	return e.tellAll(ctx, t, w, promoted)
}

// completeRegistration registers with the answers of a flow, in the mode
// the flow's answers hold (modeData).
func (e *module) completeRegistration(ctx context.Context, t *flows.Turn, w *flows.Workshop, answer string, answers map[string]string) error {
	return e.completeRegistrationAs(ctx, t, w, answer, answers, t.Session.Data[modeData])
}

// regStatusText is where r stands.
func regStatusText(w *flows.Workshop, r *flows.Registration) flows.Text {
	switch r.Status {
	case flows.RegWaiting:
		return flows.T("ws.you_waiting", "Pos", r.Position)
	case flows.RegOffered:
		return flows.T("ws.you_offered", "Until", flows.When{At: r.OfferExpires, Zone: w.Zone})
	case flows.RegPending:
		return flows.T("ws.you_pending")
	}
	if !r.CheckedInAt.IsZero() {
		return flows.T("ws.you_checked_in")
	}
	return flows.T("ws.you_confirmed")
}

// place is the venue and/or the online link.
func place(w *flows.Workshop) flows.Text {
	switch {
	case w.Venue != "" && w.OnlineURL != "":
		return flows.T("ws.place_hybrid", "Venue", w.Venue, "Link", w.OnlineURL)
	case w.Venue != "":
		return flows.T("ws.place_venue", "Venue", w.Venue)
	}
	return flows.T("ws.place_online", "Link", w.OnlineURL)
}
