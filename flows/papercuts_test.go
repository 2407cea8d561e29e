package flows_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// toPartnerProvinces brings user id (in English) to the partner profile's
// province question.
func toPartnerProvinces(t *testing.T, h *flowstest.Harness, id int64) *flows.Result {
	t.Helper()
	h.Text(id, "/start")
	h.Press(id, "core.language:en")
	h.Text(id, "/partner")
	res := h.Text(id, "Yayasan Air")
	res = h.Press(id, flowstest.ButtonData(t, res, "sector.ngo"))
	res = h.Press(id, flowstest.ButtonData(t, res, "water & sanitation"))
	res = h.Press(id, flowstest.ButtonData(t, res, "mm.done"))
	flowstest.WantIDs(t, res, "(clear buttons)", "mm.ask_provinces")
	return res
}

// Issue #15: one province matcher with one set of aliases in every flow; a
// typed province is selected and not offered as a lone toggle that a tap
// would turn off again.
func TestProvinceMatcherIsOne(t *testing.T) {
	for _, c := range []struct{ typed, want string }{
		{"ntt", "NT"}, {"NTB", "NB"}, {"jabar", "JB"}, {"NT", "NT"}, {"Nusa Tenggara Timur (East Nusa Tenggara)", "NT"},
	} {
		// Partner profile.
		h := newHarness(t)
		toPartnerProvinces(t, h, 1)
		res := h.Text(1, c.typed)
		flowstest.WantIDs(t, res, "mm.province_added")
		if got := h.Sess[1].Data["provinces"]; got != c.want {
			t.Errorf("partner profile: %q selects %q, want %q", c.typed, got, c.want)
		}
		// Typing it again keeps it selected.
		h.Text(1, c.typed)
		if got := h.Sess[1].Data["provinces"]; got != c.want {
			t.Errorf("partner profile: %q typed twice selects %q, want %q", c.typed, got, c.want)
		}
		res = h.Press(1, flowstest.ButtonData(t, res, "mm.done"))
		flowstest.WantIDs(t, res, "(clear buttons)", "mm.ask_offers")

		// Participant profile.
		h.Text(2, "/start")
		h.Press(2, "core.language:en")
		h.Text(2, "/profile")
		h.Text(2, "Sari")
		res = h.Text(2, "Yayasan Air")
		h.Press(2, flowstest.ButtonData(t, res, "sector.ngo"))
		flowstest.WantIDs(t, h.Text(2, c.typed), "privacy.notice")
		if got := h.Sess[2].Data["province"]; got != c.want {
			t.Errorf("profile: %q -> %q, want %q", c.typed, got, c.want)
		}

		// Broadcast segment.
		h.Text(flowstest.AdminID, "/start")
		h.Press(flowstest.AdminID, "core.language:en")
		h.Text(flowstest.AdminID, "/broadcast")
		res = h.Text(flowstest.AdminID, "Hello")
		res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "bc.no_indonesian"))
		res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "bc.seg.prov"))
		flowstest.WantIDs(t, res, "(clear buttons)", "bc.ask_province")
		h.Text(flowstest.AdminID, c.typed)
		if got := h.Sess[flowstest.AdminID].Data["segment"]; got != "prov:"+c.want {
			t.Errorf("broadcast: %q -> %q, want prov:%s", c.typed, got, c.want)
		}
	}
}

// Issue #15: a button question takes a typed answer that names one of its
// buttons unambiguously, as the time zone question always did.
func TestTypedAnswerToButtonQuestion(t *testing.T) {
	h := newHarness(t)
	h.Text(2, "/start")
	h.Text(2, "/profile")
	h.Text(2, "Sari")
	res := h.Text(2, "Yayasan Air")
	flowstest.WantIDs(t, res, "profile.ask_sector")
	// "-" names none, "a" no whole word: asked again.
	flowstest.WantIDs(t, h.Text(2, "- "), "errors.use_buttons", "profile.ask_sector")
	flowstest.WantIDs(t, h.Text(2, "a"), "errors.use_buttons", "profile.ask_sector")
	res = h.Text(2, "komunitas") // "Komunitas / media"
	flowstest.WantIDs(t, res, "profile.ask_province")
	if got := h.Sess[2].Data["sector"]; got != "community" {
		t.Fatalf("komunitas -> sector %q", got)
	}

	// The same in another capability's question: the broadcast's segment kind and sector.
	h.Text(flowstest.AdminID, "/start")
	h.Press(flowstest.AdminID, "core.language:en")
	h.Text(flowstest.AdminID, "/broadcast")
	res = h.Text(flowstest.AdminID, "Hello")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "bc.no_indonesian"))
	flowstest.WantIDs(t, res, "(clear buttons)", "bc.ask_segment")
	res = h.Text(flowstest.AdminID, h.Render("en", flows.T("bc.seg.sector")))
	flowstest.WantIDs(t, res, "profile.ask_sector")
	res = h.Text(flowstest.AdminID, "GOVERNMENT")
	if got := h.Sess[flowstest.AdminID].Data["segment"]; got != "sector:gov" {
		t.Fatalf("typed sector -> segment %q (replies %v)", got, flowstest.IDs(res))
	}
}

