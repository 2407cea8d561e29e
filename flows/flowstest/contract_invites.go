package flowstest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"sinergi/flows"
)

// The invitations contract (flows.WorkshopInvites): a personal invitation
// seats one person, an organisation's its quota, each person once; a seat
// comes back when its registration goes; a revoked invitation seats nobody
// more; forgetting someone takes them out of the invitations. Redis
// (store/invites.go, store/ws_inv_*.lua) is the reference.

// Inviting is what the invitations contract reads and writes.
type Inviting interface {
	flows.Workshops
	flows.WorkshopInvites
	flows.Privacy
}

type invitesCase struct {
	name string
	run  func(t *testing.T, c *invitesCheck)
}

type invitesCheck struct {
	regsCheck
	s Inviting
}

func (c *invitesCheck) invite(t *testing.T, code, token, org string, quota int) {
	t.Helper()
	if err := c.s.CreateWorkshopInvite(c.ctx, &flows.WorkshopInvite{Token: token, Workshop: code, Org: org, Quota: quota, By: 100, Created: regClock}); err != nil {
		t.Fatalf("CreateWorkshopInvite %s %s: %v", code, token, err)
	}
}

func (c *invitesCheck) hold(t *testing.T, code, token string, uid int64, want error) {
	t.Helper()
	inv, err := c.s.HoldWorkshopInvite(c.ctx, code, token, uid)
	if !sameErr(err, want) || (err == nil && (inv.Token != token || inv.Workshop != code)) {
		t.Fatalf("HoldWorkshopInvite %s %s by %d = %+v, %v; want %v", code, token, uid, inv, err, want)
	}
}

func (c *invitesCheck) regInv(t *testing.T, code string, uid int64, want error, wantStatus flows.RegStatus) {
	t.Helper()
	r, err := c.s.RegisterInvited(c.ctx, &flows.Registration{Workshop: code, UserID: uid, RegisteredAt: regClock,
		Token: code + "-inv-" + string(rune('a'+uid)), Lang: "id"}, regClock)
	if !sameErr(err, want) {
		t.Fatalf("RegisterInvited %d in %s: %v, want %v", uid, code, err, want)
	}
	if err == nil && r.Status != wantStatus {
		t.Fatalf("RegisterInvited %d in %s = %+v, want %s", uid, code, r, wantStatus)
	}
}

func (c *invitesCheck) used(t *testing.T, code string, want map[string][]int64) {
	t.Helper()
	invs, err := c.s.WorkshopInvites(c.ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]int64{}
	for _, inv := range invs {
		got[inv.Token] = inv.Used
	}
	if len(got) != len(want) {
		t.Fatalf("invitations of %s: %v, want %v", code, got, want)
	}
	for tok, w := range want {
		if g, ok := got[tok]; !ok || !slices.Equal(g, w) {
			t.Fatalf("invitations of %s: %v, want %v", code, got, want)
		}
	}
}

