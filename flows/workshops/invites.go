package workshops

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"sinergi/flows"
)

// Invite-only workshops (flows/invite_types.go): the team makes a workshop
// invite-only, creates invitations — personal links, several at once, or
// one link for an organisation with a quota of seats —, lists them with who
// used them, revokes them, and exports them with their links for the
// secretariat to send.

const (
	routeInviteOnly = "workshops.invite_only"  // <code>: invite-only or not
	routeInvites    = "workshops.invites"      // <code>: the invitations card
	routeInvPerson  = "workshops.inv_personal" // <code>: asks how many personal invitations to make
	routeInvOrg     = "workshops.inv_org"      // <code>: asks an organisation and its seats
	routeInvRevoke  = "workshops.inv_revoke"   // <code>:<token>: revokes one
	routeInvExport  = "workshops.inv_export"   // <code>: the invitations with their links, as a table

	invPersonalFlow = "wsinvp"
	invOrgFlow      = "wsinvo"
	// invitesShown is how many invitations the card lists (the export has all).
	invitesShown = 10
	// linksShown is the most new personal links a reply lists.
	linksShown = 10
)

// invitesStore is what the invitations need of the store.
type invitesStore interface {
	CreateWorkshopInvite(ctx context.Context, inv *flows.WorkshopInvite) error
	WorkshopInvites(ctx context.Context, code string) ([]*flows.WorkshopInvite, error)
	RevokeWorkshopInvite(ctx context.Context, code, token string) error
}

func (e *module) registerInvites(r *flows.Registry) {
	r.Route(&flows.Route{Name: routeInviteOnly, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.toggleInviteOnly)})
	r.Route(&flows.Route{Name: routeInvites, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.invitesCard)})
	r.Route(&flows.Route{Name: routeInvPerson, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, func(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
		return t.StartFlowAt(ctx, invPersonalFlow, "count", map[string]string{"code": w.Code})
	})})
	r.Route(&flows.Route{Name: routeInvOrg, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, func(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
		return t.StartFlowAt(ctx, invOrgFlow, "org", map[string]string{"code": w.Code})
	})})
	r.Route(&flows.Route{Name: routeInvRevoke, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.revokeInvite)})
	r.Route(&flows.Route{Name: routeInvExport, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.exportInvites)})
	r.Flow(&flows.Flow{Name: invPersonalFlow, Done: e.makePersonalInvites, Steps: []*flows.Step{
		{Name: "count", Parse: numberAnswer(1, flows.MaxInvitesAtOnce), Prompt: func(context.Context, *flows.Turn) (flows.Reply, error) {
			return flows.Reply{Text: flows.T("inv.ask_count", "Max", flows.MaxInvitesAtOnce)}, nil
		}},
	}})
	r.Flow(&flows.Flow{Name: invOrgFlow, Done: e.makeOrgInvite, Steps: []*flows.Step{
		{Name: "org", Parse: flows.TextAnswer(flows.MaxInviteOrgLen), Prompt: flows.Ask("inv.ask_org")},
		{Name: "quota", Parse: numberAnswer(1, flows.MaxInviteQuota), Prompt: func(_ context.Context, t *flows.Turn) (flows.Reply, error) {
			return flows.Reply{Text: flows.T("inv.ask_quota", "Org", t.Session.Data["org"], "Max", flows.MaxInviteQuota)}, nil
		}},
	}})
}

