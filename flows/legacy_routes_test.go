package flows_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// legacyRoutes are the route names from before namespaces (#14), which
// buttons already in users' chats carry, with the route each must still
// reach; docs/architecture.md lists them and says when they can go. Each has
// a press that does something (payload with the authzTable placeholders, and
// who presses), compared between the two names; setup is typed first.
var legacyRoutes = []struct {
	legacy, name, payload string
	who                   int64
	setup                 []string
}{
	{"s", "core.step", "{nonce}:" + flows.SkipValue, flowstest.AdminID, []string{"/newworkshop", "Judul lokakarya"}},
	{"m", "core.menu", "workshops", 2, nil},
	{"lang", "core.language", "en", 2, nil},

	{"wl", "registration.list", "0", actParticipant, nil},
	{"ws", "registration.show", "{code}", actParticipant, nil},
	{"reg", "registration.join", "{code}", actParticipant, nil},
	{"unreg", "registration.leave", "{code}", 2, nil},
	{"unregy", "registration.leave_yes", "{code}", 4, nil},
	{"fb", "registration.feedback", "{code}:5", 2, nil},
	{"att", "registration.online", "{code}", 4, nil},

	{"mws", "workshops.mine", "0", flowstest.AdminID, nil},
	{"wm", "workshops.manage", "{code}", actOwnFac, nil},
	{"wmr", "workshops.registrants", "{code}:0", actOwnFac, nil},
	{"wmx", "workshops.export", "{code}", actOwnFac, nil},
	{"wme", "workshops.edit", "{code}", actOwnFac, nil},
	{"wmc", "workshops.toggle_closed", "{code}", actOwnFac, nil},
	{"wmk", "workshops.cancel", "{code}", actOwnFac, nil},
	{"wmky", "workshops.cancel_yes", "{code}", actOwnFac, nil},
	{"wmf", "workshops.feedback", "{code}", actOwnFac, nil},

	{"cmn", "followup.commit", "{code}", 2, nil},
	{"cmo", "followup.owner_answer", "{code}:{cmp}:y", 2, nil},
	{"cmu", "followup.update", "{code}:{cm}", 2, nil},
	{"cms", "followup.status", "{code}:{cm}:done", 2, nil},
	{"wmo", "followup.collect", "{code}", actOwnFac, nil},
	{"wmci", "followup.checkins", "{code}", actOwnFac, nil},
	{"rp", "followup.report", "{code}", actOwnFac, nil},
	{"rpa", "followup.forum_report", "all", flowstest.AdminID, nil},

	{"mm", "matchmaking.suggestion", "a:0", 2, nil},
	{"mmx", "matchmaking.hide", "3:a:0", 2, nil},
	{"mmf", "matchmaking.filter", "t", 2, nil},
	{"mmi", "matchmaking.request", "3", 2, nil},
	{"mmok", "matchmaking.accept", "{intro}", 3, nil},
	{"mmno", "matchmaking.decline", "{intro}", 3, nil},
	{"mmw", "matchmaking.withdraw", "{intro}", 2, nil},
	{"mmp", "matchmaking.profile", "e", 2, nil},

	{"bcx", "broadcast.cancel", "{bc}", flowstest.AdminID, nil},
	{"set", "broadcast.updates", "off", 2, nil},
	{"grant", "roles.invite", "facilitator", flowstest.AdminID, nil},
	{"aud", "audit.export", "csv", flowstest.AdminID, nil},
	{"priv", "privacy.forget", "yes", 2, nil},
}

// The engine keeps exactly these legacy names, each for its route: dropping
// or changing one is a decision made here (and in docs/architecture.md).
func TestLegacyRouteNames(t *testing.T) {
	got := map[string]string{}
	for _, r := range newHarness(t).E.Routes() {
		if r.Legacy != "" {
			got[r.Legacy] = r.Name
		}
	}
	want := map[string]string{}
	for _, l := range legacyRoutes {
		want[l.legacy] = l.name
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("legacy route names\n got %v\nwant %v", got, want)
	}
}

var nonceInData = regexp.MustCompile(`^core\.step:[a-z0-9]+:`)

