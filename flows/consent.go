package flows

import (
	"context"
	"errors"
	"strconv"
	"strings"
)

// Consent and the profile questions other capabilities ask too: the privacy
// notice in force and its re-consent gate, the sector and province
// questions, and a profile's summary.

// ConsentVersion identifies the privacy notice (locales "privacy.notice")
// a profile's consent was given to. Change it when the notice changes.
const ConsentVersion = "2026-11"

// MaxOrgLen is the longest organisation name a profile takes, in characters.
const MaxOrgLen = 150

// ProvincePage is how many province buttons one page shows.
const ProvincePage = 10

func SectorPrompt(_ context.Context, t *Turn) (Reply, error) {
	var rows [][]Button
	for i := 0; i < len(sectors); i += 2 {
		row := []Button{t.Choice(T("sector."+sectors[i]), sectors[i])}
		if i+1 < len(sectors) {
			row = append(row, t.Choice(T("sector."+sectors[i+1]), sectors[i+1]))
		}
		rows = append(rows, row)
	}
	return Reply{Text: T("profile.ask_sector"), Buttons: rows}, nil
}

func ProvinceButtons(t *Turn, codes []string, page int) [][]Button {
	pages := (len(codes) + ProvincePage - 1) / ProvincePage
	page = max(0, min(page, pages-1))
	from, to := page*ProvincePage, min(len(codes), (page+1)*ProvincePage)
	var rows [][]Button
	for i := from; i < to; i += 2 {
		row := []Button{t.Choice(T("province."+codes[i]), codes[i])}
		if i+1 < to {
			row = append(row, t.Choice(T("province."+codes[i+1]), codes[i+1]))
		}
		rows = append(rows, row)
	}
	if pages > 1 {
		var nav []Button
		if page > 0 {
			nav = append(nav, t.Choice(T("nav.prev"), "p"+strconv.Itoa(page-1)))
		}
		nav = append(nav, Button{Label: T("nav.page", "Page", page+1, "Pages", pages), Data: MustData(stepRoute, t.Session.Nonce, "noop")})
		if page < pages-1 {
			nav = append(nav, t.Choice(T("nav.next"), "p"+strconv.Itoa(page+1)))
		}
		rows = append(rows, nav)
	}
	return rows
}

// provinceAnswerIn is provinceAnswer for a question with message id prompt.
// ProvinceAnswerIn parses a province chosen by button or typed, paging the
// province buttons under prompt.
func (t *Turn) ProvinceAnswerIn(in Input, prompt string) (string, error) {
	return t.e.provinceAnswerIn(t, in, prompt)
}

func (e *Engine) provinceAnswerIn(t *Turn, in Input, prompt string) (string, error) {
	switch in.Kind {
	case KindCallback:
		v := in.Callback
		if v == "noop" {
			return "", ErrStay
		}
		if p, ok := strings.CutPrefix(v, "p"); ok {
			if n, err := strconv.Atoi(p); err == nil {
				t.Send(Reply{EditMessageID: in.MessageID, Text: T(prompt), Buttons: ProvinceButtons(t, provinces, n)})
				return "", ErrStay
			}
		}
		for _, c := range provinces {
			if c == v {
				return c, nil
			}
		}
		return "", Refuse("errors.bad_button")
	case KindText:
		hits, ok := t.MatchProvinces(in.Text)
		if !ok || len(hits) == 0 {
			return "", Refuse("profile.province_not_found")
		}
		if len(hits) == 1 {
			return hits[0], nil
		}
		t.Say(T("profile.province_matches", "Query", CleanText(in.Text)), ProvinceButtons(t, hits, 0)...)
		return "", ErrStay
	default:
		return "", Refuse("errors.expect_text")
	}
}