var invitesCases = []invitesCase{
	{"a personal invitation seats one person; the seat comes back when they cancel", func(t *testing.T, c *invitesCheck) {
		c.workshop(t, "w1", 0)
		c.invite(t, "w1", "tokpersonal1", "", 1)
		c.hold(t, "w1", "tokpersonal1", 1, nil)
		c.hold(t, "w1", "tokpersonal1", 2, nil) // forwarded: both hold it, the first to register uses it
		if tok, err := c.s.HeldWorkshopInvite(c.ctx, "w1", 2); err != nil || tok != "tokpersonal1" {
			t.Fatalf("HeldWorkshopInvite = %q, %v", tok, err)
		}
		c.regInv(t, "w1", 1, nil, flows.RegConfirmed)
		c.regInv(t, "w1", 2, flows.ErrInviteUsed, "")
		c.hold(t, "w1", "tokpersonal1", 3, flows.ErrInviteUsed)
		c.hold(t, "w1", "tokpersonal1", 1, nil) // its user opens it again: still theirs
		c.regInv(t, "w1", 1, flows.ErrAlreadyRegistered, "")
		c.used(t, "w1", map[string][]int64{"tokpersonal1": {1}})
		c.cancel(t, "w1", 1, 0, nil)
		c.used(t, "w1", map[string][]int64{"tokpersonal1": nil})
		c.regInv(t, "w1", 2, nil, flows.RegConfirmed)
		c.used(t, "w1", map[string][]int64{"tokpersonal1": {2}})
	}},
	{"an organisation's invitation seats its quota, each person once, waiting or pending too", func(t *testing.T, c *invitesCheck) {
		c.workshop(t, "w1", 1, func(w *flows.Workshop) { w.Approval = false })
		c.invite(t, "w1", "tokorg1", "Yayasan Air", 2)
		c.invite(t, "w1", "tokorg2", "LSM Tanah", 5)
		for _, uid := range []int64{1, 2, 3} {
			c.hold(t, "w1", "tokorg1", uid, nil)
		}
		c.regInv(t, "w1", 1, nil, flows.RegConfirmed)
		c.regInv(t, "w1", 2, nil, flows.RegWaiting) // a place on the waiting list is a seat of the invitation
		c.regInv(t, "w1", 3, flows.ErrInviteUsed, "")
		c.hold(t, "w1", "tokorg1", 4, flows.ErrInviteUsed)
		c.hold(t, "w1", "tokorg2", 3, nil) // another invitation held instead
		c.regInv(t, "w1", 3, nil, flows.RegWaiting)
		c.used(t, "w1", map[string][]int64{"tokorg1": {1, 2}, "tokorg2": {3}})
		c.cancel(t, "w1", 2, 0, nil)
		c.hold(t, "w1", "tokorg1", 4, nil)
		c.regInv(t, "w1", 4, nil, flows.RegWaiting)
		c.used(t, "w1", map[string][]int64{"tokorg1": {1, 4}, "tokorg2": {3}})
	}},
	{"without an invitation, with a revoked one or an unknown one, nobody registers", func(t *testing.T, c *invitesCheck) {
		c.workshop(t, "w1", 0)
		c.regInv(t, "w1", 1, flows.ErrNoInvite, "")
		c.hold(t, "w1", "toknone", 1, flows.ErrInviteGone)
		c.invite(t, "w1", "tokrevoked", "", 1)
		c.hold(t, "w1", "tokrevoked", 1, nil)
		if err := c.s.RevokeWorkshopInvite(c.ctx, "w1", "tokrevoked"); err != nil {
			t.Fatal(err)
		}
		if err := c.s.RevokeWorkshopInvite(c.ctx, "w1", "tokrevoked"); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("revoking twice: %v, want ErrNotFound", err)
		}
		if tok, err := c.s.HeldWorkshopInvite(c.ctx, "w1", 1); err != nil || tok != "" {
			t.Fatalf("HeldWorkshopInvite of a revoked one = %q, %v", tok, err)
		}
		c.regInv(t, "w1", 1, flows.ErrInviteGone, "")
		c.hold(t, "w1", "tokrevoked", 1, flows.ErrInviteGone)
		c.get(t, "w1", 1, flows.ErrNotFound, "", 0)
		c.used(t, "w1", map[string][]int64{})
		if err := c.s.CreateWorkshopInvite(c.ctx, &flows.WorkshopInvite{Token: "tokx", Workshop: "nowsxx", Quota: 1, Created: regClock}); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("an invitation to no workshop: %v, want ErrNotFound", err)
		}
	}},
	{"an invite-only workshop registers nobody but through an invitation, whoever calls; switched off, anyone", func(t *testing.T, c *invitesCheck) {
		w := c.workshop(t, "w1", 0, func(w *flows.Workshop) { w.InviteOnly = true })
		hy := c.workshop(t, "w2", 0, func(w *flows.Workshop) {
			w.InviteOnly, w.Format, w.OnlineCapacity, w.Venue, w.OnlineURL = true, flows.FormatHybrid, 5, "Aula", "https://meet.example/x"
		})
		c.reg(t, "w1", 1, 0, flows.ErrNoInvite, "", 0) // a plain registration, as a flow that read it open
		for _, mode := range []string{"", flows.ModeOnsite, flows.ModeOnline} {
			if _, err := c.s.Register(c.ctx, &flows.Registration{Workshop: "w2", UserID: 1, Mode: mode, RegisteredAt: regClock,
				Token: "w2-tok-" + mode, Lang: "id"}, regClock); !errors.Is(err, flows.ErrNoInvite) {
				t.Fatalf("Register in hybrid invite-only w2 (mode %q): %v, want ErrNoInvite", mode, err)
			}
		}
		c.invite(t, "w1", "tokpersonal1", "", 1)
		c.hold(t, "w1", "tokpersonal1", 1, nil)
		c.regInv(t, "w1", 1, nil, flows.RegConfirmed)
		w.InviteOnly = false
		c.update(t, w)
		c.reg(t, "w1", 2, 0, nil, flows.RegConfirmed, 0)
		w.InviteOnly = true
		c.update(t, w)
		c.reg(t, "w1", 3, 0, flows.ErrNoInvite, "", 0)
		hy.InviteOnly = false
		c.update(t, hy)
		c.reg(t, "w2", 4, 0, nil, flows.RegConfirmed, 0)
		c.list(t, "w1", "1:confirmed:0", "2:confirmed:0")
	}},
	{"revoking keeps the registrations made through it", func(t *testing.T, c *invitesCheck) {
		c.workshop(t, "w1", 0)
		c.invite(t, "w1", "tokorg", "Yayasan Air", 3)
		c.hold(t, "w1", "tokorg", 1, nil)
		c.regInv(t, "w1", 1, nil, flows.RegConfirmed)
		if err := c.s.RevokeWorkshopInvite(c.ctx, "w1", "tokorg"); err != nil {
			t.Fatal(err)
		}
		c.get(t, "w1", 1, nil, flows.RegConfirmed, 0)
	}},
	{"forgetting someone takes them out of the invitations they held and used", func(t *testing.T, c *invitesCheck) {
		c.workshop(t, "w1", 0)
		c.invite(t, "w1", "tokorg", "Yayasan Air", 2)
		c.invite(t, "w1", "tokother", "", 1)
		c.hold(t, "w1", "tokorg", 1, nil)
		c.regInv(t, "w1", 1, nil, flows.RegConfirmed)
		c.hold(t, "w1", "tokother", 2, nil)
		if _, err := c.s.ForgetUser(c.ctx, 1, regClock); err != nil {
			t.Fatal(err)
		}
		if _, err := c.s.ForgetUser(c.ctx, 2, regClock); err != nil {
			t.Fatal(err)
		}
		c.used(t, "w1", map[string][]int64{"tokorg": nil, "tokother": nil})
		if tok, err := c.s.HeldWorkshopInvite(c.ctx, "w1", 2); err != nil || tok != "" {
			t.Fatalf("a forgotten person still holds %q, %v", tok, err)
		}
		c.regInv(t, "w1", 2, flows.ErrNoInvite, "")
	}},
}

// RunInvitesContract runs the invitations contract against stores open
// returns, a fresh one per case.
func RunInvitesContract(t *testing.T, open func(t *testing.T) Inviting) {
	for _, tc := range invitesCases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			tc.run(t, &invitesCheck{regsCheck: regsCheck{ctx: context.Background(), s: s}, s: s})
		})
	}
}
