// Package roles is the capability of granting roles (/grant) and of
// one-time invitation links for facilitators and admins.
package roles

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"sinergi/flows"
)

// routeInvite is the route of the invitation buttons of /grant,
// "roles.invite:<role>" (before namespaces: "grant").
const routeInvite = "roles.invite"

// Module is the capability of role grants and one-time invitation links (/grant).
func Module(st Store) flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		e := &module{store: st, cfg: r.Config()}
		r.Namespace("roles")
		r.Command(&flows.Command{Name: "grant", Role: flows.RoleAdmin, Describe: "cmd.grant", Run: e.grant})
		r.Route(&flows.Route{Name: routeInvite, Legacy: "grant", Role: flows.RoleAdmin, Run: e.grantInvite})
		r.Link(&flows.DeepLink{Prefix: "invite", Run: e.redeemInvite})
		r.Menu(flows.MenuItem{Command: "grant", Label: "menu.grant", Role: flows.RoleAdmin, Order: 80})
	})
}

// Store is what role grants need: users and one-time invitations.
type Store interface {
	flows.Users
	flows.Invites
}

type module struct {
	store Store
	cfg   flows.Config
}

// grant: "/grant" offers invitation links; "/grant <user id> <role>" sets the
// role of a user who has talked to the bot.
func (e *module) grant(ctx context.Context, t *flows.Turn) error {
	fields := strings.Fields(t.In.Args)
	if len(fields) == 0 {
		t.Say(flows.T("grant.choose"), []flows.Button{
			{Label: flows.T("grant.invite_facilitator"), Data: flows.MustData(routeInvite, flows.RoleFacilitator.String())},
			{Label: flows.T("grant.invite_admin"), Data: flows.MustData(routeInvite, flows.RoleAdmin.String())},
		})
		return nil
	}
	if len(fields) != 2 {
		t.Say(flows.T("grant.usage"))
		return nil
	}
	id, err := strconv.ParseInt(fields[0], 10, 64)
	role, ok := flows.ParseRole(strings.ToLower(fields[1]))
	if err != nil || id <= 0 || !ok {
		t.Say(flows.T("grant.usage"))
		return nil
	}
	if slices.Contains(e.cfg.Admins, id) {
		t.Say(flows.T("grant.configured_admin"))
		return nil
	}
	if id == t.User.ID {
		t.Say(flows.T("grant.not_self"))
		return nil
	}
	u, err := e.store.GetUser(ctx, id)
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("grant.unknown_user", "ID", id))
		return nil
	}
	if err != nil {
		return flows.InternalError("grant: get user", err)
	}
	switch err := e.store.SetRole(ctx, id, role); {
	case errors.Is(err, flows.ErrNotFound): // forgotten meanwhile
		t.Say(flows.T("grant.unknown_user", "ID", id))
		return nil
	case err != nil:
		return flows.InternalError("grant: set role", err)
	}
	if err := t.Audit(ctx, flows.AuditGrant, role.String(), id); err != nil {
		return err
	}
	t.Say(flows.T("grant.done", "Name", u.FirstName, "ID", id, "Role", flows.T("role."+role.String())))
	t.Send(flows.Reply{ChatID: id, Lang: u.Lang, Bulk: true, Text: flows.T("grant.you_are", "Role", flows.T("role."+role.String())),
		MenuApp: t.DashboardMenu(role)})
	return nil
}

// grantInvite creates a one-time invitation link for a role.
func (e *module) grantInvite(ctx context.Context, t *flows.Turn, payload string) error {
	role, ok := flows.ParseRole(payload)
	if !ok || role == flows.RoleParticipant {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	inv := &flows.Invite{Token: flows.NewToken(), Role: role, By: t.User.ID, Created: t.In.Now}
	if err := e.store.CreateInvite(ctx, inv, e.cfg.InviteTTL); err != nil {
		return flows.InternalError("create invite", err)
	}
	if err := t.Audit(ctx, flows.AuditInvite, role.String(), 0); err != nil {
		return err
	}
	t.Say(flows.T("grant.invite_link",
		"Role", flows.T("role."+role.String()),
		"Link", t.BotLink("invite_"+inv.Token),
		"Count", int(e.cfg.InviteTTL.Hours()/24)))
	return nil
}

// redeemInvite grants the invitation's role (never lowering a higher one).
func (e *module) redeemInvite(ctx context.Context, t *flows.Turn, token string) error {
	inv, err := e.store.TakeInvite(ctx, token)
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("grant.invite_invalid"))
		return nil
	}
	if err != nil {
		return flows.InternalError("take invite", err)
	}
	if t.Role < inv.Role {
		t.User.Role = inv.Role
		t.Role = t.RoleOf(t.User)
	}
	if err := t.Audit(ctx, flows.AuditInviteUsed, inv.Role.String(), inv.By); err != nil {
		return err
	}
	if m := inv.Member; m != nil {
		// A personal invitation of a member import: welcomed by the name
		// the secretariat knows; the importer learns who came.
		t.Say(flows.T("grant.member_welcome", "Name", m.Name, "Org", m.Organisation), t.MenuButtons()...)
		if by, err := e.store.GetUser(ctx, inv.By); err == nil {
			t.Send(flows.Reply{ChatID: by.ID, Lang: by.Lang, Bulk: true,
				Text: flows.T("grant.member_joined", "Name", m.Name, "Org", m.Organisation, "Contact", m.Contact, "ID", t.User.ID)})
		}
		return nil
	}
	t.Say(flows.T("grant.you_are", "Role", flows.T("role."+t.Role.String())), t.MenuButtons()...)
	t.GiveDashboard()
	if by, err := e.store.GetUser(ctx, inv.By); err == nil {
		t.Send(flows.Reply{ChatID: by.ID, Lang: by.Lang, Bulk: true,
			Text: flows.T("grant.invite_used", "Name", t.User.FirstName, "ID", t.User.ID, "Role", flows.T("role."+inv.Role.String()))})
	}
	return nil
}
