package flows_test

import (
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// FuzzEngine feeds arbitrary inputs — any kind, text, callback data or
// deep-link payload — to a user who may be in the middle of a flow. Nothing
// may panic, fail, or produce a reply that does not render or a button with
// invalid data. The seeds run with every `go test`; explore further with
// `go test -fuzz FuzzEngine ./flows/`.
func FuzzEngine(f *testing.F) {
	for _, s := range []struct {
		kind       uint8
		text, data string
	}{
		{1, "/start ws_abcdef", ""}, {1, "/start checkin_" + strings.Repeat("A", 22), ""}, {1, "/start invite_x", ""},
		{1, "/newworkshop", ""}, {1, "/commit", ""}, {1, "/broadcast", ""}, {1, "/partner", ""}, {1, "/matches", ""},
		{0, "<b>Tom & Jerry</b>", ""}, {0, "31/02/2026 25:61", ""}, {0, "https://t.me/sinergi_test_bot?start=ws_zzzzzz", ""},
		{2, "", "core.step:zzzz:ngo"}, {2, "", "registration.join:abcdef"}, {2, "", "workshops.manage:abcdef"}, {2, "", "followup.status:abcdef:x:done"}, {2, "", "broadcast.cancel:abcdef"},
		{2, "", "matchmaking.suggestion:1:2:3"}, {2, "", "core.language:xx"}, {2, "", "core.menu:grant"}, {2, "", ":::"},
		{2, "", "s:zzzz:ngo"}, {2, "", "reg:abcdef"}, {2, "", "wm:abcdef"}, {2, "", "cms:abcdef:x:done"}, {2, "", "bcx:abcdef"},
		{2, "", "mm:1:2:3"}, {2, "", "lang:xx"}, {2, "", "m:grant"}, {2, "", ":::"}, {3, "", ""}, {4, "", ""},
	} {
		f.Add(s.kind, s.text, s.data, false)
		f.Add(s.kind, s.text, s.data, true)
	}
	f.Fuzz(func(t *testing.T, kind uint8, text, data string, admin bool) {
		h := newHarness(t)
		id := int64(77)
		if admin {
			id = flowstest.AdminID
		}
		h.Text(id, "/profile") // start inside a flow
		in := flows.Input{Kind: flows.Kind(kind % 6), Text: text, Callback: data, MessageID: 3}
		if in.Kind == flows.KindCommand {
			cmd, args, _ := strings.Cut(strings.TrimPrefix(text, "/"), " ")
			in.Command, in.Args = strings.ToLower(cmd), args
		}
		h.Send(id, in) // send fails the test on an error; check validates every reply
		h.Text(id, "/cancel")
		h.Send(id, in)
	})
}
