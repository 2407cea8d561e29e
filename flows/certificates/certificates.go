// Package certificates is the capability of certificates of attendance:
// an attendee confirms or corrects the spelling of their name and
// organisation and gets a PDF (A4 landscape, Indonesian and English) with
// a unique number and a QR code of its verification link
// (/start cert_<code>); /certificates lists theirs and sends any again;
// the team sends them to every attendee at once, through the job queue.
// The PDF is described here (flows.CertificateDoc) and made by the
// transport (bot/pdf).
package certificates

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// Store is what certificates reads and writes.
type Store interface {
	flows.WorkshopGetter
	flows.Names
	flows.Jobs
	GetRegistration(ctx context.Context, code string, uid int64) (*flows.Registration, error)
	Registrations(ctx context.Context, code string) ([]*flows.Registration, error)
	UserRegistrations(ctx context.Context, uid int64) ([]*flows.Registration, error)
	// IssueCertificate stores c (Workshop, UserID, Name, Org, a fresh Code,
	// Issued) or, when the person has one, its new Name and Org; it returns
	// the certificate as stored (ErrNotFound when they are not checked in).
	IssueCertificate(ctx context.Context, c *flows.Certificate) (*flows.Certificate, error)
	GetCertificate(ctx context.Context, code string, uid int64) (*flows.Certificate, error) // ErrNotFound
	CertificateByCode(ctx context.Context, vcode string) (*flows.Certificate, error)        // ErrNotFound
	// The agenda and who was marked at its sessions: the sessions attended
	// the certificate lists.
	Sessions(ctx context.Context, code string) ([]flows.AgendaSession, error)
	SessionMarks(ctx context.Context, code string) (map[string]map[int64]time.Time, error)
}

const (
	routeGet     = "certificates.get"      // <code>: confirm the spelling, then the PDF (participant)
	routeSend    = "certificates.send"     // <code>: the PDF again (participant)
	routeTeam    = "certificates.team"     // <code>: how many attendees have one (team)
	routeSendAll = "certificates.send_all" // <code>: to every attendee (team)
	nameFlow     = "certname"
	linkPrefix   = "cert"

	// JobSend, "crt|<code>|<uid>": the team's sending to one attendee.
	JobSend = "crt"

	maxName = 100
	maxOrg  = 200
)

// codeShape is a verification code's shape (flows.NewToken): anything else
// is not looked up.
var codeShape = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)

// Module is the certificates capability.
func Module(st Store) flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		e := &module{store: st, cfg: r.Config(), texts: r.Texts()}
		r.Namespace("certificates")
		r.Command(&flows.Command{Name: "certificates", Describe: "cmd.certificates", Run: e.list})
		r.Route(&flows.Route{Name: routeGet, Run: e.get})
		r.Route(&flows.Route{Name: routeSend, Run: e.sendAgain})
		r.Route(&flows.Route{Name: routeTeam, Role: flows.RoleFacilitator, Run: flows.Managed(st, e.team)})
		r.Route(&flows.Route{Name: routeSendAll, Role: flows.RoleFacilitator, Run: flows.Managed(st, e.sendAll)})
		r.Link(&flows.DeepLink{Prefix: linkPrefix, Run: e.verify})
		r.Job(JobSend, e.sendJob)
		r.Flow(&flows.Flow{Name: nameFlow, Done: e.issue, Steps: []*flows.Step{
			{Name: "confirm", Prompt: e.confirmPrompt, Parse: e.confirmParse},
			{Name: "fix_name", Skip: always, Prompt: flows.Ask("cert.ask_name"), Parse: e.fixParse("person", flows.NameAnswer(maxName))},
			{Name: "fix_org", Skip: always, Prompt: flows.Ask("cert.ask_org"), Parse: e.fixParse("org", flows.TextAnswer(maxOrg))},
		}})
	})
}

// always: the correction steps are reached only from the confirmation.
func always(*flows.Turn) bool { return true }

type module struct {
	store Store
	cfg   flows.Config
	texts flows.Texts
}

