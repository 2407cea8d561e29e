package flowstest

import (
	"context"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
)

// Steps several capabilities' tests take.

// WantIDs fails t unless res says exactly the message ids want.
func WantIDs(t *testing.T, res *flows.Result, want ...string) {
	t.Helper()
	if got := IDs(res); !slices.Equal(got, want) {
		t.Fatalf("replies %v, want %v", got, want)
	}
}

// CreateWorkshop walks /newworkshop as the admin and returns the code.
func CreateWorkshop(t *testing.T, h *Harness, capacity string) string {
	t.Helper()
	h.Text(AdminID, "/newworkshop")
	res := h.Text(AdminID, "Joint Action: air bersih di Flores")
	res = h.Press(AdminID, ButtonData(t, res, "ws.skip_desc"))
	res = h.Press(AdminID, ButtonData(t, res, "ws.zone.WITA"))
	WantIDs(t, res, "(clear buttons)", "ws.ask_start")
	h.Text(AdminID, "10/12/2026 09:00")
	res = h.Text(AdminID, "12.00")
	WantIDs(t, res, "ws.ask_venue")
	h.Text(AdminID, "Hotel Sahid, Jakarta")
	res = h.Text(AdminID, "https://zoom.us/j/123")
	WantIDs(t, res, "ws.ask_format") // a venue and a link: hybrid, or one list
	res = h.Press(AdminID, ButtonData(t, res, "ws.format_single"))
	WantIDs(t, res, "(clear buttons)", "ws.ask_capacity")
	res = h.Text(AdminID, capacity)
	res = h.Press(AdminID, ButtonData(t, res, "ws.until_start"))
	res = h.Press(AdminID, ButtonData(t, res, "ws.skip_question"))
	WantIDs(t, res, "(clear buttons)", "ws.summary")
	res = h.Press(AdminID, ButtonData(t, res, "ws.save"))
	WantIDs(t, res, "(clear buttons)", "ws.created")
	code := res.Replies[1].Text.Data["Code"].(string)
	if link := res.Replies[1].Text.Data["Link"].(string); link != "https://t.me/sinergi_test_bot?start=ws_"+code {
		t.Fatalf("link %q", link)
	}
	return code
}

// CreateHybridWorkshop walks /newworkshop as the admin for a hybrid
// workshop with onsite and online seats (venue "Hotel Sahid, Jakarta",
// link HybridLink) and returns the code.
func CreateHybridWorkshop(t *testing.T, h *Harness, onsite, online string) string {
	t.Helper()
	h.Text(AdminID, "/newworkshop")
	res := h.Text(AdminID, "Lokakarya hibrida: air bersih")
	res = h.Press(AdminID, ButtonData(t, res, "ws.skip_desc"))
	h.Press(AdminID, ButtonData(t, res, "ws.zone.WITA"))
	h.Text(AdminID, "10/12/2026 09:00")
	h.Text(AdminID, "12.00")
	h.Text(AdminID, "Hotel Sahid, Jakarta")
	res = h.Text(AdminID, HybridLink)
	WantIDs(t, res, "ws.ask_format")
	res = h.Press(AdminID, ButtonData(t, res, "ws.format_hybrid"))
	WantIDs(t, res, "(clear buttons)", "ws.ask_capacity_onsite")
	res = h.Text(AdminID, onsite)
	WantIDs(t, res, "ws.ask_online_capacity")
	res = h.Text(AdminID, online)
	res = h.Press(AdminID, ButtonData(t, res, "ws.until_start"))
	res = h.Press(AdminID, ButtonData(t, res, "ws.skip_question"))
	WantIDs(t, res, "(clear buttons)", "ws.summary")
	res = h.Press(AdminID, ButtonData(t, res, "ws.save"))
	WantIDs(t, res, "(clear buttons)", "ws.created")
	return res.Replies[1].Text.Data["Code"].(string)
}

// HybridLink is the online link of CreateHybridWorkshop's workshops.
const HybridLink = "https://meet.example.org/hybrid-secret-room"

// FillProfile answers the profile questions (when asked) for user id.
func FillProfile(t *testing.T, h *Harness, id int64, _ *flows.Result) *flows.Result {
	t.Helper()
	h.Text(id, "Peserta "+string(rune('A'+id%26)))
	res := h.Text(id, "Yayasan Contoh")
	h.Press(id, ButtonData(t, res, "sector.ngo"))
	res = h.Text(id, "Bali")
	return h.Press(id, ButtonData(t, res, "privacy.agree"))
}

// FollowUpSetup: a harness running AllModules with a workshop (the admin facilitates) with participants 2 and 3
// registered and checked in.
func FollowUpSetup(t *testing.T) (*Harness, string) {
	t.Helper()
	h := New(t, AllModules)
	code := CreateWorkshop(t, h, "0")
	ctx := context.Background()
	for _, id := range []int64{2, 3} {
		h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta " + string(rune('0'+id)), Organisation: "Org " + string(rune('0'+id)), ConsentVersion: flows.ConsentVersion})
		h.Press(id, "registration.join:"+code)
	}
	// At the door an hour before the start, then on with the clock as it was.
	w, _ := h.Store.GetWorkshop(ctx, code)
	was := h.Now
	h.Now = w.Start.Add(-time.Hour)
	for _, id := range []int64{2, 3} {
		r, _ := h.Store.GetRegistration(ctx, code, id)
		h.Text(AdminID, "/start checkin_"+r.Token)
	}
	h.Now = was
	return h, code
}

// Alert fails t unless res refuses a button press with message id.
func Alert(t *testing.T, res *flows.Result, id string) {
	t.Helper()
	if res.Answer == nil || !res.Answer.Alert || res.Answer.Text.ID != id {
		t.Fatalf("answer %+v, want alert %s (replies %v)", res.Answer, id, IDs(res))
	}
}
