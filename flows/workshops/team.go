package workshops

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"sinergi/flows"
)

// A workshop's team: every member manages the workshop (flows.Turn.CanManage);
// its owner invites co-facilitators by one-time links, removes them, and
// hands the workshop over to a member. Opening an invitation makes its
// user a facilitator, as a role invitation does.

// routeTeamRevoke (the team's other routes are with the module's, in
// workshop.go).
const routeTeamRevoke = "workshops.team_revoke" // <code>:<token>: revokes an invitation not yet used (owner)

func (e *module) registerTeam(r *flows.Registry) {
	e.registerGroupSettings(r) // where the team's reports go, and the participants' group's summary
	for name, run := range map[string]func(context.Context, *flows.Turn, *flows.Workshop, string) error{
		routeTeam:            e.teamCard,
		routeTeamInvite:      e.owned(e.teamInvite),
		routeTeamRemove:      e.owned(e.teamRemove),
		routeTeamRevoke:      e.owned(e.teamRevoke),
		routeTeamHandOver:    e.owned(e.askHandOver),
		routeTeamHandOverYes: e.owned(e.handOver),
		routeTeamLeave:       e.askLeave,
		routeTeamLeaveYes:    e.leave,
	} {
		r.Route(&flows.Route{Name: name, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, run)})
	}
	r.Link(&flows.DeepLink{Prefix: "team", Run: e.joinTeam})
}

// owned lets the team's owner (and admins) through.
func (e *module) owned(run func(context.Context, *flows.Turn, *flows.Workshop, string) error) func(context.Context, *flows.Turn, *flows.Workshop, string) error {
	return func(ctx context.Context, t *flows.Turn, w *flows.Workshop, arg string) error {
		if !t.OwnsTeam(w) {
			t.Answer(flows.T("errors.not_allowed"), true)
			return nil
		}
		return run(ctx, t, w, arg)
	}
}

// teamNames is the team for the management card: the owner first, marked.
func (e *module) teamNames(ctx context.Context, w *flows.Workshop) any {
	if len(w.Facilitators) == 0 {
		return flows.T("ws.team_nobody")
	}
	names := make([]string, len(w.Facilitators))
	for i, f := range w.Facilitators {
		names[i], _ = flows.NameOf(ctx, e.store, f)
		if f == w.Owner {
			names[i] = "👑 " + names[i]
		}
	}
	return strings.Join(names, ", ")
}

func (e *module) teamCard(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	var lines []flows.Text
	owns := t.OwnsTeam(w)
	var rows [][]flows.Button
	for _, f := range w.Facilitators {
		name, org := flows.NameOf(ctx, e.store, f)
		if f == w.Owner {
			lines = append(lines, flows.T("ws.team_line_owner", "Name", name, "Org", org))
			continue
		}
		lines = append(lines, flows.T("ws.team_line", "Name", name, "Org", org))
		if owns {
			id := strconv.FormatInt(f, 10)
			rows = append(rows, []flows.Button{
				{Label: flows.T("ws.btn_team_remove", "Name", name), Data: flows.MustData(routeTeamRemove, w.Code, id)},
				{Label: flows.T("ws.btn_team_handover", "Name", name), Data: flows.MustData(routeTeamHandOver, w.Code, id)},
			})
		}
	}
	if len(lines) == 0 {
		lines = append(lines, flows.T("ws.team_nobody"))
	}
	if owns {
		// The invitations not yet used, each with its revoke button.
		invs, err := e.store.TeamInvites(ctx, w.Code, t.In.Now)
		if err != nil {
			return flows.InternalError("team invitations", err)
		}
		if len(invs) > 0 {
			lines = append(lines, flows.T("ws.team_invites", "Count", len(invs)))
		}
		for i, inv := range invs {
			by, _ := flows.NameOf(ctx, e.store, inv.By)
			n := strconv.Itoa(i + 1)
			lines = append(lines, flows.T("ws.team_invite_line", "N", n, "By", by, "Until", flows.When{At: inv.Expires, Zone: w.Zone}))
			rows = append(rows, []flows.Button{{Label: flows.T("ws.btn_team_revoke", "N", n), Data: flows.MustData(routeTeamRevoke, w.Code, inv.Token)}})
		}
		rows = append([][]flows.Button{{{Label: flows.T("ws.btn_team_invite"), Data: flows.MustData(routeTeamInvite, w.Code)}}}, rows...)
	} else {
		rows = append(rows, []flows.Button{{Label: flows.T("ws.btn_team_leave"), Data: flows.MustData(routeTeamLeave, w.Code)}})
	}
	rows = append(rows, []flows.Button{{Label: flows.T("ws.back"), Data: flows.MustData(routeManage, w.Code)}})
	t.Say(flows.T("ws.team_card", "Title", w.Title, "Lines", lines), rows...)
	return nil
}

