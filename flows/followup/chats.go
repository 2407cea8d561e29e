package followup

// Follow-up in the workshop's linked chats: its facilitators' chats (the
// reports there as well as, or instead of, privately) and its
// participants' groups (the weekly summary).

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"sinergi/flows"
)

// reportChats are the workshop's active facilitators' chats, and the
// facilitators its reports go to privately: all of them, or none when its
// team chose the chats only and there is one.
func (e *module) reportChats(ctx context.Context, w *flows.Workshop) (chats []*flows.ChatLink, private []int64, err error) {
	chats, err = e.linked(ctx, w.Code, flows.PurposeReports)
	if err != nil {
		return nil, nil, err
	}
	if w.ReportsChatOnly && len(chats) > 0 {
		return chats, nil, nil
	}
	return chats, w.Facilitators, nil
}

// groupSummary is the week's progress for the workshop's participants'
// groups: counts, and who completed a commitment (names only: no notes,
// nothing of what is blocked or late by whom).
func (e *module) groupSummary(ctx context.Context, w *flows.Workshop, cs []*flows.Commitment, y flows.Tally) (flows.Text, error) {
	var done []string
	for _, c := range cs {
		if c.Status != flows.CmDone {
			continue
		}
		name, _, err := flows.LookupName(ctx, e.store, c.Owner)
		if err != nil {
			return flows.Text{}, err
		}
		if name == strconv.FormatInt(c.Owner, 10) {
			continue // nobody to name (forgotten): counted, not named
		}
		if !slices.Contains(done, name) {
			done = append(done, name)
		}
	}
	who := flows.T("rp.group_summary_nobody")
	if len(done) > 0 {
		who = flows.T("rp.group_summary_who", "Names", strings.Join(done, ", "))
	}
	return flows.T("rp.group_summary", "Title", w.Title, "Count", y.Total, "Done", y.Done, "OnTrack", y.OnTrack,
		"Blocked", y.Blocked, "Overdue", y.Overdue, "Who", who), nil
}

// groupSummaries are the weekly summaries for the workshop's participants'
// groups, when its team turned them on.
func (e *module) groupSummaries(ctx context.Context, w *flows.Workshop, cs []*flows.Commitment, y flows.Tally) ([]flows.Reply, error) {
	if !w.GroupSummary {
		return nil, nil
	}
	groups, err := e.linked(ctx, w.Code, flows.PurposeWorkshop)
	if err != nil || len(groups) == 0 {
		return nil, err
	}
	summary, err := e.groupSummary(ctx, w, cs, y)
	if err != nil {
		return nil, err
	}
	var out []flows.Reply
	for _, l := range groups {
		out = append(out, flows.Reply{ChatID: l.Chat, Thread: l.Thread, Lang: e.cfg.DefaultLang, Bulk: true, Text: summary})
	}
	return out, nil
}
