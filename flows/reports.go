package flows

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Follow-up: the reports of a workshop's commitments, and the forum summary.

func (e *Engine) reportCommand(ctx context.Context, t *Turn) error {
	ws, err := ManagedWorkshops(ctx, e.store, t)
	if err != nil {
		return err
	}
	var rows [][]Button
	for _, w := range ws[:min(len(ws), 12)] {
		rows = append(rows, []Button{{Label: T("ws.list_item", "Title", w.Title, "Date", When{At: w.Start, Zone: w.Zone, DateOnly: true}), Data: MustData("rp", w.Code)}})
	}
	if t.Role == RoleAdmin {
		rows = append(rows, []Button{{Label: T("rp.forum"), Data: MustData("rpa", "all")}})
	}
	if len(rows) == 0 {
		t.Say(T("ws.none_yet"))
		return nil
	}
	t.Say(T("rp.which"), rows...)
	return nil
}

// Tally counts commitments by status (Done, OnTrack, Blocked, NoAnswer and
// Proposed add up to Total) and, across those statuses, the ones overdue: an
// overdue commitment is still counted under its status.
type Tally struct {
	Total, Done, OnTrack, Blocked, Overdue, NoAnswer, Proposed int
}

// Completion is done / confirmed commitments, in percent.
func (y Tally) Completion() int {
	if n := y.Total - y.Proposed; n > 0 {
		return 100 * y.Done / n
	}
	return 0
}

// TallyOf counts the commitments at now.
func TallyOf(cs []*Commitment, now time.Time) Tally {
	var y Tally
	for _, c := range cs {
		y.Total++
		switch c.Status {
		case CmProposed:
			y.Proposed++
		case CmDone:
			y.Done++
		case CmBlocked:
			y.Blocked++
		case CmOnTrack:
			y.OnTrack++
		default:
			y.NoAnswer++
		}
		if overdue(c, now) {
			y.Overdue++
		}
	}
	return y
}

// report sends a workshop's progress: the message, a chart and a CSV.
func (e *Engine) report(ctx context.Context, t *Turn, w *Workshop, _ string) error {
	cs, err := e.store.WorkshopCommitments(ctx, w.Code)
	if err != nil {
		return InternalError("commitments", err)
	}
	if len(cs) == 0 {
		t.Say(T("rp.empty", "Title", w.Title), []Button{{Label: T("ws.btn_collect"), Data: MustData("wmo", w.Code)}})
		return nil
	}
	if err := t.Audit(ctx, AuditReport, w.Code, 0); err != nil {
		return err
	}
	now := t.In.Now
	y := TallyOf(cs, now)
	names := e.namesOf(ctx, cs)
	var late, blocked []Text
	byOrg := map[string]*[2]int{}
	for _, c := range cs {
		name, org := names(c.Owner)
		if org == "" {
			org = name
		}
		if byOrg[org] == nil {
			byOrg[org] = &[2]int{}
		}
		byOrg[org][1]++
		if c.Status == CmDone {
			byOrg[org][0]++
			continue
		}
		note := ""
		if n := len(c.History); n > 0 {
			note = c.History[n-1].Note
		}
		line := T("rp.item", "What", c.What, "Name", name, "Due", When{At: c.Due, Zone: w.Zone, DateOnly: true},
			"Status", statusText(c, now), "Note", note)
		if overdue(c, now) {
			late = append(late, line)
		}
		if c.Status == CmBlocked {
			blocked = append(blocked, line)
		}
	}
	orgs := make([]string, 0, len(byOrg))
	for o := range byOrg {
		orgs = append(orgs, o)
	}
	slices.SortFunc(orgs, func(a, b string) int { return cmp.Or(byOrg[b][1]-byOrg[a][1], strings.Compare(a, b)) })
	var orgLines []Text
	for _, o := range orgs {
		orgLines = append(orgLines, T("rp.org_line", "Org", o, "Done", byOrg[o][0], "Total", byOrg[o][1]))
	}
	none := []Text{T("rp.none")}
	if len(late) == 0 {
		late = none
	}
	if len(blocked) == 0 {
		blocked = none
	}
	t.Say(T("rp.text", "Title", w.Title, "Count", y.Total, "Done", y.Done, "OnTrack", y.OnTrack, "Blocked", y.Blocked,
		"Overdue", y.Overdue, "NoAnswer", y.NoAnswer, "Proposed", y.Proposed, "Rate", y.Completion(),
		"OverdueList", late, "BlockedList", blocked, "Orgs", orgLines))
	png, err := ProgressChart(y, orgTallies(cs, now, names), e.chartLabels(t.Lang, w.Title, y.Total))
	if err != nil {
		return InternalError("progress chart", err)
	}
	t.Send(Reply{Text: T("rp.chart_caption", "Title", w.Title), Photo: &Attachment{Name: "report-" + w.Code + ".png", Data: png}})
	t.Send(Reply{Text: T("rp.csv_caption", "Count", len(cs)), Document: &Attachment{Name: "commitments-" + w.Code + ".csv", Data: e.commitmentsCSV(t, w, cs, names)}})
	return nil
}