// attended is uid's registration at w when they attended it and it is
// over; otherwise the message that says why not.
func (e *module) attended(ctx context.Context, w *flows.Workshop, uid int64, now time.Time) (*flows.Registration, *flows.Text, error) {
	r, err := e.store.GetRegistration(ctx, w.Code, uid)
	if err != nil && !errors.Is(err, flows.ErrNotFound) {
		return nil, nil, flows.InternalError("certificate registration", err)
	}
	if err != nil || r.Status != flows.RegConfirmed || r.CheckedInAt.IsZero() || w.Cancelled {
		t := flows.T("cert.not_attended", "Title", w.Title)
		return nil, &t, nil
	}
	if now.Before(w.End) {
		t := flows.T("cert.not_over", "Title", w.Title, "End", flows.When{At: w.End, Zone: w.Zone})
		return nil, &t, nil
	}
	return r, nil, nil
}

// list is /certificates: the workshops the user attended, each with its
// certificate to send again or to get.
func (e *module) list(ctx context.Context, t *flows.Turn) error {
	regs, err := e.store.UserRegistrations(ctx, t.User.ID)
	if err != nil {
		return flows.InternalError("user registrations", err)
	}
	var lines []flows.Text
	var rows [][]flows.Button
	for _, r := range regs {
		if r.Status != flows.RegConfirmed || r.CheckedInAt.IsZero() {
			continue
		}
		w, err := e.store.GetWorkshop(ctx, r.Workshop)
		if errors.Is(err, flows.ErrNotFound) {
			continue
		}
		if err != nil {
			return flows.InternalError("certificate workshop", err)
		}
		if w.Cancelled || t.In.Now.Before(w.End) {
			continue
		}
		c, err := e.store.GetCertificate(ctx, w.Code, t.User.ID)
		switch {
		case errors.Is(err, flows.ErrNotFound):
			lines = append(lines, flows.T("cert.line_none", "Title", w.Title, "Date", flows.When{At: w.Start, Zone: w.Zone, DateOnly: true}))
			rows = append(rows, []flows.Button{{Label: flows.T("cert.btn_get", "Title", w.Title), Data: flows.MustData(routeGet, w.Code)}})
		case err != nil:
			return flows.InternalError("certificate", err)
		default:
			lines = append(lines, flows.T("cert.line", "Title", w.Title, "Date", flows.When{At: w.Start, Zone: w.Zone, DateOnly: true}, "Number", c.Number))
			rows = append(rows, []flows.Button{{Label: flows.T("cert.btn_send", "Title", w.Title), Data: flows.MustData(routeSend, w.Code)}})
		}
	}
	if len(lines) == 0 {
		t.Say(flows.T("cert.none"))
		return nil
	}
	t.Say(flows.T("cert.list", "Count", len(lines), "Lines", lines), rows...)
	return nil
}

// attendee reports whether the user attended w, saying why not when not.
func (e *module) attendee(ctx context.Context, t *flows.Turn, w *flows.Workshop) (bool, error) {
	_, why, err := e.attended(ctx, w, t.User.ID, t.In.Now)
	if err != nil {
		return false, err
	}
	if why != nil {
		t.Say(*why)
		return false, nil
	}
	return true, nil
}

// get starts the confirmation of the spelling for w's certificate; one
// who did not attend is told so.
func (e *module) get(ctx context.Context, t *flows.Turn, code string) error {
	w, err := flows.FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	if ok, err := e.attendee(ctx, t, w); !ok {
		return err
	}
	name, org, err := e.spelling(ctx, w.Code, t.User.ID)
	if err != nil {
		return err
	}
	return t.StartFlowAt(ctx, nameFlow, "confirm", map[string]string{"code": w.Code, "person": name, "org": org})
}

// spelling is the name and organisation a certificate starts from: the
// ones already on it, else the profile's.
func (e *module) spelling(ctx context.Context, code string, uid int64) (string, string, error) {
	c, err := e.store.GetCertificate(ctx, code, uid)
	if err == nil {
		return c.Name, c.Org, nil
	}
	if !errors.Is(err, flows.ErrNotFound) {
		return "", "", flows.InternalError("certificate", err)
	}
	name, org, err := flows.LookupName(ctx, e.store, uid)
	if err != nil {
		return "", "", flows.InternalError("certificate name", err)
	}
	return name, org, nil
}

