package followup

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"sinergi/flows"
)

// Follow-up: the reports of a workshop's commitments, and the forum summary.

func (e *module) reportCommand(ctx context.Context, t *flows.Turn) error {
	ws, err := flows.ManagedWorkshops(ctx, e.store, t)
	if err != nil {
		return err
	}
	var rows [][]flows.Button
	for _, w := range ws[:min(len(ws), 12)] {
		rows = append(rows, []flows.Button{{Label: flows.T("ws.list_item", "Title", w.Title, "Date", flows.When{At: w.Start, Zone: w.Zone, DateOnly: true}), Data: flows.MustData(routeReport, w.Code)}})
	}
	if t.Role == flows.RoleAdmin {
		rows = append(rows, []flows.Button{{Label: flows.T("rp.forum"), Data: flows.MustData(routeForumReport, "all")}})
		chs, err := e.store.ListChapters(ctx)
		if err != nil {
			return flows.InternalError("chapters", err)
		}
		for _, c := range chs[:min(len(chs), 12)] {
			rows = append(rows, []flows.Button{{Label: flows.T("rp.chapter", "Name", c.Name), Data: flows.MustData(routeForumReport, c.ID)}})
		}
	} else if ch := t.ChapterAdmin(); ch != "" {
		c, err := e.store.GetChapter(ctx, ch)
		if err != nil && !errors.Is(err, flows.ErrNotFound) {
			return flows.InternalError("chapter", err)
		}
		if c != nil {
			rows = append(rows, []flows.Button{{Label: flows.T("rp.chapter", "Name", c.Name), Data: flows.MustData(routeForumReport, c.ID)}})
		}
	}
	if len(rows) == 0 {
		t.Say(flows.T("ws.none_yet"))
		return nil
	}
	t.Say(flows.T("rp.which"), rows...)
	return nil
}

