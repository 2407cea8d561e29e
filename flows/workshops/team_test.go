package workshops_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// The people of the team tests: 50 owns the workshop, 60 and 61 are invited
// (participants until then), 70 is a facilitator of nothing here, 2 a
// participant.
const (
	owner    = 50
	coFac    = 60
	coFac2   = 61
	stranger = 70
)

// teamHarness: 50 created a workshop; everyone has started the bot.
func teamHarness(t *testing.T) (*flowstest.Harness, string) {
	t.Helper()
	h := newHarness(t)
	ctx := context.Background()
	for _, id := range []int64{owner, stranger} {
		if err := h.Store.SaveUser(ctx, &flows.User{ID: id, Lang: "id", Role: flows.RoleFacilitator, FirstName: "Fas"}); err != nil {
			t.Fatal(err)
		}
	}
	start := h.Now.Add(10 * 24 * time.Hour)
	w := &flows.Workshop{Code: flows.NewCode(), Title: "Lokakarya air bersih", Zone: "Asia/Jakarta", Start: start, End: start.Add(3 * time.Hour),
		Venue: "Balai desa", Deadline: start, Facilitators: []int64{owner}, CreatedBy: owner, Created: h.Now}
	if err := h.Store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{owner, coFac, coFac2, stranger, 2} {
		h.Text(id, "/start")
	}
	return h, w.Code
}

// inviteLink has uid press the team card's invite button and returns the
// /start payload of the link.
func inviteLink(t *testing.T, h *flowstest.Harness, uid int64, code string) string {
	t.Helper()
	res := h.Press(uid, "workshops.team_invite:"+code)
	flowstest.WantIDs(t, res, "ws.team_invite_link")
	link := h.Rendered("en", res)
	i := strings.Index(link, "?start=")
	if i < 0 {
		t.Fatalf("no link in %q", link)
	}
	payload := strings.Fields(link[i+len("?start="):])[0]
	if !strings.HasPrefix(payload, "team_"+code+"_") {
		t.Fatalf("payload %q", payload)
	}
	return payload
}

func team(t *testing.T, h *flowstest.Harness, code string) (int64, []int64) {
	t.Helper()
	w, err := h.Store.GetWorkshop(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return w.Owner, w.Facilitators
}

func refused(t *testing.T, res *flows.Result, what string) {
	t.Helper()
	if res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" || len(res.Replies) != 0 {
		t.Fatalf("%s: want errors.not_allowed, got %+v %v", what, res.Answer, flowstest.IDs(res))
	}
}

