package followup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"sinergi/flows"
)

// Follow-up: scheduled reminders, check-ins and escalations of commitments.

// escalate tells the workshop's facilitators, once per item and state.
func (e *module) escalate(ctx context.Context, t *flows.Turn, c *flows.Commitment, w *flows.Workshop, state string) error {
	if slices.Contains(c.Escalated, state) {
		return nil
	}
	replies, err := e.escalationReplies(ctx, c, w, state)
	if err != nil {
		return err
	}
	c.Escalated = append(c.Escalated, state)
	if err := e.store.SaveCommitment(ctx, c); err != nil {
		return flows.InternalError("save escalation", err)
	}
	for _, r := range replies {
		t.Send(r)
	}
	return nil
}

func (e *module) escalationReplies(ctx context.Context, c *flows.Commitment, w *flows.Workshop, state string) ([]flows.Reply, error) {
	name, org := flows.NameOf(ctx, e.store, c.Owner)
	text := flows.T("cm.escalation_"+state,
		"Name", name, "Org", org, "What", c.What, "Title", w.Title, "Due", flows.When{At: c.Due, Zone: w.Zone, DateOnly: true})
	// The workshop's facilitators' chats (only facilitators read them), and
	// privately unless the team chose the chats only.
	chats, private, err := e.reportChats(ctx, w)
	if err != nil {
		return nil, err
	}
	var out []flows.Reply
	for _, f := range private {
		out = append(out, flows.Reply{ChatID: f, Lang: e.userOf(ctx, f).Lang, Bulk: true, Text: text})
	}
	for _, l := range chats {
		out = append(out, flows.Reply{ChatID: l.Chat, Thread: l.Thread, Lang: e.cfg.DefaultLang, Bulk: true, Text: text})
	}
	return out, nil
}