// numberAnswer accepts a whole number from min to max.
func numberAnswer(min, max int) func(context.Context, *flows.Turn, flows.Input) (string, error) {
	return func(_ context.Context, _ *flows.Turn, in flows.Input) (string, error) {
		v, err := flows.TextBetween(in, 1, 10)
		if err != nil {
			return "", err
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < min || n > max {
			return "", flows.Refuse("inv.bad_number", "Min", min, "Max", max)
		}
		return strconv.Itoa(n), nil
	}
}

func (e *module) toggleInviteOnly(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if w.Cancelled {
		t.Answer(flows.T("ws.cancelled_note"), true)
		return nil
	}
	w.InviteOnly = !w.InviteOnly
	if _, err := e.store.UpdateWorkshop(ctx, w); err != nil {
		return flows.InternalError("invite only", err)
	}
	if err := t.Audit(ctx, flows.AuditWsEdit, w.Code, 0); err != nil {
		return err
	}
	if w.InviteOnly {
		t.Answer(flows.T("inv.now_invite_only"), false)
	} else {
		t.Answer(flows.T("inv.now_open"), false)
	}
	return e.invitesCard(ctx, t, w, "")
}

// inviteButtons are the management card's row: invite-only or not, and
// the invitations.
func inviteButtons(w *flows.Workshop) []flows.Button {
	label := flows.T("inv.btn_open")
	if w.InviteOnly {
		label = flows.T("inv.btn_invite_only")
	}
	return []flows.Button{{Label: label, Data: flows.MustData(routeInviteOnly, w.Code)},
		{Label: flows.T("inv.btn_invites"), Data: flows.MustData(routeInvites, w.Code)}}
}

// inviteLink is the deep link of an invitation.
func inviteLink(t *flows.Turn, inv *flows.WorkshopInvite) string {
	return t.BotLink(flows.InviteLinkPrefix + flows.InvitePayload(inv.Workshop, inv.Token))
}

// usedBy names the people using an invitation, "—" for none.
func (e *module) usedBy(ctx context.Context, inv *flows.WorkshopInvite) any {
	if len(inv.Used) == 0 {
		return flows.HTML("—")
	}
	names := make([]string, len(inv.Used))
	for i, uid := range inv.Used {
		name, org := flows.NameOf(ctx, e.store, uid)
		if org != "" {
			name += " (" + org + ")"
		}
		names[i] = name
	}
	return strings.Join(names, ", ")
}

// invitesCard lists the workshop's invitations with what is used of them.
func (e *module) invitesCard(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	invs, err := e.store.WorkshopInvites(ctx, w.Code)
	if err != nil {
		return flows.InternalError("invitations", err)
	}
	state := flows.T("inv.state_open")
	if w.InviteOnly {
		state = flows.T("inv.state_invite_only")
	}
	var lines []flows.Text
	var revoke []flows.Button
	for i, inv := range invs[:min(len(invs), invitesShown)] {
		n := i + 1
		if inv.Org == "" {
			lines = append(lines, flows.T("inv.line_personal", "N", n, "Used", len(inv.Used), "By", e.usedBy(ctx, inv)))
		} else {
			lines = append(lines, flows.T("inv.line_org", "N", n, "Org", inv.Org, "Used", len(inv.Used), "Quota", inv.Quota, "By", e.usedBy(ctx, inv)))
		}
		revoke = append(revoke, flows.Button{Label: flows.T("inv.btn_revoke", "N", n), Data: flows.MustData(routeInvRevoke, w.Code, inv.Token)})
	}
	more := ""
	if len(invs) > invitesShown {
		s, _ := e.texts.Text(t.Lang, "inv.more", map[string]any{"Count": len(invs) - invitesShown}, len(invs)-invitesShown)
		more = s
	}
	rows := [][]flows.Button{
		{{Label: flows.T("inv.btn_personal"), Data: flows.MustData(routeInvPerson, w.Code)}, {Label: flows.T("inv.btn_org"), Data: flows.MustData(routeInvOrg, w.Code)}},
	}
	for i := 0; i < len(revoke); i += 5 {
		rows = append(rows, revoke[i:min(len(revoke), i+5)])
	}
	if len(invs) > 0 {
		rows = append(rows, []flows.Button{{Label: flows.T("inv.btn_export"), Data: flows.MustData(routeInvExport, w.Code)}})
	}
	rows = append(rows, []flows.Button{{Label: flows.T("ws.back"), Data: flows.MustData(routeManage, w.Code)}})
	t.Say(flows.T("inv.card", "Title", w.Title, "State", state, "Count", len(invs), "Lines", lines, "More", more), rows...)
	return nil
}

// invitesWorkshop is the workshop of an invitation flow, checked again.
func (e *module) invitesWorkshop(ctx context.Context, t *flows.Turn) (*flows.Workshop, error) {
	w, err := e.store.GetWorkshop(ctx, t.Session.Data["code"])
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("ws.not_found"))
		return nil, nil
	}
	if err != nil {
		return nil, flows.InternalError("invitations workshop", err)
	}
	if !t.CanManage(w) {
		t.Say(flows.T("errors.not_allowed"))
		return nil, nil
	}
	return w, nil
}

// createInvites stores invitations; false (said) when the workshop has
// too many.
func (e *module) createInvites(ctx context.Context, t *flows.Turn, invs []*flows.WorkshopInvite) (bool, error) {
	for _, inv := range invs {
		err := e.store.CreateWorkshopInvite(ctx, inv)
		if errors.Is(err, flows.ErrTooManyInvites) {
			t.Say(flows.T("inv.too_many", "Max", flows.MaxInvites))
			return false, nil
		}
		if err != nil {
			return false, flows.InternalError("create invitation", err)
		}
	}
	return true, nil
}

