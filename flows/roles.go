package flows

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// RolesModule is the capability of role grants and one-time invitation links (/grant).
func RolesModule() Module { return ModuleFunc(func(r *Registry) { registerRoles(r.e) }) }

func registerRoles(e *Engine) {
	e.addCommand(&Command{Name: "grant", Role: RoleAdmin, Describe: "cmd.grant", Run: e.grant})
	e.addRoute(&Route{Name: "grant", Role: RoleAdmin, Run: e.grantInvite})
	e.addLink(&DeepLink{Prefix: "invite", Run: e.redeemInvite})
	e.addMenu(MenuItem{Command: "grant", Label: "menu.grant", Role: RoleAdmin, Order: 80})
}

// grant: "/grant" offers invitation links; "/grant <user id> <role>" sets the
// role of a user who has talked to the bot.
func (e *Engine) grant(ctx context.Context, t *Turn) error {
	fields := strings.Fields(t.In.Args)
	if len(fields) == 0 {
		t.Say(T("grant.choose"), []Button{
			{Label: T("grant.invite_facilitator"), Data: mustData("grant", RoleFacilitator.String())},
			{Label: T("grant.invite_admin"), Data: mustData("grant", RoleAdmin.String())},
		})
		return nil
	}
	if len(fields) != 2 {
		t.Say(T("grant.usage"))
		return nil
	}
	id, err := strconv.ParseInt(fields[0], 10, 64)
	role, ok := ParseRole(strings.ToLower(fields[1]))
	if err != nil || id <= 0 || !ok {
		t.Say(T("grant.usage"))
		return nil
	}
	if e.admins[id] {
		t.Say(T("grant.configured_admin"))
		return nil
	}
	if id == t.User.ID {
		t.Say(T("grant.not_self"))
		return nil
	}
	u, err := e.store.GetUser(ctx, id)
	if errors.Is(err, ErrNotFound) {
		t.Say(T("grant.unknown_user", "ID", id))
		return nil
	}
	if err != nil {
		return internalError("grant: get user", err)
	}
	switch err := e.store.SetRole(ctx, id, role); {
	case errors.Is(err, ErrNotFound): // forgotten meanwhile
		t.Say(T("grant.unknown_user", "ID", id))
		return nil
	case err != nil:
		return internalError("grant: set role", err)
	}
	if err := t.audit(ctx, AuditGrant, role.String(), id); err != nil {
		return err
	}
	t.Say(T("grant.done", "Name", u.FirstName, "ID", id, "Role", T("role."+role.String())))
	t.Send(Reply{ChatID: id, Lang: u.Lang, Bulk: true, Text: T("grant.you_are", "Role", T("role."+role.String()))})
	return nil
}

// grantInvite creates a one-time invitation link for a role.
func (e *Engine) grantInvite(ctx context.Context, t *Turn, payload string) error {
	role, ok := ParseRole(payload)
	if !ok || role == RoleParticipant {
		t.Answer(T("errors.bad_button"), true)
		return nil
	}
	inv := &Invite{Token: NewToken(), Role: role, By: t.User.ID, Created: t.In.Now}
	if err := e.store.CreateInvite(ctx, inv, e.cfg.InviteTTL); err != nil {
		return internalError("create invite", err)
	}
	if err := t.audit(ctx, AuditInvite, role.String(), 0); err != nil {
		return err
	}
	t.Say(T("grant.invite_link",
		"Role", T("role."+role.String()),
		"Link", e.botLink("invite_"+inv.Token),
		"Count", int(e.cfg.InviteTTL.Hours()/24)))
	return nil
}

// redeemInvite grants the invitation's role (never lowering a higher one).
func (e *Engine) redeemInvite(ctx context.Context, t *Turn, token string) error {
	inv, err := e.store.TakeInvite(ctx, token)
	if errors.Is(err, ErrNotFound) {
		t.Say(T("grant.invite_invalid"))
		return nil
	}
	if err != nil {
		return internalError("take invite", err)
	}
	if t.Role < inv.Role {
		t.User.Role = inv.Role
		t.Role = e.RoleOf(t.User)
	}
	if err := t.audit(ctx, AuditInviteUsed, inv.Role.String(), inv.By); err != nil {
		return err
	}
	t.Say(T("grant.you_are", "Role", T("role."+t.Role.String())), e.menuButtons(t)...)
	if by, err := e.store.GetUser(ctx, inv.By); err == nil {
		t.Send(Reply{ChatID: by.ID, Lang: by.Lang, Bulk: true,
			Text: T("grant.invite_used", "Name", t.User.FirstName, "ID", t.User.ID, "Role", T("role."+inv.Role.String()))})
	}
	return nil
}

// NewToken returns 128 random bits, URL-safe (22 characters): unguessable
// and short enough for a deep-link payload.
func NewToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
