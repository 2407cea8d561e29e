package profile_test

import (
	"context"
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

func TestProfileFlow(t *testing.T) {
	h := newHarness(t)
	res := h.Text(1, "/profile")
	flowstest.WantIDs(t, res, "profile.intro", "profile.ask_name")

	flowstest.WantIDs(t, h.Send(1, flows.Input{Kind: flows.KindMedia}), "errors.expect_text", "profile.ask_name")
	flowstest.WantIDs(t, h.Text(1, strings.Repeat("a", 5000)), "errors.too_long", "profile.ask_name")
	flowstest.WantIDs(t, h.Text(1, "   "), "errors.too_short", "profile.ask_name")

	flowstest.WantIDs(t, h.Text(1, "  <b>Tom & Jerry</b> "), "profile.ask_org")
	res = h.Text(1, "Yayasan Air Bersih")
	flowstest.WantIDs(t, res, "profile.ask_sector")
	flowstest.WantIDs(t, h.Text(1, "NGO"), "errors.use_buttons", "profile.ask_sector")
	res = h.Press(1, flowstest.ButtonData(t, res, "sector.ngo"))
	flowstest.WantIDs(t, res, "(clear buttons)", "profile.ask_province")
	if n := len(res.Replies[1].Buttons); n != 6 { // 5 rows of two + paging
		t.Errorf("province page has %d rows", n)
	}
	res = h.Text(1, "jawa")
	flowstest.WantIDs(t, res, "profile.province_matches")
	if got := len(res.Replies[0].Buttons); got != 2 { // Jawa Barat, Tengah, Timur: 2 rows
		t.Errorf("jawa matches in %d rows", got)
	}
	flowstest.WantIDs(t, h.Text(1, "atlantis"), "profile.province_not_found", "profile.ask_province")
	res = h.Text(1, "nusa tenggara timur")
	flowstest.WantIDs(t, res, "privacy.notice")
	res = h.Press(1, flowstest.ButtonData(t, res, "privacy.agree"))
	flowstest.WantIDs(t, res, "(clear buttons)", "profile.saved")
	if res.Session.Active() {
		t.Fatal("flow still active after the last step")
	}
	p, err := h.Store.GetProfile(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	want := flows.Profile{UserID: 1, FullName: "<b>Tom & Jerry</b>", Organisation: "Yayasan Air Bersih", Sector: "ngo", Province: "NT",
		ConsentAt: h.Now, ConsentVersion: flows.ConsentVersion, Updated: h.Now}
	if *p != want {
		t.Fatalf("profile %+v\nwant    %+v", *p, want)
	}

	// Editing: every answer can be kept, consent is not asked again.
	res = h.Text(1, "/profile")
	flowstest.WantIDs(t, res, "profile.edit_intro", "profile.ask_name")
	for range 4 {
		res = h.Press(1, flowstest.ButtonData(t, res, "flow.keep"))
	}
	flowstest.WantIDs(t, res, "(clear buttons)", "profile.saved")
	if p2, _ := h.Store.GetProfile(context.Background(), 1); p2.FullName != want.FullName || !p2.ConsentAt.Equal(h.Now) {
		t.Fatalf("edited profile %+v", p2)
	}
}

func TestProfileDeclinedStoresNothing(t *testing.T) {
	h := newHarness(t)
	h.Text(2, "/profile")
	h.Text(2, "Sari")
	res := h.Text(2, "Dinas Sosial")
	h.Press(2, flowstest.ButtonData(t, res, "sector.gov"))
	res = h.Text(2, "Bali")
	res = h.Press(2, flowstest.ButtonData(t, res, "privacy.decline"))
	flowstest.WantIDs(t, res, "(clear buttons)", "profile.not_saved")
	if _, err := h.Store.GetProfile(context.Background(), 2); err != flows.ErrNotFound {
		t.Fatalf("profile stored without consent: %v", err)
	}
}

func TestProvincePaging(t *testing.T) {
	h := newHarness(t)
	h.Text(3, "/profile")
	h.Text(3, "A")
	res := h.Text(3, "B")
	res = h.Press(3, flowstest.ButtonData(t, res, "sector.csr"))
	for range 3 {
		res = h.Press(3, flowstest.ButtonData(t, res, "nav.next"))
		flowstest.WantIDs(t, res, "profile.ask_province")
	}
	if res.Replies[0].EditMessageID != 42 {
		t.Fatal("paging does not edit the message in place")
	}
	if res = h.Press(3, flowstest.ButtonData(t, res, "province.PS")); flowstest.IDs(res)[1] != "privacy.notice" {
		t.Fatalf("province on page 4 not accepted: %v", flowstest.IDs(res))
	}
}

func TestProvinceAliases(t *testing.T) {
	h := newHarness(t)
	h.Text(30, "/profile")
	h.Text(30, "A")
	res := h.Text(30, "B")
	h.Press(30, flowstest.ButtonData(t, res, "sector.gov"))
	flowstest.WantIDs(t, h.Text(30, "NTT"), "privacy.notice")
	if h.Sess[30].Data["province"] != "NT" {
		t.Fatalf("NTT -> %q", h.Sess[30].Data["province"])
	}
}