// Issue #15: the broadcast asks for the version in the language other than
// the admin's; an English-speaking admin's message is the English version
// and the one they add is the Indonesian version for everyone else.
func TestBroadcastAsksForOtherLanguage(t *testing.T) {
	for _, c := range []struct {
		lang, ask, skip, otherLabel string
		msg, english                int
	}{
		{"en", "bc.ask_indonesian", "bc.no_indonesian", "bc.preview_indonesian", 502, 501},
		{"id", "bc.ask_english", "bc.no_english", "bc.preview_english", 501, 502},
	} {
		h := newHarness(t)
		h.Text(2, "/profile") // a member to send to
		flowstest.FillProfile(t, h, 2, nil)
		h.Text(flowstest.AdminID, "/start")
		h.Press(flowstest.AdminID, "core.language:"+c.lang)
		h.Text(flowstest.AdminID, "/broadcast")
		res := h.Send(flowstest.AdminID, flows.Input{Kind: flows.KindText, Text: "first", MessageID: 501})
		flowstest.WantIDs(t, res, c.ask)
		flowstest.ButtonData(t, res, c.skip)
		res = h.Send(flowstest.AdminID, flows.Input{Kind: flows.KindText, Text: "second", MessageID: 502})
		res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "bc.seg.all"))
		// The preview shows the admin's own message first, then the other version.
		var copies []int
		for _, r := range res.Replies {
			if r.Copy != nil {
				copies = append(copies, r.Copy.MessageID)
			}
		}
		if len(copies) != 2 || copies[0] != 501 || copies[1] != 502 {
			t.Errorf("%s: preview copies %v, want [501 502]", c.lang, copies)
		}
		if !slices.Contains(flowstest.IDs(res), c.otherLabel) {
			t.Errorf("%s: preview %v lacks %s", c.lang, flowstest.IDs(res), c.otherLabel)
		}
		h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "bc.send_now"))
		list, err := h.Store.RecentBroadcasts(context.Background(), 1)
		if err != nil || len(list) != 1 {
			t.Fatalf("%s: broadcasts %v, %v", c.lang, list, err)
		}
		if b := list[0]; b.MessageID != c.msg || b.EnglishID != c.english {
			t.Errorf("%s: broadcast message %d, English %d; want %d, %d", c.lang, b.MessageID, b.EnglishID, c.msg, c.english)
		}
	}
}

// Issue #15: the author of a broadcast is not counted among its recipients
// ("sent to 1001 members" for 1000 members).
func TestBroadcastLeavesAuthorOut(t *testing.T) {
	h := newHarness(t)
	for id := int64(2); id <= 4; id++ {
		h.Text(id, "/profile")
		flowstest.FillProfile(t, h, id, nil)
	}
	h.Text(flowstest.AdminID, "/profile") // the admin is a member too
	flowstest.FillProfile(t, h, flowstest.AdminID, nil)
	h.Text(flowstest.AdminID, "/broadcast")
	res := h.Text(flowstest.AdminID, "Kabar")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "bc.no_english"))
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "bc.seg.all"))
	confirm := res.Replies[len(res.Replies)-1].Text
	if confirm.ID != "bc.confirm" || confirm.Data["Count"] != 3 {
		t.Fatalf("preview %+v, want bc.confirm for 3 members", confirm)
	}
	rs, err := h.E.Recipients(context.Background(), &flows.Broadcast{By: flowstest.AdminID, MessageID: 1, Segment: "all"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.UserID == flowstest.AdminID {
			t.Fatalf("the author is among the recipients %+v", rs)
		}
	}
	if len(rs) != 3 {
		t.Fatalf("%d recipients, want 3", len(rs))
	}
}

