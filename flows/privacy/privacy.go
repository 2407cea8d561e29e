// Package privacy is the capability of the data subject's rights (UU PDP):
// /mydata exports everything stored about the user, /forgetme deletes it.
package privacy

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"sinergi/flows"
)

// Personal-data rights (UU PDP 27/2022): /mydata sends the user everything
// Sinergi stores about them, /forgetme deletes it after a confirmation. The
// storage work is the store's (Privacy); what is deleted and what stays as
// anonymous counts is documented in store/privacy.go.

// Module is the capability of /mydata and /forgetme.
func Module(st Store) flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		e := &module{store: st, cfg: r.Config(), texts: r.Texts()}
		e.register(r)
	})
}

// Store is what the privacy capability reads and deletes.
type Store interface {
	flows.Privacy
	GetWorkshop(ctx context.Context, code string) (*flows.Workshop, error)
	Form(ctx context.Context, code string) ([]flows.FormQuestion, error)
	UserRegistrations(ctx context.Context, uid int64) ([]*flows.Registration, error)
	Sessions(ctx context.Context, code string) ([]flows.AgendaSession, error)
	ChosenSessions(ctx context.Context, code string, uid int64) ([]string, error)
	Counts(ctx context.Context, code string) (flows.Counts, error)
	flows.Jobs
}

type module struct {
	store Store
	cfg   flows.Config
	texts flows.Texts
}

// routeForget is the route of /forgetme's confirmation buttons,
// "privacy.forget:<yes|no>" (before namespaces: "priv"). The core's consent
// gate lets it through by this name: forgetting never waits for consent.
const routeForget = "privacy.forget"

func (e *module) register(r *flows.Registry) {
	r.Namespace("privacy")
	r.Command(&flows.Command{Name: "mydata", Describe: "cmd.mydata", Run: e.myData})
	r.Command(&flows.Command{Name: "forgetme", Describe: "cmd.forgetme", Run: forgetMe})
	r.Route(&flows.Route{Name: routeForget, Legacy: "priv", Run: e.forgetAnswer})
	r.Menu(flows.MenuItem{Command: "mydata", Label: "menu.mydata", Order: 95})
}

// summaryMax is the longest readable summary sent as a message; a longer
// one is sent as a .txt file (Telegram allows 4096 characters).
const summaryMax = 3500

func (e *module) myData(ctx context.Context, t *flows.Turn) error {
	d, err := e.store.ExportUser(ctx, t.User.ID)
	if err != nil {
		return flows.InternalError("export user", err)
	}
	d.Exported = t.In.Now
	if err := e.formAnswers(ctx, t.Lang, d); err != nil {
		return err
	}
	if err := e.sessionSignUps(ctx, t.User.ID, d); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return flows.InternalError("encode export", err)
	}
	id := strconv.FormatInt(t.User.ID, 10)
	t.Send(flows.Reply{Text: flows.T("privacy.mydata_caption"),
		Document: &flows.Attachment{Name: "sinergi-mydata-" + id + ".json", Data: raw}})
	body := e.dataSummary(t, d)
	if len(body) > summaryMax {
		t.Send(flows.Reply{Text: flows.T("privacy.mydata_file_caption"),
			Document: &flows.Attachment{Name: "sinergi-mydata-" + id + ".txt", Data: []byte(body)}})
		return nil
	}
	t.Say(flows.T("privacy.mydata_summary", "Body", body))
	return nil
}

// formAnswers fills each registration's Form: its answers to the
// workshop's form with the questions' wording, in lang, in the form's order
// (the legacy single question's answer is Answer already).
func (e *module) formAnswers(ctx context.Context, lang string, d *flows.UserData) error {
	for i := range d.Registrations {
		r := &d.Registrations[i]
		if len(r.Answers) == 0 {
			continue
		}
		form, err := e.store.Form(ctx, r.Workshop)
		if err != nil {
			return flows.InternalError("form", err)
		}
		reg := flows.Registration{Answers: r.Answers}
		for _, q := range form {
			v := reg.AnswerTo(q.ID)
			if v == "" {
				continue
			}
			shown := v
			switch a := flows.ShowAnswer(&q, v, lang).(type) {
			case string:
				shown = a
			case flows.Text:
				s, err := e.texts.Text(lang, a.ID, a.Data, nil)
				if err != nil {
					return flows.InternalError("form answer", err)
				}
				shown = s
			}
			r.Form = append(r.Form, flows.FormAnswerData{ID: q.ID, Question: q.Localised(lang), Answer: shown})
		}
	}
	return nil
}