func TestTeamInviteJoinRemoveHandOver(t *testing.T) {
	h, code := teamHarness(t)

	// The card shows the team and leads to it; only the owner may invite.
	card := h.Press(owner, "workshops.manage:"+code)
	flowstest.WantIDs(t, card, "ws.manage_card")
	h.Press(owner, flowstest.ButtonData(t, card, "ws.btn_team"))
	refused(t, h.Press(stranger, "workshops.team_invite:"+code), "a stranger invites")
	refused(t, h.Press(2, "workshops.team:"+code), "a participant opens the team")
	link := inviteLink(t, h, owner, code)

	// 60 opens it: on the team, a facilitator, and manages the workshop.
	res := h.Text(coFac, "/start "+link)
	flowstest.WantIDs(t, res, "ws.team_joined", "ws.team_joined_notice")
	if res.Replies[1].ChatID != owner {
		t.Fatalf("the join was told to %d", res.Replies[1].ChatID)
	}
	if u, err := h.Store.GetUser(context.Background(), coFac); err != nil || u.Role != flows.RoleFacilitator {
		t.Fatalf("role after joining: %+v, %v", u, err)
	}
	if o, m := team(t, h, code); o != owner || !slices.Equal(m, []int64{owner, coFac}) {
		t.Fatalf("team %d %v", o, m)
	}
	flowstest.WantIDs(t, h.Press(coFac, "workshops.manage:"+code), "ws.manage_card")
	flowstest.WantIDs(t, h.Text(coFac, "/myworkshops"), "ws.my_title")
	// A member is not the owner: no invitation, no removal.
	refused(t, h.Press(coFac, "workshops.team_invite:"+code), "a member invites")
	refused(t, h.Press(coFac, "workshops.team_remove:"+code+":50"), "a member removes the owner")

	// The link worked once.
	flowstest.WantIDs(t, h.Text(coFac2, "/start "+link), "ws.team_invite_invalid")
	refused(t, h.Press(coFac2, "workshops.manage:"+code), "someone who used a spent link")

	// An invitation expires.
	old := inviteLink(t, h, owner, code)
	h.Now = h.Now.Add(7*24*time.Hour + time.Second)
	flowstest.WantIDs(t, h.Text(coFac2, "/start "+old), "ws.team_invite_invalid")
	flowstest.WantIDs(t, h.Text(coFac2, "/start "+inviteLink(t, h, owner, code)), "ws.team_joined", "ws.team_joined_notice", "ws.team_joined_notice")

	// The owner removes 61: told, and refused at once.
	res = h.Press(owner, "workshops.team_remove:"+code+":61")
	if res.Answer == nil || res.Answer.Text.ID != "ws.team_removed" {
		t.Fatalf("remove: %+v", res.Answer)
	}
	if i := slices.Index(flowstest.IDs(res), "ws.team_removed_notice"); i < 0 || res.Replies[i].ChatID != coFac2 {
		t.Fatalf("removal notice: %v", flowstest.IDs(res))
	}
	refused(t, h.Press(coFac2, "workshops.manage:"+code), "a removed member")
	refused(t, h.Press(coFac2, "workshops.registrants:"+code+":0"), "a removed member")
	flowstest.WantIDs(t, h.Text(coFac2, "/myworkshops"), "ws.none_yet")
	flowstest.Alert(t, h.Press(owner, "workshops.team_remove:"+code+":61"), "ws.team_not_member")

	// Hand-over to 60: the owner changes, 50 stays a member.
	flowstest.WantIDs(t, h.Press(owner, "workshops.handover:"+code+":60"), "ws.team_handover_confirm")
	res = h.Press(owner, "workshops.handover_yes:"+code+":60")
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.team_handed_over", "ws.team_handover_notice", "ws.team_card")
	if o, m := team(t, h, code); o != coFac || !slices.Equal(m, []int64{coFac, owner}) {
		t.Fatalf("team after hand-over %d %v", o, m)
	}
	flowstest.Alert(t, h.Press(owner, "workshops.handover_yes:"+code+":60"), "errors.not_allowed") // no longer the owner
	flowstest.WantIDs(t, h.Press(owner, "workshops.manage:"+code), "ws.manage_card")
	inviteLink(t, h, coFac, code)
	flowstest.Alert(t, h.Press(coFac, "workshops.team_leave:"+code), "ws.team_owner_stays")

	// 50 leaves the team and loses the workshop.
	flowstest.WantIDs(t, h.Press(owner, "workshops.team_leave:"+code), "ws.team_leave_confirm")
	flowstest.WantIDs(t, h.Press(owner, "workshops.team_leave_yes:"+code), "(clear buttons)", "ws.team_left", "ws.team_left_notice")
	refused(t, h.Press(owner, "workshops.manage:"+code), "a member who left")
	if o, m := team(t, h, code); o != coFac || !slices.Equal(m, []int64{coFac}) {
		t.Fatalf("team after leaving %d %v", o, m)
	}
}

