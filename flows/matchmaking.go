package flows

import (
	"context"
	"crypto/rand"
	"errors"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits of matchmaking.
const (
	maxPartnerDesc = 500                 // characters of a profile's description
	maxIntroNote   = 300                 // characters of an introduction request's note
	IntroCap       = 10                  // pending requests one requester may have
	IntroCooldown  = 30 * 24 * time.Hour // after a decline, before the pair may be asked again
	matchLimit     = 50                  // suggestions browsed per query
	introListLimit = 20                  // introductions listed per direction
)

// MatchmakingModule is the capability of partner profiles, suggestions and introductions.
func MatchmakingModule() Module { return ModuleFunc(func(r *Registry) { registerMatchmaking(r.e) }) }

func registerMatchmaking(e *Engine) {
	e.addCommand(&Command{Name: "partner", Describe: "cmd.partner", Run: e.partner})
	e.addCommand(&Command{Name: "matches", Describe: "cmd.matches", Run: func(ctx context.Context, t *Turn) error {
		return e.showMatch(ctx, t, MatchFilter{}, 0, false)
	}})
	e.addCommand(&Command{Name: "introductions", Describe: "cmd.introductions", Run: e.introductions})
	e.addMenu(MenuItem{Command: "partner", Label: "menu.partner", Order: 20})
	e.addMenu(MenuItem{Command: "matches", Label: "menu.matches", Order: 21})

	e.addRoute(&Route{Name: "mm", Run: e.matchPress})              // mm:<filter>:<pos>     show a suggestion card
	e.addRoute(&Route{Name: "mmx", Run: e.notInterested})          // mmx:<uid>:<filter>:<pos>
	e.addRoute(&Route{Name: "mmf", Run: e.filterMenu})             // mmf:[t|s|p:<page>]
	e.addRoute(&Route{Name: "mmi", Run: e.requestIntro})           // mmi:<uid>
	e.addRoute(&Route{Name: "mmok", Run: e.decide(IntroAccepted)}) // mmok:<intro id>
	e.addRoute(&Route{Name: "mmno", Run: e.decide(IntroDeclined)}) // mmno:<intro id>
	e.addRoute(&Route{Name: "mmw", Run: e.decide(IntroWithdrawn)}) // mmw:<intro id>
	e.addRoute(&Route{Name: "mmp", Run: e.partnerAction})          // mmp:<c|e|p|r|d|dy>

	e.addFlow(&Flow{
		Name:  "partner",
		Begin: e.partnerBegin,
		Done:  e.partnerDone,
		Steps: []*Step{
			{Name: "org", Keep: true, Parse: TextAnswer(maxOrgLen), Prompt: ask("mm.ask_org")},
			{Name: "sector", Parse: ChoiceAnswer(sectors...), Prompt: sectorPrompt},
			{Name: "themes", Parse: multiAnswer("themes", "mm.ask_themes", "theme.", themes, needTheme), Prompt: multiPrompt("themes", "mm.ask_themes", "theme.", themes)},
			{Name: "provinces", Parse: e.provincesAnswer, Prompt: provincesPrompt},
			{Name: "offers", Parse: multiAnswer("offers", "mm.ask_offers", "offer.", resources, nil), Prompt: multiPrompt("offers", "mm.ask_offers", "offer.", resources)},
			{Name: "needs", Parse: multiAnswer("needs", "mm.ask_needs", "offer.", resources, needOfferOrNeed), Prompt: multiPrompt("needs", "mm.ask_needs", "offer.", resources)},
			{Name: "desc", Parse: optionalText(maxPartnerDesc), Prompt: askWithSkip("mm.ask_desc", "mm.skip_desc")},
			{Name: "visible", Parse: ChoiceAnswer("yes", "no"), Prompt: visiblePrompt},
			{Name: "confirm", Parse: e.partnerConfirm, Prompt: partnerSummary},
			// An organisation profile names a contact person: it is
			// stored only under the privacy notice (UU PDP).
			{Name: "consent", Parse: ChoiceAnswer("yes", "no"), Prompt: consentPrompt,
				Skip: func(t *Turn) bool { return t.User.Consent == e.cfg.ConsentVersion }},
		},
	})
	e.addFlow(&Flow{Name: "mmnote", Done: e.sendIntro, Steps: []*Step{
		{Name: "note", Parse: optionalText(maxIntroNote), Prompt: func(_ context.Context, t *Turn) (Reply, error) {
			return Reply{Text: T("mm.ask_note", "Org", t.Session.Data["org"], "Count", maxIntroNote),
				Buttons: [][]Button{{t.Choice(T("mm.skip_note"), skipValue)}}}, nil
		}},
	}})
}

// ---- the organisation profile ----

// codes splits a comma-separated list of codes ("" is none).
func codes(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// inOrder keeps the codes of order that are in set, in display order.
func inOrder(order, set []string) []string {
	var out []string
	for _, c := range order {
		if slices.Contains(set, c) {
			out = append(out, c)
		}
	}
	return out
}

func partnerFromData(d map[string]string, uid int64) *PartnerProfile {
	return &PartnerProfile{
		UserID: uid, Org: d["org"], Sector: d["sector"],
		Themes: inOrder(themes, codes(d["themes"])), Provinces: inOrder(provinces, codes(d["provinces"])),
		Offers: inOrder(resources, codes(d["offers"])), Needs: inOrder(resources, codes(d["needs"])),
		Description: d["desc"], Visible: d["visible"] != "no",
	}
}

func partnerData(p *PartnerProfile) map[string]string {
	vis := "yes"
	if !p.Visible {
		vis = "no"
	}
	return map[string]string{
		"org": p.Org, "sector": p.Sector, "themes": strings.Join(p.Themes, ","),
		"provinces": strings.Join(p.Provinces, ","), "offers": strings.Join(p.Offers, ","),
		"needs": strings.Join(p.Needs, ","), "desc": p.Description, "visible": vis,
	}
}

// namesText lists every code's name ("—" for none), for a profile's details.
func namesText(prefix string, cs []string) Text {
	if len(cs) == 0 {
		return T("mm.none_selected")
	}
	out := T(prefix + cs[0])
	for _, c := range cs[1:] {
		out = T("mm.comma", "A", out, "B", T(prefix+c))
	}
	return out
}

// partnerDetails renders a profile's fields.
func partnerDetails(p *PartnerProfile) Text {
	var desc any = HTML("—")
	if p.Description != "" {
		desc = p.Description
	}
	return T("mm.details", "Org", p.Org, "Sector", T("sector."+p.Sector),
		"Themes", namesText("theme.", p.Themes), "Provinces", namesText("province.", p.Provinces),
		"Offers", namesText("offer.", p.Offers), "Needs", namesText("offer.", p.Needs), "Desc", desc)
}

func visibilityText(visible bool) Text {
	if visible {
		return T("mm.visibility_on")
	}
	return T("mm.visibility_off")
}

// partner shows the user's organisation profile card, or starts creating one.
func (e *Engine) partner(ctx context.Context, t *Turn) error {
	p, err := e.store.GetPartner(ctx, t.User.ID)
	if errors.Is(err, ErrNotFound) {
		return t.StartFlow(ctx, "partner")
	}
	if err != nil {
		return internalError("get partner", err)
	}
	e.partnerCard(t, p, false)
	return nil
}

func (e *Engine) partnerCard(t *Turn, p *PartnerProfile, edit bool) {
	pause := Button{Label: T("mm.btn_pause"), Data: mustData("mmp", "p")}
	if !p.Visible {
		pause = Button{Label: T("mm.btn_resume"), Data: mustData("mmp", "r")}
	}
	r := Reply{Text: T("mm.card", "Details", partnerDetails(p), "Visible", visibilityText(p.Visible)), Buttons: [][]Button{
		{{Label: T("mm.btn_edit"), Data: mustData("mmp", "e")}, pause},
		{{Label: T("mm.btn_delete"), Data: mustData("mmp", "d")}},
		{{Label: T("menu.matches"), Data: mustData("m", "matches")}, {Label: T("mm.btn_introductions"), Data: mustData("m", "introductions")}},
	}}
	if edit && t.In.MessageID != 0 {
		r.EditMessageID = t.In.MessageID
	}
	t.Send(r)
}

// partnerBegin prefills the organisation from the participant profile.
func (e *Engine) partnerBegin(ctx context.Context, t *Turn) error {
	t.Say(T("mm.intro_new"))
	p, err := e.store.GetProfile(ctx, t.User.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return internalError("get profile", err)
	}
	if p != nil && p.Organisation != "" {
		t.Session.Data["org"] = p.Organisation
	}
	return nil
}

// toggleButtons are items as two-a-row toggles (✅ when selected) with
// values "<prefix>.<code>", and a Done row.
func toggleButtons(t *Turn, items, selected []string, namePrefix, valuePrefix string) [][]Button {
	var rows [][]Button
	var row []Button
	for _, c := range items {
		label := t.nameLabel(namePrefix + c)
		if slices.Contains(selected, c) {
			label = "✅ " + label
		}
		row = append(row, t.ChoiceLiteral(label, valuePrefix+"."+c))
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

// nameLabel is the name behind a locale id as a literal button label: names
// in locales are HTML ("water &amp; sanitation"), button labels are plain.
func (t *Turn) nameLabel(id string) string {
	s, _ := t.e.texts.Text(t.Lang, id, nil, nil)
	return html.UnescapeString(s)
}

func doneRow(t *Turn) []Button { return []Button{t.Choice(T("mm.done"), "done")} }

func multiReply(t *Turn, name, ask, prefix string, items []string) Reply {
	sel := codes(t.Session.Data[name])
	rows := append(toggleButtons(t, items, sel, prefix, "x"), doneRow(t))
	return Reply{Text: T(ask, "Org", t.Session.Data["org"], "Selected", namesText(prefix, sel)), Buttons: rows}
}

func multiPrompt(name, ask, prefix string, items []string) func(context.Context, *Turn) (Reply, error) {
	return func(_ context.Context, t *Turn) (Reply, error) { return multiReply(t, name, ask, prefix, items), nil }
}

// toggle adds or removes code in the session's list name, kept in order.
func toggle(t *Turn, name string, order []string, code string) {
	sel := codes(t.Session.Data[name])
	if i := slices.Index(sel, code); i >= 0 {
		sel = slices.Delete(sel, i, i+1)
	} else {
		sel = append(sel, code)
	}
	t.Session.Data[name] = strings.Join(inOrder(order, sel), ",")
}

// multiAnswer handles a multi-select step: a toggle re-renders the keyboard
// in place; Done accepts the selection if check passes.
func multiAnswer(name, ask, prefix string, items []string, check func(*Turn) error) func(context.Context, *Turn, Input) (string, error) {
	return func(_ context.Context, t *Turn, in Input) (string, error) {
		if in.Kind != KindCallback {
			return "", Refuse("mm.use_toggles")
		}
		v := in.Callback
		if v == "done" {
			if check != nil {
				if err := check(t); err != nil {
					return "", err
				}
			}
			return t.Session.Data[name], nil
		}
		code, ok := strings.CutPrefix(v, "x.")
		if !ok || !slices.Contains(items, code) {
			return "", Refuse("errors.bad_button")
		}
		toggle(t, name, items, code)
		r := multiReply(t, name, ask, prefix, items)
		r.EditMessageID = in.MessageID
		t.Send(r)
		return "", errStay
	}
}

func needTheme(t *Turn) error {
	if t.Session.Data["themes"] == "" {
		return Refuse("mm.need_theme")
	}
	return nil
}

func needOfferOrNeed(t *Turn) error {
	if t.Session.Data["offers"] == "" && t.Session.Data["needs"] == "" {
		return Refuse("mm.need_offer_or_need")
	}
	return nil
}

// provinceToggles is one page of province toggles: of every province with
// values "x<page>.<code>" and paging, or of search hits with "y.<code>".
func provinceToggles(t *Turn, hits []string, page int) [][]Button {
	sel := codes(t.Session.Data["provinces"])
	if hits != nil {
		return append(toggleButtons(t, hits[:min(len(hits), provincePage)], sel, "province.", "y"), doneRow(t))
	}
	pages := (len(provinces) + provincePage - 1) / provincePage
	page = max(0, min(page, pages-1))
	rows := toggleButtons(t, provinces[page*provincePage:min(len(provinces), (page+1)*provincePage)], sel, "province.", "x"+strconv.Itoa(page))
	var nav []Button
	if page > 0 {
		nav = append(nav, t.Choice(T("nav.prev"), "p"+strconv.Itoa(page-1)))
	}
	nav = append(nav, t.Choice(T("nav.page", "Page", page+1, "Pages", pages), "noop"))
	if page < pages-1 {
		nav = append(nav, t.Choice(T("nav.next"), "p"+strconv.Itoa(page+1)))
	}
	return append(rows, nav, doneRow(t))
}

func provincesReply(t *Turn, page int) Reply {
	return Reply{Text: T("mm.ask_provinces", "Selected", namesText("province.", codes(t.Session.Data["provinces"]))),
		Buttons: provinceToggles(t, nil, page)}
}

func provincesPrompt(_ context.Context, t *Turn) (Reply, error) { return provincesReply(t, 0), nil }

// hitsKey holds the province codes of the last search in the step.
const hitsKey = "_phits"

func hitsReply(t *Turn) Reply {
	return Reply{Text: T("mm.province_matches", "Query", t.Session.Data[hitsKey+"_q"],
		"Selected", namesText("province.", codes(t.Session.Data["provinces"]))),
		Buttons: provinceToggles(t, codes(t.Session.Data[hitsKey]), 0)}
}

// provincesAnswer: toggles (re-rendered in place), paging, typed text
// searched in the province names of the user's language, and Done.
func (e *Engine) provincesAnswer(_ context.Context, t *Turn, in Input) (string, error) {
	d := t.Session.Data
	switch in.Kind {
	case KindCallback:
		v := in.Callback
		switch {
		case v == "noop":
			return "", errStay
		case v == "done":
			if d["provinces"] == "" {
				return "", Refuse("mm.need_province")
			}
			delete(d, hitsKey)
			delete(d, hitsKey+"_q")
			return d["provinces"], nil
		case strings.HasPrefix(v, "p"):
			n, err := strconv.Atoi(v[1:])
			if err != nil {
				return "", Refuse("errors.bad_button")
			}
			r := provincesReply(t, n)
			r.EditMessageID = in.MessageID
			t.Send(r)
			return "", errStay
		case strings.HasPrefix(v, "x") || strings.HasPrefix(v, "y"):
			where, code, _ := strings.Cut(v[1:], ".")
			if !slices.Contains(provinces, code) {
				return "", Refuse("errors.bad_button")
			}
			toggle(t, "provinces", provinces, code)
			var r Reply
			if v[0] == 'y' {
				r = hitsReply(t)
			} else {
				page, _ := strconv.Atoi(where)
				r = provincesReply(t, page)
			}
			r.EditMessageID = in.MessageID
			t.Send(r)
			return "", errStay
		}
		return "", Refuse("errors.bad_button")
	case KindText:
		q := strings.ToLower(CleanText(in.Text))
		if q == "" || len(q) > 60 {
			return "", Refuse("profile.province_not_found")
		}
		var hits []string
		for _, c := range provinces {
			name, _ := e.texts.Text(t.Lang, "province."+c, nil, nil)
			name = strings.ToLower(name)
			if name == q || strings.ToLower(c) == q {
				hits = []string{c}
				break
			}
			if strings.Contains(name, q) {
				hits = append(hits, c)
			}
		}
		if len(hits) == 0 {
			return "", Refuse("profile.province_not_found")
		}
		if len(hits) == 1 && !slices.Contains(codes(d["provinces"]), hits[0]) {
			toggle(t, "provinces", provinces, hits[0]) // one hit: selected at once
		}
		d[hitsKey], d[hitsKey+"_q"] = strings.Join(hits, ","), CleanText(in.Text)
		t.Send(hitsReply(t))
		return "", errStay
	}
	return "", Refuse("mm.use_toggles")
}

func visiblePrompt(_ context.Context, t *Turn) (Reply, error) {
	return Reply{Text: T("mm.ask_visible"), Buttons: [][]Button{{
		t.Choice(T("mm.visible_yes"), "yes"), t.Choice(T("mm.visible_no"), "no"),
	}}}, nil
}

// partnerFields are offered by the summary's Edit menu.
var partnerFields = []string{"org", "sector", "themes", "provinces", "offers", "needs", "desc", "visible"}

func partnerSummary(_ context.Context, t *Turn) (Reply, error) {
	p := partnerFromData(t.Session.Data, t.User.ID)
	return Reply{Text: T("mm.summary", "Details", partnerDetails(p), "Visible", visibilityText(p.Visible)), Buttons: [][]Button{{
		t.Choice(T("mm.save"), "save"), t.Choice(T("mm.edit"), "edit"), t.Choice(T("mm.discard"), "discard"),
	}}}, nil
}

func (e *Engine) partnerConfirm(_ context.Context, t *Turn, in Input) (string, error) {
	if in.Kind != KindCallback {
		return "", Refuse("errors.use_buttons")
	}
	switch v := in.Callback; {
	case v == "save":
		if err := needTheme(t); err != nil {
			return "", err
		}
		if t.Session.Data["provinces"] == "" {
			return "", Refuse("mm.need_province")
		}
		if err := needOfferOrNeed(t); err != nil {
			return "", err
		}
		return v, nil
	case v == "discard":
		t.EndFlow()
		t.Send(Reply{EditMessageID: in.MessageID, ClearButtons: true})
		t.Say(T("mm.discarded"))
		return "", errStay
	case v == "edit":
		var rows [][]Button
		for i := 0; i < len(partnerFields); i += 2 {
			rows = append(rows, []Button{
				t.Choice(T("mm.field."+partnerFields[i]), "e_"+partnerFields[i]),
				t.Choice(T("mm.field."+partnerFields[i+1]), "e_"+partnerFields[i+1]),
			})
		}
		t.Send(Reply{EditMessageID: in.MessageID, Text: T("mm.edit_which"), Buttons: rows})
		return "", errStay
	case strings.HasPrefix(v, "e_") && slices.Contains(partnerFields, v[2:]):
		t.Send(Reply{EditMessageID: in.MessageID, ClearButtons: true})
		t.ReturnTo("confirm")
		return "", errGoto(v[2:])
	}
	return "", Refuse("errors.bad_button")
}

func (e *Engine) partnerDone(ctx context.Context, t *Turn) error {
	switch {
	case t.User.Consent == e.cfg.ConsentVersion:
	case t.Session.Data["consent"] == "yes":
		t.User.Consent = e.cfg.ConsentVersion
	default:
		t.Say(T("profile.not_saved"))
		return nil
	}
	p := partnerFromData(t.Session.Data, t.User.ID)
	p.Created, p.Updated = t.In.Now, t.In.Now
	old, err := e.store.GetPartner(ctx, t.User.ID)
	switch {
	case err == nil:
		p.Created = old.Created
	case !errors.Is(err, ErrNotFound):
		return internalError("get partner", err)
	}
	if err := e.store.SavePartner(ctx, p); err != nil {
		return internalError("save partner", err)
	}
	t.Say(T("mm.saved", "Org", p.Org, "Visible", visibilityText(p.Visible)), []Button{
		{Label: T("menu.matches"), Data: mustData("m", "matches")}, {Label: T("menu.partner"), Data: mustData("m", "partner")},
	})
	return nil
}

// partnerAction runs a button of the user's own profile card. It acts only
// on the presser's own profile: the payload names no profile.
func (e *Engine) partnerAction(ctx context.Context, t *Turn, action string) error {
	p, err := e.store.GetPartner(ctx, t.User.ID)
	if errors.Is(err, ErrNotFound) {
		t.Answer(T("mm.no_profile_short"), true)
		return nil
	}
	if err != nil {
		return internalError("get partner", err)
	}
	switch action {
	case "c":
		e.partnerCard(t, p, true)
	case "e":
		if t.In.MessageID != 0 {
			t.Send(Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
		}
		return t.StartFlowAt(ctx, "partner", "confirm", partnerData(p))
	case "p", "r":
		p.Visible, p.Updated = action == "r", t.In.Now
		if err := e.store.SavePartner(ctx, p); err != nil {
			return internalError("save partner", err)
		}
		if p.Visible {
			t.Answer(T("mm.resumed"), false)
		} else {
			t.Answer(T("mm.paused"), false)
		}
		e.partnerCard(t, p, true)
	case "d":
		r := Reply{Text: T("mm.delete_confirm", "Org", p.Org), Buttons: [][]Button{{
			{Label: T("mm.delete_yes"), Data: mustData("mmp", "dy")}, {Label: T("mm.back"), Data: mustData("mmp", "c")},
		}}}
		if t.In.MessageID != 0 {
			r.EditMessageID = t.In.MessageID
		}
		t.Send(r)
	case "dy":
		if err := e.store.DeletePartner(ctx, t.User.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return internalError("delete partner", err)
		}
		r := Reply{Text: T("mm.deleted", "Org", p.Org)}
		if t.In.MessageID != 0 {
			r.EditMessageID = t.In.MessageID
		}
		t.Send(r)
	default:
		t.Answer(T("errors.bad_button"), true)
	}
	return nil
}

// ---- suggestions ----

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
		t.Say(T("mm.no_profile"), []Button{{Label: T("mm.btn_create"), Data: mustData("m", "partner")}})
		return nil, nil
	}
	if err != nil {
		return nil, internalError("get partner", err)
	}
	if !me.Visible {
		t.Say(T("mm.paused_note"), []Button{{Label: T("mm.btn_resume"), Data: mustData("mmp", "r")}})
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
		return internalError("suggest partners", err)
	}
	ranked := Rank(me, found, f)
	reply := Reply{}
	if edit && t.In.MessageID != 0 {
		reply.EditMessageID = t.In.MessageID
	}
	fc := f.filterCode()
	switchRow := []Button{{Label: T("mm.btn_filter"), Data: mustData("mmf", "")}}
	if f == (MatchFilter{}) {
		switchRow = append(switchRow, Button{Label: T("mm.btn_coalition"), Data: mustData("mm", "c", "0")})
	} else {
		switchRow = append(switchRow, Button{Label: T("mm.btn_all"), Data: mustData("mm", "a", "0")})
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
		actions = append(actions, Button{Label: T("mm.btn_request"), Data: mustData("mmi", uid)})
	}
	actions = append(actions, Button{Label: T("mm.btn_not_interested"), Data: mustData("mmx", uid, fc, strconv.Itoa(pos))})
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
		return Text{}, false, internalError("pair introduction", err)
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
		return internalError("not interested", err)
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
			row := []Button{{Literal: t.nameLabel(prefix + items[i]), Data: mustData("mm", kind+"."+items[i], "0")}}
			if i+1 < len(items) {
				row = append(row, Button{Literal: t.nameLabel(prefix + items[i+1]), Data: mustData("mm", kind+"."+items[i+1], "0")})
			}
			rows = append(rows, row)
		}
	}
	back := []Button{{Label: T("mm.back"), Data: mustData("mmf", "")}}
	switch {
	case payload == "":
		text = T("mm.filter_choose")
		rows = [][]Button{
			{{Label: T("mm.filter_theme"), Data: mustData("mmf", "t")}, {Label: T("mm.filter_province"), Data: mustData("mmf", "p", "0")}},
			{{Label: T("mm.filter_sector"), Data: mustData("mmf", "s")}, {Label: T("mm.filter_none"), Data: mustData("mm", "a", "0")}},
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

// introTarget checks, on every press, that them may be asked by me: a
// visible profile of an active user that is one of my candidates, and no
// introduction of the pair in the way. It answers the refusal itself and
// returns nil then.
func (e *Engine) introTarget(ctx context.Context, t *Turn, me *PartnerProfile, uid int64) (*PartnerProfile, *User, error) {
	refuse := func(id string, kv ...any) (*PartnerProfile, *User, error) {
		if t.In.Kind == KindCallback {
			t.Answer(T(id, kv...), true)
		} else {
			t.Say(T(id, kv...))
		}
		return nil, nil, nil
	}
	if uid == me.UserID {
		return refuse("mm.err_self")
	}
	them, err := e.store.GetPartner(ctx, uid)
	if errors.Is(err, ErrNotFound) {
		return refuse("mm.err_unavailable")
	}
	if err != nil {
		return nil, nil, internalError("get partner", err)
	}
	u, err := e.store.GetUser(ctx, uid)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, nil, internalError("get user", err)
	}
	if !them.Visible || u == nil || u.Inactive || !Compare(me, them).Candidate() {
		return refuse("mm.err_unavailable")
	}
	in, err := e.store.PairIntro(ctx, me.UserID, uid)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return nil, nil, internalError("pair introduction", err)
	case in.Status == IntroPending:
		return refuse("mm.err_pending", "Org", them.Org)
	case in.Status == IntroAccepted:
		return refuse("mm.err_connected", "Org", them.Org)
	case in.Status == IntroDeclined && t.In.Now.Before(in.Decided.Add(IntroCooldown)):
		return refuse("mm.err_cooldown", "Org", them.Org, "Date", e.date(in.Decided.Add(IntroCooldown)))
	}
	return them, u, nil
}

// requestIntro starts a request: after the checks, the optional note.
func (e *Engine) requestIntro(ctx context.Context, t *Turn, payload string) error {
	uid, err := strconv.ParseInt(payload, 10, 64)
	if err != nil || uid <= 0 {
		t.Answer(T("errors.bad_button"), true)
		return nil
	}
	me, err := e.myVisiblePartner(ctx, t)
	if me == nil {
		return err
	}
	them, _, err := e.introTarget(ctx, t, me, uid)
	if them == nil {
		return err
	}
	if n, err := e.store.PendingSent(ctx, me.UserID); err != nil {
		return internalError("pending introductions", err)
	} else if n >= IntroCap {
		t.Answer(T("mm.err_cap", "Count", IntroCap), true)
		return nil
	}
	return t.StartFlowAt(ctx, "mmnote", "note", map[string]string{"to": payload, "org": them.Org})
}

// introID is the form of an introduction id in callback data.
var introID = regexp.MustCompile(`^[a-z0-9]{10}$`)

func newIntroID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b[:])
}