// MatchProvinces is the one province matcher every question that takes a
// typed province uses: an alias ("ntt", "jabar"), a code ("NT") or a whole
// name in the user's language, case aside, names exactly one province;
// otherwise the hits are every province whose name contains the query. ok
// is false for a query too short or too long to search.
func (t *Turn) MatchProvinces(query string) (hits []string, ok bool) {
	q := strings.ToLower(CleanText(query))
	if q == "" || len(q) > 60 {
		return nil, false
	}
	if code, ok := provinceAliases[q]; ok {
		return []string{code}, true
	}
	for _, c := range provinces {
		name, _ := t.e.texts.Text(t.Lang, "province."+c, nil, nil)
		name = strings.ToLower(name)
		if name == q || strings.ToLower(c) == q {
			return []string{c}, true
		}
		if strings.Contains(name, q) {
			hits = append(hits, c)
		}
	}
	return hits, true
}

func ConsentPrompt(_ context.Context, t *Turn) (Reply, error) {
	return Reply{Text: T("privacy.notice", "Version", t.e.cfg.ConsentVersion), Buttons: [][]Button{{
		t.Choice(T("privacy.agree"), "yes"),
		t.Choice(T("privacy.decline"), "no"),
	}}}, nil
}

// ProfileSummary renders a profile under a heading message id.
func ProfileSummary(p *Profile, heading string) Text {
	return T(heading,
		"Name", p.FullName, "Org", p.Organisation,
		"Sector", T("sector."+p.Sector), "Province", T("province."+p.Province))
}

// registerReconsent adds the flow the consent gate asks a changed privacy
// notice with; New adds it to every engine.
func registerReconsent(e *Engine) {
	e.addFlow(&Flow{Name: "reconsent", Done: e.reconsentDone, Steps: []*Step{
		{Name: "consent", Parse: ChoiceAnswer("yes", "no"), Prompt: func(ctx context.Context, t *Turn) (Reply, error) {
			t.Say(T("privacy.changed"))
			return ConsentPrompt(ctx, t)
		}},
	}})
}

// consentGate reports whether the input must wait for an answer to a
// changed privacy notice: the user gave data under another version, and the
// input is not an answer to the new one (its buttons, or text that the
// question re-asks).
func (e *Engine) consentGate(t *Turn) bool {
	if t.User.Consent == "" || t.User.Consent == e.cfg.ConsentVersion {
		return false
	}
	in := t.In
	// The rights to see and to delete one's data never wait for consent.
	if (in.Kind == KindCommand && (in.Command == "mydata" || in.Command == "forgetme")) ||
		(in.Kind == KindCallback && e.routeIs(in.Callback, "privacy.forget")) {
		return false
	}
	if t.Session.Flow != "reconsent" {
		return true
	}
	if c := e.commands[in.Command]; in.Kind == KindCommand && c != nil && c.Anywhere {
		return false // /help, /language (to read it in the other language), /cancel
	}
	answering := (in.Kind == KindCallback && (e.routeIs(in.Callback, stepRoute) || e.routeIs(in.Callback, languageRoute))) ||
		in.Kind == KindText || in.Kind == KindMedia
	return !answering
}

// reconsentDone records the answer to a changed notice: agreeing updates the
// consent record; declining removes the profile that rested on it.
func (e *Engine) reconsentDone(ctx context.Context, t *Turn) error {
	p, err := e.store.GetProfile(ctx, t.User.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return InternalError("get profile", err)
	}
	if t.Session.Data["consent"] != "yes" {
		if p != nil {
			if err := e.store.RemoveProfile(ctx, t.User.ID); err != nil {
				return InternalError("remove profile", err)
			}
		}
		t.User.Consent = ""
		t.Say(T("privacy.withdrawn"))
		return nil
	}
	if p != nil {
		p.ConsentAt, p.ConsentVersion, p.Updated = t.In.Now, e.cfg.ConsentVersion, t.In.Now
		if err := e.store.SaveProfile(ctx, p); err != nil {
			return InternalError("save consent", err)
		}
	}
	t.User.Consent = e.cfg.ConsentVersion
	t.Say(T("privacy.thanks"))
	return nil
}