// outcome is what a press did, with the fixture's codes and a step nonce
// put back as placeholders, so that two fixtures compare (the buttons
// sorted: the fixture's two workshops start together, so list in the order
// of their random codes).
func (f *authzFixture) outcome(res *flows.Result, changed bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "replies %v; changed %v", flowstest.IDs(res), changed)
	if res.Answer != nil {
		fmt.Fprintf(&b, "; answer %s alert %v", res.Answer.Text.ID, res.Answer.Alert)
	}
	if res.Session.Active() {
		fmt.Fprintf(&b, "; flow %s at %s", res.Session.Flow, res.Session.Step)
	}
	var data []string
	for _, r := range res.Replies {
		for _, row := range r.Buttons {
			for _, btn := range row {
				d := nonceInData.ReplaceAllString(btn.Data, "core.step:{nonce}:")
				// Whole fields only: a short id (a commitment's) can
				// occur inside a random workshop code.
				fields := strings.Split(d, ":")
				for i, fld := range fields {
					for k, v := range f.vars {
						if fld == v {
							fields[i] = k
						}
					}
				}
				data = append(data, strings.Join(fields, ":"))
			}
		}
	}
	slices.Sort(data)
	return b.String() + "; buttons " + strings.Join(data, " ")
}

// A button sent before namespaces does, pressed now, what the same button
// with the route's name does: same replies, answer, flow, buttons and change
// to the store. The press by the legacy name is reported in
// Result.LegacyRoute.
func TestLegacyNamesBehaveAsTheirRoutes(t *testing.T) {
	for _, l := range legacyRoutes {
		t.Run(l.legacy, func(t *testing.T) {
			press := func(route string) (string, *flows.Result) {
				f := newAuthzFixture(t)
				for _, s := range l.setup {
					f.h.Text(l.who, s)
				}
				payload := l.payload
				if s := f.h.Sess[l.who]; s != nil {
					payload = strings.ReplaceAll(payload, "{nonce}", s.Nonce)
				}
				before := f.h.Store.Snapshot(t)
				res := f.run(actor{id: l.who}, route+":"+f.fill(payload), false)
				return f.outcome(res, f.h.Store.Snapshot(t) != before), res
			}
			now, res := press(l.name)
			if res.LegacyRoute != "" {
				t.Errorf("pressed by its name, LegacyRoute %q", res.LegacyRoute)
			}
			if res.Answer != nil && (res.Answer.Text.ID == "errors.bad_button" || res.Answer.Text.ID == "errors.not_allowed") {
				t.Fatalf("%s:%s refused: %s", l.name, l.payload, now)
			}
			old, res := press(l.legacy)
			if res.LegacyRoute != l.legacy {
				t.Errorf("pressed by %q, LegacyRoute %q", l.legacy, res.LegacyRoute)
			}
			if old != now {
				t.Fatalf("%s:%s and %s:%s differ:\n%s\n%s", l.legacy, l.payload, l.name, l.payload, old, now)
			}
		})
	}
}

