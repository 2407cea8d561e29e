package workshops

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"sinergi/flows"
)

// A team member messages the workshop's registrants by status, from the
// management card: the message is copied as written (copyMessage keeps its
// formatting and media) by the transport's broadcast runner, with its
// claims, resumption and rate limits, to the segment "wsr:<code>:<status>"
// (flows.SegRegistrants). Who may send it is checked when it is sent, not
// only when the button is shown.

// albumKey holds the media group id of the album last refused.
const albumKey = "_album"

func (e *module) registerMessage(r *flows.Registry) {
	r.Route(&flows.Route{Name: routeMessage, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.messageChoice)})
	r.Route(&flows.Route{Name: routeMessageTo, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.messageStart)})
	r.Flow(&flows.Flow{
		Name: "wsmsg",
		Done: e.sendMessage,
		Steps: []*flows.Step{
			{Name: "msg", Parse: messageAnswer, Prompt: e.messagePrompt},
			{Name: "confirm", Parse: flows.Confirm(flows.T("ws.msg_discarded"), "send"), Prompt: e.messagePreview},
		},
	})
}

// offered: the statuses the card offers for w now, given its tally n:
// "not checked in" once the workshop has ended (before, it is not a
// no-show yet); pending offers where freed seats are offered, pending
// approval where registrations need it (either also while someone is
// still in that state after the setting was turned off).
func offered(t *flows.Turn, w *flows.Workshop, n map[flows.RegistrantStatus]int) []flows.RegistrantStatus {
	return slices.DeleteFunc(flows.RegistrantStatuses(), func(s flows.RegistrantStatus) bool {
		switch s {
		case flows.RegsNoShow:
			return t.In.Now.Before(w.End)
		case flows.RegsOffered:
			return !w.Offers && n[s] == 0
		case flows.RegsPending:
			return !w.Approval && n[s] == 0
		}
		return false
	})
}

// tally counts w's registrants by status.
func (e *module) tally(ctx context.Context, code string) (map[flows.RegistrantStatus]int, error) {
	regs, err := e.store.Registrations(ctx, code)
	if err != nil {
		return nil, flows.InternalError("registrations", err)
	}
	n := map[flows.RegistrantStatus]int{}
	for _, r := range regs {
		for _, s := range flows.RegistrantStatuses() {
			if s.Has(r) {
				n[s]++
			}
		}
	}
	return n, nil
}

func (e *module) messageChoice(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	n, err := e.tally(ctx, w.Code)
	if err != nil {
		return err
	}
	var rows [][]flows.Button
	for _, s := range offered(t, w, n) {
		rows = append(rows, []flows.Button{{Label: flows.T("ws.msg_btn_"+string(s), "N", n[s]), Data: flows.MustData(routeMessageTo, w.Code, string(s))}})
	}
	rows = append(rows, []flows.Button{{Label: flows.T("ws.back"), Data: flows.MustData(routeManage, w.Code)}})
	t.Say(flows.T("ws.msg_choose", "Title", w.Title), rows...)
	return nil
}

