package matchmaking

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// Matchmaking: browsing partner suggestions and filtering them.

// filterName says what the filter keeps, or nil for none.
func filterName(f flows.MatchFilter) any {
	switch {
	case f.Theme != "":
		return flows.T("theme." + f.Theme)
	case f.Province != "":
		return flows.T("province." + f.Province)
	case f.Sector != "":
		return flows.T("sector." + f.Sector)
	}
	return nil
}

// parsePos reads a card position (0-based, small).
func parsePos(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0 && n < 10_000
}

func (e *module) matchPress(ctx context.Context, t *flows.Turn, payload string) error {
	fc, p, _ := strings.Cut(payload, ":")
	f, ok := flows.ParseMatchFilter(fc)
	pos, okPos := parsePos(p)
	if !ok || !okPos {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	return e.showMatch(ctx, t, f, pos, true)
}

// myVisiblePartner loads the user's profile for browsing suggestions; when
// there is none, or it is paused, it says so and returns nil.
func (e *module) myVisiblePartner(ctx context.Context, t *flows.Turn) (*flows.PartnerProfile, error) {
	me, err := e.store.GetPartner(ctx, t.User.ID)
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("mm.no_profile"), []flows.Button{{Label: flows.T("mm.btn_create"), Data: flows.MenuData("partner")}})
		return nil, nil
	}
	if err != nil {
		return nil, flows.InternalError("get partner", err)
	}
	if !me.Visible {
		t.Say(flows.T("mm.paused_note"), []flows.Button{{Label: flows.T("mm.btn_resume"), Data: flows.MustData(routeProfile, "r")}})
		return nil, nil
	}
	return me, nil
}

// showMatch shows suggestion pos (0-based) for filter f: one card with the
// organisation, why it is suggested and what to do.
func (e *module) showMatch(ctx context.Context, t *flows.Turn, f flows.MatchFilter, pos int, edit bool) error {
	me, err := e.myVisiblePartner(ctx, t)
	if me == nil {
		return err
	}
	found, err := e.store.SuggestPartners(ctx, flows.MatchQuery{Me: me, Filter: f, Limit: matchLimit})
	if err != nil {
		return flows.InternalError("suggest partners", err)
	}
	ranked := flows.Rank(me, found, f)
	reply := flows.Reply{}
	if edit && t.In.MessageID != 0 {
		reply.EditMessageID = t.In.MessageID
	}
	fc := f.Code()
	switchRow := []flows.Button{{Label: flows.T("mm.btn_filter"), Data: flows.MustData(routeFilter, "")}}
	if f == (flows.MatchFilter{}) {
		switchRow = append(switchRow, flows.Button{Label: flows.T("mm.btn_coalition"), Data: flows.MustData(routeSuggestion, "c", "0")})
	} else {
		switchRow = append(switchRow, flows.Button{Label: flows.T("mm.btn_all"), Data: flows.MustData(routeSuggestion, "a", "0")})
	}
	if len(ranked) == 0 {
		id := "mm.none"
		switch {
		case f.Coalition:
			id = "mm.none_coalition"
		case f != (flows.MatchFilter{}):
			id = "mm.none_filtered"
		}
		reply.Text, reply.Buttons = flows.T(id), [][]flows.Button{switchRow}
		t.Send(reply)
		return nil
	}
	pos = min(pos, len(ranked)-1)
	m := ranked[pos]
	them := m.Profile

	heading := flows.T("mm.heading", "N", pos+1, "Total", len(ranked))
	if f.Coalition {
		heading = flows.T("mm.heading_coalition", "N", pos+1, "Total", len(ranked))
	} else if name := filterName(f); name != nil {
		heading = flows.T("mm.heading_filtered", "N", pos+1, "Total", len(ranked), "Filter", name)
	}
	var extra []flows.Text
	if m.Overlap.Coalition() {
		extra = append(extra, flows.CoalitionNote(m.Overlap))
	}
	canRequest := true
	if state, ok, err := e.pairState(ctx, t, me.UserID, them.UserID); err != nil {
		return err
	} else if ok {
		extra = append(extra, state)
		canRequest = false
	}
	reply.Text = flows.T("mm.match_card", "Heading", heading, "Details", partnerDetails(them),
		"Why", flows.Reasons(m.Overlap, them), "Extra", extra)
	uid := strconv.FormatInt(them.UserID, 10)
	var actions []flows.Button
	if canRequest {
		actions = append(actions, flows.Button{Label: flows.T("mm.btn_request"), Data: flows.MustData(routeRequest, uid)})
	}
	actions = append(actions, flows.Button{Label: flows.T("mm.btn_not_interested"), Data: flows.MustData(routeHide, uid, fc, strconv.Itoa(pos))})
	reply.Buttons = append(flows.Pager(routeSuggestion, pos, len(ranked), fc), actions, switchRow)
	t.Send(reply)
	return nil
}