// TallyOf counts the commitments at now.
func TallyOf(cs []*flows.Commitment, now time.Time) flows.Tally {
	var y flows.Tally
	for _, c := range cs {
		y.Total++
		switch c.Status {
		case flows.CmProposed:
			y.Proposed++
		case flows.CmDone:
			y.Done++
		case flows.CmBlocked:
			y.Blocked++
		case flows.CmOnTrack:
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

// report sends a workshop's progress: the message, a chart and a CSV —
// privately, with a button to post it in the facilitators' chats
// ("<code>:chat"), or there at once when the team chose so.
func (e *module) report(ctx context.Context, t *flows.Turn, w *flows.Workshop, toChat string) error {
	cs, err := e.store.WorkshopCommitments(ctx, w.Code)
	if err != nil {
		return flows.InternalError("commitments", err)
	}
	if len(cs) == 0 {
		t.Say(flows.T("rp.empty", "Title", w.Title), []flows.Button{{Label: flows.T("ws.btn_collect"), Data: flows.MustData(routeCollect, w.Code)}})
		return nil
	}
	if err := t.Audit(ctx, flows.AuditReport, w.Code, 0); err != nil {
		return err
	}
	chats, _, err := e.reportChats(ctx, w)
	if err != nil {
		return err
	}
	names, err := e.namesOf(ctx, cs)
	if err != nil {
		return err
	}
	// What other capabilities add (partner meetings' outcomes) follows the
	// report's message.
	sections, err := t.ReportSections(ctx, w)
	if err != nil {
		return err
	}
	withSections := func(rs []flows.Reply) []flows.Reply {
		for i, s := range sections {
			rs = slices.Insert(rs, 1+i, flows.Reply{Text: s})
		}
		return rs
	}
	if w.ReportsChatOnly && len(chats) > 0 || toChat == "chat" {
		// Into the facilitators' chats: the report in the deployment's
		// language, and a word to the presser.
		if len(chats) == 0 {
			t.Answer(flows.T("rp.no_reports_chat"), true)
			return nil
		}
		for _, l := range chats {
			for _, r := range withSections(e.reportReplies(t, w, cs, names, e.cfg.DefaultLang)) {
				r.ChatID, r.Thread, r.Lang = l.Chat, l.Thread, e.cfg.DefaultLang
				t.Send(r)
			}
		}
		t.Say(flows.T("rp.posted_to_chats", "Count", len(chats), "Title", w.Title))
		return nil
	}
	replies := withSections(e.reportReplies(t, w, cs, names, t.Lang))
	if len(chats) > 0 {
		replies[0].Buttons = [][]flows.Button{{{Label: flows.T("rp.btn_post_chat", "Count", len(chats)), Data: flows.MustData(routeReport, w.Code, "chat")}}}
	}
	for _, r := range replies {
		t.Send(r)
	}
	return nil
}

// The report's message stays within Telegram's 4096 characters however
// many commitments there are (at 5,000 it was 300,000 and Telegram refused
// it, #22): each list shows, in order, the lines that fit its share of the
// message, counted in UTF-16 units as Telegram counts (its texts, plus
// itemCost or orgCost for the line's date, status and markup), and then
// says how many more the spreadsheet has; what a list leaves of its share
// goes to the next one. The rest of the message (a title of at most 120
// characters, the counts, the headings, three "more" lines) takes under
// 800.
const (
	overdueBudget = 1600
	blockedBudget = 900
	orgsBudget    = 700
	itemCost      = 75
	orgCost       = 30
)

// textLen is the length of s as Telegram counts it: UTF-16 code units.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// listed is a line of a report's list before it is made: a commitment
// with its owner's name and latest note, or an organisation's counts.
type listed struct {
	c           *flows.Commitment
	name, note  string
	done, total int
	cost        int
}

// fitList keeps the first lines of ls that fit in room characters, stopping
// at the first that does not; it returns them, how many did not fit and
// the room left.
func fitList(ls []listed, room int) (shown []listed, more, left int) {
	for i, l := range ls {
		if l.cost > room {
			return ls[:i], len(ls) - i, room
		}
		room -= l.cost
	}
	return ls, 0, room
}

// listText is a list's lines, "—" when there are none, and how many more
// the spreadsheet has when some did not fit.
func listText(lines []flows.Text, more int) []flows.Text {
	if more > 0 {
		return append(lines, flows.T("rp.more", "Count", more))
	}
	if len(lines) == 0 {
		return []flows.Text{flows.T("rp.none")}
	}
	return lines
}

// reportReplies are a workshop's progress report in lang: the message, a
// chart and a CSV.
func (e *module) reportReplies(t *flows.Turn, w *flows.Workshop, cs []*flows.Commitment, names func(int64) (string, string), lang string) []flows.Reply {
	now := t.In.Now
	y := TallyOf(cs, now)
	var late, blocked []listed
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
		if c.Status == flows.CmDone {
			byOrg[org][0]++
			continue
		}
		isLate, isBlocked := overdue(c, now), c.Status == flows.CmBlocked
		if !isLate && !isBlocked {
			continue
		}
		note := ""
		if n := len(c.History); n > 0 {
			note = c.History[n-1].Note
		}
		l := listed{c: c, name: name, note: note, cost: itemCost + textLen(c.What) + textLen(name) + textLen(note)}
		if isLate {
			late = append(late, l)
		}
		if isBlocked {
			blocked = append(blocked, l)
		}
	}
	orgs := make([]listed, 0, len(byOrg))
	for o, n := range byOrg {
		orgs = append(orgs, listed{name: o, done: n[0], total: n[1], cost: orgCost + textLen(o)})
	}
	slices.SortFunc(orgs, func(a, b listed) int { return cmp.Or(b.total-a.total, strings.Compare(a.name, b.name)) })
	items := func(ls []listed) []flows.Text {
		out := make([]flows.Text, len(ls))
		for i, l := range ls {
			out[i] = flows.T("rp.item", "What", l.c.What, "Name", l.name, "Due", flows.When{At: l.c.Due, Zone: w.Zone, DateOnly: true},
				"Status", statusText(l.c, now), "Note", l.note)
		}
		return out
	}
	late, moreLate, room := fitList(late, overdueBudget)
	blocked, moreBlocked, room := fitList(blocked, blockedBudget+room)
	orgs, moreOrgs, _ := fitList(orgs, orgsBudget+room)
	orgLines := make([]flows.Text, len(orgs))
	for i, o := range orgs {
		orgLines[i] = flows.T("rp.org_line", "Org", o.name, "Done", o.done, "Total", o.total)
	}
	chart := &flows.Chart{Name: "report-" + w.Code, Labels: e.chartLabels(lang, w.Title, y.Total), Tally: y, Orgs: orgTallies(cs, now, names)}
	return []flows.Reply{
		{Text: flows.T("rp.text", "Title", w.Title, "Count", y.Total, "Done", y.Done, "OnTrack", y.OnTrack, "Blocked", y.Blocked,
			"Overdue", y.Overdue, "NoAnswer", y.NoAnswer, "Proposed", y.Proposed, "Rate", y.Completion(),
			"OverdueList", listText(items(late), moreLate), "BlockedList", listText(items(blocked), moreBlocked), "Orgs", listText(orgLines, moreOrgs))},
		{Text: flows.T("rp.chart_caption", "Title", w.Title), Chart: chart},
		{Text: flows.T("rp.csv_caption", "Count", len(cs)), Table: e.commitmentsTable(now, lang, w, cs, names)},
	}
}

// orgTallies counts the commitments of each owner's organisation (the
// owner's name when the profile has none).
func orgTallies(cs []*flows.Commitment, now time.Time, names func(int64) (string, string)) []flows.OrgTally {
	byOrg := map[string][]*flows.Commitment{}
	for _, c := range cs {
		name, org := names(c.Owner)
		byOrg[cmp.Or(org, name)] = append(byOrg[cmp.Or(org, name)], c)
	}
	out := make([]flows.OrgTally, 0, len(byOrg))
	for org, list := range byOrg {
		out = append(out, flows.OrgTally{Name: org, Tally: TallyOf(list, now)})
	}
	return out
}

// chartLabels are the chart's texts in lang; the title is drawn as plain
// text, so the workshop title goes in unescaped.
func (e *module) chartLabels(lang, title string, total int) flows.ChartLabels {
	tx := func(id string, data map[string]any) string {
		s, _ := e.texts.Text(lang, id, data, nil) // a missing id shows as itself; TestChartLabels checks them
		return s
	}
	l := flows.ChartLabels{
		Title:    tx("rp.chart.title", map[string]any{"Title": title, "Count": total}),
		ByStatus: tx("rp.chart.by_status", nil),
		ByOrg:    tx("rp.chart.by_org", nil),
		Others:   tx("rp.chart.others", nil),
		Status:   map[string]string{"overdue": tx("rp.chart.overdue", nil)},
	}
	for _, s := range flows.ChartStatuses() {
		l.Status[s] = tx("cm.status."+s, nil)
	}
	return l
}

// namesOf loads the owners' profiles in one batch and returns a lookup of
// name and organisation.
func (e *module) namesOf(ctx context.Context, cs []*flows.Commitment) (func(uid int64) (string, string), error) {
	ids := make([]int64, 0, len(cs))
	for _, c := range cs {
		ids = append(ids, c.Owner)
	}
	profiles, err := e.store.ProfilesOf(ctx, ids)
	if err != nil {
		return nil, flows.InternalError("profiles", err)
	}
	// An owner without a profile is looked up once, not at every line that
	// names them (three per commitment).
	others := map[int64][2]string{}
	return func(uid int64) (string, string) {
		if p := profiles[uid]; p != nil {
			return p.FullName, p.Organisation
		}
		n, ok := others[uid]
		if !ok {
			n[0], n[1] = flows.NameOf(ctx, e.store, uid)
			others[uid] = n
		}
		return n[0], n[1]
	}, nil
}

func (e *module) commitmentsTable(now time.Time, lang string, w *flows.Workshop, cs []*flows.Commitment, names func(int64) (string, string)) *flows.Table {
	tx := func(id string) string { s, _ := e.texts.Text(lang, id, nil, nil); return s }
	loc := flows.LoadZone(w.Zone)
	cols := []flows.Column{{Header: tx("rp.csv.what")}, {Header: tx("csv.name")}, {Header: tx("csv.org")}, {Header: tx("rp.csv.due"), DateOnly: true},
		{Header: tx("csv.status")}, {Header: tx("rp.csv.days_overdue")}, {Header: tx("rp.csv.indicator")}, {Header: tx("rp.csv.partners")},
		{Header: flows.ZoneHeader(tx("rp.csv.created"), w.Zone)}, {Header: flows.ZoneHeader(tx("rp.csv.history"), w.Zone)}}
	// A status's name is looked up once, not at every row and history
	// entry (a 5,000-commitment report made 15,000 lookups, #22).
	statuses := map[string]string{}
	status := func(s string) string {
		t, ok := statuses[s]
		if !ok {
			t = tx("cm.status." + s)
			statuses[s] = t
		}
		return t
	}
	rows := make([][]any, 0, len(cs))
	var hist strings.Builder
	for _, c := range cs {
		name, org := names(c.Owner)
		hist.Reset()
		for i, h := range c.History {
			if i > 0 {
				hist.WriteByte('\n')
			}
			hist.WriteString(h.At.In(loc).Format(flows.CSVDateTime))
			hist.WriteByte(' ')
			hist.WriteString(status(h.Status))
			if h.Note != "" {
				hist.WriteString(": ")
				hist.WriteString(h.Note)
			}
		}
		var late any
		if overdue(c, now) {
			late = daysLate(c, now, loc)
		}
		rows = append(rows, []any{c.What, name, org, c.Due, status(c.Status), late, c.Indicator, c.Partners,
			c.Created, hist.String()})
	}
	return &flows.Table{Name: "commitments-" + w.Code, Sheet: tx("rp.csv.sheet"), Zone: loc, Columns: cols, Rows: rows}
}

// daysLate is the number of whole days since c's due day ended, counted in
// the workshop's zone (1 the day after the due day).
func daysLate(c *flows.Commitment, now time.Time, loc *time.Location) int {
	due, n := c.Due.In(loc), now.In(loc)
	d0 := time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, time.UTC)
	d1 := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	return int(d1.Sub(d0) / (24 * time.Hour))
}

// forumReport is "all", the forum-wide summary (national admins), or a
// chapter's id, that chapter's summary (national admins, and that chapter's
// admins) — checked on every press.
func (e *module) forumReport(ctx context.Context, t *flows.Turn, payload string) error {
	if payload == "all" {
		if t.Role < flows.RoleAdmin {
			t.Answer(flows.T("errors.not_allowed"), true)
			return nil
		}
		return e.forumSummary(ctx, t, nil)
	}
	c, err := e.store.GetChapter(ctx, payload)
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("chapter", err)
	}
	if t.Role < flows.RoleAdmin && t.ChapterAdmin() != c.ID {
		t.Answer(flows.T("errors.not_allowed"), true)
		return nil
	}
	return e.forumSummary(ctx, t, c)
}