func (e *module) teamInvite(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	inv := &flows.TeamInvite{Token: flows.NewToken(), Workshop: w.Code, By: t.User.ID, Created: t.In.Now, Expires: t.In.Now.Add(e.cfg.InviteTTL)}
	if err := e.store.CreateTeamInvite(ctx, inv); err != nil {
		return flows.InternalError("create team invite", err)
	}
	if err := t.Audit(ctx, flows.AuditTeamInvite, w.Code, 0); err != nil {
		return err
	}
	t.Say(flows.T("ws.team_invite_link", "Title", w.Title, "Link", t.BotLink("team_"+w.Code+"_"+inv.Token),
		"Count", max(1, int(e.cfg.InviteTTL.Hours()/24))))
	return nil
}

// joinTeam: /start team_<code>_<token>.
func (e *module) joinTeam(ctx context.Context, t *flows.Turn, arg string) error {
	code, token, _ := strings.Cut(arg, "_")
	inv, err := e.store.JoinTeam(ctx, code, token, t.User.ID, t.In.Now)
	switch {
	case errors.Is(err, flows.ErrNotFound):
		t.Say(flows.T("ws.team_invite_invalid"))
		return nil
	case errors.Is(err, flows.ErrOnTeam):
		w, err := e.store.GetWorkshop(ctx, code)
		if err != nil {
			return flows.InternalError("get workshop", err)
		}
		t.Say(flows.T("ws.team_already", "Title", w.Title), []flows.Button{{Label: flows.T("ws.manage"), Data: flows.MustData(routeManage, code)}})
		return nil
	case err != nil:
		return flows.InternalError("join team", err)
	}
	w, err := e.store.GetWorkshop(ctx, code)
	if err != nil {
		return flows.InternalError("get workshop", err)
	}
	if t.Role < flows.RoleFacilitator {
		t.User.Role = flows.RoleFacilitator
		t.Role = t.RoleOf(t.User)
	}
	if err := t.Audit(ctx, flows.AuditTeamJoin, code, inv.By); err != nil {
		return err
	}
	t.Say(flows.T("ws.team_joined", "Title", w.Title), []flows.Button{{Label: flows.T("ws.manage"), Data: flows.MustData(routeManage, code)}})
	t.GiveDashboard()
	name, _ := flows.NameOf(ctx, e.store, t.User.ID)
	e.tellTeam(ctx, t, w, t.User.ID, flows.T("ws.team_joined_notice", "Name", name, "Title", w.Title))
	return nil
}

// tellTeam tells every member of w but except.
func (e *module) tellTeam(ctx context.Context, t *flows.Turn, w *flows.Workshop, except int64, text flows.Text) {
	for _, f := range w.Facilitators {
		if f != except {
			e.tell(ctx, t, f, text)
		}
	}
}

// tell sends text to uid in their language.
func (e *module) tell(ctx context.Context, t *flows.Turn, uid int64, text flows.Text) {
	lang := ""
	if u, err := e.store.GetUser(ctx, uid); err == nil {
		lang = u.Lang
	}
	if lang == "" {
		lang = "id"
	}
	t.Send(flows.Reply{ChatID: uid, Lang: lang, Bulk: true, Text: text})
}

// member reads the member a button names; nil (answered) when it names
// nobody on the team.
func member(t *flows.Turn, w *flows.Workshop, arg string) int64 {
	uid, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || uid == 0 {
		t.Answer(flows.T("errors.bad_button"), true)
		return 0
	}
	for _, f := range w.Facilitators {
		if f == uid {
			return uid
		}
	}
	t.Answer(flows.T("ws.team_not_member"), true)
	return 0
}

func (e *module) teamRemove(ctx context.Context, t *flows.Turn, w *flows.Workshop, arg string) error {
	uid := member(t, w, arg)
	if uid == 0 {
		return nil
	}
	switch err := e.store.RemoveFromTeam(ctx, w.Code, uid); {
	case errors.Is(err, flows.ErrNotOnTeam):
		t.Answer(flows.T("ws.team_not_member"), true)
		return nil
	case errors.Is(err, flows.ErrTeamOwner):
		t.Answer(flows.T("ws.team_owner_stays"), true)
		return nil
	case err != nil:
		return flows.InternalError("remove from team", err)
	}
	if err := t.Audit(ctx, flows.AuditTeamRemove, w.Code, uid); err != nil {
		return err
	}
	name, _ := flows.NameOf(ctx, e.store, uid)
	t.Answer(flows.T("ws.team_removed", "Name", name), false)
	e.tell(ctx, t, uid, flows.T("ws.team_removed_notice", "Title", w.Title))
	return e.reloadTeamCard(ctx, t, w.Code)
}

