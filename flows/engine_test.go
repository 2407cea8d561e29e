package flows_test

import (
	"context"
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

func TestStartGuessesLanguage(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		code, want string
	}{{"en-US", "en"}, {"id", "id"}, {"ms", "id"}, {"", "id"}} {
		id := int64(len(c.code) + 10)
		res := h.Send(id, flows.Input{Kind: flows.KindCommand, Command: "start", LangCode: c.code})
		flowstest.WantIDs(t, res, "start.welcome")
		if res.User.Lang != c.want {
			t.Errorf("language_code %q: lang %q, want %q", c.code, res.User.Lang, c.want)
		}
		if len(res.Replies[0].Buttons) == 0 {
			t.Error("welcome has no menu")
		}
	}
}

func TestLanguageSwitchKeepsFlow(t *testing.T) {
	h := newHarness(t)
	h.Text(1, "/profile")
	res := h.Text(1, "/language")
	flowstest.WantIDs(t, res, "language.choose")
	res = h.Press(1, flowstest.ButtonData(t, res, "language.name.en"))
	if res.User.Lang != "en" || !res.User.LangSet {
		t.Fatalf("user %+v", res.User)
	}
	flowstest.WantIDs(t, res, "language.set", "profile.ask_name")
	if !res.Session.Active() {
		t.Fatal("language switch left the flow")
	}
}

func TestCancelAndHelp(t *testing.T) {
	h := newHarness(t)
	flowstest.WantIDs(t, h.Text(4, "/cancel"), "cancel.nothing")
	h.Text(4, "/profile")
	flowstest.WantIDs(t, h.Text(4, "/help"), "help.text", "profile.ask_name")
	res := h.Text(4, "/cancel")
	flowstest.WantIDs(t, res, "cancel.done")
	if res.Session.Active() {
		t.Fatal("still in a flow after /cancel")
	}
	flowstest.WantIDs(t, h.Text(4, "hello"), "errors.not_understood")
}

func TestBadInput(t *testing.T) {
	h := newHarness(t)
	flowstest.WantIDs(t, h.Text(5, "/frobnicate"), "errors.unknown_command")
	for _, payload := range []string{"zzz_abc", "ws_", "invite_", "!!!_x", strings.Repeat("a", 80), "invite_notAToken"} {
		res := h.Text(5, "/start "+payload)
		if got := flowstest.IDs(res)[0]; got != "start.bad_link" && got != "grant.invite_invalid" {
			t.Errorf("payload %q: %v", payload, flowstest.IDs(res))
		}
	}
	// A step button from a finished flow, a tampered nonce, unknown routes
	// and oversized or odd data: refused with an alert, nothing changes.
	h.Text(5, "/profile")
	h.Text(5, "Budi")
	res := h.Text(5, "Org")
	old := flowstest.ButtonData(t, res, "sector.ngo")
	h.Text(5, "/cancel")
	for _, data := range []string{old, "core.step:zzzz:ngo", "xx:1", "core.menu:nosuch", "core.menu:../etc", "core.language:fr",
		strings.Repeat("s", 70), "", "roles.invite:admin", "core.nosuch:1", "registration:x", "registration.:x", "Core.step:x",
		"s:zzzz:ngo", "m:nosuch", "m:../etc", "lang:fr", "grant:admin"} { // the same by legacy names
		res := h.Press(5, data)
		if res.Answer == nil || !res.Answer.Alert || len(res.Replies) != 0 {
			t.Errorf("callback %q: answer %+v replies %v", data, res.Answer, flowstest.IDs(res))
		}
		if res.Session.Active() || res.User.Lang != "id" || res.User.Role != flows.RoleParticipant {
			t.Errorf("callback %q changed state: %+v %+v", data, res.Session, res.User)
		}
	}
	if _, err := h.Store.GetProfile(context.Background(), 5); err != flows.ErrNotFound {
		t.Fatal("a profile was stored")
	}
}

func TestRolesAreCheckedOnEveryInput(t *testing.T) {
	h := newHarness(t)
	flowstest.WantIDs(t, h.Text(6, "/grant"), "errors.not_allowed")
	res := h.Press(6, "roles.invite:facilitator")
	if res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
		t.Fatalf("participant pressing an admin button: %+v", res.Answer)
	}
	if res := h.Press(6, "core.menu:grant"); res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
		t.Fatalf("participant pressing the admin menu item: %+v", res.Answer)
	}
	// The menu shows the admin item only to admins.
	for _, c := range []struct {
		id   int64
		want bool
	}{{6, false}, {flowstest.AdminID, true}} {
		res := h.Text(c.id, "/menu")
		has := false
		for _, row := range res.Replies[0].Buttons {
			for _, b := range row {
				has = has || b.Data == "core.menu:grant"
			}
		}
		if has != c.want {
			t.Errorf("user %d sees grant in menu: %v", c.id, has)
		}
	}
}