func (e *module) messageStart(ctx context.Context, t *flows.Turn, w *flows.Workshop, arg string) error {
	s := flows.RegistrantStatus(arg)
	if !slices.Contains(flows.RegistrantStatuses(), s) {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	n, err := e.tally(ctx, w.Code)
	if err != nil {
		return err
	}
	if !slices.Contains(offered(t, w, n), s) {
		if s == flows.RegsNoShow {
			t.Answer(flows.T("ws.msg_noshow_later"), true)
		} else {
			t.Answer(flows.T("ws.msg_status_off_"+string(s)), true)
		}
		return nil
	}
	return t.StartFlowAt(ctx, "wsmsg", "msg", map[string]string{"code": w.Code, "status": arg})
}

func (e *module) messagePrompt(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
	w, err := e.store.GetWorkshop(ctx, t.Session.Data["code"])
	if err != nil {
		return flows.Reply{}, flows.InternalError("get workshop", err)
	}
	return flows.Reply{Text: flows.T("ws.msg_ask", "Title", w.Title, "Status", flows.T("ws.msg_status_"+t.Session.Data["status"]))}, nil
}

// messageAnswer takes the message to copy: text with formatting, a photo or
// document with its caption (an album is refused once, its other items
// passed over in silence, as a broadcast's).
func messageAnswer(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
	if in.MediaGroup != "" && in.Kind != flows.KindCallback {
		if t.Session.Data[albumKey] == in.MediaGroup {
			return "", flows.ErrStay
		}
		t.Session.Data[albumKey] = in.MediaGroup
		return "", flows.Refuse("bc.album")
	}
	switch in.Kind {
	case flows.KindText:
		if strings.TrimSpace(in.Text) == "" {
			return "", flows.Refuse("bc.empty")
		}
	case flows.KindMedia, flows.KindContact:
	case flows.KindCallback:
		return "", flows.Refuse("errors.bad_button")
	default:
		return "", flows.Refuse("bc.empty")
	}
	return strconv.Itoa(in.MessageID), nil
}

// draftMessage is the broadcast the flow's answers describe.
func draftMessage(t *flows.Turn) *flows.Broadcast {
	d := t.Session.Data
	msg, _ := strconv.Atoi(d["msg"])
	seg := flows.Segment{Kind: flows.SegRegistrants, Value: d["code"], Status: flows.RegistrantStatus(d["status"])}
	return &flows.Broadcast{By: t.User.ID, FromChat: t.In.ChatID, MessageID: msg, Segment: seg.String(), Created: t.In.Now}
}

// messagePreview copies the message back with the number of people it
// goes to, and asks to send it.
func (e *module) messagePreview(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
	w, err := e.store.GetWorkshop(ctx, t.Session.Data["code"])
	if err != nil {
		return flows.Reply{}, flows.InternalError("get workshop", err)
	}
	b := draftMessage(t)
	rs, err := flows.Recipients(ctx, e.store, b)
	if err != nil {
		return flows.Reply{}, flows.InternalError("recipients", err)
	}
	status := flows.T("ws.msg_status_" + t.Session.Data["status"])
	t.Say(flows.T("ws.msg_preview_heading"))
	t.Send(flows.Reply{Copy: &flows.MessageRef{Chat: b.FromChat, MessageID: b.MessageID}})
	if len(rs) == 0 {
		return flows.Reply{Text: flows.T("ws.msg_nobody", "Title", w.Title, "Status", status),
			Buttons: [][]flows.Button{{t.Choice(flows.T("ws.msg_discard"), "discard")}}}, nil
	}
	return flows.Reply{Text: flows.T("ws.msg_confirm", "Count", len(rs), "Title", w.Title, "Status", status),
		Buttons: [][]flows.Button{{t.Choice(flows.T("ws.msg_send"), "send"), t.Choice(flows.T("ws.msg_discard"), "discard")}}}, nil
}

// sendMessage checks, now that it is sent, that the sender is still on the
// workshop's team, and hands the message to the broadcast runner.
func (e *module) sendMessage(ctx context.Context, t *flows.Turn) error {
	w, err := e.store.GetWorkshop(ctx, t.Session.Data["code"])
	if err != nil {
		return flows.InternalError("get workshop", err)
	}
	if !t.CanManage(w) {
		t.Say(flows.T("errors.not_allowed"))
		return nil
	}
	b := draftMessage(t)
	b.ID, b.StartAt = flows.NewCode(), t.In.Now
	if err := e.store.CreateBroadcast(ctx, b); err != nil {
		return flows.InternalError("create broadcast", err)
	}
	if err := t.Audit(ctx, flows.AuditWsMessage, w.Code, 0); err != nil {
		return err
	}
	t.Say(flows.T("ws.msg_sending"))
	return nil
}
