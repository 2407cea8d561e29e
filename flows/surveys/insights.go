package surveys

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"sinergi/flows"
)

// What the forum learns: per workshop, registered → attended → answered
// the survey → commitments made → commitments done, and the no-show rate;
// over the workshops the user manages (a facilitator's own, a chapter
// admin's chapter, an admin's whole forum — flows.ManagedWorkshops, the
// authorisation matrix's rules) that began in the last 12 months.

// Funnel is a workshop's (or a sum of workshops') numbers.
type Funnel struct {
	Registered int // confirmed registrants
	Attended   int // of them, checked in (on site or online)
	Answered   int // survey answers
	Made       int // commitments confirmed by their owners (proposed ones not)
	Done       int // of them, done
	NoShow     int // confirmed registrants who did not come and were not excused
}

// Add sums two funnels.
func (f Funnel) Add(o Funnel) Funnel {
	return Funnel{f.Registered + o.Registered, f.Attended + o.Attended, f.Answered + o.Answered, f.Made + o.Made, f.Done + o.Done, f.NoShow + o.NoShow}
}

// NoShowRate is no-shows per registered, in whole percent.
func (f Funnel) NoShowRate() int {
	if f.Registered == 0 {
		return 0
	}
	return 100 * f.NoShow / f.Registered
}

// insightsWindow is how far back /insights looks.
const insightsWindow = 365 * 24 * time.Hour

// Bounds of the insights message (the table has every row).
const (
	insightsWorkshops = 10
	insightsOrgs      = 10
	insightsChapters  = 12
	insightsName      = 60 // characters of a title or organisation in the message
)

// orgNoShow is an organisation's registrants and no-shows.
type orgNoShow struct {
	org                string
	registered, noShow int
}

// workshopFunnel counts w's funnel as of now; orgs, when not nil, is
// added each confirmed registrant's organisation and attendance.
func (e *module) workshopFunnel(ctx context.Context, w *flows.Workshop, now time.Time) (Funnel, error) {
	f, _, err := e.funnelWithOrgs(ctx, w, now, false)
	return f, err
}

func (e *module) funnelWithOrgs(ctx context.Context, w *flows.Workshop, now time.Time, withOrgs bool) (Funnel, map[string]*orgNoShow, error) {
	var f Funnel
	regs, err := e.store.Registrations(ctx, w.Code)
	if err != nil {
		return f, nil, flows.InternalError("registrations", err)
	}
	excused, err := e.store.Excused(ctx, w.Code)
	if err != nil {
		return f, nil, flows.InternalError("excused", err)
	}
	over := w.End.After(w.Start) && !now.Before(w.End.Add(e.cfg.CheckInCloses))
	orgs := map[string]*orgNoShow{}
	for _, r := range regs {
		if r.Status != flows.RegConfirmed {
			continue
		}
		f.Registered++
		st := flows.AttendanceOf(r, excused[r.UserID], over)
		switch st {
		case flows.AttPresent:
			f.Attended++
		case flows.AttNoShow:
			f.NoShow++
		}
		if withOrgs && r.UserID > 0 {
			_, org, err := flows.LookupName(ctx, e.store, r.UserID)
			if err != nil {
				return f, nil, flows.InternalError("name", err)
			}
			if org == "" {
				continue
			}
			o := orgs[org]
			if o == nil {
				o = &orgNoShow{org: org}
				orgs[org] = o
			}
			o.registered++
			if st == flows.AttNoShow {
				o.noShow++
			}
		}
	}
	as, err := e.store.SurveyAnswers(ctx, w.Code)
	if err != nil {
		return f, nil, flows.InternalError("survey answers", err)
	}
	f.Answered = len(as)
	cs, err := e.store.WorkshopCommitments(ctx, w.Code)
	if err != nil {
		return f, nil, flows.InternalError("commitments", err)
	}
	for _, c := range cs {
		if c.Status == flows.CmProposed {
			continue
		}
		f.Made++
		if c.Status == flows.CmDone {
			f.Done++
		}
	}
	return f, orgs, nil
}

