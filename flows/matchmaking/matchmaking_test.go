package matchmaking_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
	"sinergi/flows/matchmaking"
)

// seedPartner stores a user and their visible organisation profile.
func seedPartner(t *testing.T, h *flowstest.Harness, p *flows.PartnerProfile, u flows.User) {
	t.Helper()
	ctx := context.Background()
	u.ID = p.UserID
	if u.Lang == "" {
		u.Lang = "en"
	}
	if u.FirstName == "" {
		u.FirstName = "User" + strconv.FormatInt(p.UserID, 10)
	}
	if u.Consent == "" {
		u.Consent = flows.ConsentVersion // organisation profiles are kept under consent
	}
	if err := h.Store.SaveUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	if p.Org == "" {
		p.Org = "Org " + strconv.FormatInt(p.UserID, 10)
	}
	if err := h.Store.SavePartner(ctx, p); err != nil {
		t.Fatal(err)
	}
}

// pp is a visible organisation profile (as in flows/score_test.go).
func pp(uid int64, sector string, themes, provs, offers, needs []string) *flows.PartnerProfile {
	return &flows.PartnerProfile{UserID: uid, Org: "Org " + strconv.FormatInt(uid, 10), Sector: sector,
		Themes: themes, Provinces: provs, Offers: offers, Needs: needs, Visible: true}
}

func l(s ...string) []string { return s }

// plain renders reply i of res in lang as the reader sees it.
func plain(h *flowstest.Harness, res *flows.Result, i int, lang string) string {
	h.T.Helper()
	return h.Plain(lang, res.Replies[i].Text)
}

