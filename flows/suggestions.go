package flows

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Matchmaking: browsing partner suggestions and filtering them.

// filterCode is a filter in callback data: "a" (none), "c" (coalition
// candidates), "t.<theme>", "p.<province>" or "s.<sector>".
func (f MatchFilter) filterCode() string {
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

func parseFilterCode(s string) (MatchFilter, bool) {
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

// filterName says what the filter keeps, or nil for none.
func (f MatchFilter) filterName() any {
	switch {
	case f.Theme != "":
		return T("theme." + f.Theme)
	case f.Province != "":
		return T("province." + f.Province)
	case f.Sector != "":
		return T("sector." + f.Sector)
	}
	return nil
}

// parsePos reads a card position (0-based, small).
func parsePos(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0 && n < 10_000
}

func (e *Engine) matchPress(ctx context.Context, t *Turn, payload string) error {
	fc, p, _ := strings.Cut(payload, ":")
	f, ok := parseFilterCode(fc)
	pos, okPos := parsePos(p)
	if !ok || !okPos {
		t.Answer(T("errors.bad_button"), true)
		return nil
	}
	return e.showMatch(ctx, t, f, pos, true)
}

// myVisiblePartner loads the user's profile for browsing suggestions; when
// there is none, or it is paused, it says so and returns nil.
func (e *Engine) myVisiblePartner(ctx context.Context, t *Turn) (*PartnerProfile, error) {
	me, err := e.store.GetPartner(ctx, t.User.ID)
	if errors.Is(err, ErrNotFound) {
		t.Say(T("mm.no_profile"), []Button{{Label: T("mm.btn_create"), Data: MustData("m", "partner")}})
		return nil, nil
	}
	if err != nil {
		return nil, InternalError("get partner", err)
	}
	if !me.Visible {
		t.Say(T("mm.paused_note"), []Button{{Label: T("mm.btn_resume"), Data: MustData("mmp", "r")}})
		return nil, nil
	}
	return me, nil
}

// showMatch shows suggestion pos (0-based) for filter f: one card with the
// organisation, why it is suggested and what to do.
func (e *Engine) showMatch(ctx context.Context, t *Turn, f MatchFilter, pos int, edit bool) error {
	me, err := e.myVisiblePartner(ctx, t)
	if me == nil {
		return err
	}
	found, err := e.store.SuggestPartners(ctx, MatchQuery{Me: me, Filter: f, Limit: matchLimit})
	if err != nil {
		return InternalError("suggest partners", err)
	}
	ranked := Rank(me, found, f)
	reply := Reply{}
	if edit && t.In.MessageID != 0 {
		reply.EditMessageID = t.In.MessageID
	}
	fc := f.filterCode()
	switchRow := []Button{{Label: T("mm.btn_filter"), Data: MustData("mmf", "")}}
	if f == (MatchFilter{}) {
		switchRow = append(switchRow, Button{Label: T("mm.btn_coalition"), Data: MustData("mm", "c", "0")})
	} else {
		switchRow = append(switchRow, Button{Label: T("mm.btn_all"), Data: MustData("mm", "a", "0")})
	}
	if len(ranked) == 0 {
		id := "mm.none"
		switch {
		case f.Coalition:
			id = "mm.none_coalition"
		case f != (MatchFilter{}):
			id = "mm.none_filtered"
		}
		reply.Text, reply.Buttons = T(id), [][]Button{switchRow}
		t.Send(reply)
		return nil
	}
	pos = min(pos, len(ranked)-1)
	m := ranked[pos]
	them := m.Profile

	heading := T("mm.heading", "N", pos+1, "Total", len(ranked))
	if f.Coalition {
		heading = T("mm.heading_coalition", "N", pos+1, "Total", len(ranked))
	} else if name := f.filterName(); name != nil {
		heading = T("mm.heading_filtered", "N", pos+1, "Total", len(ranked), "Filter", name)
	}
	var extra []Text
	if m.Overlap.Coalition() {
		extra = append(extra, CoalitionNote(m.Overlap))
	}
	canRequest := true
	if state, ok, err := e.pairState(ctx, t, me.UserID, them.UserID); err != nil {
		return err
	} else if ok {
		extra = append(extra, state)
		canRequest = false
	}
	reply.Text = T("mm.match_card", "Heading", heading, "Details", partnerDetails(them),
		"Why", Reasons(m.Overlap, them), "Extra", extra)
	uid := strconv.FormatInt(them.UserID, 10)
	var actions []Button
	if canRequest {
		actions = append(actions, Button{Label: T("mm.btn_request"), Data: MustData("mmi", uid)})
	}
	actions = append(actions, Button{Label: T("mm.btn_not_interested"), Data: MustData("mmx", uid, fc, strconv.Itoa(pos))})
	reply.Buttons = append(pager("mm", pos, len(ranked), fc), actions, switchRow)
	t.Send(reply)
	return nil
}

// pairState describes an introduction between me and them that stands in
// the way of a new request (pending, accepted, or declined recently).
func (e *Engine) pairState(ctx context.Context, t *Turn, me, them int64) (Text, bool, error) {
	in, err := e.store.PairIntro(ctx, me, them)
	if errors.Is(err, ErrNotFound) {
		return Text{}, false, nil
	}
	if err != nil {
		return Text{}, false, InternalError("pair introduction", err)
	}
	switch {
	case in.Status == IntroPending && in.From == me:
		return T("mm.state_requested"), true, nil
	case in.Status == IntroPending:
		return T("mm.state_asked_you"), true, nil
	case in.Status == IntroAccepted:
		return T("mm.state_connected"), true, nil
	case in.Status == IntroDeclined && t.In.Now.Before(in.Decided.Add(IntroCooldown)):
		return T("mm.state_cooldown", "Date", e.date(in.Decided.Add(IntroCooldown))), true, nil
	}
	return Text{}, false, nil
}

func (e *Engine) date(at time.Time) When {
	return When{At: at, Zone: e.cfg.Location.String(), DateOnly: true}
}

// notInterested hides a profile from the user's suggestions and shows the
// card now at the same position.
func (e *Engine) notInterested(ctx context.Context, t *Turn, payload string) error {
	parts := strings.Split(payload, ":")
	if len(parts) != 3 {
		t.Answer(T("errors.bad_button"), true)
		return nil
	}
	uid, err := strconv.ParseInt(parts[0], 10, 64)
	f, okF := parseFilterCode(parts[1])
	pos, okPos := parsePos(parts[2])
	if err != nil || uid <= 0 || uid == t.User.ID || !okF || !okPos {
		t.Answer(T("errors.bad_button"), true)
		return nil
	}
	if err := e.store.NotInterested(ctx, t.User.ID, uid); err != nil {
		return InternalError("not interested", err)
	}
	t.Answer(T("mm.hidden"), false)
	return e.showMatch(ctx, t, f, pos, true)
}

// filterMenu edits the card into a choice of filters: "" the kinds, "t"
// themes, "s" sectors, "p:<page>" provinces.
func (e *Engine) filterMenu(_ context.Context, t *Turn, payload string) error {
	var text Text
	var rows [][]Button
	pairs := func(items []string, prefix, kind string) {
		for i := 0; i < len(items); i += 2 {
			row := []Button{{Literal: t.nameLabel(prefix + items[i]), Data: MustData("mm", kind+"."+items[i], "0")}}
			if i+1 < len(items) {
				row = append(row, Button{Literal: t.nameLabel(prefix + items[i+1]), Data: MustData("mm", kind+"."+items[i+1], "0")})
			}
			rows = append(rows, row)
		}
	}
	back := []Button{{Label: T("mm.back"), Data: MustData("mmf", "")}}
	switch {
	case payload == "":
		text = T("mm.filter_choose")
		rows = [][]Button{
			{{Label: T("mm.filter_theme"), Data: MustData("mmf", "t")}, {Label: T("mm.filter_province"), Data: MustData("mmf", "p", "0")}},
			{{Label: T("mm.filter_sector"), Data: MustData("mmf", "s")}, {Label: T("mm.filter_none"), Data: MustData("mm", "a", "0")}},
		}
	case payload == "t":
		text = T("mm.filter_theme_choose")
		pairs(themes, "theme.", "t")
		rows = append(rows, back)
	case payload == "s":
		text = T("mm.filter_sector_choose")
		pairs(sectors, "sector.", "s")
		rows = append(rows, back)
	case strings.HasPrefix(payload, "p:"):
		page, ok := parsePos(payload[2:])
		if !ok {
			t.Answer(T("errors.bad_button"), true)
			return nil
		}
		pages := (len(provinces) + provincePage - 1) / provincePage
		page = min(page, pages-1)
		text = T("mm.filter_province_choose")
		pairs(provinces[page*provincePage:min(len(provinces), (page+1)*provincePage)], "province.", "p")
		rows = append(rows, pager("mmf", page, pages, "p")...)
		rows = append(rows, back)
	default:
		t.Answer(T("errors.bad_button"), true)
		return nil
	}
	r := Reply{Text: text, Buttons: rows}
	if t.In.MessageID != 0 {
		r.EditMessageID = t.In.MessageID
	}
	t.Send(r)
	return nil
}

// ---- introductions ----