// funnelChart is a funnel as a bar chart.
func (e *module) funnelChart(lang, name, title string, f Funnel) *flows.Chart {
	bar := func(id string, n int) flows.ChartBar {
		return flows.ChartBar{Label: e.tx(lang, id, nil), Value: float64(n), Shown: strconv.Itoa(n)}
	}
	return &flows.Chart{Name: name, Labels: flows.ChartLabels{Title: title}, Bars: []flows.ChartBar{
		bar("in.stage.registered", f.Registered), bar("in.stage.attended", f.Attended), bar("in.stage.answered", f.Answered),
		bar("in.stage.made", f.Made), bar("in.stage.done", f.Done)}}
}

// funnel is one workshop's funnel, as text and chart.
func (e *module) funnel(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	f, err := e.workshopFunnel(ctx, w, t.In.Now)
	if err != nil {
		return err
	}
	lang := t.User.Lang
	t.Send(flows.Reply{Text: funnelText("in.workshop", w.Title, f),
		Chart: e.funnelChart(lang, "funnel-"+w.Code, e.tx(lang, "in.chart_title", map[string]any{"Title": w.Title}), f)})
	return nil
}

func funnelText(id, title string, f Funnel) flows.Text {
	return flows.T(id, "Title", title, "Registered", f.Registered, "Attended", f.Attended, "Answered", f.Answered,
		"Made", f.Made, "Done", f.Done, "NoShow", f.NoShow, "Rate", f.NoShowRate())
}

// insights (/insights) sums the funnel over the workshops the user
// manages that began in the last 12 months: the total, per workshop (with
// its no-show rate), the no-show rate per organisation, one chart, and a
// table of every workshop.
func (e *module) insights(ctx context.Context, t *flows.Turn) error {
	ws, err := flows.ManagedWorkshops(ctx, e.store, t)
	if err != nil {
		return err
	}
	now := t.In.Now
	ws = slices.DeleteFunc(slices.Clone(ws), func(w *flows.Workshop) bool {
		return w.Cancelled || w.Start.After(now) || w.Start.Before(now.Add(-insightsWindow))
	})
	if len(ws) == 0 {
		t.Say(flows.T("in.none"))
		return nil
	}
	slices.SortStableFunc(ws, func(a, b *flows.Workshop) int { return b.Start.Compare(a.Start) })
	var total Funnel
	orgs := map[string]*orgNoShow{}
	rows := make([]wsFunnel, 0, len(ws))
	for _, w := range ws {
		f, o, err := e.funnelWithOrgs(ctx, w, now, true)
		if err != nil {
			return err
		}
		total = total.Add(f)
		rows = append(rows, wsFunnel{w, f})
		for k, v := range o {
			if orgs[k] == nil {
				orgs[k] = &orgNoShow{org: k}
			}
			orgs[k].registered += v.registered
			orgs[k].noShow += v.noShow
		}
	}
	var lines []flows.Text
	for i, r := range rows {
		if i == insightsWorkshops {
			break
		}
		lines = append(lines, funnelText("in.line", clip(r.w.Title, insightsName), r.f))
	}
	chapters, err := e.chapterLines(ctx, t, rows)
	if err != nil {
		return err
	}
	ol := make([]*orgNoShow, 0, len(orgs))
	for _, o := range orgs {
		ol = append(ol, o)
	}
	slices.SortFunc(ol, func(a, b *orgNoShow) int {
		return cmp.Or(cmp.Compare(b.noShow*100/b.registered, a.noShow*100/a.registered), cmp.Compare(b.registered, a.registered), cmp.Compare(a.org, b.org))
	})
	var orgLines []flows.Text
	for i, o := range ol {
		if i == insightsOrgs {
			break
		}
		orgLines = append(orgLines, flows.T("in.org_line", "Org", clip(o.org, insightsName), "NoShow", o.noShow, "Registered", o.registered, "Rate", 100*o.noShow/o.registered))
	}
	scope := flows.T("in.scope_mine")
	switch {
	case t.Role == flows.RoleAdmin:
		scope = flows.T("in.scope_forum")
	case t.ChapterAdmin() != "":
		scope = flows.T("in.scope_chapter")
	}
	lang := t.User.Lang
	t.Send(flows.Reply{Text: flows.T("in.summary", "Scope", scope, "Count", len(rows), "Registered", total.Registered, "Attended", total.Attended,
		"Answered", total.Answered, "Made", total.Made, "Done", total.Done, "NoShow", total.NoShow, "Rate", total.NoShowRate(),
		"Lines", lines, "Orgs", orgLines, "Chapters", chapters)})
	t.Send(flows.Reply{Text: flows.T("in.chart_caption", "Count", len(rows)),
		Chart: e.funnelChart(lang, "insights", e.tx(lang, "in.chart_title_all", map[string]any{"Count": len(rows)}), total)})
	cols := []flows.Column{{Header: e.tx(lang, "in.csv.workshop", nil)}, {Header: e.tx(lang, "in.csv.start", nil), DateOnly: true}}
	for _, id := range []string{"in.stage.registered", "in.stage.attended", "in.stage.answered", "in.stage.made", "in.stage.done", "in.csv.noshow", "in.csv.noshow_rate"} {
		cols = append(cols, flows.Column{Header: e.tx(lang, id, nil)})
	}
	var trows [][]any
	for _, r := range rows {
		trows = append(trows, []any{r.w.Title, r.w.Start, r.f.Registered, r.f.Attended, r.f.Answered, r.f.Made, r.f.Done, r.f.NoShow, r.f.NoShowRate()})
	}
	t.Send(flows.Reply{Text: flows.T("in.csv_caption", "Count", len(rows)),
		Table: &flows.Table{Name: "insights", Sheet: e.tx(lang, "in.csv.sheet", nil), Zone: e.cfg.Location, Columns: cols, Rows: trows}})
	return nil
}

