package flows_test

import (
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// More fuzz targets for hostile input. Their seeds run with every `go test`;
// explore with e.g. `go test -fuzz FuzzCallbackData -fuzztime 10m ./flows/`.
// Seeds may use the placeholders of authzTable ({code}, {cm}, {token} …),
// filled from the fixture, so they reach real objects.

// FuzzDeepLinkPayload routes arbitrary /start payloads — typed, and pasted as
// a t.me link — for each actor: nothing panics or fails, every reply renders
// (harness.check), and a participant changes nothing of anyone else's.
func FuzzDeepLinkPayload(f *testing.F) {
	for _, s := range []string{
		"", "ws_{code}", "ws_{other}", "ws_zzzzzz", "ws_", "checkin_{token}", "checkin_" + strings.Repeat("A", 22),
		"invite_", "invite_" + strings.Repeat("x", 22), "_", "__", "ws__", "ws_{code}_x", "WS_{code}", "checkin_{token}\n",
		"ws_<b>", "ws_../../etc", "ws_" + strings.Repeat("a", 80), "m_grant", "ws_{code} extra", "\u202ews_{code}", "ws_\x00",
	} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, payload string, who uint8) {
		fx := newAuthzFixture(t)
		a := authzActors[int(who)%len(authzActors)]
		payload = fx.fill(payload)
		before := fx.h.Store.OthersSnapshot(t, a.id)
		fx.h.Text(a.id, "/start "+payload)
		fx.h.Text(a.id, "https://t.me/sinergi_test_bot?start="+payload)
		fx.h.Text(a.id, "/cancel")
		if a.id == actParticipant {
			if after := fx.h.Store.OthersSnapshot(t, a.id); after != before {
				t.Fatalf("participant's /start %q changed others' state:\nbefore %s\nafter  %s", payload, before, after)
			}
		}
	})
}

// FuzzCallbackData presses arbitrary callback data as each actor: nothing
// panics or fails, every answer and reply renders, and a participant never
// changes anyone else's state (their own registration, language … may).
func FuzzCallbackData(f *testing.F) {
	for _, r := range authzTable {
		if !r.isCommand() {
			f.Add(r.Action, uint8(0))
			f.Add(r.Action, uint8(1))
		}
	}
	for _, s := range []string{
		// The routes by their names,
		"", ":", "::::", "registration.join:{code}", "registration.show:{code}", "registration.list:0", "registration.list:-1", "registration.list:99999999999999999999", "workshops.mine:-5", "workshops.registrants:{code}:-1",
		"workshops.registrants:{code}:999", "followup.status:{code}:{cm}:blocked", "followup.status:{code}:{cm}:", "followup.status:{code}::done", "followup.owner_answer:{code}:{cmp}", "registration.feedback:{code}:0",
		"registration.feedback:{code}:6", "registration.feedback:{code}:", "matchmaking.suggestion:a:b", "matchmaking.suggestion:0:-1", "matchmaking.filter:p:-1", "matchmaking.request:2", "matchmaking.request:-1", "matchmaking.hide:3:0:0", "matchmaking.profile:dy", "matchmaking.accept:intro00001",
		"broadcast.updates:x", "core.language:en", "core.language:", "core.menu:", "core.menu:m:m", "core.step::", "roles.invite:participant", "broadcast.cancel:", "broadcast.cancel:{bc}:x", "audit.export:", "workshops.manage:{other}",
		"workshops.cancel_yes:{code}:{code}", "followup.forum_report:", strings.Repeat("a", 64), "workshops.manage:" + strings.Repeat("z", 60), "a\x00:b", "workshops.manage:{code}\n",
		// and by their legacy names (buttons sent before namespaces).
		"", ":", "::::", "reg:{code}", "ws:{code}", "wl:0", "wl:-1", "wl:99999999999999999999", "mws:-5", "wmr:{code}:-1",
		"wmr:{code}:999", "cms:{code}:{cm}:blocked", "cms:{code}:{cm}:", "cms:{code}::done", "cmo:{code}:{cmp}", "fb:{code}:0",
		"fb:{code}:6", "fb:{code}:", "mm:a:b", "mm:0:-1", "mmf:p:-1", "mmi:2", "mmi:-1", "mmx:3:0:0", "mmp:dy", "mmok:intro00001",
		"set:x", "lang:en", "lang:", "m:", "m:m:m", "s::", "grant:participant", "bcx:", "bcx:{bc}:x", "aud:", "wm:{other}",
		"wmky:{code}:{code}", "rpa:", strings.Repeat("a", 64), "wm:" + strings.Repeat("z", 60), "a\x00:b", "wm:{code}\n",
	} {
		for who := range uint8(4) {
			f.Add(s, who)
		}
	}
	f.Fuzz(func(t *testing.T, data string, who uint8) {
		fx := newAuthzFixture(t)
		a := authzActors[int(who)%len(authzActors)]
		data = fx.fill(data)
		before := fx.h.Store.OthersSnapshot(t, a.id)
		res := fx.h.Send(a.id, flows.Input{Kind: flows.KindCallback, Callback: data, MessageID: 42})
		if a.id == actParticipant {
			if after := fx.h.Store.OthersSnapshot(t, a.id); after != before {
				t.Fatalf("participant's press %q (answer %+v, replies %v) changed others' state:\nbefore %s\nafter  %s",
					data, res.Answer, flowstest.IDs(res), before, after)
			}
		}
		if res.Answer != nil && res.Answer.Text.ID == "" {
			t.Fatalf("press %q: answer without text", data)
		}
	})
}
