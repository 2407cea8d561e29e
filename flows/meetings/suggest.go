package meetings

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"sinergi/flows"
)

// Whom to meet here: the organisations registered for the workshop,
// ranked and explained as /matches ranks them (flows.Rank), filtered by
// sector or province, coalition candidates marked.

var (
	sectors   = flows.Sectors()
	provinces = flows.Provinces()
)

// registered reports whether uid holds a confirmed seat at code.
func (e *module) registered(ctx context.Context, code string, uid int64) (bool, error) {
	r, err := e.store.GetRegistration(ctx, code, uid)
	if errors.Is(err, flows.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, flows.InternalError("get registration", err)
	}
	return r.Status == flows.RegConfirmed, nil
}

// attendee checks that the presser may meet at w: meetings set up, a
// confirmed registration, a visible organisation profile. It says what is
// missing itself and returns nil then.
func (e *module) attendee(ctx context.Context, t *flows.Turn, w *flows.Workshop) (*flows.MeetingSetup, *flows.PartnerProfile, error) {
	if w.Cancelled {
		refuse(t, "mt.ws_cancelled", "Title", w.Title)
		return nil, nil, nil
	}
	s, err := e.store.MeetingSetup(ctx, w.Code)
	if errors.Is(err, flows.ErrNotFound) {
		refuse(t, "mt.off")
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, flows.InternalError("meeting setup", err)
	}
	if ok, err := e.registered(ctx, w.Code, t.User.ID); err != nil || !ok {
		if err == nil {
			refuse(t, "mt.not_registered_you", "Title", w.Title)
		}
		return nil, nil, err
	}
	me, err := e.store.GetPartner(ctx, t.User.ID)
	if errors.Is(err, flows.ErrNotFound) || (err == nil && !me.Visible) {
		t.Say(flows.T("mt.no_profile"), []flows.Button{{Label: flows.T("mt.btn_profile"), Data: flows.MenuData("partner")}})
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, flows.InternalError("get partner", err)
	}
	return s, me, nil
}

// candidates are the visible organisation profiles of the others with a
// confirmed seat at code.
func (e *module) candidates(ctx context.Context, code string, me int64) ([]*flows.PartnerProfile, error) {
	regs, err := e.store.Registrations(ctx, code)
	if err != nil {
		return nil, flows.InternalError("registrations", err)
	}
	var out []*flows.PartnerProfile
	for _, r := range regs {
		if r.Status != flows.RegConfirmed || r.UserID == me {
			continue
		}
		p, err := e.store.GetPartner(ctx, r.UserID)
		if errors.Is(err, flows.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, flows.InternalError("get partner", err)
		}
		if p.Visible {
			out = append(out, p)
		}
	}
	return out, nil
}

func (e *module) suggestPress(ctx context.Context, t *flows.Turn, payload string) error {
	parts := strings.Split(payload, ":")
	if len(parts) != 3 {
		return badButton(t)
	}
	f, ok := flows.ParseMatchFilter(parts[1])
	pos, err := strconv.Atoi(parts[2])
	if !ok || err != nil || pos < 0 || pos > 10_000 {
		return badButton(t)
	}
	w, err := e.store.GetWorkshop(ctx, parts[0])
	if errors.Is(err, flows.ErrNotFound) {
		return badButton(t)
	}
	if err != nil {
		return flows.InternalError("get workshop", err)
	}
	return e.showSuggestion(ctx, t, w, f, pos)
}

// showSuggestion shows suggestion pos for filter f at w: the organisation,
// why, a coalition note, and Request / the state of the pair's meeting.
func (e *module) showSuggestion(ctx context.Context, t *flows.Turn, w *flows.Workshop, f flows.MatchFilter, pos int) error {
	_, me, err := e.attendee(ctx, t, w)
	if me == nil {
		return err
	}
	others, err := e.candidates(ctx, w.Code, me.UserID)
	if err != nil {
		return err
	}
	ranked := flows.Rank(me, others, f)
	switchRow := []flows.Button{{Label: flows.T("mt.btn_filter"), Data: flows.MustData(routeFilter, w.Code)}}
	if f == (flows.MatchFilter{}) {
		switchRow = append(switchRow, flows.Button{Label: flows.T("mt.btn_coalition"), Data: flows.MustData(routeSuggest, w.Code, "c", "0")})
	} else {
		switchRow = append(switchRow, flows.Button{Label: flows.T("mt.btn_all"), Data: flows.MustData(routeSuggest, w.Code, "a", "0")})
	}
	if len(ranked) == 0 {
		t.Send(edit(t, flows.Reply{Text: flows.T("mt.none_here", "Title", w.Title), Buttons: [][]flows.Button{switchRow}}))
		return nil
	}
	pos = min(pos, len(ranked)-1)
	m := ranked[pos]
	var extra []flows.Text
	if m.Overlap.Coalition() {
		extra = append(extra, flows.CoalitionNote(m.Overlap))
	}
	mine, err := e.store.UserMeetings(ctx, w.Code, me.UserID)
	if err != nil {
		return flows.InternalError("user meetings", err)
	}
	canAsk := true
	for _, x := range mine {
		if x.Party(m.Profile.UserID) && x.Status.Open() {
			extra = append(extra, flows.T("mt.state_"+string(x.Status)))
			canAsk = false
		}
	}
	fc := f.Code()
	rows := flows.Pager(routeSuggest, pos, len(ranked), w.Code, fc)
	if canAsk {
		rows = append(rows, []flows.Button{{Label: flows.T("mt.btn_request"), Data: flows.MustData(routeRequest, w.Code, strconv.FormatInt(m.Profile.UserID, 10))}})
	}
	rows = append(rows, switchRow)
	t.Send(edit(t, flows.Reply{Text: flows.T("mt.suggestion", "Title", w.Title, "N", pos+1, "Total", len(ranked),
		"Org", m.Profile.Org, "Sector", flows.T("sector."+m.Profile.Sector), "Provinces", flows.ListText("province.", m.Profile.Provinces),
		"Why", flows.Reasons(m.Overlap, m.Profile), "Extra", extra), Buttons: rows}))
	return nil
}

// filterMenu offers the filters: coalition, each sector, and the provinces
// of the organisations here.
func (e *module) filterMenu(ctx context.Context, t *flows.Turn, code string) error {
	w, err := e.store.GetWorkshop(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		return badButton(t)
	}
	if err != nil {
		return flows.InternalError("get workshop", err)
	}
	others, err := e.candidates(ctx, code, t.User.ID)
	if err != nil {
		return err
	}
	var provs []string
	for _, p := range others {
		provs = append(provs, p.Provinces...)
	}
	rows := [][]flows.Button{{{Label: flows.T("mt.btn_all"), Data: flows.MustData(routeSuggest, w.Code, "a", "0")},
		{Label: flows.T("mt.btn_coalition"), Data: flows.MustData(routeSuggest, w.Code, "c", "0")}}}
	var row []flows.Button
	add := func(label flows.Text, fc string) {
		row = append(row, flows.Button{Label: label, Data: flows.MustData(routeSuggest, w.Code, fc, "0")})
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	for _, s := range sectors {
		add(flows.T("sector."+s), "s."+s)
	}
	for _, p := range provinces {
		if slices.Contains(provs, p) {
			add(flows.T("province."+p), "p."+p)
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	t.Send(edit(t, flows.Reply{Text: flows.T("mt.filter_choose"), Buttons: rows}))
	return nil
}