// sendIntro stores the request (checked again, atomically, by the store)
// and sends the other side the requester's card, the reasons and the note.
func (e *Engine) sendIntro(ctx context.Context, t *Turn) error {
	d := t.Session.Data
	uid, _ := strconv.ParseInt(d["to"], 10, 64)
	me, err := e.myVisiblePartner(ctx, t)
	if me == nil {
		return err
	}
	them, u, err := e.introTarget(ctx, t, me, uid)
	if them == nil {
		return err
	}
	in := &Introduction{ID: newIntroID(), From: me.UserID, To: them.UserID, FromOrg: me.Org, ToOrg: them.Org,
		Note: d["note"], Status: IntroPending, Created: t.In.Now}
	switch err := e.store.RequestIntro(ctx, in, IntroCooldown, IntroCap); {
	case errors.Is(err, ErrTooManyIntros):
		t.Say(T("mm.err_cap", "Count", IntroCap))
		return nil
	case errors.Is(err, ErrIntroPending):
		t.Say(T("mm.err_pending", "Org", them.Org))
		return nil
	case errors.Is(err, ErrIntroConnected):
		t.Say(T("mm.err_connected", "Org", them.Org))
		return nil
	case errors.Is(err, ErrIntroCooldown):
		t.Say(T("mm.err_cooldown_short", "Org", them.Org))
		return nil
	case err != nil:
		return internalError("request introduction", err)
	}
	var note []Text
	if in.Note != "" {
		note = append(note, T("mm.note_line", "Note", in.Note))
	}
	t.Send(Reply{ChatID: them.UserID, Lang: u.Lang, Bulk: true,
		Text: T("mm.request_received", "Org", me.Org, "Details", partnerDetails(me),
			"Why", Reasons(Compare(them, me), me), "Note", note),
		Buttons: [][]Button{{
			{Label: T("mm.btn_accept"), Data: mustData("mmok", in.ID)},
			{Label: T("mm.btn_decline"), Data: mustData("mmno", in.ID)},
		}}})
	t.Say(T("mm.request_sent", "Org", them.Org))
	return nil
}

