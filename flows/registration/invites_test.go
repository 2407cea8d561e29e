package registration_test

import (
	"context"
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// invitePayloads are the /start payloads (inv_…) of the workshop's
// invitations, oldest first.
func invitePayloads(t *testing.T, h *flowstest.Harness, code string) []string {
	t.Helper()
	invs, err := h.Store.WorkshopInvites(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, inv := range invs {
		out = append(out, "inv_"+flows.InvitePayload(code, inv.Token))
	}
	return out
}

// An invite-only workshop: without an invitation it is not listed, its
// card and registration say it is by invitation; the team makes personal
// links and an organisation's with a quota, which seat one and the quota,
// each person once; a cancelled seat comes back to its link; the team
// lists, exports and revokes them.
func TestInviteOnlyWorkshop(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "0")
	res := h.Press(flowstest.AdminID, "workshops.invite_only:"+code)
	flowstest.WantIDs(t, res, "inv.card")
	if res.Answer == nil || res.Answer.Text.ID != "inv.now_invite_only" {
		t.Fatalf("answer %+v", res.Answer)
	}
	for _, id := range []int64{5, 6, 7, 8, 9} {
		h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta", Organisation: "Org", ConsentVersion: flows.ConsentVersion, ConsentAt: h.Now})
	}
	// Without an invitation: not listed, not shown, not registered.
	flowstest.WantIDs(t, h.Text(5, "/workshops"), "ws.none_upcoming")
	flowstest.WantIDs(t, h.Text(5, "/start ws_"+code), "inv.by_invitation")
	flowstest.WantIDs(t, h.Press(5, "registration.show:"+code), "inv.by_invitation")
	flowstest.WantIDs(t, h.Press(5, "registration.join:"+code), "inv.by_invitation")
	if _, err := h.Store.GetRegistration(ctx, code, 5); err == nil {
		t.Fatal("registered without an invitation")
	}

	// Two personal links.
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "workshops.inv_personal:"+code), "inv.ask_count")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "0"), "inv.bad_number", "inv.ask_count")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "dua"), "inv.bad_number", "inv.ask_count")
	res = h.Text(flowstest.AdminID, "2")
	flowstest.WantIDs(t, res, "inv.created_personal")
	links := invitePayloads(t, h, code)
	if len(links) != 2 || len(links[0]) > 64 || !strings.Contains(res.Replies[0].Text.Data["Links"].(string), links[1]) {
		t.Fatalf("links %v, reply %v", links, res.Replies[0].Text.Data)
	}
	res = h.Text(5, "/start "+links[0])
	flowstest.WantIDs(t, res, "inv.welcome", "ws.card")
	flowstest.ButtonData(t, res, "ws.btn_register")
	flowstest.WantIDs(t, h.Press(5, "registration.join:"+code), "ws.confirmed", "ws.ics_caption", "ws.qr_caption")
	// The link forwarded: used.
	flowstest.WantIDs(t, h.Text(6, "/start "+links[0]), "inv.used")
	flowstest.WantIDs(t, h.Press(6, "registration.join:"+code), "inv.by_invitation")
	// Opened by two before either registers: the second is refused politely.
	h.Text(6, "/start "+links[1])
	h.Text(7, "/start "+links[1])
	flowstest.WantIDs(t, h.Press(6, "registration.join:"+code), "ws.confirmed", "ws.ics_caption", "ws.qr_caption")
	flowstest.WantIDs(t, h.Press(7, "registration.join:"+code), "inv.used")
	// 6 cancels: the seat comes back to the link.
	h.Press(6, "registration.leave_yes:"+code)
	flowstest.WantIDs(t, h.Press(7, "registration.join:"+code), "ws.confirmed", "ws.ics_caption", "ws.qr_caption")

	// An organisation's link with 1 seat.
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "workshops.inv_org:"+code), "inv.ask_org")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "Yayasan <Air>"), "inv.ask_quota")
	res = h.Text(flowstest.AdminID, "1")
	flowstest.WantIDs(t, res, "inv.created_org")
	org := invitePayloads(t, h, code)[2]
	if got := res.Replies[0].Text.Data["Link"]; got != "https://t.me/sinergi_test_bot?start="+org {
		t.Fatalf("link %v, want %s", got, org)
	}
	flowstest.WantIDs(t, h.Text(8, "/start "+org), "inv.welcome_org", "ws.card")
	flowstest.WantIDs(t, h.Press(8, "registration.join:"+code), "ws.confirmed", "ws.ics_caption", "ws.qr_caption")
	flowstest.WantIDs(t, h.Text(9, "/start "+org), "inv.used")

	// The team's list and export.
	res = h.Press(flowstest.AdminID, "workshops.invites:"+code)
	flowstest.WantIDs(t, res, "inv.card")
	if n := res.Replies[0].Text.Data["Count"]; n != 3 {
		t.Fatalf("count %v", n)
	}
	plain := h.Rendered("en", res)
	for _, want := range []string{"3 invitations", "1/1 used", "Yayasan &lt;Air&gt; — 1/1 used"} {
		if !strings.Contains(plain, want) {
			t.Errorf("card lacks %q: %s", want, plain)
		}
	}
	res = h.Press(flowstest.AdminID, "workshops.inv_export:"+code)
	flowstest.WantIDs(t, res, "inv.export_caption")
	tab := res.Replies[0].Table
	if tab == nil || len(tab.Rows) != 3 || tab.Rows[2][0] != "https://t.me/sinergi_test_bot?start="+org || tab.Rows[2][2] != "Yayasan <Air>" || tab.Rows[2][4] != 1 {
		t.Fatalf("export %+v", tab)
	}

	// Revoked: the link is no longer valid; the registration made with it stays.
	invs, _ := h.Store.WorkshopInvites(ctx, code)
	res = h.Press(flowstest.AdminID, "workshops.inv_revoke:"+code+":"+invs[2].Token)
	flowstest.WantIDs(t, res, "inv.card")
	flowstest.WantIDs(t, h.Text(9, "/start "+org), "inv.gone")
	flowstest.Alert(t, h.Press(flowstest.AdminID, "workshops.inv_revoke:"+code+":"+invs[2].Token), "inv.revoked_already")
	if r, err := h.Store.GetRegistration(ctx, code, 8); err != nil || r.Status != flows.RegConfirmed {
		t.Fatalf("registration through a revoked invitation: %+v, %v", r, err)
	}
	// Registered people still see their card.
	flowstest.WantIDs(t, h.Press(8, "registration.show:"+code), "ws.card")

	// Never announced in a group: only invitations find it.
	flowstest.Alert(t, h.Press(flowstest.AdminID, "groups.announce:"+code), "groups.unlisted")

	// Open again: anyone with its link registers.
	h.Press(flowstest.AdminID, "workshops.invite_only:"+code)
	flowstest.WantIDs(t, h.Press(9, "registration.join:"+code), "ws.confirmed", "ws.ics_caption", "ws.qr_caption")
}

// An invitation link that cannot be one, or of no workshop, is refused
// politely.
func TestInviteLinkMalformed(t *testing.T) {
	h := newHarness(t)
	flowstest.WantIDs(t, h.Text(5, "/start inv_abc"), "inv.gone")
	flowstest.WantIDs(t, h.Text(5, "/start inv_zzzzzz"+flows.NewToken()), "ws.not_found")
}
