package groups_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// cardFixture: a workshop with 2 seats managed by facilitator 31, and a
// forum topic linked for announcements.
func cardFixture(t *testing.T) (*flowstest.Harness, *flows.Workshop) {
	t.Helper()
	h := newHarness(t)
	ctx := context.Background()
	facilitator(t, h, 31)
	start := h.Now.Add(72 * time.Hour)
	w := &flows.Workshop{Code: flows.NewCode(), Title: "Air bersih", Start: start, End: start.Add(time.Hour), Zone: "Asia/Jakarta",
		Venue: "Aula Desa", Capacity: 2, Deadline: start.Add(-24 * time.Hour), Facilitators: []int64{31}, CreatedBy: 31, Created: h.Now}
	if err := h.Store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Store.LinkChat(ctx, &flows.ChatLink{Chat: forum, Thread: 12, Title: "Forum Air", Type: "supergroup",
		Purpose: flows.PurposeForum, By: flowstest.AdminID, At: h.Now}); err != nil {
		t.Fatal(err)
	}
	return h, w
}

func register(t *testing.T, h *flowstest.Harness, w *flows.Workshop, uid int64) {
	t.Helper()
	if _, err := h.Store.Register(context.Background(), &flows.Registration{Workshop: w.Code, UserID: uid, RegisteredAt: h.Now,
		Token: flows.NewToken(), Lang: "id"}, h.Now); err != nil {
		t.Fatal(err)
	}
}

