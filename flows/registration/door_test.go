package registration_test

import (
	"context"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// Door check-in without the QR code: from the manage card the team
// searches the confirmed registrants by part of a name or organisation,
// case and accents aside, and checks one in with a tap (the person is
// welcomed; a second tap says they were in already); someone waiting is
// not found; outside the check-in window (SINERGI_CHECKIN_OPENS before the
// start, SINERGI_CHECKIN_CLOSES after the end) the search and the tap are
// refused with the time it opens or closed.
func TestDoorCheckIn(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "2")
	people := []*flows.Profile{
		{UserID: 2, FullName: "André Wijaya", Organisation: "Yayasan Air Bersih"},
		{UserID: 3, FullName: "Siti Rahmawati", Organisation: "Koperasi Désa Maju"},
		{UserID: 4, FullName: "Andreas Tan", Organisation: "Perkumpulan Lain"}, // waiting: the workshop is full
	}
	for _, p := range people {
		p.ConsentVersion = flows.ConsentVersion
		h.Store.SaveProfile(ctx, p)
		h.Press(p.UserID, "registration.join:"+code)
	}
	w, _ := h.Store.GetWorkshop(ctx, code)

	h.Now = w.Start.Add(-flows.DefaultCheckInOpens - time.Minute)
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "registration.door:"+code), "checkin.too_early")
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "registration.door_in:"+code+":2"), "checkin.too_early")

	h.Now = w.Start.Add(-time.Hour)
	res := h.Press(flowstest.AdminID, "workshops.manage:"+code)
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "door.btn")), "door.ask")
	res = h.Text(flowstest.AdminID, "ANDRE")
	flowstest.WantIDs(t, res, "door.found", "door.ask")
	if n := res.Replies[0].Text.Data["Count"]; n != 1 || len(res.Replies[0].Buttons) != 1 {
		t.Fatalf("ANDRE: %v matches, buttons %+v (Andreas is waiting)", n, res.Replies[0].Buttons)
	}
	res = h.Press(flowstest.AdminID, res.Replies[0].Buttons[0][0].Data)
	flowstest.WantIDs(t, res, "checkin.done", "checkin.welcome", "door.ask")
	if r, _ := h.Store.GetRegistration(ctx, code, 2); r.CheckedInAt.IsZero() {
		t.Fatal("not checked in")
	}
	res = h.Text(flowstest.AdminID, "desa")
	flowstest.WantIDs(t, res, "door.found", "door.ask")
	if b := res.Replies[0].Buttons; len(b) != 1 || b[0][0].Data != "registration.door_in:"+code+":3" {
		t.Fatalf("desa: %+v", b)
	}
	res = h.Text(flowstest.AdminID, "wijaya")
	if b := res.Replies[0].Buttons; len(b) != 1 || b[0][0].Label.ID != "door.match_in" {
		t.Fatalf("wijaya after check-in: %+v %v", b, flowstest.IDs(res))
	}
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, b0(res)), "checkin.again", "door.ask")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "Budi"), "door.none", "door.ask")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "/cancel"), "cancel.done")

	// Someone else's workshop: not theirs to search.
	flowstest.Alert(t, h.Press(3, "registration.door:"+code), "errors.not_allowed")

	h.Now = w.End.Add(flows.DefaultCheckInOpens + 24*time.Hour)
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "registration.door_in:"+code+":3"), "checkin.too_late")
	if r, _ := h.Store.GetRegistration(ctx, code, 3); !r.CheckedInAt.IsZero() {
		t.Fatal("checked in after the window")
	}
}

func b0(res *flows.Result) string { return res.Replies[0].Buttons[0][0].Data }