// wsFunnel is a workshop with its funnel.
type wsFunnel struct {
	w *flows.Workshop
	f Funnel
}

// chapterLines, for a national admin, sums the funnel per chapter (the
// national workshops, of no chapter, first); nothing for others, whose
// scope is one chapter or their own workshops.
func (e *module) chapterLines(ctx context.Context, t *flows.Turn, rows []wsFunnel) ([]flows.Text, error) {
	if t.Role != flows.RoleAdmin || t.ChapterAdmin() != "" {
		return nil, nil
	}
	sums := map[string]Funnel{}
	counts := map[string]int{}
	var ids []string
	for _, r := range rows {
		if _, ok := sums[r.w.Chapter]; !ok {
			ids = append(ids, r.w.Chapter)
		}
		sums[r.w.Chapter] = sums[r.w.Chapter].Add(r.f)
		counts[r.w.Chapter]++
	}
	slices.Sort(ids)
	var out []flows.Text
	for i, id := range ids {
		if i == insightsChapters {
			out = append(out, flows.T("in.chapters_more", "More", strconv.Itoa(len(ids)-i)))
			break
		}
		name := flows.T("in.national")
		if id != "" {
			ch, err := e.store.GetChapter(ctx, id)
			switch {
			case err == nil:
				name = flows.T("in.chapter_name", "Name", clip(ch.Name, 40))
			case errors.Is(err, flows.ErrNotFound):
				name = flows.T("in.chapter_gone")
			default:
				return nil, flows.InternalError("chapter", err)
			}
		}
		f := sums[id]
		out = append(out, flows.T("in.chapter_line", "Chapter", name, "Workshops", counts[id], "Registered", f.Registered, "Attended", f.Attended,
			"Answered", f.Answered, "Made", f.Made, "Done", f.Done, "Rate", f.NoShowRate()))
	}
	return out, nil
}
