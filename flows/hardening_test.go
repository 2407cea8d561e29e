package flows

import (
	"strings"
	"testing"
)

// A commitment written for someone else shows that person's name, never
// their Telegram id (issue #13, point 11).
func TestCommitmentForSomeoneShowsName(t *testing.T) {
	h, code := followUpSetup(t)
	h.press(2, "cmn:"+code)
	h.text(2, "Data baseline desa")
	h.press(2, "s:"+h.sess[2].Nonce+":3")
	res := h.text(2, "20/01/2027")
	res = h.press(2, button(t, res, "cm.skip"))
	res = h.press(2, button(t, res, "cm.skip"))
	wantIDs(t, res, "(clear buttons)", "cm.summary")
	got := h.rendered("en", res)
	if !strings.Contains(got, "👤 Peserta 3") || strings.Contains(got, "👤 3") {
		t.Fatalf("summary names the owner by id:\n%s", got)
	}
}
