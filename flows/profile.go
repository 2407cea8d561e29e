package flows

import (
	"context"
	"errors"
	"strconv"
)

// maxNameLen is the longest name a profile takes, in characters.
const maxNameLen = 100

// ProfileModule is the capability of the participant profile (/profile) with its consent.
func ProfileModule() Module { return ModuleFunc(func(r *Registry) { registerProfile(r.e) }) }

func registerProfile(e *Engine) {
	e.addCommand(&Command{Name: "profile", Describe: "cmd.profile", Run: func(ctx context.Context, t *Turn) error {
		return t.StartFlow(ctx, "profile")
	}})
	e.addMenu(MenuItem{Command: "profile", Label: "menu.profile", Order: 10})
	e.addFlow(&Flow{
		Name:  "profile",
		Begin: e.profileBegin,
		Done:  e.profileDone,
		Steps: []*Step{
			{Name: "name", Keep: true, Parse: NameAnswer(maxNameLen),
				Prompt: Ask("profile.ask_name")},
			{Name: "org", Keep: true, Parse: TextAnswer(MaxOrgLen),
				Prompt: Ask("profile.ask_org")},
			{Name: "sector", Keep: true, Parse: ChoiceAnswer(Sectors()...), Prompt: SectorPrompt,
				Show: func(_ *Turn, v string) any { return T("sector." + v) }},
			{Name: "province", Keep: true, Parse: provinceAnswer, Prompt: provincePrompt(0),
				Show: func(_ *Turn, v string) any { return T("province." + v) }},
			{Name: "consent", Parse: ChoiceAnswer("yes", "no"), Prompt: ConsentPrompt,
				Skip: func(t *Turn) bool { return t.Session.Data["consent_version"] == e.cfg.ConsentVersion }},
		},
	})
}

// profileBegin prefills the answers from a stored profile so editing offers
// "keep" buttons.
func (e *Engine) profileBegin(ctx context.Context, t *Turn) error {
	p, err := e.store.GetProfile(ctx, t.User.ID)
	if errors.Is(err, ErrNotFound) {
		t.Say(T("profile.intro"))
		return nil
	}
	if err != nil {
		return InternalError("get profile", err)
	}
	d := t.Session.Data
	d["name"], d["org"], d["sector"], d["province"] = p.FullName, p.Organisation, p.Sector, p.Province
	d["consent_version"] = p.ConsentVersion
	d["consent_at"] = strconv.FormatInt(p.ConsentAt.Unix(), 10)
	t.Say(T("profile.edit_intro"))
	return nil
}

// provincePrompt shows one page of province buttons, two a row, with paging.
func provincePrompt(page int) func(context.Context, *Turn) (Reply, error) {
	return func(_ context.Context, t *Turn) (Reply, error) {
		return Reply{Text: T("profile.ask_province"), Buttons: ProvinceButtons(t, Provinces(), page)}, nil
	}
}

// provinceAnswer takes a province button, a page button, or typed text that
// is searched in the province names of the user's language.
func provinceAnswer(_ context.Context, t *Turn, in Input) (string, error) {
	return t.ProvinceAnswerIn(in, "profile.ask_province")
}

func (e *Engine) profileDone(ctx context.Context, t *Turn) error {
	d := t.Session.Data
	p := &Profile{
		UserID: t.User.ID, FullName: d["name"], Organisation: d["org"],
		Sector: d["sector"], Province: d["province"], Updated: t.In.Now,
	}
	switch {
	case d["consent"] == "yes":
		p.ConsentAt, p.ConsentVersion = t.In.Now, e.cfg.ConsentVersion
	case d["consent"] == "" && d["consent_version"] == e.cfg.ConsentVersion:
		sec, _ := strconv.ParseInt(d["consent_at"], 10, 64)
		p.ConsentAt, p.ConsentVersion = UnixTime(sec), e.cfg.ConsentVersion
	default:
		t.Say(T("profile.not_saved"))
		return nil
	}
	if err := e.store.SaveProfile(ctx, p); err != nil {
		return InternalError("save profile", err)
	}
	t.User.Consent = p.ConsentVersion
	t.Say(ProfileSummary(p, "profile.saved"))
	// The profile may have been asked for by another capability (a
	// registration): carry on with it.
	return t.ProfileSaved(ctx)
}
