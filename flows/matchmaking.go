package flows

import (
	"context"
	"errors"
	"html"
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
			{Name: "org", Keep: true, Parse: TextAnswer(maxOrgLen), Prompt: Ask("mm.ask_org")},
			{Name: "sector", Parse: ChoiceAnswer(sectors...), Prompt: SectorPrompt},
			{Name: "themes", Parse: multiAnswer("themes", "mm.ask_themes", "theme.", themes, needTheme), Prompt: multiPrompt("themes", "mm.ask_themes", "theme.", themes)},
			{Name: "provinces", Parse: e.provincesAnswer, Prompt: provincesPrompt},
			{Name: "offers", Parse: multiAnswer("offers", "mm.ask_offers", "offer.", resources, nil), Prompt: multiPrompt("offers", "mm.ask_offers", "offer.", resources)},
			{Name: "needs", Parse: multiAnswer("needs", "mm.ask_needs", "offer.", resources, needOfferOrNeed), Prompt: multiPrompt("needs", "mm.ask_needs", "offer.", resources)},
			{Name: "desc", Parse: optionalText(maxPartnerDesc), Prompt: AskWithSkip("mm.ask_desc", "mm.skip_desc")},
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
				Buttons: [][]Button{{t.Choice(T("mm.skip_note"), SkipValue)}}}, nil
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
		return InternalError("get partner", err)
	}
	e.partnerCard(t, p, false)
	return nil
}

func (e *Engine) partnerCard(t *Turn, p *PartnerProfile, edit bool) {
	pause := Button{Label: T("mm.btn_pause"), Data: MustData("mmp", "p")}
	if !p.Visible {
		pause = Button{Label: T("mm.btn_resume"), Data: MustData("mmp", "r")}
	}
	r := Reply{Text: T("mm.card", "Details", partnerDetails(p), "Visible", visibilityText(p.Visible)), Buttons: [][]Button{
		{{Label: T("mm.btn_edit"), Data: MustData("mmp", "e")}, pause},
		{{Label: T("mm.btn_delete"), Data: MustData("mmp", "d")}},
		{{Label: T("menu.matches"), Data: MustData("m", "matches")}, {Label: T("mm.btn_introductions"), Data: MustData("m", "introductions")}},
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
		return InternalError("get profile", err)
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
		return "", ErrStay
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
			return "", ErrStay
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
			return "", ErrStay
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
			return "", ErrStay
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
		return "", ErrStay
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
		return "", ErrStay
	case v == "edit":
		var rows [][]Button
		for i := 0; i < len(partnerFields); i += 2 {
			rows = append(rows, []Button{
				t.Choice(T("mm.field."+partnerFields[i]), "e_"+partnerFields[i]),
				t.Choice(T("mm.field."+partnerFields[i+1]), "e_"+partnerFields[i+1]),
			})
		}
		t.Send(Reply{EditMessageID: in.MessageID, Text: T("mm.edit_which"), Buttons: rows})
		return "", ErrStay
	case strings.HasPrefix(v, "e_") && slices.Contains(partnerFields, v[2:]):
		t.Send(Reply{EditMessageID: in.MessageID, ClearButtons: true})
		t.ReturnTo("confirm")
		return "", Goto(v[2:])
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
		return InternalError("get partner", err)
	}
	if err := e.store.SavePartner(ctx, p); err != nil {
		return InternalError("save partner", err)
	}
	t.Say(T("mm.saved", "Org", p.Org, "Visible", visibilityText(p.Visible)), []Button{
		{Label: T("menu.matches"), Data: MustData("m", "matches")}, {Label: T("menu.partner"), Data: MustData("m", "partner")},
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
		return InternalError("get partner", err)
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
			return InternalError("save partner", err)
		}
		if p.Visible {
			t.Answer(T("mm.resumed"), false)
		} else {
			t.Answer(T("mm.paused"), false)
		}
		e.partnerCard(t, p, true)
	case "d":
		r := Reply{Text: T("mm.delete_confirm", "Org", p.Org), Buttons: [][]Button{{
			{Label: T("mm.delete_yes"), Data: MustData("mmp", "dy")}, {Label: T("mm.back"), Data: MustData("mmp", "c")},
		}}}
		if t.In.MessageID != 0 {
			r.EditMessageID = t.In.MessageID
		}
		t.Send(r)
	case "dy":
		if err := e.store.DeletePartner(ctx, t.User.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return InternalError("delete partner", err)
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