func (e *module) confirmPrompt(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
	d := t.Session.Data
	w, err := e.store.GetWorkshop(ctx, d["code"])
	if err != nil {
		return flows.Reply{}, flows.InternalError("certificate workshop", err)
	}
	org := any(d["org"])
	if d["org"] == "" {
		org = flows.HTML("—")
	}
	return flows.Reply{Text: flows.T("cert.confirm", "Title", w.Title, "Name", d["person"], "Org", org), Buttons: [][]flows.Button{
		{t.Choice(flows.T("cert.btn_ok"), "ok")},
		{t.Choice(flows.T("cert.btn_fix_name"), "name"), t.Choice(flows.T("cert.btn_fix_org"), "org")},
	}}, nil
}

func (e *module) confirmParse(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
	if in.Kind != flows.KindCallback {
		return "", flows.Refuse("errors.use_buttons")
	}
	switch in.Callback {
	case "ok":
		return "ok", nil
	case "name", "org":
		if in.MessageID != 0 {
			t.Send(flows.Reply{EditMessageID: in.MessageID, ClearButtons: true})
		}
		return "", flows.Goto("fix_" + in.Callback)
	}
	return "", flows.Refuse("errors.bad_button")
}

// fixParse reads a correction into the flow's data under key and asks for
// the confirmation again.
func (e *module) fixParse(key string, parse func(context.Context, *flows.Turn, flows.Input) (string, error)) func(context.Context, *flows.Turn, flows.Input) (string, error) {
	return func(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
		v, err := parse(ctx, t, in)
		if err != nil {
			return "", err
		}
		t.Session.Data[key] = v
		return "", flows.Goto("confirm")
	}
}

// issue, the spelling confirmed, stores the certificate (attendance checked
// again) and sends it.
func (e *module) issue(ctx context.Context, t *flows.Turn) error {
	d := t.Session.Data
	w, err := e.store.GetWorkshop(ctx, d["code"])
	if err != nil {
		return flows.InternalError("certificate workshop", err)
	}
	if ok, err := e.attendee(ctx, t, w); !ok {
		return err
	}
	c, err := e.store.IssueCertificate(ctx, &flows.Certificate{Workshop: w.Code, UserID: t.User.ID, Name: d["person"], Org: d["org"],
		Code: flows.NewToken(), Issued: t.In.Now})
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("cert.not_attended", "Title", w.Title))
		return nil
	}
	if err != nil {
		return flows.InternalError("issue certificate", err)
	}
	rep, err := e.reply(ctx, w, c)
	if err != nil {
		return err
	}
	t.Send(rep)
	return nil
}

// sendAgain sends an issued certificate again; one not issued yet goes
// through the confirmation first.
func (e *module) sendAgain(ctx context.Context, t *flows.Turn, code string) error {
	w, err := flows.FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	if ok, err := e.attendee(ctx, t, w); !ok {
		return err
	}
	c, err := e.store.GetCertificate(ctx, w.Code, t.User.ID)
	if errors.Is(err, flows.ErrNotFound) {
		return e.get(ctx, t, code)
	}
	if err != nil {
		return flows.InternalError("certificate", err)
	}
	rep, err := e.reply(ctx, w, c)
	if err != nil {
		return err
	}
	t.Send(rep)
	return nil
}

// Link is the verification link of a certificate.
func Link(bot, vcode string) string {
	return "https://t.me/" + bot + "?start=" + linkPrefix + "_" + vcode
}

// reply is the certificate's PDF with its caption.
func (e *module) reply(ctx context.Context, w *flows.Workshop, c *flows.Certificate) (flows.Reply, error) {
	doc, err := e.doc(ctx, w, c)
	if err != nil {
		return flows.Reply{}, err
	}
	return flows.Reply{Text: flows.T("cert.caption", "Title", w.Title, "Number", c.Number), Certificate: doc}, nil
}