// sessionSignUps fills each registration's Sessions: the agenda's sessions
// uid holds a seat in, in the order chosen.
func (e *module) sessionSignUps(ctx context.Context, uid int64, d *flows.UserData) error {
	for i := range d.Registrations {
		r := &d.Registrations[i]
		chosen, err := e.store.ChosenSessions(ctx, r.Workshop, uid)
		if err != nil {
			return flows.InternalError("chosen sessions", err)
		}
		if len(chosen) == 0 {
			continue
		}
		ss, err := e.store.Sessions(ctx, r.Workshop)
		if err != nil {
			return flows.InternalError("sessions", err)
		}
		for _, id := range chosen {
			if j := slices.IndexFunc(ss, func(s flows.AgendaSession) bool { return s.ID == id }); j >= 0 {
				s := ss[j]
				r.Sessions = append(r.Sessions, flows.SessionData{ID: s.ID, Title: s.Title, Start: s.Start, End: s.End, Room: s.Room})
			}
		}
	}
	return nil
}

// dataSummary renders d as plain text lines in the user's language.
func (e *module) dataSummary(t *flows.Turn, d *flows.UserData) string {
	tx := func(id string, kv ...any) string {
		s, _ := e.texts.Text(t.Lang, id, flows.T("", kv...).Data, nil)
		return s
	}
	zone := e.cfg.Location.String()
	when := func(r flows.RegistrationData) string {
		return flows.FormatDateTime(e.texts, t.Lang, r.RegisteredAt, zone)
	}
	var lines []string
	add := func(s string) { lines = append(lines, s) }
	if u := d.User; u != nil {
		updates := tx("privacy.sum.updates_on")
		if u.NoUpdates {
			updates = tx("privacy.sum.updates_off")
		}
		since := ""
		if !u.Created.IsZero() {
			since = flows.FormatDate(e.texts, t.Lang, u.Created, zone)
		}
		add(tx("privacy.sum.user", "ID", strconv.FormatInt(u.ID, 10), "Name", u.FirstName, "Username", u.Username,
			"Lang", tx("language.name."+u.Lang), "Role", tx("role."+u.Role.String()), "Updates", updates,
			"Since", since))
	}
	if p := d.Profile; p != nil {
		add(tx("privacy.sum.profile", "Name", p.FullName, "Org", p.Organisation,
			"Sector", tx("sector."+p.Sector), "Province", tx("province."+p.Province)))
		add(tx("privacy.sum.consent", "At", flows.FormatDateTime(e.texts, t.Lang, p.ConsentAt, zone), "Version", p.ConsentVersion))
	} else {
		add(tx("privacy.sum.no_profile"))
	}
	for _, r := range d.Registrations {
		s := tx("privacy.sum.reg", "Title", r.Title, "Code", r.Workshop, "Status", tx("privacy.sum.reg_"+string(r.Status)), "At", when(r))
		if !r.CheckedInAt.IsZero() {
			s += " " + tx("privacy.sum.checked_in", "At", flows.FormatDateTime(e.texts, t.Lang, r.CheckedInAt, zone))
		}
		if r.Answer != "" {
			s += " " + tx("privacy.sum.answer", "Answer", r.Answer)
		}
		for _, a := range r.Form {
			s += " " + tx("privacy.sum.form_answer", "Question", a.Question, "Answer", a.Answer)
		}
		for _, ss := range r.Sessions {
			s += " " + tx("privacy.sum.session", "Title", ss.Title, "At", flows.FormatDateTime(e.texts, t.Lang, ss.Start, zone))
		}
		add(s)
	}
	for _, f := range d.Feedback {
		s := tx("privacy.sum.feedback", "Title", f.Title, "Rating", strconv.Itoa(f.Rating))
		if f.Comment != "" {
			s += " " + tx("privacy.sum.answer", "Answer", f.Comment)
		}
		add(s)
	}
	for _, c := range d.Certificates {
		add(tx("privacy.sum.certificate", "Number", c.Number, "Name", c.Name, "Org", c.Org))
	}
	for _, sv := range d.Surveys {
		add(tx("privacy.sum.survey", "Title", sv.Title))
	}
	if p := d.Partner; p != nil {
		add(tx("privacy.sum.partner", "Org", p.Org, "Sector", tx("sector."+p.Sector)))
	}
	for _, in := range d.Introductions {
		id, org := "privacy.sum.intro_recv", in.FromOrg
		if in.Sent {
			id, org = "privacy.sum.intro_sent", in.ToOrg
		}
		if org == "" {
			org = tx("privacy.deleted_org")
		}
		add(tx(id, "Org", org, "Status", tx("privacy.sum.intro_"+string(in.Status)),
			"At", flows.FormatDate(e.texts, t.Lang, in.Created, zone)))
	}
	for _, c := range d.Commitments {
		add(tx("privacy.sum.commitment", "What", c.What, "Code", c.Workshop, "Status", tx("cm.status."+c.Status),
			"Due", flows.FormatDate(e.texts, t.Lang, c.Due, zone), "Count", len(c.History)))
	}
	if len(d.Broadcasts) > 0 {
		add(tx("privacy.sum.broadcasts", "N", strconv.Itoa(len(d.Broadcasts))))
	}
	for _, tm := range d.Teams {
		id := "privacy.sum.team"
		if tm.Owner {
			id = "privacy.sum.team_owner"
		}
		add(tx(id, "Title", tm.Title, "Code", tm.Workshop))
	}
	if a := d.Administers; a != nil {
		add(tx("privacy.sum.administers", "Name", cmp.Or(a.Name, a.ID)))
	}
	if n := len(d.Messages); n > 0 {
		s, _ := e.texts.Text(t.Lang, "privacy.sum.messages", map[string]any{"Count": n}, n)
		add(s)
	}
	return strings.Join(lines, "\n")
}

