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

// A chapter admin is offered their chapter's linked groups only (the
// chapter's own and its workshops' groups); what they ticked is checked
// again when the broadcast is made: a group relinked meanwhile to another
// chapter is not posted in.
func TestBroadcastChatsOfChapterAdmin(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	const chapAdmin = 41
	for _, c := range []*flows.Chapter{{ID: "chapjb", Name: "Jawa Barat", Kind: flows.ChapterProvince, Provinces: []string{"JB"}, Created: h.Now},
		{ID: "chapba", Name: "Bali", Kind: flows.ChapterProvince, Provinces: []string{"BA"}, Created: h.Now}} {
		if err := h.Store.CreateChapter(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Store.SaveUser(ctx, &flows.User{ID: chapAdmin, Lang: "id", Role: flows.RoleFacilitator, FirstName: "Bab", Chapter: "chapjb"}); err != nil {
		t.Fatal(err)
	}
	ours := &flows.ChatLink{Chat: -1002000000071, Title: "Grup Jabar", Purpose: flows.PurposeChapter, Chapter: "chapjb", By: flowstest.AdminID, At: h.Now}
	for _, l := range []*flows.ChatLink{ours,
		{Chat: -1002000000072, Title: "Grup Bali", Purpose: flows.PurposeChapter, Chapter: "chapba", By: flowstest.AdminID, At: h.Now},
		{Chat: -1002000000073, Title: "Kanal Nasional", Purpose: flows.PurposeForum, By: flowstest.AdminID, At: h.Now},
	} {
		if _, err := h.Store.LinkChat(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	h.Text(chapAdmin, "/start")
	h.Text(chapAdmin, "/broadcast")
	res := h.Text(chapAdmin, "Halo Jabar")
	res = h.Press(chapAdmin, flowstest.ButtonData(t, res, "bc.no_english"))
	res = h.Press(chapAdmin, flowstest.ButtonData(t, res, "bc.seg.all"))
	flowstest.WantIDs(t, res, "(clear buttons)", "bc.ask_chats")
	ask := res.Replies[1]
	if len(ask.Buttons) != 2 || ask.Buttons[0][0].Label.Data["Title"] != "Grup Jabar" {
		t.Fatalf("offered %+v", ask.Buttons)
	}
	h.Press(chapAdmin, ask.Buttons[0][0].Data)
	res = h.Press(chapAdmin, flowstest.ButtonData(t, res, "bc.chats_done"))
	send := flowstest.ButtonData(t, res, "bc.send_now")
	// Meanwhile the group is relinked as Bali's.
	if _, err := h.Store.UnlinkChat(ctx, ours.Chat, 0); err != nil {
		t.Fatal(err)
	}
	moved := *ours
	moved.Chapter = "chapba"
	if _, err := h.Store.LinkChat(ctx, &moved); err != nil {
		t.Fatal(err)
	}
	h.Press(chapAdmin, send)
	bs, err := h.Store.RecentBroadcasts(ctx, 1)
	if err != nil || len(bs) != 1 || bs[0].By != chapAdmin || len(bs[0].Chats) != 0 || bs[0].Segment != "in:chapjb:all" {
		t.Fatalf("broadcast %+v %v", bs, err)
	}
}