// refresh runs the card job as the scheduler would.
func refresh(t *testing.T, h *flowstest.Harness, w *flows.Workshop) []flows.Reply {
	t.Helper()
	out, err := h.E.RunJob(context.Background(), flows.Job{ID: "wcd|" + w.Code}, h.Now)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A facilitator announces a workshop in a linked topic: the card goes
// there with a Register link into the private chat; once posted, it is
// edited only when what it shows changes: seats left, full — waiting list,
// registration closed (without the button).
func TestLiveCard(t *testing.T) {
	h, w := cardFixture(t)
	res := h.Text(31, "/announce")
	res = h.Press(31, flowstest.ButtonData(t, res, "Air bersih"))
	res = h.Press(31, flowstest.ButtonData(t, res, "Forum Air #12"))
	var card *flows.Reply
	for i, r := range res.Replies {
		if r.ChatID == forum {
			card = &res.Replies[i]
		}
	}
	if card == nil || card.Thread != 12 || card.Text.ID != "groups.card" || !strings.HasPrefix(card.Posted, w.Code+"|") {
		t.Fatalf("card: %+v", res.Replies)
	}
	if got := card.Buttons[0][0].URL; got != "https://t.me/sinergi_test_bot?start=ws_"+w.Code {
		t.Fatalf("register link %q", got)
	}
	if !slices.Contains(flowstest.IDs(res), "groups.announced") {
		t.Fatalf("no confirmation: %v", flowstest.IDs(res))
	}
	// The transport tells the message id once sent.
	if err := h.E.Posted(context.Background(), card.Posted, forum, 12, 501); err != nil {
		t.Fatal(err)
	}
	if out := refresh(t, h, w); len(out) != 0 {
		t.Fatalf("nothing changed, yet %d edits", len(out))
	}
	register(t, h, w, 41)
	out := refresh(t, h, w)
	if len(out) != 1 || out[0].ChatID != forum || out[0].EditMessageID != 501 || out[0].Text.Data["Seats"].(flows.Text).ID != "groups.card_seats" {
		t.Fatalf("after a registration: %+v", out)
	}
	if out := refresh(t, h, w); len(out) != 0 {
		t.Fatalf("edited again without a change: %+v", out)
	}
	register(t, h, w, 42)
	register(t, h, w, 43) // waiting list
	out = refresh(t, h, w)
	if len(out) != 1 || out[0].Text.Data["Seats"].(flows.Text).ID != "groups.card_full" || len(out[0].Buttons) != 1 {
		t.Fatalf("full: %+v", out)
	}
	h.Now = w.Deadline.Add(time.Minute)
	out = refresh(t, h, w)
	if len(out) != 1 || out[0].Text.Data["Seats"].(flows.Text).ID != "groups.card_closed" || len(out[0].Buttons) != 0 {
		t.Fatalf("closed: %+v", out)
	}
	// Unlinked: the card is forgotten, not edited.
	if _, err := h.Store.UnlinkChat(context.Background(), forum, 12); err != nil {
		t.Fatal(err)
	}
	h.Now = w.Start.Add(time.Minute)
	if out := refresh(t, h, w); len(out) != 0 {
		t.Fatalf("unlinked chat edited: %+v", out)
	}
	if cs, _ := h.Store.Cards(context.Background(), w.Code); len(cs) != 0 {
		t.Fatalf("card of an unlinked chat kept: %+v", cs)
	}
}

// /workshops in a linked group lists the upcoming workshops with Register
// links; in a group not linked it only points to the private chat.
func TestGroupWorkshopsAndCommit(t *testing.T) {
	h, w := cardFixture(t)
	res := h.Send(55, flows.Input{ChatID: forum, Thread: 12, Kind: flows.KindCommand, Command: "workshops", Text: "/workshops"})
	if ids := flowstest.IDs(res); !slices.Equal(ids, []string{"groups.workshops"}) || res.Replies[0].Buttons[0][0].URL != "https://t.me/sinergi_test_bot?start=ws_"+w.Code {
		t.Fatalf("/workshops: %v %+v", ids, res.Replies)
	}
	res = h.Send(55, flows.Input{ChatID: -5555, Kind: flows.KindCommand, Command: "workshops", Text: "/workshops"})
	if ids := flowstest.IDs(res); !slices.Equal(ids, []string{"group.private_only"}) {
		t.Fatalf("/workshops unlinked: %v", ids)
	}
	// /commit: only in a workshop's group, as a button into the private flow.
	res = h.Send(55, flows.Input{ChatID: forum, Thread: 12, Kind: flows.KindCommand, Command: "commit", Text: "/commit"})
	if ids := flowstest.IDs(res); !slices.Equal(ids, []string{"groups.commit_no_workshop"}) {
		t.Fatalf("/commit in a forum chat: %v", ids)
	}
	if _, err := h.Store.LinkChat(context.Background(), &flows.ChatLink{Chat: -5556, Title: "Peserta", Type: "group",
		Purpose: flows.PurposeWorkshop, Workshop: w.Code, By: 31, At: h.Now}); err != nil {
		t.Fatal(err)
	}
	res = h.Send(55, flows.Input{ChatID: -5556, Kind: flows.KindCommand, Command: "commit", Text: "/commit"})
	if ids := flowstest.IDs(res); !slices.Equal(ids, []string{"groups.commit"}) || res.Replies[0].Buttons[0][0].URL != "https://t.me/sinergi_test_bot?start=cm_"+w.Code {
		t.Fatalf("/commit: %v %+v", ids, res.Replies)
	}
	if res.UserChanged || res.Session.Active() {
		t.Fatalf("the group command stored something: %+v", res)
	}
	// The button's deep link starts the private commitment flow for a
	// registrant (and refuses someone who is not one).
	register(t, h, w, 55)
	h.Text(55, "/start")
	res = h.Text(55, "/start cm_"+w.Code)
	if !res.Session.Active() || res.Session.Flow != "commit" || res.Session.Data["code"] != w.Code {
		t.Fatalf("deep link: %v %+v", flowstest.IDs(res), res.Session)
	}
	h.Text(56, "/start")
	if res := h.Text(56, "/start cm_"+w.Code); res.Session.Active() || !slices.Contains(flowstest.IDs(res), "cm.not_participant") {
		t.Fatalf("deep link by a stranger: %v", flowstest.IDs(res))
	}
}
