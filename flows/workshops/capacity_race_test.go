package workshops_test

import (
	"context"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// A capacity lowered while people register: accepted when answered (1
// seat taken of 10, 2 asked), but two more took seats before the save. The
// save refuses it with the seats taken now and saves nothing: nobody holds
// a seat beyond the capacity.
func TestCapacityLoweredBelowSeatsTakenMeanwhile(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "10")
	for _, id := range []int64{2, 3, 4} {
		h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta", Organisation: "Org", ConsentVersion: flows.ConsentVersion})
	}
	h.Press(2, "registration.join:"+code)
	res := h.Press(flowstest.AdminID, "workshops.edit:"+code)
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.edit"))
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.field.capacity"))
	res = h.Text(flowstest.AdminID, "2")
	save := flowstest.ButtonData(t, res, "ws.save")
	h.Press(3, "registration.join:"+code)
	h.Press(4, "registration.join:"+code)
	res = h.Press(flowstest.AdminID, save)
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.capacity_taken_meanwhile")
	if got := res.Replies[1].Text.Data["Count"]; got != 3 {
		t.Fatalf("taken %v, want 3", got)
	}
	if w, _ := h.Store.GetWorkshop(ctx, code); w.Capacity != 10 {
		t.Fatalf("capacity %d saved, want 10 kept", w.Capacity)
	}
}