// commitJob loads the commitment a job names; nil when it is gone or done.
func (e *module) commitJob(ctx context.Context, args string) (*flows.Commitment, *flows.Workshop, error) {
	c, w, _, err := e.commitmentArg(ctx, strings.Replace(args, "|", ":", 1))
	if errors.Is(err, flows.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil || c.Status == flows.CmDone || c.Status == flows.CmProposed || w.Cancelled {
		return nil, nil, err
	}
	return c, w, nil
}

// commitReminder: 3 days before, on the due day, and overdue nudges (every
// 3 days, at most 3).
func (e *module) commitReminder(kind string) flows.JobFunc {
	return func(ctx context.Context, now time.Time, args string) ([]flows.Reply, error) {
		c, w, err := e.commitJob(ctx, args)
		if c == nil || err != nil {
			return nil, err
		}
		owner := e.userOf(ctx, c.Owner)
		if owner.Inactive {
			return nil, nil
		}
		id := map[string]string{jobCm3: "cm.remind_3days", jobCmDue: "cm.remind_due", jobCmNudge: "cm.remind_overdue"}[kind]
		// A reminder before the due day found on or after it, or a due-day
		// one found a day late, would say something untrue: the next one
		// (due day, overdue nudge) speaks instead.
		if left := flows.DaysLeft(now, c.Due, w.Zone); (kind == jobCm3 && left.ID == "when.today") ||
			(kind == jobCmDue && now.After(c.Due) && !sameDay(now, c.Due, w.Zone)) {
			return nil, fmt.Errorf("%s reminder of commitment %s due %s: %w", kind, c.ID, c.Due.Format(time.RFC3339), flows.ErrJobLate)
		}
		if kind == jobCmNudge {
			c.Nudges++
			if err := e.store.SaveCommitment(ctx, c); err != nil {
				return nil, flows.InternalError("save nudge", err)
			}
			if c.Nudges < maxNudges {
				if err := e.store.Schedule(ctx, flows.Job{ID: followUpIDs(c)[2], Due: now.AddDate(0, 0, 3)}); err != nil {
					return nil, flows.InternalError("next nudge", err)
				}
			}
		}
		return []flows.Reply{{ChatID: c.Owner, Lang: owner.Lang, Bulk: true,
			Text:    flows.T(id, "What", c.What, "Due", flows.When{At: c.Due, Zone: w.Zone, DateOnly: true}, "Left", flows.DaysLeft(now, c.Due, w.Zone), "Title", w.Title),
			Buttons: statusButtons(c)}}, nil
	}
}

// sameDay reports whether a and b fall on one calendar day in zone.
func sameDay(a, b time.Time, zone string) bool {
	loc := flows.LoadZone(zone)
	a, b = a.In(loc), b.In(loc)
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

// overdueEscalation: 7 days overdue and not done — the facilitators are told once.
func (e *module) overdueEscalation(ctx context.Context, _ time.Time, args string) ([]flows.Reply, error) {
	c, w, err := e.commitJob(ctx, args)
	if c == nil || err != nil || slices.Contains(c.Escalated, "overdue") {
		return nil, err
	}
	replies, err := e.escalationReplies(ctx, c, w, "overdue")
	if err != nil {
		return nil, err
	}
	c.Escalated = append(c.Escalated, "overdue")
	if err := e.store.SaveCommitment(ctx, c); err != nil {
		return nil, flows.InternalError("save escalation", err)
	}
	return replies, nil
}

// checkInJob asks the owner for a status each week while open.
func (e *module) checkInJob(ctx context.Context, now time.Time, args string) ([]flows.Reply, error) {
	c, w, err := e.commitJob(ctx, args)
	if c == nil || err != nil {
		return nil, err
	}
	if err := e.store.Schedule(ctx, flows.Job{ID: followUpIDs(c)[4], Due: now.Add(w.CheckInEvery())}); err != nil {
		return nil, flows.InternalError("next check-in", err)
	}
	owner := e.userOf(ctx, c.Owner)
	if owner.Inactive {
		return nil, nil
	}
	return []flows.Reply{{ChatID: c.Owner, Lang: owner.Lang, Bulk: true,
		Text: flows.T("cm.checkin", "What", c.What, "Title", w.Title, "Due", flows.When{At: c.Due, Zone: w.Zone, DateOnly: true}), Buttons: statusButtons(c)}}, nil
}

// checkInChoices are the check-in intervals a facilitator can pick, in days.
var checkInChoices = []int{7, 14, 30}

// cycleCheckIns moves the workshop's check-in interval to the next choice.
func (e *module) cycleCheckIns(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	cur := int(w.CheckInEvery() / (24 * time.Hour))
	next := checkInChoices[0]
	if i := slices.Index(checkInChoices, cur); i >= 0 && i+1 < len(checkInChoices) {
		next = checkInChoices[i+1]
	}
	w.CheckInDays = next
	if _, err := e.store.UpdateWorkshop(ctx, w); err != nil {
		return flows.InternalError("check-in interval", err)
	}
	t.Answer(flows.T("cm.checkins_every", "Count", next), false)
	return t.ShowManageCard(ctx, w)
}

// openCollection invites every checked-in participant (every confirmed one
// when check-in was not used) to add their commitments.
func (e *module) openCollection(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	regs, err := e.store.Registrations(ctx, w.Code)
	if err != nil {
		return flows.InternalError("registrations", err)
	}
	var checked, confirmed []*flows.Registration
	for _, r := range regs {
		if r.Status != flows.RegConfirmed {
			continue
		}
		confirmed = append(confirmed, r)
		if !r.CheckedInAt.IsZero() {
			checked = append(checked, r)
		}
	}
	invite := checked
	if len(invite) == 0 {
		invite = confirmed
	}
	// Before the workshop nobody can be thanked for joining it.
	invitation := "cm.invitation"
	if t.In.Now.Before(w.Start) {
		invitation = "cm.invitation_ahead"
	}
	for _, r := range invite {
		u := e.userOf(ctx, r.UserID)
		t.Send(flows.Reply{ChatID: r.UserID, Lang: u.Lang, Bulk: true, Text: flows.T(invitation, "Title", w.Title),
			Buttons: [][]flows.Button{{{Label: flows.T("cm.add"), Data: flows.MustData(routeCommit, w.Code)}}}})
	}
	t.Say(flows.T("cm.collection_opened", "Count", len(invite), "Title", w.Title))
	return nil
}