func TestInviteAndGrant(t *testing.T) {
	h := newHarness(t)
	res := h.Text(flowstest.AdminID, "/grant")
	flowstest.WantIDs(t, res, "grant.choose")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "grant.invite_facilitator"))
	flowstest.WantIDs(t, res, "grant.invite_link")
	link := res.Replies[0].Text.Data["Link"].(string)
	payload := strings.TrimPrefix(link, "https://t.me/sinergi_test_bot?start=")
	if payload == link || len(payload) > 64 || !strings.HasPrefix(payload, "invite_") {
		t.Fatalf("link %q", link)
	}
	res = h.Text(7, "/start "+payload)
	if res.User.Role != flows.RoleFacilitator {
		t.Fatalf("role after invite: %v", res.User.Role)
	}
	flowstest.WantIDs(t, res, "grant.you_are", "grant.invite_used")
	if res.Replies[1].ChatID != flowstest.AdminID {
		t.Errorf("inviter not told: %+v", res.Replies[1])
	}
	flowstest.WantIDs(t, h.Text(8, "/start "+payload), "grant.invite_invalid")

	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "/grant 12345 facilitator"), "grant.unknown_user")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "/grant abc facilitator"), "grant.usage")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "/grant 8 wizard"), "grant.usage")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "/grant 900 participant"), "grant.configured_admin")
	res = h.Text(flowstest.AdminID, "/grant 7 participant")
	flowstest.WantIDs(t, res, "grant.done", "grant.you_are")
	if u, _ := h.Store.GetUser(context.Background(), 7); u.Role != flows.RoleParticipant {
		t.Fatalf("revoked role: %v", u.Role)
	}
}

func TestSessionFromAnotherBuildIsReset(t *testing.T) {
	h := newHarness(t)
	h.Sess[9] = &flows.Session{Version: flows.SessionVersion, Flow: "retired", Step: "x"}
	res := h.Text(9, "hello")
	flowstest.WantIDs(t, res, "flow.reset", "errors.not_understood")
	h.Sess[9] = &flows.Session{Version: flows.SessionVersion + 1, Flow: "profile", Step: "name"}
	flowstest.WantIDs(t, h.Text(9, "hello"), "flow.reset", "errors.not_understood")
	h.Sess[9] = &flows.Session{Version: flows.SessionVersion, Flow: "profile", Step: "gone"}
	flowstest.WantIDs(t, h.Text(9, "hello"), "flow.reset", "errors.not_understood")
}

func TestGroupChats(t *testing.T) {
	h := newHarness(t)
	res := h.Send(10, flows.Input{Kind: flows.KindText, Text: "hi all", ChatID: -100})
	if len(res.Replies) != 0 {
		t.Fatalf("answered group chatter: %v", flowstest.IDs(res))
	}
	res = h.Send(10, flows.Input{Kind: flows.KindCommand, Command: "profile", ChatID: -100})
	flowstest.WantIDs(t, res, "group.private_only")
	if res.Session.Active() {
		t.Fatal("a flow started in a group")
	}
}

func TestCommandsPublished(t *testing.T) {
	h := newHarness(t)
	part := h.E.Commands(flows.RoleParticipant)
	admin := h.E.Commands(flows.RoleAdmin)
	if part[0].Name != "start" || len(admin) <= len(part) {
		t.Fatalf("participant %v admin %v", part, admin)
	}
	for _, c := range part {
		if c.Name == "grant" {
			t.Fatal("admin command published to participants")
		}
	}
}

// An update that changes nothing about the user does not rewrite the record.
func TestUserWrittenOnlyWhenChanged(t *testing.T) {
	h := newHarness(t)
	if res := h.Text(20, "/start"); !res.UserChanged {
		t.Fatal("new user not marked changed")
	}
	if res := h.Text(20, "/help"); res.UserChanged {
		t.Fatal("unchanged user marked changed")
	}
	// Contact dates are kept for users who consented (see
	// TestNothingPersonalBeforeConsent).
	h.Store.EditUser(20, func(u *flows.User) { u.Consent = flows.ConsentVersion })
	h.Now = h.Now.Add(2 * flows.SeenEvery)
	if res := h.Text(20, "/help"); !res.UserChanged || !res.User.Seen.Equal(h.Now) {
		t.Fatalf("stale Seen not refreshed: %+v", res.User)
	}
	res := h.Press(20, "core.language:en")
	if !res.UserChanged {
		t.Fatal("language change not marked")
	}
}

