package workshops_test

import (
	"context"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// A workshop moved reaches everyone affected, each told where they stand:
// the confirmed with a new calendar file, the person offered a seat with
// its Accept and Decline again, those waiting with their place and those
// awaiting approval; only a seat holder gets a calendar file.
func TestDateChangeReachesEveryone(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "2")
	for id := int64(2); id <= 7; id++ {
		h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta", Organisation: "Org", ConsentVersion: flows.ConsentVersion})
	}
	for id := int64(2); id <= 6; id++ {
		h.Press(id, "registration.join:"+code) // 2, 3 confirmed; 4, 5, 6 waiting
	}
	h.Press(2, "registration.leave_yes:"+code) // 4 is offered the seat
	h.Press(flowstest.AdminID, "workshops.approval:"+code)
	h.Press(7, "registration.join:"+code) // 7 awaits approval

	res := h.Press(flowstest.AdminID, "workshops.edit:"+code)
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.edit"))
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.field.start"))
	res = h.Text(flowstest.AdminID, "11/12/2026 10:00")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.save"))
	want := map[int64]string{3: "ws.changed", 4: "ws.changed_offered", 5: "ws.changed_waiting", 6: "ws.changed_waiting", 7: "ws.changed_pending"}
	got := map[int64]flows.Reply{}
	for _, r := range res.Replies {
		if r.ChatID != 0 {
			if _, dup := got[r.ChatID]; dup {
				t.Fatalf("%d told twice", r.ChatID)
			}
			got[r.ChatID] = r
		}
	}
	if len(got) != len(want) {
		t.Fatalf("told %d people, want %d: %v", len(got), len(want), flowstest.IDs(res))
	}
	for id, msg := range want {
		r := got[id]
		if r.Text.ID != msg || (r.Calendar != nil) != (id == 3) {
			t.Fatalf("%d was told %s (calendar %v), want %s (calendar only for the confirmed)", id, r.Text.ID, r.Calendar != nil, msg)
		}
	}
	if got[3].Calendar.Workshop.Sequence != 1 {
		t.Fatalf("calendar sequence %d", got[3].Calendar.Workshop.Sequence)
	}
	if got[4].Text.Data["Until"] == nil || len(got[4].Buttons) != 1 || got[4].Buttons[0][0].Data != "registration.accept:"+code {
		t.Fatalf("offered person's notice %+v", got[4])
	}
	if got[6].Text.Data["Pos"] != 2 {
		t.Fatalf("waiting place %v, want 2", got[6].Text.Data["Pos"])
	}

	// Moved to tomorrow noon: the offer, which ran to now + 24 h, ends two
	// hours before the new start, and its end job moves with it.
	res = h.Press(flowstest.AdminID, "workshops.edit:"+code)
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.edit"))
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.field.start"))
	res = h.Text(flowstest.AdminID, "24/11/2026 12:00")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.save"))
	w, _ := h.Store.GetWorkshop(ctx, code)
	cut := w.Start.Add(-flows.OfferCutoff)
	for _, r := range res.Replies {
		if r.ChatID == 4 && !r.Text.Data["Until"].(flows.When).At.Equal(cut) {
			t.Fatalf("offer until %v after the move, want %v", r.Text.Data["Until"], cut)
		}
	}
	if due := h.Store.JobDue(flows.OfferJobIDs(code, 4)[0]); !due.Equal(cut) {
		t.Fatalf("offer end job due %v, want %v", due, cut)
	}
}