// forumSummary: the commitments of every workshop, or of a chapter's, at a
// glance. The forum-wide one, when the forum has chapters, ends with each
// chapter's counts side by side (and those of workshops of no chapter).
func (e *module) forumSummary(ctx context.Context, t *flows.Turn, chapter *flows.Chapter) error {
	ws, err := e.store.Facilitated(ctx, 0)
	if err != nil {
		return flows.InternalError("workshops", err)
	}
	var lines []flows.Text
	var all []*flows.Commitment
	byChapter := map[string][]*flows.Commitment{}
	for _, w := range ws {
		if chapter != nil && w.Chapter != chapter.ID {
			continue
		}
		cs, err := e.store.WorkshopCommitments(ctx, w.Code)
		if err != nil {
			return flows.InternalError("commitments", err)
		}
		if len(cs) == 0 {
			continue
		}
		all = append(all, cs...)
		byChapter[w.Chapter] = append(byChapter[w.Chapter], cs...)
		y := TallyOf(cs, t.In.Now)
		lines = append(lines, flows.T("rp.forum_line", "Title", w.Title, "Total", y.Total, "Done", y.Done, "Overdue", y.Overdue, "Blocked", y.Blocked, "Rate", y.Completion()))
	}
	y := TallyOf(all, t.In.Now)
	if len(lines) == 0 {
		lines = []flows.Text{flows.T("rp.none")}
	}
	if chapter != nil {
		t.Say(flows.T("rp.chapter_text", "Name", chapter.Name, "Count", y.Total, "Done", y.Done, "Rate", y.Completion(), "Lines", lines))
		return nil
	}
	t.Say(flows.T("rp.forum_text", "Count", y.Total, "Done", y.Done, "Rate", y.Completion(), "Lines", lines))
	chs, err := e.store.ListChapters(ctx)
	if err != nil {
		return flows.InternalError("chapters", err)
	}
	if len(chs) == 0 {
		return nil // a forum without chapters: as before
	}
	var rollup []flows.Text
	line := func(name any, cs []*flows.Commitment) {
		y := TallyOf(cs, t.In.Now)
		rollup = append(rollup, flows.T("rp.chapter_line", "Name", name, "Total", y.Total, "Done", y.Done, "Overdue", y.Overdue, "Blocked", y.Blocked, "Rate", y.Completion()))
	}
	for _, c := range chs {
		line(c.Name, byChapter[c.ID])
	}
	line(flows.T("rp.no_chapter"), byChapter[""])
	t.Say(flows.T("rp.chapters_text", "Lines", rollup))
	return nil
}