// doc describes certificate c of workshop w: every text in Indonesian and
// in English, the facilitator the team's owner.
func (e *module) doc(ctx context.Context, w *flows.Workshop, c *flows.Certificate) (*flows.CertificateDoc, error) {
	facilitator := ""
	if owner := flows.TeamOwner(w); owner != 0 {
		name, _, err := flows.LookupName(ctx, e.store, owner)
		if err != nil {
			return nil, flows.InternalError("facilitator name", err)
		}
		facilitator = name
	}
	doc := &flows.CertificateDoc{Name: "certificate-" + c.Number, Number: c.Number, Link: Link(e.cfg.BotUsername, c.Code),
		Person: c.Name, Org: c.Org, Forum: e.cfg.ForumName, Title: w.Title, Facilitator: facilitator}
	// The sessions attended (flows.SessionAttended): each they were marked
	// at, and every plenary one when they were present at the workshop (a
	// certificate is issued to the checked-in only).
	ss, err := e.store.Sessions(ctx, w.Code)
	if err != nil {
		return nil, flows.InternalError("certificate sessions", err)
	}
	if len(ss) > 0 {
		marks, err := e.store.SessionMarks(ctx, w.Code)
		if err != nil {
			return nil, flows.InternalError("certificate session marks", err)
		}
		r, err := e.store.GetRegistration(ctx, w.Code, c.UserID)
		if err != nil && !errors.Is(err, flows.ErrNotFound) {
			return nil, flows.InternalError("certificate registration", err)
		}
		present := err == nil && !r.CheckedInAt.IsZero()
		for i := range ss {
			if flows.SessionAttended(&ss[i], marks, c.UserID, present) {
				doc.Sessions = append(doc.Sessions, ss[i].Title)
			}
		}
	}
	for _, lang := range []string{"id", "en"} {
		tx := func(id string) string {
			s, _ := e.texts.Text(lang, id, nil, nil) // a missing id shows as itself; TestCertificateLabels checks them
			return s
		}
		place := w.Venue
		switch {
		case place == "":
			place = tx("cert.pdf.online")
		case w.OnlineURL != "":
			place += " / " + tx("cert.pdf.online")
		}
		doc.Labels = append(doc.Labels, flows.CertificateLabels{Heading: tx("cert.pdf.heading"), Awarded: tx("cert.pdf.awarded"), Place: place,
			Attended: tx("cert.pdf.attended"), Dates: e.dates(lang, w), Facilitator: tx("cert.pdf.facilitator"),
			Organiser: tx("cert.pdf.organiser"), Number: tx("cert.pdf.number"), Verify: tx("cert.pdf.verify"),
			Sessions: tx("cert.pdf.sessions")})
	}
	return doc, nil
}

// dates are the workshop's day, or first and last days, in lang.
func (e *module) dates(lang string, w *flows.Workshop) string {
	loc := flows.LoadZone(w.Zone)
	first := flows.FormatDate(e.texts, lang, w.Start, w.Zone)
	s, end := w.Start.In(loc), w.End.In(loc)
	if !w.End.After(w.Start) || (s.Year() == end.Year() && s.YearDay() == end.YearDay()) {
		return first
	}
	return first + " – " + flows.FormatDate(e.texts, lang, w.End, w.Zone)
}

// verify answers /start cert_<code>: valid (the name, the workshop, its
// date) or not found — a malformed code is not looked up, and the holder's
// attendance must still stand.
func (e *module) verify(ctx context.Context, t *flows.Turn, vcode string) error {
	if !codeShape.MatchString(vcode) {
		t.Say(flows.T("cert.verify_not_found"))
		return nil
	}
	c, err := e.store.CertificateByCode(ctx, vcode)
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("cert.verify_not_found"))
		return nil
	}
	if err != nil {
		return flows.InternalError("verify certificate", err)
	}
	w, err := e.store.GetWorkshop(ctx, c.Workshop)
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("cert.verify_not_found"))
		return nil
	}
	if err != nil {
		return flows.InternalError("verify workshop", err)
	}
	// A certificate stands only while its attendance does: one whose
	// holder the team has since corrected to absent or a no-show does not
	// verify (and is valid again if they correct it back).
	r, err := e.store.GetRegistration(ctx, c.Workshop, c.UserID)
	if err != nil && !errors.Is(err, flows.ErrNotFound) {
		return flows.InternalError("verify registration", err)
	}
	if err != nil || r.Status != flows.RegConfirmed || r.CheckedInAt.IsZero() {
		t.Say(flows.T("cert.verify_not_found"))
		return nil
	}
	t.Say(flows.T("cert.verify_valid", "Name", c.Name, "Title", w.Title, "Date", flows.When{At: w.Start, Zone: w.Zone, DateOnly: true}, "Number", c.Number))
	return nil
}

