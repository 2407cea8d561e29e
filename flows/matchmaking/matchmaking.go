// Package matchmaking is the capability of partner profiles (/partner),
// suggestions of partners (/matches) and introductions between them
// (/introductions), with the scoring that ranks suggestions.
package matchmaking

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// Limits of matchmaking.
const (
	MaxPartnerDesc = 500                 // characters of a profile's description
	maxIntroNote   = 300                 // characters of an introduction request's note
	IntroCap       = 10                  // pending requests one requester may have
	IntroCooldown  = 30 * 24 * time.Hour // after a decline, before the pair may be asked again
	matchLimit     = 50                  // suggestions browsed per query
	introListLimit = 20                  // introductions listed per direction
)

// Module is the capability of partner profiles, suggestions and introductions.
func Module(st Store) flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		e := &module{store: st, cfg: r.Config(), texts: r.Texts()}
		e.register(r)
	})
}

// Store is what matchmaking reads and writes: partner profiles and
// introductions, and the participant profile and user a partner profile
// starts from.
type Store interface {
	flows.Partners
	flows.Names
}

type module struct {
	store Store
	cfg   flows.Config
	texts flows.Texts
}

// Matchmaking's callback routes, "<name>:<payload>" (Route.Legacy: the name
// buttons sent before namespaces carry). A filter is a|c|t.<theme>|
// s.<sector>|p.<province> (filterCode).
const (
	routeSuggestion = "matchmaking.suggestion" // <filter>:<pos>: show a suggestion card
	routeHide       = "matchmaking.hide"       // <uid>:<filter>:<pos>: not interested, hide them
	routeFilter     = "matchmaking.filter"     // [t|s|p:<page>]: the choice of filters
	routeRequest    = "matchmaking.request"    // <uid>: ask for an introduction
	routeAccept     = "matchmaking.accept"     // <intro id>: the addressee accepts
	routeDecline    = "matchmaking.decline"    // <intro id>: the addressee declines
	routeWithdraw   = "matchmaking.withdraw"   // <intro id>: the requester withdraws
	routeProfile    = "matchmaking.profile"    // <c|e|p|r|d|dy>: the partner profile's actions
)

