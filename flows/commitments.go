package flows

import (
	"context"
	"time"
)

// Follow-up: a participant's own commitments and their status updates.

func (e *Engine) myCommitments(ctx context.Context, t *Turn) error {
	list, err := e.store.UserCommitments(ctx, t.User.ID)
	if err != nil {
		return InternalError("my commitments", err)
	}
	if len(list) == 0 {
		t.Say(T("cm.mine_none"))
		return nil
	}
	var lines []Text
	var rows [][]Button
	for _, c := range list {
		zone := "Asia/Jakarta"
		if w, err := e.store.GetWorkshop(ctx, c.Workshop); err == nil {
			zone = w.Zone
		}
		lines = append(lines, T("cm.mine_line", "What", c.What, "Due", When{At: c.Due, Zone: zone, DateOnly: true}, "Status", statusText(c, t.In.Now)))
		if c.Status != CmDone && c.Status != CmProposed {
			rows = append(rows, []Button{{Label: T("cm.update_button", "What", shorten(c.What, 40)), Data: MustData("cmu", c.Workshop, c.ID)}})
		}
	}
	t.Say(T("cm.mine", "Lines", lines), rows...)
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
func overdue(c *Commitment, now time.Time) bool {
	return c.Status != CmDone && c.Status != CmProposed && now.After(c.Due.Add(24*time.Hour))
}

// statusText shows a commitment's status and, when it is late, that too.
func statusText(c *Commitment, now time.Time) Text {
	if overdue(c, now) {
		return T("cm.status_late", "Status", T("cm.status."+c.Status))
	}
	return T("cm.status." + c.Status)
}

func statusButtons(c *Commitment) [][]Button {
	return [][]Button{{
		{Label: T("cm.btn_done"), Data: MustData("cms", c.Workshop, c.ID, CmDone)},
		{Label: T("cm.btn_ontrack"), Data: MustData("cms", c.Workshop, c.ID, CmOnTrack)},
		{Label: T("cm.btn_blocked"), Data: MustData("cms", c.Workshop, c.ID, CmBlocked)},
	}}
}

func (e *Engine) askStatus(ctx context.Context, t *Turn, payload string) error {
	c, _, _, ok, err := e.ownCommitment(ctx, t, payload)
	if !ok {
		return err
	}
	t.Say(T("cm.ask_status", "What", c.What), statusButtons(c)...)
	return nil
}

// setStatus records an owner's answer and asks for an optional note.
func (e *Engine) setStatus(ctx context.Context, t *Turn, payload string) error {
	c, w, status, ok, err := e.ownCommitment(ctx, t, payload)
	if !ok {
		return err
	}
	if status != CmDone && status != CmOnTrack && status != CmBlocked {
		t.Answer(T("errors.bad_button"), true)
		return nil
	}
	if c.Status == CmProposed {
		t.Answer(T("cm.not_confirmed_yet"), true)
		return nil
	}
	c.Status = status
	c.History = append(c.History, StatusEntry{At: t.In.Now, Status: status, By: t.User.ID})
	if err := e.store.SaveCommitment(ctx, c); err != nil {
		return InternalError("save commitment", err)
	}
	if status == CmDone {
		if err := e.store.Unschedule(ctx, followUpIDs(c)...); err != nil {
			return InternalError("unschedule", err)
		}
	}
	if t.In.MessageID != 0 {
		t.Send(Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	if status == CmBlocked {
		if err := e.escalate(ctx, t, c, w, CmBlocked); err != nil {
			return err
		}
	}
	t.Say(T("cm.status_saved", "Status", T("cm.status."+status)))
	return t.StartFlowAt(ctx, "cmnote", "note", map[string]string{"code": c.Workshop, "id": c.ID})
}

func (e *Engine) noteDone(ctx context.Context, t *Turn) error {
	note := t.Session.Data["note"]
	if note == "" {
		t.Say(T("cm.thanks"))
		return nil
	}
	c, err := e.store.GetCommitment(ctx, t.Session.Data["code"], t.Session.Data["id"])
	if err != nil || c.Owner != t.User.ID || len(c.History) == 0 {
		t.Say(T("cm.not_found"))
		return nil
	}
	c.History[len(c.History)-1].Note = note
	if err := e.store.SaveCommitment(ctx, c); err != nil {
		return InternalError("save note", err)
	}
	t.Say(T("cm.thanks"))
	return nil
}