// attendees are the confirmed registrants of code who checked in.
func (e *module) attendees(ctx context.Context, code string) ([]int64, error) {
	regs, err := e.store.Registrations(ctx, code)
	if err != nil {
		return nil, flows.InternalError("registrations", err)
	}
	var out []int64
	for _, r := range regs {
		if r.Status == flows.RegConfirmed && !r.CheckedInAt.IsZero() && r.UserID != 0 {
			out = append(out, r.UserID)
		}
	}
	return out, nil
}

// team shows the team how many attendees have their certificate, with the
// button that sends them to all.
func (e *module) team(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if w.Cancelled || t.In.Now.Before(w.End) {
		t.Say(flows.T("cert.team_not_over", "Title", w.Title, "End", flows.When{At: w.End, Zone: w.Zone}))
		return nil
	}
	ids, err := e.attendees(ctx, w.Code)
	if err != nil {
		return err
	}
	issued := 0
	for _, uid := range ids {
		_, err := e.store.GetCertificate(ctx, w.Code, uid)
		switch {
		case err == nil:
			issued++
		case !errors.Is(err, flows.ErrNotFound):
			return flows.InternalError("certificate", err)
		}
	}
	if len(ids) == 0 {
		t.Say(flows.T("cert.team_nobody", "Title", w.Title))
		return nil
	}
	t.Say(flows.T("cert.team", "Title", w.Title, "Count", len(ids), "Issued", issued),
		[]flows.Button{{Label: flows.T("cert.btn_send_all", "Count", len(ids)), Data: flows.MustData(routeSendAll, w.Code)}})
	return nil
}

// sendAll queues one job per attendee (the scheduler sends them at bulk
// priority within the rate limits, and a crash resumes them); absentees
// get nothing.
func (e *module) sendAll(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if w.Cancelled || t.In.Now.Before(w.End) {
		t.Say(flows.T("cert.team_not_over", "Title", w.Title, "End", flows.When{At: w.End, Zone: w.Zone}))
		return nil
	}
	ids, err := e.attendees(ctx, w.Code)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		t.Say(flows.T("cert.team_nobody", "Title", w.Title))
		return nil
	}
	jobs := make([]flows.Job, len(ids))
	for i, uid := range ids {
		jobs[i] = flows.Job{ID: JobSend + "|" + w.Code + "|" + strconv.FormatInt(uid, 10), Due: t.In.Now}
	}
	if err := t.Audit(ctx, flows.AuditCertSend, w.Code, 0); err != nil {
		return err
	}
	if err := e.store.Schedule(ctx, jobs...); err != nil {
		return flows.InternalError("schedule certificates", err)
	}
	if t.In.MessageID != 0 {
		t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	t.Say(flows.T("cert.sending", "Title", w.Title, "Count", len(ids)))
	return nil
}

// sendJob, "<code>|<uid>", sends an attendee their certificate: the PDF
// when it was issued, else the request to confirm the spelling (the
// certificate is made once they do). Someone who did not attend (the team
// corrected it since) gets nothing.
func (e *module) sendJob(ctx context.Context, now time.Time, args string) ([]flows.Reply, error) {
	code, u, _ := strings.Cut(args, "|")
	uid, err := strconv.ParseInt(u, 10, 64)
	if err != nil {
		return nil, nil
	}
	w, err := e.store.GetWorkshop(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, flows.InternalError("certificate job workshop", err)
	}
	r, why, err := e.attended(ctx, w, uid, now)
	if err != nil || why != nil {
		return nil, err
	}
	lang := r.Lang
	if usr, err := e.store.GetUser(ctx, uid); err == nil {
		if usr.Inactive {
			return nil, nil
		}
		lang = usr.Lang
	}
	c, err := e.store.GetCertificate(ctx, code, uid)
	if errors.Is(err, flows.ErrNotFound) {
		return []flows.Reply{{ChatID: uid, Lang: lang, Bulk: true, Text: flows.T("cert.ready", "Title", w.Title),
			Buttons: [][]flows.Button{{{Label: flows.T("cert.btn_get", "Title", w.Title), Data: flows.MustData(routeGet, code)}}}}}, nil
	}
	if err != nil {
		return nil, flows.InternalError("certificate", err)
	}
	rep, err := e.reply(ctx, w, c)
	if err != nil {
		return nil, err
	}
	rep.ChatID, rep.Lang, rep.Bulk = uid, lang, true
	return []flows.Reply{rep}, nil
}