// hasButton reports whether a reply of res has a button labelled id.
func hasButton(res *flows.Result, id string) bool {
	for _, r := range res.Replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Label.ID == id {
					return true
				}
			}
		}
	}
	return false
}

// Issue #15: past its deadline a workshop's card says registration is
// closed and offers no "Close registration" (nor "Reopen", which could not).
func TestManageCardPastDeadline(t *testing.T) {
	h := newHarness(t)
	code := flowstest.CreateWorkshop(t, h, "10")
	res := h.Press(flowstest.AdminID, "workshops.manage:"+code)
	if !hasButton(res, "ws.btn_close") {
		t.Fatalf("before the deadline no close button: %v", flowstest.IDs(res))
	}
	w, err := h.Store.GetWorkshop(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	h.Now = w.Deadline
	res = h.Press(flowstest.AdminID, "workshops.manage:"+code)
	if state := res.Replies[len(res.Replies)-1].Text.Data["State"].(flows.Text); state.ID != "ws.state_closed" {
		t.Fatalf("state %v", state)
	}
	if hasButton(res, "ws.btn_close") || hasButton(res, "ws.btn_reopen") {
		t.Fatal("past the deadline the card offers to close or reopen registration")
	}
	flowstest.ButtonData(t, res, "ws.btn_edit")
}

// Issue #15: every item of the main menu has an emoji of its own (🗂 was
// both "My workshops" and "My data").
func TestMenuEmojiDistinct(t *testing.T) {
	h := newHarness(t)
	for _, lang := range []string{"id", "en"} {
		h.Text(flowstest.AdminID, "/start")
		h.Press(flowstest.AdminID, "core.language:"+lang)
		res := h.Text(flowstest.AdminID, "/menu")
		seen := map[string]string{}
		n := 0
		for _, r := range res.Replies {
			for _, row := range r.Buttons {
				for _, b := range row {
					label := h.Render(lang, b.Label)
					emoji, _, _ := strings.Cut(label, " ")
					if other, dup := seen[emoji]; dup {
						t.Errorf("%s: %q and %q share %s", lang, other, label, emoji)
					}
					seen[emoji] = label
					n++
				}
			}
		}
		if n < 10 {
			t.Fatalf("%s: %d menu items", lang, n)
		}
	}
}

// Issue #15: a scheduled broadcast is listed without "0/0 sent".
func TestScheduledBroadcastListed(t *testing.T) {
	h := newHarness(t)
	h.Text(2, "/profile")
	flowstest.FillProfile(t, h, 2, nil)
	h.Text(flowstest.AdminID, "/start")
	h.Press(flowstest.AdminID, "core.language:en")
	h.Text(flowstest.AdminID, "/broadcast")
	res := h.Text(flowstest.AdminID, "Kabar")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "bc.no_indonesian"))
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "bc.seg.all"))
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "bc.schedule"))
	flowstest.WantIDs(t, res, "(clear buttons)", "bc.ask_when")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "1/12/2026 10:00"), "bc.scheduled")
	got := h.Rendered("en", h.Text(flowstest.AdminID, "/broadcasts"))
	if !strings.Contains(got, "scheduled") || strings.Contains(got, "0/0") {
		t.Fatalf("list %q", got)
	}
}

// Issue #15: the audit line of a forgotten member reads as a sentence, not
// "— —: had their data deleted —".
func TestAuditLineOfForgottenMember(t *testing.T) {
	h := newHarness(t)
	// As the Redis store reads the entry back once the member's audit
	// pseudonym is deleted: it names nobody.
	if err := h.Store.Audit(context.Background(), &flows.AuditEntry{At: h.Now, Actor: 0, Action: flows.AuditForget}); err != nil {
		t.Fatal(err)
	}
	h.Text(flowstest.AdminID, "/start")
	h.Press(flowstest.AdminID, "core.language:en")
	got := h.Rendered("en", h.Text(flowstest.AdminID, "/audit"))
	var line string
	for _, l := range strings.Split(got, "\n") {
		if strings.Contains(l, "had their data deleted") {
			line = strings.TrimSpace(l)
		}
	}
	if !strings.Contains(line, "— a former member: had their data deleted") || strings.HasSuffix(line, "—") {
		t.Fatalf("audit line %q (of %q)", line, got)
	}
}