// orgTallies counts the commitments of each owner's organisation (the
// owner's name when the profile has none).
func orgTallies(cs []*Commitment, now time.Time, names func(int64) (string, string)) []OrgTally {
	byOrg := map[string][]*Commitment{}
	for _, c := range cs {
		name, org := names(c.Owner)
		byOrg[cmp.Or(org, name)] = append(byOrg[cmp.Or(org, name)], c)
	}
	out := make([]OrgTally, 0, len(byOrg))
	for org, list := range byOrg {
		out = append(out, OrgTally{Name: org, Tally: TallyOf(list, now)})
	}
	return out
}

// chartLabels are the chart's texts in lang; the title is drawn as plain
// text, so the workshop title goes in unescaped.
func (e *Engine) chartLabels(lang, title string, total int) ChartLabels {
	tx := func(id string, data map[string]any) string {
		s, _ := e.texts.Text(lang, id, data, nil) // a missing id shows as itself; TestChartLabels checks them
		return s
	}
	l := ChartLabels{
		Title:    tx("rp.chart.title", map[string]any{"Title": title, "Count": total}),
		ByStatus: tx("rp.chart.by_status", nil),
		ByOrg:    tx("rp.chart.by_org", nil),
		Others:   tx("rp.chart.others", nil),
		Status:   map[string]string{"overdue": tx("rp.chart.overdue", nil)},
	}
	for _, s := range chartStatuses {
		l.Status[s.key] = tx("cm.status."+s.key, nil)
	}
	return l
}

// namesOf loads the owners' profiles in one batch and returns a lookup of
// name and organisation.
func (e *Engine) namesOf(ctx context.Context, cs []*Commitment) func(uid int64) (string, string) {
	ids := make([]int64, 0, len(cs))
	for _, c := range cs {
		ids = append(ids, c.Owner)
	}
	profiles, _ := e.store.ProfilesOf(ctx, ids)
	return func(uid int64) (string, string) {
		if p := profiles[uid]; p != nil {
			return p.FullName, p.Organisation
		}
		return NameOf(ctx, e.store, uid)
	}
}

func (e *Engine) commitmentsCSV(t *Turn, w *Workshop, cs []*Commitment, names func(int64) (string, string)) []byte {
	tx := func(id string) string { s, _ := e.texts.Text(t.Lang, id, nil, nil); return s }
	loc := LoadZone(w.Zone)
	header := []string{tx("rp.csv.what"), tx("csv.name"), tx("csv.org"), tx("rp.csv.due"), tx("csv.status"),
		tx("rp.csv.days_overdue"), tx("rp.csv.indicator"), tx("rp.csv.partners"), tx("rp.csv.created"), tx("rp.csv.history")}
	rows := make([][]string, 0, len(cs))
	for _, c := range cs {
		name, org := names(c.Owner)
		var hist []string
		for _, h := range c.History {
			entry := h.At.In(loc).Format("2006-01-02 15:04") + " " + tx("cm.status."+h.Status)
			if h.Note != "" {
				entry += ": " + h.Note
			}
			hist = append(hist, entry)
		}
		late := ""
		if overdue(c, t.In.Now) {
			late = strconv.Itoa(daysLate(c, t.In.Now, loc))
		}
		rows = append(rows, []string{c.What, name, org, c.Due.In(loc).Format("2006-01-02"), tx("cm.status." + c.Status), late, c.Indicator, c.Partners,
			c.Created.In(loc).Format("2006-01-02 15:04"), strings.Join(hist, "\n")})
	}
	return CSV(header, rows)
}

// daysLate is the number of whole days since c's due day ended, counted in
// the workshop's zone (1 the day after the due day).
func daysLate(c *Commitment, now time.Time, loc *time.Location) int {
	due, n := c.Due.In(loc), now.In(loc)
	d0 := time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, time.UTC)
	d1 := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	return int(d1.Sub(d0) / (24 * time.Hour))
}

// forumSummary: every workshop's commitments at a glance (admins).
func (e *Engine) forumSummary(ctx context.Context, t *Turn) error {
	ws, err := e.store.Facilitated(ctx, 0)
	if err != nil {
		return InternalError("workshops", err)
	}
	var lines []Text
	var all []*Commitment
	for _, w := range ws {
		cs, err := e.store.WorkshopCommitments(ctx, w.Code)
		if err != nil {
			return InternalError("commitments", err)
		}
		if len(cs) == 0 {
			continue
		}
		all = append(all, cs...)
		y := TallyOf(cs, t.In.Now)
		lines = append(lines, T("rp.forum_line", "Title", w.Title, "Total", y.Total, "Done", y.Done, "Overdue", y.Overdue, "Blocked", y.Blocked, "Rate", y.Completion()))
	}
	y := TallyOf(all, t.In.Now)
	if len(lines) == 0 {
		lines = []Text{T("rp.none")}
	}
	t.Say(T("rp.forum_text", "Count", y.Total, "Done", y.Done, "Rate", y.Completion(), "Lines", lines))
	return nil
}