func (e *module) register(r *flows.Registry) {
	r.Namespace("matchmaking")
	r.Command(&flows.Command{Name: "partner", Describe: "cmd.partner", Run: e.partner})
	r.Command(&flows.Command{Name: "matches", Describe: "cmd.matches", Run: func(ctx context.Context, t *flows.Turn) error {
		return e.showMatch(ctx, t, flows.MatchFilter{}, 0, false)
	}})
	r.Command(&flows.Command{Name: "introductions", Describe: "cmd.introductions", Run: e.introductions})
	r.Menu(flows.MenuItem{Command: "partner", Label: "menu.partner", Order: 20})
	r.Menu(flows.MenuItem{Command: "matches", Label: "menu.matches", Order: 21})

	r.Route(&flows.Route{Name: routeSuggestion, Legacy: "mm", Run: e.matchPress})
	r.Route(&flows.Route{Name: routeHide, Legacy: "mmx", Run: e.notInterested})
	r.Route(&flows.Route{Name: routeFilter, Legacy: "mmf", Run: e.filterMenu})
	r.Route(&flows.Route{Name: routeRequest, Legacy: "mmi", Run: e.requestIntro})
	r.Route(&flows.Route{Name: routeAccept, Legacy: "mmok", Run: e.decide(flows.IntroAccepted)})
	r.Route(&flows.Route{Name: routeDecline, Legacy: "mmno", Run: e.decide(flows.IntroDeclined)})
	r.Route(&flows.Route{Name: routeWithdraw, Legacy: "mmw", Run: e.decide(flows.IntroWithdrawn)})
	r.Route(&flows.Route{Name: routeProfile, Legacy: "mmp", Run: e.partnerAction})

	r.Flow(&flows.Flow{
		Name:  "partner",
		Begin: e.partnerBegin,
		Done:  e.partnerDone,
		Steps: []*flows.Step{
			{Name: "org", Keep: true, Parse: flows.TextAnswer(flows.MaxOrgLen), Prompt: flows.Ask("mm.ask_org")},
			{Name: "sector", Parse: flows.ChoiceAnswer(sectors...), Prompt: flows.SectorPrompt},
			{Name: "themes", Parse: multiAnswer("themes", "mm.ask_themes", "theme.", themes, needTheme), Prompt: multiPrompt("themes", "mm.ask_themes", "theme.", themes)},
			{Name: "provinces", Parse: e.provincesAnswer, Prompt: provincesPrompt},
			{Name: "offers", Parse: multiAnswer("offers", "mm.ask_offers", "offer.", resources, nil), Prompt: multiPrompt("offers", "mm.ask_offers", "offer.", resources)},
			{Name: "needs", Parse: multiAnswer("needs", "mm.ask_needs", "offer.", resources, needOfferOrNeed), Prompt: multiPrompt("needs", "mm.ask_needs", "offer.", resources)},
			{Name: "desc", Parse: flows.OptionalText(MaxPartnerDesc), Prompt: flows.AskWithSkip("mm.ask_desc", "mm.skip_desc")},
			{Name: "visible", Parse: flows.ChoiceAnswer("yes", "no"), Prompt: visiblePrompt},
			{Name: "confirm", Parse: e.partnerConfirm, Prompt: partnerSummary},
			// An organisation profile names a contact person: it is
			// stored only under the privacy notice (UU PDP).
			{Name: "consent", Parse: flows.ChoiceAnswer("yes", "no"), Prompt: flows.ConsentPrompt,
				Skip: func(t *flows.Turn) bool { return t.User.Consent == e.cfg.ConsentVersion }},
		},
	})
	r.Flow(&flows.Flow{Name: "mmnote", Done: e.sendIntro, Steps: []*flows.Step{
		{Name: "note", Parse: flows.OptionalText(maxIntroNote), Prompt: func(_ context.Context, t *flows.Turn) (flows.Reply, error) {
			return flows.Reply{Text: flows.T("mm.ask_note", "Org", t.Session.Data["org"], "Count", maxIntroNote),
				Buttons: [][]flows.Button{{t.Choice(flows.T("mm.skip_note"), flows.SkipValue)}}}, nil
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

func partnerFromData(d map[string]string, uid int64) *flows.PartnerProfile {
	return &flows.PartnerProfile{
		UserID: uid, Org: d["org"], Sector: d["sector"],
		Themes: inOrder(themes, codes(d["themes"])), Provinces: inOrder(provinces, codes(d["provinces"])),
		Offers: inOrder(resources, codes(d["offers"])), Needs: inOrder(resources, codes(d["needs"])),
		Description: d["desc"], Visible: d["visible"] != "no",
	}
}

func partnerData(p *flows.PartnerProfile) map[string]string {
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
func namesText(prefix string, cs []string) flows.Text {
	if len(cs) == 0 {
		return flows.T("mm.none_selected")
	}
	out := flows.T(prefix + cs[0])
	for _, c := range cs[1:] {
		out = flows.T("mm.comma", "A", out, "B", flows.T(prefix+c))
	}
	return out
}

// partnerDetails renders a profile's fields.
func partnerDetails(p *flows.PartnerProfile) flows.Text {
	var desc any = flows.HTML("—")
	if p.Description != "" {
		desc = p.Description
	}
	return flows.T("mm.details", "Org", p.Org, "Sector", flows.T("sector."+p.Sector),
		"Themes", namesText("theme.", p.Themes), "Provinces", namesText("province.", p.Provinces),
		"Offers", namesText("offer.", p.Offers), "Needs", namesText("offer.", p.Needs), "Desc", desc)
}

func visibilityText(visible bool) flows.Text {
	if visible {
		return flows.T("mm.visibility_on")
	}
	return flows.T("mm.visibility_off")
}

// partner shows the user's organisation profile card, or starts creating one.
func (e *module) partner(ctx context.Context, t *flows.Turn) error {
	p, err := e.store.GetPartner(ctx, t.User.ID)
	if errors.Is(err, flows.ErrNotFound) {
		return t.StartFlow(ctx, "partner")
	}
	if err != nil {
		return flows.InternalError("get partner", err)
	}
	e.partnerCard(t, p, false)
	return nil
}

func (e *module) partnerCard(t *flows.Turn, p *flows.PartnerProfile, edit bool) {
	pause := flows.Button{Label: flows.T("mm.btn_pause"), Data: flows.MustData(routeProfile, "p")}
	if !p.Visible {
		pause = flows.Button{Label: flows.T("mm.btn_resume"), Data: flows.MustData(routeProfile, "r")}
	}
	r := flows.Reply{Text: flows.T("mm.card", "Details", partnerDetails(p), "Visible", visibilityText(p.Visible)), Buttons: [][]flows.Button{
		{{Label: flows.T("mm.btn_edit"), Data: flows.MustData(routeProfile, "e")}, pause},
		{{Label: flows.T("mm.btn_delete"), Data: flows.MustData(routeProfile, "d")}},
		{{Label: flows.T("menu.matches"), Data: flows.MenuData("matches")}, {Label: flows.T("mm.btn_introductions"), Data: flows.MenuData("introductions")}},
	}}
	if edit && t.In.MessageID != 0 {
		r.EditMessageID = t.In.MessageID
	}
	t.Send(r)
}

// partnerBegin prefills the organisation from the participant profile.
func (e *module) partnerBegin(ctx context.Context, t *flows.Turn) error {
	t.Say(flows.T("mm.intro_new"))
	p, err := e.store.GetProfile(ctx, t.User.ID)
	if err != nil && !errors.Is(err, flows.ErrNotFound) {
		return flows.InternalError("get profile", err)
	}
	if p != nil && p.Organisation != "" {
		t.Session.Data["org"] = p.Organisation
	}
	return nil
}

// toggleButtons are items as two-a-row toggles (✅ when selected) with
// values "<prefix>.<code>", and a Done row.
func toggleButtons(t *flows.Turn, items, selected []string, namePrefix, valuePrefix string) [][]flows.Button {
	var rows [][]flows.Button
	var row []flows.Button
	for _, c := range items {
		label := t.NameLabel(namePrefix + c)
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

func doneRow(t *flows.Turn) []flows.Button {
	return []flows.Button{t.Choice(flows.T("mm.done"), "done")}
}

func multiReply(t *flows.Turn, name, ask, prefix string, items []string) flows.Reply {
	sel := codes(t.Session.Data[name])
	rows := append(toggleButtons(t, items, sel, prefix, "x"), doneRow(t))
	return flows.Reply{Text: flows.T(ask, "Org", t.Session.Data["org"], "Selected", namesText(prefix, sel)), Buttons: rows}
}

func multiPrompt(name, ask, prefix string, items []string) func(context.Context, *flows.Turn) (flows.Reply, error) {
	return func(_ context.Context, t *flows.Turn) (flows.Reply, error) {
		return multiReply(t, name, ask, prefix, items), nil
	}
}

// toggle adds or removes code in the session's list name, kept in order.
func toggle(t *flows.Turn, name string, order []string, code string) {
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
func multiAnswer(name, ask, prefix string, items []string, check func(*flows.Turn) error) func(context.Context, *flows.Turn, flows.Input) (string, error) {
	return func(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
		if in.Kind != flows.KindCallback {
			return "", flows.Refuse("mm.use_toggles")
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
			return "", flows.Refuse("errors.bad_button")
		}
		toggle(t, name, items, code)
		r := multiReply(t, name, ask, prefix, items)
		r.EditMessageID = in.MessageID
		t.Send(r)
		return "", flows.ErrStay
	}
}

func needTheme(t *flows.Turn) error {
	if t.Session.Data["themes"] == "" {
		return flows.Refuse("mm.need_theme")
	}
	return nil
}

func needOfferOrNeed(t *flows.Turn) error {
	if t.Session.Data["offers"] == "" && t.Session.Data["needs"] == "" {
		return flows.Refuse("mm.need_offer_or_need")
	}
	return nil
}

// provinceToggles is one page of province toggles: of every province with
// values "x<page>.<code>" and paging, or of search hits with "y.<code>".
func provinceToggles(t *flows.Turn, hits []string, page int) [][]flows.Button {
	sel := codes(t.Session.Data["provinces"])
	if hits != nil {
		return append(toggleButtons(t, hits[:min(len(hits), flows.ProvincePage)], sel, "province.", "y"), doneRow(t))
	}
	pages := (len(provinces) + flows.ProvincePage - 1) / flows.ProvincePage
	page = max(0, min(page, pages-1))
	rows := toggleButtons(t, provinces[page*flows.ProvincePage:min(len(provinces), (page+1)*flows.ProvincePage)], sel, "province.", "x"+strconv.Itoa(page))
	var nav []flows.Button
	if page > 0 {
		nav = append(nav, t.Choice(flows.T("nav.prev"), "p"+strconv.Itoa(page-1)))
	}
	nav = append(nav, t.Choice(flows.T("nav.page", "Page", page+1, "Pages", pages), "noop"))
	if page < pages-1 {
		nav = append(nav, t.Choice(flows.T("nav.next"), "p"+strconv.Itoa(page+1)))
	}
	return append(rows, nav, doneRow(t))
}

func provincesReply(t *flows.Turn, page int) flows.Reply {
	return flows.Reply{Text: flows.T("mm.ask_provinces", "Selected", namesText("province.", codes(t.Session.Data["provinces"]))),
		Buttons: provinceToggles(t, nil, page)}
}

func provincesPrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	return provincesReply(t, 0), nil
}

// hitsKey holds the province codes of the last search in the step.
const hitsKey = "_phits"

func hitsReply(t *flows.Turn) flows.Reply {
	return flows.Reply{Text: flows.T("mm.province_matches", "Query", t.Session.Data[hitsKey+"_q"],
		"Selected", namesText("province.", codes(t.Session.Data["provinces"]))),
		Buttons: provinceToggles(t, codes(t.Session.Data[hitsKey]), 0)}
}

// provincesAnswer: toggles (re-rendered in place), paging, typed text
// searched in the province names of the user's language, and Done.
func (e *module) provincesAnswer(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
	d := t.Session.Data
	switch in.Kind {
	case flows.KindCallback:
		v := in.Callback
		switch {
		case v == "noop":
			return "", flows.ErrStay
		case v == "done":
			if d["provinces"] == "" {
				return "", flows.Refuse("mm.need_province")
			}
			delete(d, hitsKey)
			delete(d, hitsKey+"_q")
			return d["provinces"], nil
		case strings.HasPrefix(v, "p"):
			n, err := strconv.Atoi(v[1:])
			if err != nil {
				return "", flows.Refuse("errors.bad_button")
			}
			r := provincesReply(t, n)
			r.EditMessageID = in.MessageID
			t.Send(r)
			return "", flows.ErrStay
		case strings.HasPrefix(v, "x") || strings.HasPrefix(v, "y"):
			where, code, _ := strings.Cut(v[1:], ".")
			if !slices.Contains(provinces, code) {
				return "", flows.Refuse("errors.bad_button")
			}
			toggle(t, "provinces", provinces, code)
			var r flows.Reply
			if v[0] == 'y' {
				r = hitsReply(t)
			} else {
				page, _ := strconv.Atoi(where)
				r = provincesReply(t, page)
			}
			r.EditMessageID = in.MessageID
			t.Send(r)
			return "", flows.ErrStay
		}
		return "", flows.Refuse("errors.bad_button")
	case flows.KindText:
		hits, ok := t.MatchProvinces(in.Text)
		if !ok || len(hits) == 0 {
			return "", flows.Refuse("profile.province_not_found")
		}
		if len(hits) == 1 {
			// One province named: selected (never toggled off by typing it
			// again), and the question goes on without a lone search hit
			// whose tap would deselect it.
			if !slices.Contains(codes(d["provinces"]), hits[0]) {
				toggle(t, "provinces", provinces, hits[0])
			}
			delete(d, hitsKey)
			delete(d, hitsKey+"_q")
			r := provincesReply(t, slices.Index(provinces, hits[0])/flows.ProvincePage)
			r.Text = flows.T("mm.province_added", "Province", flows.T("province."+hits[0]),
				"Selected", namesText("province.", codes(d["provinces"])))
			t.Send(r)
			return "", flows.ErrStay
		}
		d[hitsKey], d[hitsKey+"_q"] = strings.Join(hits, ","), flows.CleanText(in.Text)
		t.Send(hitsReply(t))
		return "", flows.ErrStay
	}
	return "", flows.Refuse("mm.use_toggles")
}

func visiblePrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	return flows.Reply{Text: flows.T("mm.ask_visible"), Buttons: [][]flows.Button{{
		t.Choice(flows.T("mm.visible_yes"), "yes"), t.Choice(flows.T("mm.visible_no"), "no"),
	}}}, nil
}

// partnerFields are offered by the summary's Edit menu.
var partnerFields = []string{"org", "sector", "themes", "provinces", "offers", "needs", "desc", "visible"}

func partnerSummary(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	p := partnerFromData(t.Session.Data, t.User.ID)
	return flows.Reply{Text: flows.T("mm.summary", "Details", partnerDetails(p), "Visible", visibilityText(p.Visible)), Buttons: [][]flows.Button{{
		t.Choice(flows.T("mm.save"), "save"), t.Choice(flows.T("mm.edit"), "edit"), t.Choice(flows.T("mm.discard"), "discard"),
	}}}, nil
}

func (e *module) partnerConfirm(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
	if in.Kind != flows.KindCallback {
		return "", flows.Refuse("errors.use_buttons")
	}
	switch v := in.Callback; {
	case v == "save":
		if err := needTheme(t); err != nil {
			return "", err
		}
		if t.Session.Data["provinces"] == "" {
			return "", flows.Refuse("mm.need_province")
		}
		if err := needOfferOrNeed(t); err != nil {
			return "", err
		}
		return v, nil
	case v == "discard":
		t.EndFlow()
		t.Send(flows.Reply{EditMessageID: in.MessageID, ClearButtons: true})
		t.Say(flows.T("mm.discarded"))
		return "", flows.ErrStay
	case v == "edit":
		var rows [][]flows.Button
		for i := 0; i < len(partnerFields); i += 2 {
			rows = append(rows, []flows.Button{
				t.Choice(flows.T("mm.field."+partnerFields[i]), "e_"+partnerFields[i]),
				t.Choice(flows.T("mm.field."+partnerFields[i+1]), "e_"+partnerFields[i+1]),
			})
		}
		t.Send(flows.Reply{EditMessageID: in.MessageID, Text: flows.T("mm.edit_which"), Buttons: rows})
		return "", flows.ErrStay
	case strings.HasPrefix(v, "e_") && slices.Contains(partnerFields, v[2:]):
		t.Send(flows.Reply{EditMessageID: in.MessageID, ClearButtons: true})
		t.ReturnTo("confirm")
		return "", flows.Goto(v[2:])
	}
	return "", flows.Refuse("errors.bad_button")
}

func (e *module) partnerDone(ctx context.Context, t *flows.Turn) error {
	switch {
	case t.User.Consent == e.cfg.ConsentVersion:
	case t.Session.Data["consent"] == "yes":
		t.User.Consent = e.cfg.ConsentVersion
	default:
		t.Say(flows.T("profile.not_saved"))
		return nil
	}
	p := partnerFromData(t.Session.Data, t.User.ID)
	p.Created, p.Updated = t.In.Now, t.In.Now
	old, err := e.store.GetPartner(ctx, t.User.ID)
	switch {
	case err == nil:
		p.Created = old.Created
	case !errors.Is(err, flows.ErrNotFound):
		return flows.InternalError("get partner", err)
	}
	if err := e.store.SavePartner(ctx, p); err != nil {
		return flows.InternalError("save partner", err)
	}
	t.Say(flows.T("mm.saved", "Org", p.Org, "Visible", visibilityText(p.Visible)), []flows.Button{
		{Label: flows.T("menu.matches"), Data: flows.MenuData("matches")}, {Label: flows.T("menu.partner"), Data: flows.MenuData("partner")},
	})
	return nil
}

// partnerAction runs a button of the user's own profile card. It acts only
// on the presser's own profile: the payload names no profile.
func (e *module) partnerAction(ctx context.Context, t *flows.Turn, action string) error {
	p, err := e.store.GetPartner(ctx, t.User.ID)
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("mm.no_profile_short"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("get partner", err)
	}
	switch action {
	case "c":
		e.partnerCard(t, p, true)
	case "e":
		if t.In.MessageID != 0 {
			t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
		}
		return t.StartFlowAt(ctx, "partner", "confirm", partnerData(p))
	case "p", "r":
		p.Visible, p.Updated = action == "r", t.In.Now
		if err := e.store.SavePartner(ctx, p); err != nil {
			return flows.InternalError("save partner", err)
		}
		if p.Visible {
			t.Answer(flows.T("mm.resumed"), false)
		} else {
			t.Answer(flows.T("mm.paused"), false)
		}
		e.partnerCard(t, p, true)
	case "d":
		r := flows.Reply{Text: flows.T("mm.delete_confirm", "Org", p.Org), Buttons: [][]flows.Button{{
			{Label: flows.T("mm.delete_yes"), Data: flows.MustData(routeProfile, "dy")}, {Label: flows.T("mm.back"), Data: flows.MustData(routeProfile, "c")},
		}}}
		if t.In.MessageID != 0 {
			r.EditMessageID = t.In.MessageID
		}
		t.Send(r)
	case "dy":
		if err := e.store.DeletePartner(ctx, t.User.ID); err != nil && !errors.Is(err, flows.ErrNotFound) {
			return flows.InternalError("delete partner", err)
		}
		r := flows.Reply{Text: flows.T("mm.deleted", "Org", p.Org)}
		if t.In.MessageID != 0 {
			r.EditMessageID = t.In.MessageID
		}
		t.Send(r)
	default:
		t.Answer(flows.T("errors.bad_button"), true)
	}
	return nil
}