func forgetMe(_ context.Context, t *flows.Turn) error {
	t.Say(flows.T("privacy.forget_confirm"), []flows.Button{
		{Label: flows.T("privacy.forget_yes"), Data: flows.MustData(routeForget, "yes")},
		{Label: flows.T("privacy.forget_no"), Data: flows.MustData(routeForget, "no")},
	})
	return nil
}

// forgetAnswer deletes everything on "yes". The audit entry is written
// first, under the user's pseudonym, which the deletion then removes: the
// trail keeps that a deletion happened, not whose.
func (e *module) forgetAnswer(ctx context.Context, t *flows.Turn, payload string) error {
	switch payload {
	case "no":
		t.Send(flows.Reply{EditMessageID: t.In.MessageID, Text: flows.T("privacy.forget_kept")})
		return nil
	case "yes":
	default:
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	if err := t.Audit(ctx, flows.AuditForget, "", 0); err != nil {
		return err
	}
	if err := t.Forgetting(ctx, t.User.ID); err != nil {
		return err
	}
	// A seat they free may be offered on: each workshop's offer sweep
	// first (flows/offer_sweep.go).
	regs, err := e.store.UserRegistrations(ctx, t.User.ID)
	if err != nil {
		return flows.InternalError("registrations", err)
	}
	for _, r := range regs {
		if r.Status != flows.RegConfirmed && r.Status != flows.RegOffered {
			continue // holds no seat to pass on
		}
		w, err := e.store.GetWorkshop(ctx, r.Workshop)
		if errors.Is(err, flows.ErrNotFound) {
			continue
		}
		if err != nil {
			return flows.InternalError("workshop", err)
		}
		c, err := e.store.Counts(ctx, r.Workshop)
		if err != nil {
			return flows.InternalError("counts", err)
		}
		if !w.Offers || c.Waiting == 0 {
			continue // nobody to offer the seat to
		}
		if err := e.store.Schedule(ctx, flows.OfferSweepJob(r.Workshop, t.In.Now)); err != nil {
			return flows.InternalError("schedule offer sweep", err)
		}
	}
	promoted, err := e.store.ForgetUser(ctx, t.User.ID, t.In.Now)
	if err != nil {
		return flows.InternalError("forget user", err)
	}
	t.Forget()
	t.Session = &flows.Session{Version: flows.SessionVersion}
	t.Send(flows.Reply{EditMessageID: t.In.MessageID, Text: flows.T("privacy.forgotten")})
	// A seat freed by the deletion goes on exactly as on a cancellation:
	// the person promoted is told, with their calendar file, QR code and
	// reminders.
	for _, p := range promoted {
		w, err := e.store.GetWorkshop(ctx, p.Workshop)
		if err != nil {
			return flows.InternalError("forget: promoted workshop", err)
		}
		if err := t.TellPromoted(ctx, w, p.UserID); err != nil {
			return err
		}
	}
	return nil
}
