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

// messageHarness: the team harness's workshop with participants 2 and 3
// confirmed (2 checked in) and 4 waiting; capacity 2.
func messageHarness(t *testing.T) (*flowstest.Harness, string) {
	t.Helper()
	h, code := teamHarness(t)
	ctx := context.Background()
	w, err := h.Store.GetWorkshop(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	w.Capacity = 2
	if _, err := h.Store.UpdateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{2, 3, 4} {
		if err := h.Store.SaveUser(ctx, &flows.User{ID: id, Lang: "id", FirstName: "P", Consent: flows.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Store.Register(ctx, &flows.Registration{Workshop: code, UserID: id, Token: flows.NewToken(), Lang: "id"}, h.Now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.Store.CheckIn(ctx, code, 2, w.Start); err != nil {
		t.Fatal(err)
	}
	return h, code
}

func broadcasts(t *testing.T, h *flowstest.Harness) []*flows.Broadcast {
	t.Helper()
	bs, err := h.Store.RecentBroadcasts(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return bs
}

// A co-facilitator messages the waiting list: choice with counts, the
// message, a preview with the count, then the broadcast to the segment.
func TestTeamMessagesRegistrants(t *testing.T) {
	h, code := messageHarness(t)
	flowstest.WantIDs(t, h.Text(coFac, "/start "+inviteLink(t, h, owner, code)), "ws.team_joined", "ws.team_joined_notice")

	card := h.Press(coFac, "workshops.manage:"+code)
	res := h.Press(coFac, flowstest.ButtonData(t, card, "ws.btn_message"))
	flowstest.WantIDs(t, res, "ws.msg_choose")
	var labels []string
	for _, row := range res.Replies[0].Buttons {
		labels = append(labels, h.Render("en", row[0].Label))
	}
	// Before the end there are no no-shows yet.
	if !slices.Equal(labels, []string{"✅ Confirmed (2)", "⏳ Waiting list (1)", "🟢 Checked in (1)", "◀ Back"}) {
		t.Fatalf("choices %q", labels)
	}
	flowstest.Alert(t, h.Press(coFac, "workshops.message_to:"+code+":n"), "ws.msg_noshow_later")
	flowstest.Alert(t, h.Press(coFac, "workshops.message_to:"+code+":x"), "errors.bad_button")

	res = h.Press(coFac, flowstest.ButtonData(t, res, "ws.msg_btn_w"))
	flowstest.WantIDs(t, res, "ws.msg_ask")
	res = h.Send(coFac, flows.Input{Kind: flows.KindText, Text: "Kursi tambahan dibuka besok", MessageID: 555})
	flowstest.WantIDs(t, res, "ws.msg_preview_heading", "ws.msg_confirm")
	if c := res.Replies[1].Copy; c == nil || c.Chat != coFac || c.MessageID != 555 {
		t.Fatalf("preview copy %+v", res.Replies)
	}
	if got := h.Render("en", res.Replies[2].Text); got != "Send it to <b>1</b> person (people on the waiting list of Lokakarya air bersih)?" {
		t.Fatalf("confirm %q", got)
	}
	if len(broadcasts(t, h)) != 0 {
		t.Fatal("stored before the confirmation")
	}
	res = h.Press(coFac, flowstest.ButtonData(t, res, "ws.msg_send"))
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.msg_sending")
	bs := broadcasts(t, h)
	if len(bs) != 1 || bs[0].Segment != "wsr:"+code+":w" || bs[0].By != coFac || bs[0].FromChat != coFac || bs[0].MessageID != 555 || !bs[0].StartAt.Equal(h.Now) {
		t.Fatalf("broadcasts %+v", bs)
	}
	rs, err := h.E.Recipients(context.Background(), bs[0])
	if err != nil || len(rs) != 1 || rs[0].UserID != 4 {
		t.Fatalf("recipients %v, %v", rs, err)
	}

	// Admins see it in /broadcasts, named by its segment (not "everyone").
	if got := h.Rendered("id", h.Text(flowstest.AdminID, "/broadcasts")); !strings.Contains(got, "orang di daftar tunggu Lokakarya air bersih") {
		t.Fatalf("/broadcasts: %s", got)
	}

	// After the end: the no-shows (3) can be messaged.
	w, err := h.Store.GetWorkshop(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	h.Now = w.End.Add(time.Hour)
	res = h.Press(coFac, "workshops.message_to:"+code+":n")
	flowstest.WantIDs(t, res, "ws.msg_ask")
	res = h.Send(coFac, flows.Input{Kind: flows.KindText, Text: "Materi untuk yang berhalangan", MessageID: 556})
	if got := h.Render("en", res.Replies[2].Text); got != "Send it to <b>1</b> person (registrants who did not check in of Lokakarya air bersih)?" {
		t.Fatalf("confirm %q", got)
	}
}

// Who may send is checked when the message is sent: a member removed while
// writing it sends nothing.
func TestRemovedMemberCannotSendMessage(t *testing.T) {
	h, code := messageHarness(t)
	h.Text(coFac, "/start "+inviteLink(t, h, owner, code))
	h.Press(coFac, "workshops.message_to:"+code+":c")
	res := h.Send(coFac, flows.Input{Kind: flows.KindText, Text: "Halo", MessageID: 600})
	flowstest.WantIDs(t, res, "ws.msg_preview_heading", "ws.msg_confirm")
	send := flowstest.ButtonData(t, res, "ws.msg_send")
	h.Press(owner, "workshops.team_remove:"+code+":60")
	res = h.Press(coFac, send)
	flowstest.WantIDs(t, res, "(clear buttons)", "errors.not_allowed")
	if bs := broadcasts(t, h); len(bs) != 0 {
		t.Fatalf("a removed member's message was stored: %+v", bs)
	}
	// A stranger and a participant cannot even start one.
	refused(t, h.Press(stranger, "workshops.message_to:"+code+":c"), "a stranger")
	refused(t, h.Press(2, "workshops.message:"+code), "a participant")
}

// Nobody to send to: the preview says so and offers only to discard.
func TestMessageNobody(t *testing.T) {
	h, code := teamHarness(t)
	h.Press(owner, "workshops.message_to:"+code+":w")
	res := h.Send(owner, flows.Input{Kind: flows.KindText, Text: "Halo", MessageID: 700})
	flowstest.WantIDs(t, res, "ws.msg_preview_heading", "ws.msg_nobody")
	res = h.Press(owner, flowstest.ButtonData(t, res, "ws.msg_discard"))
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.msg_discarded")
	if bs := broadcasts(t, h); len(bs) != 0 {
		t.Fatalf("stored %+v", bs)
	}
}

// Pending offers and, where approval is on, pending approval can be
// messaged too: the choice shows them with their counts; a workshop that
// neither offers seats nor needs approval offers neither, and a press for
// them is refused with the reason.
func TestTeamMessagesOffersAndPending(t *testing.T) {
	h, code := messageHarness(t)
	ctx := context.Background()
	flowstest.Alert(t, h.Press(owner, "workshops.message_to:"+code+":o"), "ws.msg_status_off_o")
	flowstest.Alert(t, h.Press(owner, "workshops.message_to:"+code+":p"), "ws.msg_status_off_p")

	w, err := h.Store.GetWorkshop(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	w.Offers, w.Approval = true, true
	if _, err := h.Store.UpdateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	// 3 leaves: 4, waiting, is offered the seat; 5 and 6 await approval.
	if _, err := h.Store.CancelRegistration(ctx, code, 3, h.Now); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{5, 6} {
		if err := h.Store.SaveUser(ctx, &flows.User{ID: id, Lang: "id", FirstName: "P", Consent: flows.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Store.Register(ctx, &flows.Registration{Workshop: code, UserID: id, Token: flows.NewToken(), Lang: "id"}, h.Now); err != nil {
			t.Fatal(err)
		}
	}
	res := h.Press(owner, "workshops.message:"+code)
	flowstest.WantIDs(t, res, "ws.msg_choose")
	var labels []string
	for _, row := range res.Replies[0].Buttons {
		labels = append(labels, h.Render("en", row[0].Label))
	}
	if !slices.Equal(labels, []string{"✅ Confirmed (1)", "⏳ Waiting list (0)", "🎟 Offered a seat (1)", "🕒 Awaiting approval (2)", "🟢 Checked in (1)", "◀ Back"}) {
		t.Fatalf("choices %q", labels)
	}
	for _, c := range []struct {
		button, status string
		want           []int64
		confirm        string
	}{
		{"ws.msg_btn_o", "o", []int64{4}, "Send it to <b>1</b> person (people offered a freed seat of Lokakarya air bersih)?"},
		{"ws.msg_btn_p", "p", []int64{5, 6}, "Send it to <b>2</b> people (registrants awaiting approval of Lokakarya air bersih)?"},
	} {
		res := h.Press(owner, flowstest.ButtonData(t, h.Press(owner, "workshops.message:"+code), c.button))
		flowstest.WantIDs(t, res, "ws.msg_ask")
		res = h.Send(owner, flows.Input{Kind: flows.KindText, Text: "Halo", MessageID: 800})
		if got := h.Render("en", res.Replies[2].Text); got != c.confirm {
			t.Fatalf("confirm %q", got)
		}
		before := len(broadcasts(t, h))
		h.Press(owner, flowstest.ButtonData(t, res, "ws.msg_send"))
		bs := broadcasts(t, h)
		i := slices.IndexFunc(bs, func(b *flows.Broadcast) bool { return b.Segment == "wsr:"+code+":"+c.status })
		if len(bs) != before+1 || i < 0 {
			t.Fatalf("broadcasts %+v", bs)
		}
		rs, err := h.E.Recipients(ctx, bs[i])
		var got []int64
		for _, r := range rs {
			got = append(got, r.UserID)
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Fatalf("%s: recipients %v, %v; want %v", c.status, got, err, c.want)
		}
	}
}