func TestPartnerProfileFlow(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.Store.SaveProfile(ctx, &flows.Profile{UserID: 1, FullName: "Ayu", Organisation: "Yayasan Air Bersih", ConsentVersion: flows.ConsentVersion})
	h.Press(1, "core.language:en")

	res := h.Text(1, "/partner")
	flowstest.WantIDs(t, res, "mm.intro_new", "mm.ask_org")
	res = h.Press(1, flowstest.ButtonData(t, res, "flow.keep")) // prefilled from the participant profile
	flowstest.WantIDs(t, res, "(clear buttons)", "profile.ask_sector")
	res = h.Press(1, flowstest.ButtonData(t, res, "sector.ngo"))
	flowstest.WantIDs(t, res, "(clear buttons)", "mm.ask_themes")
	themesMsg := res

	// No theme selected: Done is refused.
	flowstest.Alert(t, h.Press(1, flowstest.ButtonData(t, themesMsg, "mm.done")), "mm.need_theme")
	// Toggles re-render the keyboard in place with ✅ on selected items.
	res = h.Press(1, flowstest.ButtonData(t, themesMsg, "water & sanitation"))
	flowstest.WantIDs(t, res, "mm.ask_themes")
	if res.Replies[0].EditMessageID != 42 {
		t.Fatal("toggle does not edit the message in place")
	}
	res = h.Press(1, flowstest.ButtonData(t, res, "education"))
	res = h.Press(1, flowstest.ButtonData(t, res, "✅ education")) // off again
	flowstest.ButtonData(t, res, "education")
	flowstest.ButtonData(t, res, "✅ water & sanitation")
	if got := plain(h, res, 0, "en"); !strings.Contains(got, "Selected: water & sanitation") {
		t.Fatalf("themes prompt %q", got)
	}
	flowstest.WantIDs(t, h.Text(1, "education"), "mm.use_toggles", "mm.ask_themes")
	res = h.Press(1, flowstest.ButtonData(t, res, "mm.done"))
	flowstest.WantIDs(t, res, "(clear buttons)", "mm.ask_provinces")

	// Provinces: at least one, paging, type-to-search.
	flowstest.Alert(t, h.Press(1, flowstest.ButtonData(t, res, "mm.done")), "mm.need_province")
	page := h.Press(1, flowstest.ButtonData(t, res, "nav.next"))
	flowstest.WantIDs(t, page, "mm.ask_provinces")
	res = h.Text(1, "nusa")
	flowstest.WantIDs(t, res, "mm.province_matches")
	res = h.Press(1, flowstest.ButtonData(t, res, "Nusa Tenggara Timur (East Nusa Tenggara)"))
	flowstest.WantIDs(t, res, "mm.province_matches")
	flowstest.ButtonData(t, res, "✅ Nusa Tenggara Timur (East Nusa Tenggara)")
	res = h.Text(1, "bali") // one hit: selected at once
	flowstest.ButtonData(t, res, "✅ Bali")
	flowstest.WantIDs(t, h.Text(1, "atlantis"), "profile.province_not_found", "mm.ask_provinces")
	res = h.Press(1, flowstest.ButtonData(t, res, "mm.done"))
	flowstest.WantIDs(t, res, "(clear buttons)", "mm.ask_offers")

	// Offers may stay empty, but not offers and needs both.
	res = h.Press(1, flowstest.ButtonData(t, res, "mm.done"))
	flowstest.WantIDs(t, res, "(clear buttons)", "mm.ask_needs")
	flowstest.Alert(t, h.Press(1, flowstest.ButtonData(t, res, "mm.done")), "mm.need_offer_or_need")
	res = h.Press(1, flowstest.ButtonData(t, res, "funding"))
	res = h.Press(1, flowstest.ButtonData(t, res, "expertise/training"))
	res = h.Press(1, flowstest.ButtonData(t, res, "mm.done"))
	flowstest.WantIDs(t, res, "(clear buttons)", "mm.ask_desc")

	// A 2,000-character description is refused clearly.
	res = h.Text(1, strings.Repeat("d", 2000))
	flowstest.WantIDs(t, res, "errors.too_long", "mm.ask_desc")
	if res.Replies[0].Text.Data["Count"] != matchmaking.MaxPartnerDesc {
		t.Fatalf("refusal %+v", res.Replies[0].Text)
	}
	res = h.Text(1, "Rainwater harvesting with <villages> in Flores & Bali.")
	flowstest.WantIDs(t, res, "mm.ask_visible")
	res = h.Press(1, flowstest.ButtonData(t, res, "mm.visible_yes"))
	flowstest.WantIDs(t, res, "(clear buttons)", "mm.summary")

	// Edit one part from the summary and come back to it.
	res = h.Press(1, flowstest.ButtonData(t, res, "mm.edit"))
	res = h.Press(1, flowstest.ButtonData(t, res, "mm.field.themes"))
	flowstest.WantIDs(t, res, "(clear buttons)", "mm.ask_themes")
	res = h.Press(1, flowstest.ButtonData(t, res, "health"))
	res = h.Press(1, flowstest.ButtonData(t, res, "mm.done"))
	flowstest.WantIDs(t, res, "(clear buttons)", "mm.summary")
	if got := plain(h, res, 1, "en"); !strings.Contains(got, "Themes: health, water & sanitation") {
		t.Fatalf("summary %q", got)
	}
	res = h.Press(1, flowstest.ButtonData(t, res, "mm.save"))
	// The profile names a contact: it is kept only under the privacy
	// notice, asked for here because user 1 never agreed to it (#13.7).
	flowstest.WantIDs(t, res, "(clear buttons)", "privacy.notice")
	res = h.Press(1, flowstest.ButtonData(t, res, "privacy.agree"))
	flowstest.WantIDs(t, res, "(clear buttons)", "mm.saved")
	if res.User.Consent != flows.ConsentVersion {
		t.Fatalf("consent not recorded: %+v", res.User)
	}

	p, err := h.Store.GetPartner(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := flows.PartnerProfile{UserID: 1, Org: "Yayasan Air Bersih", Sector: "ngo", Themes: l("health", "wash"),
		Provinces: l("BA", "NT"), Needs: l("funding", "expertise"),
		Description: "Rainwater harvesting with <villages> in Flores & Bali.", Visible: true, Created: h.Now, Updated: h.Now}
	if !partnerEqual(*p, want) {
		t.Fatalf("profile %+v\nwant    %+v", *p, want)
	}
}

func partnerEqual(a, b flows.PartnerProfile) bool {
	return a.UserID == b.UserID && a.Org == b.Org && a.Sector == b.Sector && slices.Equal(a.Themes, b.Themes) &&
		slices.Equal(a.Provinces, b.Provinces) && slices.Equal(a.Offers, b.Offers) && slices.Equal(a.Needs, b.Needs) &&
		a.Description == b.Description && a.Visible == b.Visible && a.Created.Equal(b.Created) && a.Updated.Equal(b.Updated)
}

// Without consent an organisation profile is not saved: declining the
// notice at the end keeps nothing of the answers (#13.7).
func TestPartnerProfileNeedsConsent(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	// A profile from before consent was asked for.
	seedPartner(t, h, pp(2, "ngo", l("education"), l("BA"), l("volunteers"), nil), flows.User{Consent: "none"})
	h.Store.EditUser(2, func(u *flows.User) { u.Consent = "" })
	before, _ := h.Store.GetPartner(ctx, 2)
	h.Now = h.Now.Add(time.Hour) // a save would show in Updated
	res := h.Press(2, "matchmaking.profile:e")
	flowstest.WantIDs(t, res, "(clear buttons)", "mm.summary")
	res = h.Press(2, flowstest.ButtonData(t, res, "mm.save"))
	flowstest.WantIDs(t, res, "(clear buttons)", "privacy.notice")
	res = h.Press(2, flowstest.ButtonData(t, res, "privacy.decline"))
	flowstest.WantIDs(t, res, "(clear buttons)", "profile.not_saved")
	if res.User.Consent != "" {
		t.Fatalf("declining recorded consent: %+v", res.User)
	}
	after, _ := h.Store.GetPartner(ctx, 2)
	if !after.Updated.Equal(before.Updated) {
		t.Fatal("a profile was saved without consent")
	}
}

func TestPartnerCardPauseDelete(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	seedPartner(t, h, pp(1, "ngo", l("education"), l("BA"), l("volunteers"), nil), flows.User{})
	res := h.Text(1, "/partner")
	flowstest.WantIDs(t, res, "mm.card")

	res = h.Press(1, flowstest.ButtonData(t, res, "mm.btn_pause"))
	if res.Answer == nil || res.Answer.Text.ID != "mm.paused" || res.Replies[0].EditMessageID != 42 {
		t.Fatalf("pause: %+v %v", res.Answer, flowstest.IDs(res))
	}
	if p, _ := h.Store.GetPartner(ctx, 1); p.Visible {
		t.Fatal("still visible after pause")
	}
	flowstest.WantIDs(t, h.Text(1, "/matches"), "mm.paused_note")
	h.Press(1, flowstest.ButtonData(t, res, "mm.btn_resume"))
	if p, _ := h.Store.GetPartner(ctx, 1); !p.Visible {
		t.Fatal("not visible after resume")
	}

	flowstest.WantIDs(t, h.Press(1, "matchmaking.profile:e"), "(clear buttons)", "mm.summary")
	h.Text(1, "/cancel")

	res = h.Press(1, "matchmaking.profile:d")
	flowstest.WantIDs(t, res, "mm.delete_confirm")
	res = h.Press(1, flowstest.ButtonData(t, res, "mm.delete_yes"))
	flowstest.WantIDs(t, res, "mm.deleted")
	if _, err := h.Store.GetPartner(ctx, 1); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	flowstest.WantIDs(t, h.Text(1, "/matches"), "mm.no_profile")
	flowstest.Alert(t, h.Press(1, "matchmaking.profile:p"), "mm.no_profile_short")
	flowstest.Alert(t, h.Press(2, "matchmaking.profile:zz"), "mm.no_profile_short")
}

// seedMatches stores the viewer (1) and organisations around them.
func seedMatches(t *testing.T, h *flowstest.Harness) {
	seedPartner(t, h, pp(1, "ngo", l("education", "wash"), l("BA", "NT"), l("volunteers", "data"), l("funding", "expertise")), flows.User{Username: "ayu_air"})
	seedPartner(t, h, pp(2, "csr", l("wash", "health"), l("NT"), l("funding", "expertise"), l("volunteers")), flows.User{Lang: "id"}) // 14
	seedPartner(t, h, pp(3, "ngo", l("health"), l("BA", "JK"), nil, l("tech")), flows.User{})                                         // 1
	seedPartner(t, h, pp(4, "gov", l("education", "wash", "child"), l("PA"), l("venue"), nil), flows.User{})                          // 6
	seedPartner(t, h, pp(7, "ngo", l("education"), l("BA"), l("volunteers"), nil), flows.User{})                                      // 3, coalition
	seedPartner(t, h, pp(8, "csr", l("wash", "health"), l("NT"), l("funding", "expertise"), l("volunteers")), flows.User{Inactive: true})
	hidden := pp(10, "csr", l("wash"), l("NT"), l("funding"), nil)
	hidden.Visible = false
	seedPartner(t, h, hidden, flows.User{})
	seedPartner(t, h, pp(11, "academia", l("food"), l("AC"), l("tech"), l("inkind")), flows.User{}) // shares nothing
}

// cardOf is the user id of the organisation a card shows.
func cardOf(t *testing.T, res *flows.Result) int64 {
	t.Helper()
	for _, r := range res.Replies {
		if r.Text.ID == "mm.match_card" {
			details := r.Text.Data["Details"].(flows.Text)
			org := details.Data["Org"].(string)
			uid, _ := strconv.ParseInt(strings.TrimPrefix(org, "Org "), 10, 64)
			return uid
		}
	}
	t.Fatalf("no card in %v", flowstest.IDs(res))
	return 0
}

func TestMatchesBrowseFilterHide(t *testing.T) {
	h := newHarness(t)
	seedMatches(t, h)

	res := h.Text(1, "/matches")
	flowstest.WantIDs(t, res, "mm.match_card")
	if got := cardOf(t, res); got != 2 {
		t.Fatalf("first suggestion %d, want 2", got)
	}
	why := plain(h, res, 0, "en")
	for _, want := range []string{"Suggestion 1 of 4", "Why: they offer funding and expertise/training, which you need · both work on water & sanitation in Nusa Tenggara Timur (East Nusa Tenggara) · you offer volunteers, which they need"} {
		if !strings.Contains(why, want) {
			t.Fatalf("card %q lacks %q", why, want)
		}
	}
	if flowstest.ButtonData(t, res, "mm.btn_request") != "matchmaking.request:2" {
		t.Fatal("request button")
	}
	var order []int64
	for range 4 {
		order = append(order, cardOf(t, res))
		if len(order) < 4 {
			res = h.Press(1, flowstest.ButtonData(t, res, "nav.next"))
			if res.Replies[0].EditMessageID != 42 {
				t.Fatal("next does not edit in place")
			}
		}
	}
	if !slices.Equal(order, []int64{2, 4, 7, 3}) {
		t.Fatalf("order %v", order)
	}
	if got := plain(h, res, 0, "en"); !strings.Contains(got, "Suggestion 4 of 4") {
		t.Fatalf("last card %q", got)
	}
	res = h.Press(1, flowstest.ButtonData(t, res, "nav.prev"))
	if cardOf(t, res) != 7 {
		t.Fatal("previous")
	}
	if got := plain(h, res, 0, "en"); !strings.Contains(got, "Working on the same thing nearby: you both offer volunteers for education in Bali") {
		t.Fatalf("coalition card %q", got)
	}

	// Coalition candidates on their own list.
	res = h.Press(1, flowstest.ButtonData(t, res, "mm.btn_coalition"))
	if cardOf(t, res) != 7 || !strings.Contains(plain(h, res, 0, "en"), "Working on the same thing nearby — 1 of 1") {
		t.Fatalf("coalition list %q", plain(h, res, 0, "en"))
	}

	// Filters: by theme, province, sector.
	res = h.Press(1, flowstest.ButtonData(t, res, "mm.btn_filter"))
	flowstest.WantIDs(t, res, "mm.filter_choose")
	res = h.Press(1, flowstest.ButtonData(t, h.Press(1, flowstest.ButtonData(t, res, "mm.filter_theme")), "health"))
	if cardOf(t, res) != 2 || !strings.Contains(plain(h, res, 0, "en"), "Suggestion 1 of 2 · health") {
		t.Fatalf("theme filter %q", plain(h, res, 0, "en"))
	}
	res = h.Press(1, "matchmaking.filter:p:0")
	res = h.Press(1, flowstest.ButtonData(t, h.Press(1, flowstest.ButtonData(t, res, "nav.next")), "DKI Jakarta (Jakarta)"))
	if cardOf(t, res) != 3 {
		t.Fatal("province filter")
	}
	res = h.Press(1, flowstest.ButtonData(t, h.Press(1, "matchmaking.filter:s"), "Government"))
	if cardOf(t, res) != 4 {
		t.Fatal("sector filter")
	}
	flowstest.WantIDs(t, h.Press(1, "matchmaking.suggestion:s.academia:0"), "mm.none_filtered")

	// Not interested: persisted, the next one takes its place.
	res = h.Press(1, "matchmaking.hide:2:a:0")
	if res.Answer == nil || res.Answer.Text.ID != "mm.hidden" || cardOf(t, res) != 4 {
		t.Fatalf("after hiding: %+v", res.Answer)
	}
	if cardOf(t, h.Text(1, "/matches")) != 4 {
		t.Fatal("hidden profile suggested again")
	}

	// Tampered or malformed buttons.
	for _, data := range []string{"matchmaking.suggestion:zz:0", "matchmaking.suggestion:a:-1", "matchmaking.suggestion:t.nope:0", "matchmaking.hide:1:a:0", "matchmaking.hide:abc:a:0", "matchmaking.filter:q", "matchmaking.filter:p:x"} {
		flowstest.Alert(t, h.Press(1, data), "errors.bad_button")
	}
}

// request walks "Request introduction" from from to to, skipping the note,
// and returns the request's id.
func request(t *testing.T, h *flowstest.Harness, from, to int64) string {
	t.Helper()
	res := h.Press(from, "matchmaking.request:"+strconv.FormatInt(to, 10))
	flowstest.WantIDs(t, res, "mm.ask_note")
	res = h.Press(from, flowstest.ButtonData(t, res, "mm.skip_note"))
	flowstest.WantIDs(t, res, "(clear buttons)", "mm.request_received", "mm.request_sent")
	return strings.TrimPrefix(flowstest.ButtonData(t, res, "mm.btn_accept"), "matchmaking.accept:")
}

func TestIntroductionAcceptDecline(t *testing.T) {
	h := newHarness(t)
	seedMatches(t, h)

	// A note too long, then a note: B (2) gets A's card, the reasons from
	// B's side and the note, in B's language.
	res := h.Press(1, "matchmaking.request:2")
	flowstest.WantIDs(t, res, "mm.ask_note")
	flowstest.WantIDs(t, h.Text(1, strings.Repeat("n", 301)), "errors.too_long", "mm.ask_note")
	res = h.Text(1, "Mari kerja sama di Flores <3")
	flowstest.WantIDs(t, res, "mm.request_received", "mm.request_sent")
	if r := res.Replies[0]; r.ChatID != 2 || r.Lang != "id" || !r.Bulk {
		t.Fatalf("request delivered to %d (%s)", r.ChatID, r.Lang)
	}
	got := plain(h, res, 0, "id")
	for _, want := range []string{"Org 1", "mereka menawarkan relawan, yang Anda butuhkan", "Catatan mereka: Mari kerja sama di Flores <3"} {
		if !strings.Contains(got, want) {
			t.Fatalf("request %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "ayu_air") {
		t.Fatal("requester's contact revealed before consent")
	}
	id := strings.TrimPrefix(flowstest.ButtonData(t, res, "mm.btn_accept"), "matchmaking.accept:")

	// One request per pair, either direction.
	flowstest.Alert(t, h.Press(1, "matchmaking.request:2"), "mm.err_pending")
	flowstest.Alert(t, h.Press(2, "matchmaking.request:1"), "mm.err_pending")
	// Only the addressee may answer: not a third user, not the requester.
	flowstest.Alert(t, h.Press(3, "matchmaking.accept:"+id), "errors.not_allowed")
	flowstest.Alert(t, h.Press(1, "matchmaking.accept:"+id), "errors.not_allowed")
	flowstest.Alert(t, h.Press(3, "matchmaking.decline:"+id), "errors.not_allowed")
	flowstest.Alert(t, h.Press(3, "matchmaking.withdraw:"+id), "errors.not_allowed")
	flowstest.Alert(t, h.Press(2, "matchmaking.accept:zzzzzzzzzz"), "errors.bad_button")
	flowstest.Alert(t, h.Press(2, "matchmaking.accept:../x"), "errors.bad_button")

	// B accepts: both get each other's contact. (The harness sends inputs
	// without a username, which clears it: A's is set again here.)
	a, _ := h.Store.GetUser(context.Background(), 1)
	a.Username = "ayu_air"
	h.Store.SaveUser(context.Background(), a)
	res = h.Press(2, "matchmaking.accept:"+id)
	flowstest.WantIDs(t, res, "(clear buttons)", "mm.accepted_you", "mm.accepted_them")
	if got := plain(h, res, 1, "id"); !strings.Contains(got, "@ayu_air — https://t.me/ayu_air") {
		t.Fatalf("B sees %q", got)
	}
	if res.Replies[1].Buttons[0][0].URL != "https://t.me/ayu_air" {
		t.Fatalf("B's button %+v", res.Replies[1].Buttons)
	}
	if r := res.Replies[2]; r.ChatID != 1 || r.Buttons[0][0].URL != "tg://user?id=2" || r.Text.Data["Contact"].(flows.Text).ID != "mm.contact_id" {
		t.Fatalf("A gets %+v", r)
	}
	flowstest.Alert(t, h.Press(2, "matchmaking.accept:"+id), "mm.err_decided")
	flowstest.Alert(t, h.Press(1, "matchmaking.request:2"), "mm.err_connected")
	if cardOf(t, h.Text(1, "/matches")) != 2 {
		t.Fatal("connected partner left the suggestions")
	}

	// A decline tells the requester politely and reveals nothing.
	id = request(t, h, 1, 4)
	res = h.Press(4, "matchmaking.decline:"+id)
	flowstest.WantIDs(t, res, "(clear buttons)", "mm.declined_you", "mm.declined_them")
	if r := res.Replies[2]; r.ChatID != 1 || len(r.Buttons) != 0 || len(r.Text.Data) != 1 {
		t.Fatalf("decline notice %+v", r)
	}
	// The pair cannot ask again for 30 days, either way round.
	flowstest.Alert(t, h.Press(1, "matchmaking.request:4"), "mm.err_cooldown")
	flowstest.Alert(t, h.Press(4, "matchmaking.request:1"), "mm.err_cooldown")
	h.Now = h.Now.Add(29 * 24 * time.Hour)
	flowstest.Alert(t, h.Press(1, "matchmaking.request:4"), "mm.err_cooldown")
	h.Now = h.Now.Add(2 * 24 * time.Hour)
	flowstest.WantIDs(t, h.Press(1, "matchmaking.request:4"), "mm.ask_note")
	h.Text(1, "/cancel")

	// Tampered profile ids: hidden, inactive, unknown, sharing nothing, self.
	for data, want := range map[string]string{
		"matchmaking.request:10": "mm.err_unavailable", "matchmaking.request:8": "mm.err_unavailable", "matchmaking.request:999": "mm.err_unavailable",
		"matchmaking.request:11": "mm.err_unavailable", "matchmaking.request:1": "mm.err_self", "matchmaking.request:abc": "errors.bad_button", "matchmaking.request:-2": "errors.bad_button",
	} {
		flowstest.Alert(t, h.Press(1, data), want)
	}

	res = h.Text(1, "/introductions")
	flowstest.WantIDs(t, res, "mm.intros")
	got = plain(h, res, 0, "en")
	for _, want := range []string{"Connected:", "Org 2 — ", "Not taken up:", "Org 4 — not taken up"} {
		if !strings.Contains(got, want) {
			t.Fatalf("introductions %q lack %q", got, want)
		}
	}
	h.Store.SaveUser(context.Background(), a)
	if res = h.Text(2, "/introductions"); !strings.Contains(plain(h, res, 0, "id"), "Org 1 — @ayu_air") {
		t.Fatalf("B's introductions %q", plain(h, res, 0, "id"))
	}
	flowstest.WantIDs(t, h.Text(3, "/introductions"), "mm.intros_none")
}

func TestIntroductionCap(t *testing.T) {
	h := newHarness(t)
	seedPartner(t, h, pp(1, "ngo", l("education"), l("BA"), l("volunteers"), l("funding")), flows.User{})
	for uid := int64(100); uid < 112; uid++ {
		seedPartner(t, h, pp(uid, "csr", l("education"), l("BA"), l("funding"), nil), flows.User{})
	}
	var first string
	for uid := int64(100); uid < 100+matchmaking.IntroCap; uid++ {
		id := request(t, h, 1, uid)
		if first == "" {
			first = id
		}
	}
	flowstest.Alert(t, h.Press(1, "matchmaking.request:110"), "mm.err_cap")
	// Withdrawing one frees a place; the addressee can no longer accept it.
	res := h.Text(1, "/introductions")
	flowstest.WantIDs(t, res, "mm.intros")
	res = h.Press(1, "matchmaking.withdraw:"+first)
	flowstest.WantIDs(t, res, "(clear buttons)", "mm.withdrawn")
	flowstest.Alert(t, h.Press(100, "matchmaking.accept:"+first), "mm.err_decided")
	request(t, h, 1, 110)
	flowstest.Alert(t, h.Press(1, "matchmaking.request:111"), "mm.err_cap")
}