// teamRevoke: the owner revokes an invitation not yet used; its link then
// says it is no longer valid.
func (e *module) teamRevoke(ctx context.Context, t *flows.Turn, w *flows.Workshop, token string) error {
	err := e.store.RevokeTeamInvite(ctx, w.Code, token, t.In.Now)
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("ws.team_invite_gone"), true)
		return e.reloadTeamCard(ctx, t, w.Code)
	}
	if err != nil {
		return flows.InternalError("revoke team invite", err)
	}
	if err := t.Audit(ctx, flows.AuditTeamRevoke, w.Code, 0); err != nil {
		return err
	}
	t.Answer(flows.T("ws.team_invite_revoked"), false)
	return e.reloadTeamCard(ctx, t, w.Code)
}

// reloadTeamCard shows the team card of the workshop as it is now.
func (e *module) reloadTeamCard(ctx context.Context, t *flows.Turn, code string) error {
	w, err := e.store.GetWorkshop(ctx, code)
	if err != nil {
		return flows.InternalError("get workshop", err)
	}
	if !t.CanManage(w) {
		return nil
	}
	return e.teamCard(ctx, t, w, "")
}

func (e *module) askHandOver(ctx context.Context, t *flows.Turn, w *flows.Workshop, arg string) error {
	uid := member(t, w, arg)
	if uid == 0 {
		return nil
	}
	if uid == w.Owner {
		t.Answer(flows.T("ws.team_owner_already"), true)
		return nil
	}
	name, _ := flows.NameOf(ctx, e.store, uid)
	t.Say(flows.T("ws.team_handover_confirm", "Title", w.Title, "Name", name), []flows.Button{
		{Label: flows.T("ws.team_handover_yes"), Data: flows.MustData(routeTeamHandOverYes, w.Code, arg)}, {Label: flows.T("ws.back"), Data: flows.MustData(routeTeam, w.Code)},
	})
	return nil
}

func (e *module) handOver(ctx context.Context, t *flows.Turn, w *flows.Workshop, arg string) error {
	uid := member(t, w, arg)
	if uid == 0 {
		return nil
	}
	switch err := e.store.HandOver(ctx, w.Code, w.Owner, uid); {
	case errors.Is(err, flows.ErrNotOwner):
		t.Answer(flows.T("ws.team_owner_changed"), true)
		return nil
	case errors.Is(err, flows.ErrNotOnTeam):
		t.Answer(flows.T("ws.team_not_member"), true)
		return nil
	case err != nil:
		return flows.InternalError("hand over", err)
	}
	if err := t.Audit(ctx, flows.AuditTeamHandover, w.Code, uid); err != nil {
		return err
	}
	name, _ := flows.NameOf(ctx, e.store, uid)
	if t.In.MessageID != 0 {
		t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	t.Say(flows.T("ws.team_handed_over", "Title", w.Title, "Name", name))
	e.tell(ctx, t, uid, flows.T("ws.team_handover_notice", "Title", w.Title))
	return e.reloadTeamCard(ctx, t, w.Code)
}

func (e *module) askLeave(_ context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if w.Owner == t.User.ID {
		t.Answer(flows.T("ws.team_owner_stays"), true)
		return nil
	}
	if !isMember(w, t.User.ID) { // an admin who is not on the team
		t.Answer(flows.T("ws.team_not_member"), true)
		return nil
	}
	t.Say(flows.T("ws.team_leave_confirm", "Title", w.Title), []flows.Button{
		{Label: flows.T("ws.team_leave_yes"), Data: flows.MustData(routeTeamLeaveYes, w.Code)}, {Label: flows.T("ws.back"), Data: flows.MustData(routeTeam, w.Code)},
	})
	return nil
}

func (e *module) leave(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	switch err := e.store.RemoveFromTeam(ctx, w.Code, t.User.ID); {
	case errors.Is(err, flows.ErrTeamOwner):
		t.Answer(flows.T("ws.team_owner_stays"), true)
		return nil
	case errors.Is(err, flows.ErrNotOnTeam):
		t.Answer(flows.T("ws.team_not_member"), true)
		return nil
	case err != nil:
		return flows.InternalError("leave team", err)
	}
	if err := t.Audit(ctx, flows.AuditTeamLeave, w.Code, 0); err != nil {
		return err
	}
	if t.In.MessageID != 0 {
		t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	t.Say(flows.T("ws.team_left", "Title", w.Title))
	name, _ := flows.NameOf(ctx, e.store, t.User.ID)
	e.tellTeam(ctx, t, w, t.User.ID, flows.T("ws.team_left_notice", "Name", name, "Title", w.Title))
	return nil
}

func isMember(w *flows.Workshop, uid int64) bool {
	for _, f := range w.Facilitators {
		if f == uid {
			return true
		}
	}
	return false
}
