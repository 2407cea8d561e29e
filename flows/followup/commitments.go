package followup

import (
	"context"
	"time"

	"sinergi/flows"
)

// Follow-up: a participant's own commitments and their status updates.

func (e *module) myCommitments(ctx context.Context, t *flows.Turn) error {
	list, err := e.store.UserCommitments(ctx, t.User.ID)
	if err != nil {
		return flows.InternalError("my commitments", err)
	}
	if len(list) == 0 {
		t.Say(flows.T("cm.mine_none"))
		return nil
	}
	var lines []flows.Text
	var rows [][]flows.Button
	for _, c := range list {
		zone := "Asia/Jakarta"
		if w, err := e.store.GetWorkshop(ctx, c.Workshop); err == nil {
			zone = w.Zone
		}
		lines = append(lines, flows.T("cm.mine_line", "What", c.What, "Due", flows.When{At: c.Due, Zone: zone, DateOnly: true}, "Status", statusText(c, t.In.Now)))
		if c.Status != flows.CmDone && c.Status != flows.CmProposed {
			rows = append(rows, []flows.Button{{Label: flows.T("cm.update_button", "What", shorten(c.What, 40)), Data: flows.MustData(routeUpdate, c.Workshop, c.ID)}})
		}
	}
	t.Say(flows.T("cm.mine", "Lines", lines), rows...)
	return nil
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// overdue reports whether c is late at now: not done (nor still proposed)
// after its due day. Lateness is a second dimension beside the status: a
// blocked commitment can be overdue too.
func overdue(c *flows.Commitment, now time.Time) bool {
	return c.Status != flows.CmDone && c.Status != flows.CmProposed && now.After(c.Due.Add(24*time.Hour))
}

// statusText shows a commitment's status and, when it is late, that too.
func statusText(c *flows.Commitment, now time.Time) flows.Text {
	if overdue(c, now) {
		return flows.T("cm.status_late", "Status", flows.T("cm.status."+c.Status))
	}
	return flows.T("cm.status." + c.Status)
}

func statusButtons(c *flows.Commitment) [][]flows.Button {
	return [][]flows.Button{{
		{Label: flows.T("cm.btn_done"), Data: flows.MustData(routeStatus, c.Workshop, c.ID, flows.CmDone)},
		{Label: flows.T("cm.btn_ontrack"), Data: flows.MustData(routeStatus, c.Workshop, c.ID, flows.CmOnTrack)},
		{Label: flows.T("cm.btn_blocked"), Data: flows.MustData(routeStatus, c.Workshop, c.ID, flows.CmBlocked)},
	}}
}

func (e *module) askStatus(ctx context.Context, t *flows.Turn, payload string) error {
	c, _, _, ok, err := e.ownCommitment(ctx, t, payload)
	if !ok {
		return err
	}
	t.Say(flows.T("cm.ask_status", "What", c.What), statusButtons(c)...)
	return nil
}

// setStatus records an owner's answer and asks for an optional note.
func (e *module) setStatus(ctx context.Context, t *flows.Turn, payload string) error {
	c, w, status, ok, err := e.ownCommitment(ctx, t, payload)
	if !ok {
		return err
	}
	if status != flows.CmDone && status != flows.CmOnTrack && status != flows.CmBlocked {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	if c.Status == flows.CmProposed {
		t.Answer(flows.T("cm.not_confirmed_yet"), true)
		return nil
	}
	c.Status = status
	c.History = append(c.History, flows.StatusEntry{At: t.In.Now, Status: status, By: t.User.ID})
	if err := e.store.SaveCommitment(ctx, c); err != nil {
		return flows.InternalError("save commitment", err)
	}
	if status == flows.CmDone {
		if err := e.store.Unschedule(ctx, followUpIDs(c)...); err != nil {
			return flows.InternalError("unschedule", err)
		}
	}
	if t.In.MessageID != 0 {
		t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	if status == flows.CmBlocked {
		if err := e.escalate(ctx, t, c, w, flows.CmBlocked); err != nil {
			return err
		}
	}
	t.Say(flows.T("cm.status_saved", "Status", flows.T("cm.status."+status)))
	return t.StartFlowAt(ctx, "cmnote", "note", map[string]string{"code": c.Workshop, "id": c.ID})
}

func (e *module) noteDone(ctx context.Context, t *flows.Turn) error {
	note := t.Session.Data["note"]
	if note == "" {
		t.Say(flows.T("cm.thanks"))
		return nil
	}
	c, err := e.store.GetCommitment(ctx, t.Session.Data["code"], t.Session.Data["id"])
	if err != nil || c.Owner != t.User.ID || len(c.History) == 0 {
		t.Say(flows.T("cm.not_found"))
		return nil
	}
	c.History[len(c.History)-1].Note = note
	if err := e.store.SaveCommitment(ctx, c); err != nil {
		return flows.InternalError("save note", err)
	}
	t.Say(flows.T("cm.thanks"))
	return nil
}