// contact says how to reach u: their @username and t.me link, or, without a
// username, an "Open chat" button with a tg://user link (which works for
// users who have talked to the bot).
func contact(u *User) (Text, []Button) {
	if u.Username != "" && telegramUsername.MatchString(u.Username) {
		link := "https://t.me/" + u.Username
		return T("mm.contact_username", "Name", u.FirstName, "Username", u.Username, "Link", link),
			[]Button{{Label: T("mm.btn_open_chat"), URL: link}}
	}
	return T("mm.contact_id", "Name", u.FirstName),
		[]Button{{Label: T("mm.btn_open_chat"), URL: "tg://user?id=" + strconv.FormatInt(u.ID, 10)}}
}

var telegramUsername = regexp.MustCompile(`^[A-Za-z0-9_]{3,32}$`)

// decide handles Accept, Decline and Withdraw. The introduction id comes
// from the button: only its addressee may accept or decline, only its
// requester withdraw — checked on every press, here and atomically in the
// store.
func (e *Engine) decide(status IntroStatus) func(context.Context, *Turn, string) error {
	return func(ctx context.Context, t *Turn, id string) error {
		if !introID.MatchString(id) {
			t.Answer(T("errors.bad_button"), true)
			return nil
		}
		in, err := e.store.GetIntro(ctx, id)
		if errors.Is(err, ErrNotFound) {
			t.Answer(T("errors.bad_button"), true)
			return nil
		}
		if err != nil {
			return internalError("get introduction", err)
		}
		party := in.To
		if status == IntroWithdrawn {
			party = in.From
		}
		if party != t.User.ID {
			t.Answer(T("errors.not_allowed"), true)
			return nil
		}
		got, err := e.store.DecideIntro(ctx, id, t.User.ID, status, t.In.Now)
		switch {
		case errors.Is(err, ErrIntroForbidden):
			t.Answer(T("errors.not_allowed"), true)
			return nil
		case errors.Is(err, ErrIntroDecided):
			t.Answer(T("mm.err_decided"), true)
			return nil
		case err != nil:
			return internalError("decide introduction", err)
		}
		if t.In.MessageID != 0 {
			t.Send(Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
		}
		switch status {
		case IntroWithdrawn:
			t.Say(T("mm.withdrawn", "Org", got.ToOrg))
			return nil
		case IntroDeclined:
			t.Say(T("mm.declined_you", "Org", got.FromOrg))
			lang := ""
			if u, err := e.store.GetUser(ctx, got.From); err == nil {
				lang = u.Lang
			}
			t.Send(Reply{ChatID: got.From, Lang: lang, Bulk: true, Text: T("mm.declined_them", "Org", got.ToOrg)})
			return nil
		}
		from, err := e.store.GetUser(ctx, got.From)
		if err != nil {
			return internalError("get requester", err)
		}
		theirs, theirButtons := contact(from)
		t.Say(T("mm.accepted_you", "Org", got.FromOrg, "Contact", theirs), theirButtons)
		mine, myButtons := contact(t.User)
		t.Send(Reply{ChatID: got.From, Lang: from.Lang, Bulk: true,
			Text: T("mm.accepted_them", "Org", got.ToOrg, "Contact", mine), Buttons: [][]Button{myButtons}})
		return nil
	}
}

// introductions lists the user's introductions: waiting for their answer
// (with Accept/Decline), sent and waiting (with Withdraw), connected (with
// contacts), and declined.
func (e *Engine) introductions(ctx context.Context, t *Turn) error {
	sent, recv, err := e.store.UserIntros(ctx, t.User.ID, introListLimit)
	if err != nil {
		return internalError("user introductions", err)
	}
	var waiting, asked, connected, declined []Text
	var rows [][]Button
	for _, in := range recv {
		switch in.Status {
		case IntroPending:
			waiting = append(waiting, T("mm.intro_line", "Org", in.FromOrg, "Date", e.date(in.Created)))
			rows = append(rows, []Button{
				{Label: T("mm.btn_accept_named", "Org", in.FromOrg), Data: mustData("mmok", in.ID)},
				{Label: T("mm.btn_decline"), Data: mustData("mmno", in.ID)},
			})
		case IntroDeclined:
			declined = append(declined, T("mm.intro_line_you_declined", "Org", orgOrDeleted(in.FromOrg), "Date", e.date(in.Decided)))
		}
	}
	for _, in := range sent {
		switch in.Status {
		case IntroPending:
			asked = append(asked, T("mm.intro_line", "Org", in.ToOrg, "Date", e.date(in.Created)))
			rows = append(rows, []Button{{Label: T("mm.btn_withdraw_named", "Org", in.ToOrg), Data: mustData("mmw", in.ID)}})
		case IntroDeclined:
			declined = append(declined, T("mm.intro_line_not_taken", "Org", orgOrDeleted(in.ToOrg), "Date", e.date(in.Decided)))
		}
	}
	all := append(slices.Clone(sent), recv...)
	slices.SortFunc(all, func(a, b *Introduction) int { return b.Decided.Compare(a.Decided) })
	for _, in := range all {
		if in.Status != IntroAccepted {
			continue
		}
		other, org := in.To, in.ToOrg
		if other == t.User.ID {
			other, org = in.From, in.FromOrg
		}
		u, err := e.store.GetUser(ctx, other)
		if err != nil {
			continue
		}
		c := T("mm.contact_at", "Username", u.Username)
		if u.Username == "" || !telegramUsername.MatchString(u.Username) {
			c = T("mm.contact_link", "URL", "tg://user?id="+strconv.FormatInt(u.ID, 10), "Name", u.FirstName)
		}
		connected = append(connected, T("mm.intro_line_connected", "Org", org, "Contact", c))
	}
	if len(waiting)+len(asked)+len(connected)+len(declined) == 0 {
		t.Say(T("mm.intros_none"), []Button{{Label: T("menu.matches"), Data: mustData("m", "matches")}})
		return nil
	}
	var sections []Text
	for _, s := range []struct {
		id    string
		lines []Text
	}{{"mm.intros_waiting", waiting}, {"mm.intros_asked", asked}, {"mm.intros_connected", connected}, {"mm.intros_declined", declined}} {
		if len(s.lines) > 0 {
			sections = append(sections, T(s.id, "Lines", s.lines))
		}
	}
	t.Say(T("mm.intros", "Sections", sections), rows...)
	return nil
}