// newRoutes came after namespaces: no button ever carried another name.
var newRoutes = map[string]bool{
	"workshops.team": true, "workshops.team_invite": true, "workshops.team_remove": true, "workshops.team_revoke": true,
	"workshops.handover": true, "workshops.handover_yes": true, "workshops.team_leave": true,
	"workshops.team_leave_yes": true, "workshops.message": true, "workshops.message_to": true,
	"groups.link": true, "groups.unlink": true, "groups.announce": true, "groups.post": true,
	"workshops.promotion": true, "workshops.offer_for": true, "workshops.approval": true,
	"workshops.reports_to": true, "workshops.group_summary": true,
	"registration.accept": true, "registration.decline": true, "registration.pending": true,
	"registration.approve": true, "registration.reject": true, "registration.approve_all": true,
	"workshops.form": true, "workshops.form_add": true, "workshops.form_delete": true, "registration.answers": true,
	"registration.door": true, "registration.door_in": true, "workshops.clone": true, "workshops.series": true,
	"workshops.visibility": true,
	"agenda.manage":        true, "agenda.add": true, "agenda.edit": true, "agenda.delete": true, "agenda.del_yes": true,
	"agenda.list": true, "agenda.export": true, "agenda.choose": true, "agenda.join": true, "agenda.leave": true, "agenda.ics": true,

	// Invitations to invite-only workshops.
	"workshops.invite_only": true, "workshops.invites": true, "workshops.inv_personal": true, "workshops.inv_org": true,
	"workshops.inv_revoke": true, "workshops.inv_export": true,
	"attendance.show": true, "attendance.csv": true, "attendance.fix": true, "attendance.person": true, "attendance.set": true,
	"attendance.sessions": true, "attendance.session": true, "attendance.mark": true, "attendance.s_find": true, "attendance.here": true,
	"certificates.get": true, "certificates.send": true, "certificates.team": true, "certificates.send_all": true,
	"meetings.team": true, "meetings.setup": true, "meetings.grid": true, "meetings.auto": true,
	"registration.join_as": true, "registration.switch": true,
	"surveys.manage": true, "surveys.edit": true, "surveys.results": true, "surveys.funnel": true, "surveys.start": true,
}

// The authorisation matrix holds for the legacy names too: every privileged
// button sent before namespaces is refused and allowed as its route is.
func TestAuthorizationMatrixLegacyNames(t *testing.T) {
	legacy := map[string]string{}
	for _, l := range legacyRoutes {
		legacy[l.name] = l.legacy
	}
	isNew := map[string]bool{} // routes added after namespaces: no legacy name
	for _, r := range newHarness(t).E.Routes() {
		isNew[r.Name] = r.Legacy == ""
	}
	n := 0
	for _, row := range authzTable {
		name, payload, ok := strings.Cut(row.Action, ":")
		if row.isCommand() || !ok || isNew[name] {
			continue
		}
		old, ok := legacy[name]
		if !ok {
			if !newRoutes[name] {
				t.Errorf("%s: no legacy name", row.Action)
			}
			continue
		}
		n++
		for i, a := range authzActors {
			t.Run(old+":"+payload+"/"+a.title, func(t *testing.T) { checkAuthz(t, row, i, a, old+":"+payload) })
		}
	}
	if n < 25 {
		t.Fatalf("only %d rows", n)
	}
}

// The consent gate lets through, by their legacy names too, the buttons it
// lets through by their names: forgetting, the language and the notice's
// own step buttons.
func TestConsentGateLegacyNames(t *testing.T) {
	for _, c := range []struct{ legacy, name string }{{"priv", "privacy.forget"}, {"lang", "core.language"}, {"s", "core.step"}} {
		for _, route := range []string{c.name, c.legacy} {
			h := newHarness(t)
			res := flowstest.FillProfile(t, h, 40, h.Text(40, "/profile"))
			if u, _ := h.Store.GetUser(t.Context(), 40); u.Consent != flows.ConsentVersion {
				t.Fatalf("consent %q (%v)", u.Consent, flowstest.IDs(res))
			}
			h.E = flows.New(flows.Config{BotUsername: "sinergi_test_bot", Admins: []int64{flowstest.AdminID}, DefaultLang: "id", ConsentVersion: "2099-01"},
				h.Store, h.Texts, flowstest.AllModules(h.Store)...)
			flowstest.WantIDs(t, h.Text(40, "/help"), "privacy.changed", "privacy.notice")
			if res := h.Press(40, "core.menu:workshops"); res.Answer == nil || res.Answer.Text.ID != "privacy.again_first" {
				t.Fatalf("the menu before answering: %+v", res.Answer)
			}
			payload := map[string]string{"privacy.forget": "no", "core.language": "en", "core.step": h.Sess[40].Nonce + ":yes"}[c.name]
			res = h.Press(40, route+":"+payload)
			if res.Answer != nil && res.Answer.Text.ID == "privacy.again_first" || len(res.Replies) == 0 {
				t.Fatalf("%s:%s held by the consent gate: %+v %v", route, payload, res.Answer, flowstest.IDs(res))
			}
		}
	}
}
