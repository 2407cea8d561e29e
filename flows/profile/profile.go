// Package profile is the capability of the participant profile (/profile):
// name, organisation, sector, province and consent to the privacy notice.
// What asked for the profile (a registration) carries on through the core's
// OnProfileSaved hook.
package profile

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"sinergi/flows"
)

// maxNameLen is the longest name a profile takes, in characters.
const maxNameLen = 100

// Module is the capability of the participant profile (/profile) with its consent.
func Module(st Store) flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		e := &module{store: st, cfg: r.Config(), texts: r.Texts()}
		e.register(r)
	})
}

// Store is what the profile capability reads and writes.
type Store interface {
	GetProfile(ctx context.Context, userID int64) (*flows.Profile, error)
	SaveProfile(ctx context.Context, p *flows.Profile) error
	flows.ChapterReader // the chapters /profile lists
}

type module struct {
	store Store
	cfg   flows.Config
	texts flows.Texts
}

func (e *module) register(r *flows.Registry) {
	r.Command(&flows.Command{Name: "profile", Describe: "cmd.profile", Run: func(ctx context.Context, t *flows.Turn) error {
		return t.StartFlow(ctx, "profile")
	}})
	r.Menu(flows.MenuItem{Command: "profile", Label: "menu.profile", Order: 10})
	r.Flow(&flows.Flow{
		Name:  "profile",
		Begin: e.profileBegin,
		Done:  e.profileDone,
		Steps: []*flows.Step{
			{Name: "name", Keep: true, Parse: flows.NameAnswer(maxNameLen),
				Prompt: flows.Ask("profile.ask_name")},
			{Name: "org", Keep: true, Parse: flows.TextAnswer(flows.MaxOrgLen),
				Prompt: flows.Ask("profile.ask_org")},
			{Name: "sector", Keep: true, Parse: flows.ChoiceAnswer(flows.Sectors()...), Prompt: flows.SectorPrompt,
				Show: func(_ *flows.Turn, v string) any { return flows.T("sector." + v) }},
			{Name: "province", Keep: true, Parse: provinceAnswer, Prompt: provincePrompt(0),
				Show: func(_ *flows.Turn, v string) any { return flows.T("province." + v) }},
			{Name: "consent", Parse: flows.ChoiceAnswer("yes", "no"), Prompt: flows.ConsentPrompt,
				Skip: func(t *flows.Turn) bool { return t.Session.Data["consent_version"] == e.cfg.ConsentVersion }},
		},
	})
}

// sayChapters tells the user the chapters they belong to (nothing when
// none: a forum without chapters shows none).
func (e *module) sayChapters(ctx context.Context, t *flows.Turn, p *flows.Profile) error {
	chs, err := flows.ChaptersOf(ctx, e.store, t.User.ID, p)
	if err != nil || len(chs) == 0 {
		return err
	}
	names := make([]string, len(chs))
	for i, c := range chs {
		names[i] = c.Name
	}
	// A chapter joined by link can be left from here (chapters.leave).
	joined, err := e.store.JoinedChapters(ctx, t.User.ID)
	if err != nil {
		return flows.InternalError("joined chapters", err)
	}
	var rows [][]flows.Button
	for _, c := range chs {
		if slices.Contains(joined, c.ID) {
			rows = append(rows, []flows.Button{{Label: flows.T("chapters.leave_button", "Name", c.Name), Data: flows.MustData("chapters.leave", c.ID)}})
		}
	}
	t.Say(flows.T("profile.chapters", "Count", len(chs), "Names", strings.Join(names, ", ")), rows...)
	return nil
}

// profileBegin prefills the answers from a stored profile so editing offers
// "keep" buttons.
func (e *module) profileBegin(ctx context.Context, t *flows.Turn) error {
	p, err := e.store.GetProfile(ctx, t.User.ID)
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("profile.intro"))
		return e.sayChapters(ctx, t, nil)
	}
	if err != nil {
		return flows.InternalError("get profile", err)
	}
	if err := e.sayChapters(ctx, t, p); err != nil {
		return err
	}
	d := t.Session.Data
	d["name"], d["org"], d["sector"], d["province"] = p.FullName, p.Organisation, p.Sector, p.Province
	d["consent_version"] = p.ConsentVersion
	d["consent_at"] = strconv.FormatInt(p.ConsentAt.Unix(), 10)
	t.Say(flows.T("profile.edit_intro"))
	return nil
}

// provincePrompt shows one page of province buttons, two a row, with paging.
func provincePrompt(page int) func(context.Context, *flows.Turn) (flows.Reply, error) {
	return func(_ context.Context, t *flows.Turn) (flows.Reply, error) {
		return flows.Reply{Text: flows.T("profile.ask_province"), Buttons: flows.ProvinceButtons(t, flows.Provinces(), page)}, nil
	}
}

// provinceAnswer takes a province button, a page button, or typed text that
// is searched in the province names of the user's language.
func provinceAnswer(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
	return t.ProvinceAnswerIn(in, "profile.ask_province")
}

func (e *module) profileDone(ctx context.Context, t *flows.Turn) error {
	d := t.Session.Data
	p := &flows.Profile{
		UserID: t.User.ID, FullName: d["name"], Organisation: d["org"],
		Sector: d["sector"], Province: d["province"], Updated: t.In.Now,
	}
	switch {
	case d["consent"] == "yes":
		p.ConsentAt, p.ConsentVersion = t.In.Now, e.cfg.ConsentVersion
	case d["consent"] == "" && d["consent_version"] == e.cfg.ConsentVersion:
		sec, _ := strconv.ParseInt(d["consent_at"], 10, 64)
		p.ConsentAt, p.ConsentVersion = flows.UnixTime(sec), e.cfg.ConsentVersion
	default:
		t.Say(flows.T("profile.not_saved"))
		return nil
	}
	if err := e.store.SaveProfile(ctx, p); err != nil {
		return flows.InternalError("save profile", err)
	}
	t.User.Consent = p.ConsentVersion
	t.Say(flows.ProfileSummary(p, "profile.saved"))
	// The profile may have been asked for by another capability (a
	// registration): carry on with it.
	return t.ProfileSaved(ctx)
}