// Every member of the team gets the escalations and digests of the
// workshop's commitments.
func TestTeamGetsEscalations(t *testing.T) {
	h, code := flowstest.FollowUpSetup(t)
	ctx := context.Background()
	h.Text(coFac, "/start")
	flowstest.WantIDs(t, h.Text(coFac, "/start "+inviteLink(t, h, flowstest.AdminID, code)), "ws.team_joined", "ws.team_joined_notice")
	h.Press(2, "followup.commit:"+code)
	h.Press(2, flowstest.ButtonData(t, h.Text(2, "Tandon air hujan"), "cm.owner_me"))
	h.Press(2, flowstest.ButtonData(t, h.Text(2, "20/01/2027"), "cm.skip"))
	flowstest.WantIDs(t, h.Press(2, flowstest.ButtonData(t, h.Text(2, "PT Hijau"), "ws.save")), "(clear buttons)", "cm.saved")
	cs, err := h.Store.UserCommitments(ctx, 2)
	if err != nil || len(cs) != 1 {
		t.Fatalf("commitments %v %v", cs, err)
	}
	res := h.Press(2, "followup.status:"+code+":"+cs[0].ID+":blocked")
	var to []int64
	for _, r := range res.Replies {
		if r.Text.ID == "cm.escalation_blocked" {
			to = append(to, r.ChatID)
		}
	}
	slices.Sort(to)
	if !slices.Equal(to, []int64{coFac, flowstest.AdminID}) {
		t.Fatalf("escalation to %v, want the team [%d %d]", to, coFac, flowstest.AdminID)
	}
	// The Monday digest too ("fdg", followup's digest job).
	rs, err := h.E.RunJob(ctx, flows.Job{ID: "fdg|" + code}, h.Now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	to = nil
	for _, r := range rs {
		if r.Text.ID == "rp.digest" {
			to = append(to, r.ChatID)
		}
	}
	slices.Sort(to)
	if !slices.Equal(to, []int64{coFac, flowstest.AdminID}) {
		t.Fatalf("digest to %v, want the team [%d %d]", to, coFac, flowstest.AdminID)
	}
}

// A co-facilitator checks participants in at the door; removed from the
// team, their next scan is refused.
func TestTeamChecksIn(t *testing.T) {
	h, code := teamHarness(t)
	ctx := context.Background()
	for _, id := range []int64{2, 3} {
		if err := h.Store.SaveUser(ctx, &flows.User{ID: id, Lang: "id", FirstName: "P", Consent: flows.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Store.Register(ctx, &flows.Registration{Workshop: code, UserID: id, Token: "tok-" + string(rune('0'+id)) + "-aaaaaaaaaaaaaaaaaaa", Lang: "id"}, h.Now); err != nil {
			t.Fatal(err)
		}
	}
	h.Text(coFac, "/start "+inviteLink(t, h, owner, code))
	w, err := h.Store.GetWorkshop(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	h.Now = w.Start.Add(-time.Hour)
	reg := func(uid int64) *flows.Registration {
		t.Helper()
		r, err := h.Store.GetRegistration(ctx, code, uid)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	h.Text(coFac, "/start checkin_"+reg(2).Token)
	if reg(2).CheckedInAt.IsZero() {
		t.Fatal("the co-facilitator's scan checked nobody in")
	}
	h.Press(owner, "workshops.team_remove:"+code+":60")
	flowstest.WantIDs(t, h.Text(coFac, "/start checkin_"+reg(3).Token), "checkin.not_facilitator")
	if !reg(3).CheckedInAt.IsZero() {
		t.Fatal("a removed member checked someone in")
	}
}

// The owner sees the invitations not used yet on the team card, each with
// a revoke button; a revoked link no longer works, a used one is no longer
// listed, and nobody but the owner may revoke.
func TestTeamCardListsAndRevokesInvitations(t *testing.T) {
	h, code := teamHarness(t)
	first := inviteLink(t, h, owner, code)
	h.Now = h.Now.Add(time.Minute)
	second := inviteLink(t, h, owner, code)
	card := h.Press(owner, "workshops.team:"+code)
	got := h.Rendered("en", card)
	if !strings.Contains(got, "2 invitation links not used yet:") || !strings.Contains(got, "1. made by") || !strings.Contains(got, "2. made by") {
		t.Fatalf("card %q", got)
	}
	revoke1 := flowstest.ButtonData(t, card, "ws.btn_team_revoke")
	if want := "workshops.team_revoke:" + code + ":" + strings.TrimPrefix(first, "team_"+code+"_"); revoke1 != want {
		t.Fatalf("first revoke button %q, want %q", revoke1, want)
	}
	// Only the owner: a member and a stranger are refused, and the link stays.
	h.Text(coFac2, "/start "+second)
	refused(t, h.Press(coFac2, revoke1), "a member")
	refused(t, h.Press(stranger, revoke1), "a stranger")

	res := h.Press(owner, revoke1)
	if res.Answer == nil || res.Answer.Text.ID != "ws.team_invite_revoked" {
		t.Fatalf("revoke: %+v", res.Answer)
	}
	flowstest.WantIDs(t, res, "ws.team_card")
	if got := h.Rendered("en", res); strings.Contains(got, "not used yet") {
		t.Fatalf("card after revoking the last open link %q", got)
	}
	flowstest.WantIDs(t, h.Text(coFac, "/start "+first), "ws.team_invite_invalid")
	res = h.Press(owner, revoke1)
	if res.Answer == nil || res.Answer.Text.ID != "ws.team_invite_gone" {
		t.Fatalf("revoke again: %+v", res.Answer)
	}
}