// Before consent a user record holds only what answering needs: id and
// language; name, @username and dates come with consent and go with its
// withdrawal. A group sender gets no record at all (#13.7).
func TestNothingPersonalBeforeConsent(t *testing.T) {
	h := newHarness(t)
	res := h.Send(21, flows.Input{Kind: flows.KindCommand, Command: "start", Text: "/start", FirstName: "Sari", Username: "sari_w"})
	want := flows.User{ID: 21, Lang: "id"}
	if !res.UserChanged || *res.User != want {
		t.Fatalf("first contact stores %+v, want %+v", *res.User, want)
	}
	flowstest.WantIDs(t, res, "start.welcome")
	if res.Replies[0].Text.Data["Name"] != "Sari" {
		t.Fatalf("greeting without the name: %+v", res.Replies[0].Text)
	}
	// Consent (the profile flow) brings the name.
	h.Text(21, "/profile")
	h.Text(21, "Sari Wulandari")
	res = h.Text(21, "Yayasan Air")
	h.Press(21, flowstest.ButtonData(t, res, "sector.ngo"))
	res = h.Text(21, "NTT")
	res = h.Press(21, flowstest.ButtonData(t, res, "privacy.agree"))
	if res.User.Consent != flows.ConsentVersion || res.User.FirstName == "" || res.User.Created.IsZero() {
		t.Fatalf("after consent: %+v", *res.User)
	}
	// A group command from someone unknown stores nothing.
	res = h.Send(22, flows.Input{Kind: flows.KindCommand, Command: "start", Text: "/start", ChatID: -100, FirstName: "Budi", Username: "budi"})
	if res.UserChanged {
		t.Fatalf("a group sender became a member: %+v", *res.User)
	}
}

// When the privacy notice changes, a user with stored data is asked again
// before anything else; declining removes their profile.
func TestConsentAskedAgainWhenNoticeChanges(t *testing.T) {
	h := newHarness(t)
	h.Text(40, "/profile")
	h.Text(40, "Sari")
	res := h.Text(40, "Org")
	h.Press(40, flowstest.ButtonData(t, res, "sector.ngo"))
	res = h.Text(40, "Bali")
	h.Press(40, flowstest.ButtonData(t, res, "privacy.agree"))
	if u, _ := h.Store.GetUser(context.Background(), 40); u.Consent != flows.ConsentVersion {
		t.Fatalf("consent version %q", u.Consent)
	}
	h.Text(41, "/start") // no data stored: never asked

	// A new notice version.
	h.E = flows.New(flows.Config{BotUsername: "sinergi_test_bot", Admins: []int64{flowstest.AdminID}, DefaultLang: "id", ConsentVersion: "2027-01"}, h.Store, h.Texts, flowstest.AllModules(h.Store)...)
	flowstest.WantIDs(t, h.Text(41, "/start"), "start.welcome")
	res = h.Text(40, "/workshops")
	flowstest.WantIDs(t, res, "privacy.changed", "privacy.notice")
	if res := h.Press(40, "core.menu:profile"); res.Answer == nil || res.Answer.Text.ID != "privacy.again_first" {
		t.Fatalf("another button before answering: %+v", res.Answer)
	}
	res = h.Press(40, "core.step:"+h.Sess[40].Nonce+":yes")
	flowstest.WantIDs(t, res, "(clear buttons)", "privacy.thanks")
	p, _ := h.Store.GetProfile(context.Background(), 40)
	if p.ConsentVersion != "2027-01" || !p.ConsentAt.Equal(h.Now) {
		t.Fatalf("profile consent %+v", p)
	}
	flowstest.WantIDs(t, h.Text(40, "/workshops"), "ws.none_upcoming")

	// Declining the next version removes the profile.
	h.E = flows.New(flows.Config{BotUsername: "sinergi_test_bot", DefaultLang: "id", ConsentVersion: "2027-06"}, h.Store, h.Texts, flowstest.AllModules(h.Store)...)
	h.Text(40, "/help")
	flowstest.WantIDs(t, h.Press(40, "core.step:"+h.Sess[40].Nonce+":no"), "(clear buttons)", "privacy.withdrawn")
	if _, err := h.Store.GetProfile(context.Background(), 40); err != flows.ErrNotFound {
		t.Fatal("profile kept after consent was withdrawn")
	}
	flowstest.WantIDs(t, h.Text(40, "/help"), "help.text")
}

// Seeing and deleting one's data never waits for a changed notice.
func TestDataRightsBypassConsentGate(t *testing.T) {
	h := newHarness(t)
	h.Store.SaveUser(context.Background(), &flows.User{ID: 42, Lang: "en", Consent: "2020-01"})
	res := h.Text(42, "/mydata")
	if len(res.Replies) == 0 || res.Replies[0].Text.ID == "privacy.changed" {
		t.Fatalf("/mydata gated: %v", flowstest.IDs(res))
	}
	res = h.Text(42, "/forgetme")
	if len(res.Replies) == 0 || res.Replies[0].Text.ID == "privacy.changed" {
		t.Fatalf("/forgetme gated: %v", flowstest.IDs(res))
	}
}
