package flows_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// English counts agree with their nouns: "1 seat", "1 person is being
// told", and the plural for 2 (issue #13, point 8). The harness also fails
// any counted message rendered without its count.
func TestEnglishPlurals(t *testing.T) {
	for _, n := range []int{1, 2} {
		h := newHarness(t)
		ctx := context.Background()
		h.Store.SaveUser(ctx, &flows.User{ID: flowstest.AdminID, Lang: "en", Role: flows.RoleAdmin})
		code := flowstest.CreateWorkshop(t, h, strconv.Itoa(n))
		for id := int64(2); id < int64(2+n); id++ {
			h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta", Organisation: "Org", ConsentVersion: flows.ConsentVersion})
			h.Press(id, "registration.join:"+code)
		}
		want := map[int][2]string{1: {"1 seat ", "1 person is being told"}, 2: {"2 seats ", "2 people are being told"}}[n]
		if got := h.Rendered("en", h.Press(flowstest.AdminID, "workshops.manage:"+code)); !strings.Contains(got, want[0]) {
			t.Errorf("capacity %d: manage card lacks %q:\n%s", n, want[0], got)
		}
		if got := h.Rendered("en", h.Press(flowstest.AdminID, "workshops.cancel_yes:"+code)); !strings.Contains(got, want[1]) {
			t.Errorf("%d registrants: %q lacks %q", n, got, want[1])
		}
	}
}

// Control and invisible characters are stripped from free text before it is
// stored; text with nothing visible, and a full name without a letter, are
// refused and asked again; CSV and .ics files are clean even of text stored
// before (issue #13, point 14).
func TestInvisibleAndControlCharacters(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()

	// Profile: an emoji-only name and a zero-width name are refused; the
	// question is asked again and the flow goes on.
	h.Text(1, "/profile")
	flowstest.WantIDs(t, h.Text(1, "😀🎉"), "errors.name_needs_letter", "profile.ask_name")
	flowstest.WantIDs(t, h.Text(1, "\u200b\u200b\u200b"), "errors.invisible_text", "profile.ask_name")
	flowstest.WantIDs(t, h.Text(1, "\u202e\u2066\ufeff \u200d"), "errors.invisible_text", "profile.ask_name")
	flowstest.WantIDs(t, h.Text(1, "\x1b[31m\x00Siti\x1b[0m \u202eRahma\u202c\x07"), "profile.ask_org")
	res := h.Text(1, "Yayasan\x00 Air\u200b Bersih")
	h.Press(1, flowstest.ButtonData(t, res, "sector.ngo"))
	res = h.Text(1, "nusa tenggara timur")
	h.Press(1, flowstest.ButtonData(t, res, "privacy.agree"))
	p, err := h.Store.GetProfile(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.FullName != "Siti Rahma" || p.Organisation != "Yayasan Air Bersih" {
		t.Fatalf("stored %q, %q", p.FullName, p.Organisation)
	}

	// Workshop: a title of zero-width spaces is refused; control characters
	// leave title, description and venue.
	h.Text(flowstest.AdminID, "/newworkshop")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "\u200b\u200b\u200b\u200b"), "errors.invisible_text", "ws.ask_title")
	h.Text(flowstest.AdminID, "Lokakarya \x1b]0;pwned\x07Air\tBersih\x00")
	res = h.Text(flowstest.AdminID, "Baris satu\r\nbaris \u2067dua\u2069")
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.zone.WIB"))
	h.Text(flowstest.AdminID, "10/12/2026 09:00")
	h.Text(flowstest.AdminID, "17:00")
	h.Text(flowstest.AdminID, "Hotel \u202eSahid\u202c\x7f")
	res = h.Text(flowstest.AdminID, "https://meet.example.org/abc")
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.format_single"))
	res = h.Text(flowstest.AdminID, "0")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.until_start"))
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.skip_question"))
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.save"))
	code := res.Replies[1].Text.Data["Code"].(string)
	w, err := h.Store.GetWorkshop(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if w.Title != "Lokakarya Air Bersih" || w.Description != "Baris satu\nbaris dua" || w.Venue != "Hotel Sahid" {
		t.Fatalf("stored %q, %q, %q", w.Title, w.Description, w.Venue)
	}

	// Text stored before this cleaning still leaves the files clean (the
	// calendar file: bot/ics TestICSCleansStoredText).
	csv := string(flows.CSV([]string{"Nama"}, [][]string{{"\u202e=HYPERLINK(1)"}, {"a\x00b\u2066c"}}))
	if r, bad := flowstest.HiddenRune(strings.TrimPrefix(csv, flows.UTF8BOM), "\r\n"); bad { // the BOM is meant
		t.Errorf("CSV keeps %U: %q", r, csv)
	}
	if !strings.Contains(csv, "'=HYPERLINK(1)") || !strings.Contains(csv, "abc") {
		t.Errorf("CSV %q", csv)
	}
}

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"  Siti  ":                       "Siti",
		"a\x00b\x01c\x7fd\u0085e":        "abcde",
		"\x1b[1;31mred\x1b[0m":           "red",
		"\x1b]8;;http://x\x1b\\link":     "link",
		"\u202eevil\u202c \u2067x\u2069": "evil x",
		"zero\u200bwidth\u2060\ufeff":    "zerowidth",
		"👨\u200d👩\u200d👧":                "👨\u200d👩\u200d👧", // joiners stay
		"one\r\ntwo\rthree\u2028four":    "one\ntwo\nthree\nfour",
		"tab\there":                      "tab here",
		"bad\xffutf8":                    "badutf8",
	} {
		if got := flows.CleanText(in); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
	}
	for s, want := range map[string]bool{"x": true, "😀": true, "7": true, "-": true, "\u0301": false, "\u200d": false, " ": false, "": false} {
		if flows.Visible(s) != want {
			t.Errorf("visible(%q) = %v", s, !want)
		}
	}
}