func (e *module) makePersonalInvites(ctx context.Context, t *flows.Turn) error {
	w, err := e.invitesWorkshop(ctx, t)
	if w == nil {
		return err
	}
	n, _ := strconv.Atoi(t.Session.Data["count"]) // checked by its step
	invs := make([]*flows.WorkshopInvite, n)
	for i := range invs {
		invs[i] = &flows.WorkshopInvite{Token: flows.NewToken(), Workshop: w.Code, Quota: 1, By: t.User.ID, Created: t.In.Now}
	}
	if ok, err := e.createInvites(ctx, t, invs); !ok {
		return err
	}
	if err := t.Audit(ctx, flows.AuditWsEdit, w.Code, 0); err != nil {
		return err
	}
	var links []string
	for _, inv := range invs[:min(n, linksShown)] {
		links = append(links, inviteLink(t, inv))
	}
	t.Say(flows.T("inv.created_personal", "Count", n, "Title", w.Title, "Links", strings.Join(links, "\n"), "Shown", len(links)),
		[]flows.Button{{Label: flows.T("inv.btn_export"), Data: flows.MustData(routeInvExport, w.Code)},
			{Label: flows.T("inv.btn_invites"), Data: flows.MustData(routeInvites, w.Code)}})
	return nil
}

func (e *module) makeOrgInvite(ctx context.Context, t *flows.Turn) error {
	w, err := e.invitesWorkshop(ctx, t)
	if w == nil {
		return err
	}
	quota, _ := strconv.Atoi(t.Session.Data["quota"]) // checked by its step
	inv := &flows.WorkshopInvite{Token: flows.NewToken(), Workshop: w.Code, Org: t.Session.Data["org"], Quota: quota, By: t.User.ID, Created: t.In.Now}
	if ok, err := e.createInvites(ctx, t, []*flows.WorkshopInvite{inv}); !ok {
		return err
	}
	if err := t.Audit(ctx, flows.AuditWsEdit, w.Code, 0); err != nil {
		return err
	}
	t.Say(flows.T("inv.created_org", "Org", inv.Org, "Count", quota, "Title", w.Title, "Link", inviteLink(t, inv)),
		[]flows.Button{{Label: flows.T("inv.btn_invites"), Data: flows.MustData(routeInvites, w.Code)}})
	return nil
}

func (e *module) revokeInvite(ctx context.Context, t *flows.Turn, w *flows.Workshop, token string) error {
	err := e.store.RevokeWorkshopInvite(ctx, w.Code, token)
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("inv.revoked_already"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("revoke invitation", err)
	}
	if err := t.Audit(ctx, flows.AuditWsEdit, w.Code, 0); err != nil {
		return err
	}
	t.Answer(flows.T("inv.revoked"), false)
	return e.invitesCard(ctx, t, w, "")
}

// exportInvites sends every invitation with its link, kind, organisation,
// seats used and by whom.
func (e *module) exportInvites(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	invs, err := e.store.WorkshopInvites(ctx, w.Code)
	if err != nil {
		return flows.InternalError("invitations", err)
	}
	tx := func(id string) string { s, _ := e.texts.Text(t.Lang, id, nil, nil); return s }
	cols := []flows.Column{{Header: tx("inv.csv_link")}, {Header: tx("inv.csv_kind")}, {Header: tx("csv.org")},
		{Header: tx("inv.csv_quota")}, {Header: tx("inv.csv_used")}, {Header: tx("inv.csv_used_by")},
		{Header: flows.ZoneHeader(tx("inv.csv_created"), w.Zone)}}
	rows := make([][]any, 0, len(invs))
	for _, inv := range invs {
		kind := tx("inv.kind_personal")
		if inv.Org != "" {
			kind = tx("inv.kind_org")
		}
		by := ""
		if len(inv.Used) > 0 {
			by, _ = e.usedBy(ctx, inv).(string)
		}
		rows = append(rows, []any{inviteLink(t, inv), kind, inv.Org, inv.Quota, len(inv.Used), by, inv.Created})
	}
	if err := t.Audit(ctx, flows.AuditExport, w.Code, 0); err != nil {
		return err
	}
	t.Send(flows.Reply{Text: flows.T("inv.export_caption", "Title", w.Title, "Count", len(invs)),
		Table: &flows.Table{Name: "invitations-" + w.Code, Sheet: tx("inv.sheet"), Zone: flows.LoadZone(w.Zone), Columns: cols, Rows: rows}})
	return nil
}
