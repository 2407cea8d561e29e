package flows_test

import (
	"context"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// The broadcast's step "chats": only active links that are not
// facilitators' report chats are offered; a typed answer, a stale button
// and a chat unlinked before Done are refused or dropped; ticked chats
// reach the preview and the broadcast.
func TestBroadcastChatsStep(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.Text(2, "/profile")
	flowstest.FillProfile(t, h, 2, nil)
	for _, l := range []*flows.ChatLink{
		{Chat: -1002000000061, Thread: 3, Title: "Forum", Purpose: flows.PurposeForum, By: flowstest.AdminID, At: h.Now},
		{Chat: -1002000000062, Title: "Kanal", Purpose: flows.PurposeForum, By: flowstest.AdminID, At: h.Now},
		{Chat: -1002000000063, Title: "Fasilitator", Purpose: flows.PurposeReports, Workshop: "abc234", By: flowstest.AdminID, At: h.Now},
		{Chat: -1002000000064, Title: "Lama", Purpose: flows.PurposeForum, By: flowstest.AdminID, At: h.Now},
	} {
		if _, err := h.Store.LinkChat(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.Store.DeactivateChat(ctx, -1002000000064); err != nil {
		t.Fatal(err)
	}
	h.Text(flowstest.AdminID, "/broadcast")
	res := h.Text(flowstest.AdminID, "Hello")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "bc.no_english"))
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "bc.seg.all"))
	flowstest.WantIDs(t, res, "(clear buttons)", "bc.ask_chats")
	ask := res.Replies[1]
	if len(ask.Buttons) != 3 { // Forum topic, Kanal, Done
		t.Fatalf("offered %+v", ask.Buttons)
	}
	forum, kanal := ask.Buttons[0][0].Data, ask.Buttons[1][0].Data
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "everyone"), "errors.use_buttons", "bc.ask_chats")
	nonce := h.Sess[flowstest.AdminID].Nonce
	flowstest.Alert(t, h.Press(flowstest.AdminID, "core.step:"+nonce+":t9"), "errors.bad_button")
	flowstest.Alert(t, h.Press(flowstest.AdminID, "core.step:"+nonce+":x"), "errors.bad_button")
	res = h.Press(flowstest.AdminID, forum)
	if len(res.Replies) != 1 || res.Replies[0].EditMessageID == 0 || res.Replies[0].Buttons[0][0].Label.Data["Mark"] != "✅" {
		t.Fatalf("tick: %+v", res.Replies)
	}
	h.Press(flowstest.AdminID, kanal)
	// Kanal unlinked before Done: dropped.
	if _, err := h.Store.UnlinkChat(ctx, -1002000000062, 0); err != nil {
		t.Fatal(err)
	}
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "bc.chats_done"))
	var confirm *flows.Reply
	for i := range res.Replies {
		if res.Replies[i].Text.ID == "bc.confirm_and_chats" {
			confirm = &res.Replies[i]
		}
	}
	if confirm == nil || confirm.Text.Data["Count"] != 1 {
		t.Fatalf("confirm %v %+v", flowstest.IDs(res), confirm)
	}
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "bc.send_now"))
	bs, err := h.Store.RecentBroadcasts(ctx, 1)
	if err != nil || len(bs) != 1 || len(bs[0].Chats) != 1 || bs[0].Chats[0] != (flows.ChatTarget{Chat: -1002000000061, Thread: 3}) {
		t.Fatalf("broadcast %+v %v", bs, err)
	}
}
