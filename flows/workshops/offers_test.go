package workshops_test

import (
	"context"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// The facilitator's side of waiting-list offers: a new workshop offers
// (24 hours); the card says so and switches to automatic promotion and
// back; how long an offer stands is asked, with clear refusals that keep
// the question; more seats are offered, fewer than the seats taken are
// refused; the registrant list and the export show "offered until".
func TestOffersManaged(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "1")
	w, _ := h.Store.GetWorkshop(ctx, code)
	if !w.Offers || w.OfferFor() != 24*time.Hour {
		t.Fatalf("a new workshop: offers %v for %v", w.Offers, w.OfferFor())
	}
	res := h.Press(flowstest.AdminID, "workshops.manage:"+code)
	if p := res.Replies[0].Text.Data["Promotion"].(flows.Text); p.ID != "ws.promotion_offer_hours" || p.Data["Count"] != 24 {
		t.Fatalf("card promotion %+v", p)
	}
	flowstest.ButtonData(t, res, "ws.btn_use_auto")

	// How long an offer stands: unparsable, out of range, then 12 hours.
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "workshops.offer_for:"+code), "ws.ask_offer_for")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "soon"), "ws.bad_offer_for", "ws.ask_offer_for")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "30 menit"), "ws.offer_for_out_of_range", "ws.ask_offer_for")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "8 days"), "ws.offer_for_out_of_range", "ws.ask_offer_for")
	if w, _ := h.Store.GetWorkshop(ctx, code); w.OfferMinutes != 0 {
		t.Fatalf("a refused answer saved %d minutes", w.OfferMinutes)
	}
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "12 jam"), "ws.offer_for_saved", "ws.manage_card")
	if w, _ := h.Store.GetWorkshop(ctx, code); w.OfferFor() != 12*time.Hour {
		t.Fatalf("offer validity %v, want 12h", w.OfferFor())
	}

	// 2 confirmed, 3 and 4 waiting; more seats are offered in order.
	for _, id := range []int64{2, 3, 4} {
		h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta", Organisation: "Org", ConsentVersion: flows.ConsentVersion})
		h.Press(id, "registration.join:"+code)
	}
	edit := func(capacity string) *flows.Result {
		t.Helper()
		res := h.Press(flowstest.AdminID, "workshops.edit:"+code)
		res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.edit"))
		h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.field.capacity"))
		return h.Text(flowstest.AdminID, capacity)
	}
	res = edit("2")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.save"))
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.offer", "ws.updated")
	if res.Replies[1].ChatID != 3 {
		t.Fatalf("offer to %d, want 3", res.Replies[1].ChatID)
	}
	if r, _ := h.Store.GetRegistration(ctx, code, 3); r.Status != flows.RegOffered || !r.OfferExpires.Equal(h.Now.Add(12*time.Hour)) {
		t.Fatalf("3 after more seats: %+v", r)
	}

	// Fewer seats than taken (1 confirmed and 1 offered): refused, the question stays.
	res = edit("1")
	flowstest.WantIDs(t, res, "ws.capacity_below_taken", "ws.ask_capacity")
	if got := res.Replies[0].Text.Data["Count"]; got != 2 {
		t.Fatalf("taken %v, want 2", got)
	}
	res = h.Text(flowstest.AdminID, "2")
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.save")), "(clear buttons)", "ws.updated")

	// The card, the list and the export show the offer's end.
	res = h.Press(flowstest.AdminID, "workshops.manage:"+code)
	offers := res.Replies[0].Text.Data["Offers"].(flows.Text).Data["Lines"].([]flows.Text)
	if len(offers) != 1 || offers[0].ID != "ws.card_offer_line" || !offers[0].Data["Until"].(flows.When).At.Equal(h.Now.Add(12*time.Hour)) {
		t.Fatalf("card offers %+v", offers)
	}
	res = h.Press(flowstest.AdminID, "workshops.registrants:"+code+":0")
	lines := res.Replies[0].Text.Data["Lines"].([]flows.Text)
	if len(lines) != 3 || lines[1].ID != "ws.reg_line_offered" || !lines[1].Data["Until"].(flows.When).At.Equal(h.Now.Add(12*time.Hour)) {
		t.Fatalf("registrant lines %+v", lines)
	}
	res = h.Press(flowstest.AdminID, "workshops.export:"+code)
	tbl := res.Replies[0].Table
	last := len(tbl.Columns) - 1
	if tbl.Rows[1][5] != "ditawari kursi" || !tbl.Rows[1][last].(time.Time).Equal(h.Now.Add(12*time.Hour)) || !tbl.Rows[0][last].(time.Time).IsZero() {
		t.Fatalf("export rows %v", tbl.Rows)
	}

	// Automatic promotion again: the next freed seat is confirmed at once.
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "workshops.promotion:"+code), "ws.manage_card")
	res = h.Press(2, "registration.leave_yes:"+code)
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.unregistered", "ws.promoted", "ws.ics_caption", "ws.qr_caption")
	if res.Replies[2].ChatID != 4 {
		t.Fatalf("promoted %d, want 4", res.Replies[2].ChatID)
	}
}

// More seats after the start move nobody up, automatic promotion or not.
func TestMoreSeatsAfterTheStartPromoteNobody(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "1")
	h.Press(flowstest.AdminID, "workshops.promotion:"+code) // automatic promotion
	for _, id := range []int64{2, 3} {
		h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta", ConsentVersion: flows.ConsentVersion})
		h.Press(id, "registration.join:"+code)
	}
	w, _ := h.Store.GetWorkshop(ctx, code)
	h.Now = w.Start.Add(time.Minute)
	res := h.Press(flowstest.AdminID, "workshops.edit:"+code)
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.edit"))
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.field.capacity"))
	res = h.Text(flowstest.AdminID, "2")
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.save")), "(clear buttons)", "ws.updated")
	if r, _ := h.Store.GetRegistration(ctx, code, 3); r.Status != flows.RegWaiting {
		t.Fatalf("3 after more seats past the start: %s", r.Status)
	}
}