// pairState describes an introduction between me and them that stands in
// the way of a new request (pending, accepted, or declined recently).
func (e *module) pairState(ctx context.Context, t *flows.Turn, me, them int64) (flows.Text, bool, error) {
	in, err := e.store.PairIntro(ctx, me, them)
	if errors.Is(err, flows.ErrNotFound) {
		return flows.Text{}, false, nil
	}
	if err != nil {
		return flows.Text{}, false, flows.InternalError("pair introduction", err)
	}
	switch {
	case in.Status == flows.IntroPending && in.From == me:
		return flows.T("mm.state_requested"), true, nil
	case in.Status == flows.IntroPending:
		return flows.T("mm.state_asked_you"), true, nil
	case in.Status == flows.IntroAccepted:
		return flows.T("mm.state_connected"), true, nil
	case in.Status == flows.IntroDeclined && t.In.Now.Before(in.Decided.Add(IntroCooldown)):
		return flows.T("mm.state_cooldown", "Date", e.date(in.Decided.Add(IntroCooldown))), true, nil
	}
	return flows.Text{}, false, nil
}

func (e *module) date(at time.Time) flows.When {
	return flows.When{At: at, Zone: e.cfg.Location.String(), DateOnly: true}
}

// notInterested hides a profile from the user's suggestions and shows the
// card now at the same position.
func (e *module) notInterested(ctx context.Context, t *flows.Turn, payload string) error {
	parts := strings.Split(payload, ":")
	if len(parts) != 3 {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	uid, err := strconv.ParseInt(parts[0], 10, 64)
	f, okF := flows.ParseMatchFilter(parts[1])
	pos, okPos := parsePos(parts[2])
	if err != nil || uid <= 0 || uid == t.User.ID || !okF || !okPos {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	if err := e.store.NotInterested(ctx, t.User.ID, uid); err != nil {
		return flows.InternalError("not interested", err)
	}
	t.Answer(flows.T("mm.hidden"), false)
	return e.showMatch(ctx, t, f, pos, true)
}

// filterMenu edits the card into a choice of filters: "" the kinds, "t"
// themes, "s" sectors, "p:<page>" provinces.
func (e *module) filterMenu(_ context.Context, t *flows.Turn, payload string) error {
	var text flows.Text
	var rows [][]flows.Button
	pairs := func(items []string, prefix, kind string) {
		for i := 0; i < len(items); i += 2 {
			row := []flows.Button{{Literal: t.NameLabel(prefix + items[i]), Data: flows.MustData(routeSuggestion, kind+"."+items[i], "0")}}
			if i+1 < len(items) {
				row = append(row, flows.Button{Literal: t.NameLabel(prefix + items[i+1]), Data: flows.MustData(routeSuggestion, kind+"."+items[i+1], "0")})
			}
			rows = append(rows, row)
		}
	}
	back := []flows.Button{{Label: flows.T("mm.back"), Data: flows.MustData(routeFilter, "")}}
	switch {
	case payload == "":
		text = flows.T("mm.filter_choose")
		rows = [][]flows.Button{
			{{Label: flows.T("mm.filter_theme"), Data: flows.MustData(routeFilter, "t")}, {Label: flows.T("mm.filter_province"), Data: flows.MustData(routeFilter, "p", "0")}},
			{{Label: flows.T("mm.filter_sector"), Data: flows.MustData(routeFilter, "s")}, {Label: flows.T("mm.filter_none"), Data: flows.MustData(routeSuggestion, "a", "0")}},
		}
	case payload == "t":
		text = flows.T("mm.filter_theme_choose")
		pairs(themes, "theme.", "t")
		rows = append(rows, back)
	case payload == "s":
		text = flows.T("mm.filter_sector_choose")
		pairs(sectors, "sector.", "s")
		rows = append(rows, back)
	case strings.HasPrefix(payload, "p:"):
		page, ok := parsePos(payload[2:])
		if !ok {
			t.Answer(flows.T("errors.bad_button"), true)
			return nil
		}
		pages := (len(provinces) + flows.ProvincePage - 1) / flows.ProvincePage
		page = min(page, pages-1)
		text = flows.T("mm.filter_province_choose")
		pairs(provinces[page*flows.ProvincePage:min(len(provinces), (page+1)*flows.ProvincePage)], "province.", "p")
		rows = append(rows, flows.Pager(routeFilter, page, pages, "p")...)
		rows = append(rows, back)
	default:
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	r := flows.Reply{Text: text, Buttons: rows}
	if t.In.MessageID != 0 {
		r.EditMessageID = t.In.MessageID
	}
	t.Send(r)
	return nil
}

// ---- introductions ----
