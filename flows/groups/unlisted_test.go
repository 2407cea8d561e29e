package groups_test

import (
	"context"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// An unlisted workshop is found by its link only: not in /workshops, in a
// group's /workshops, nor posted as a group card (the announcement is
// refused with why); listed again, it is back.
func TestUnlistedWorkshop(t *testing.T) {
	h, w := cardFixture(t)
	ctx := context.Background()
	res := h.Press(31, "workshops.manage:"+w.Code)
	res = h.Press(31, flowstest.ButtonData(t, res, "visibility.btn_listed"))
	if res.Answer == nil || res.Answer.Text.ID != "visibility.unlisted" {
		t.Fatalf("answer %+v", res.Answer)
	}
	flowstest.ButtonData(t, res, "visibility.btn_unlisted") // the card says so
	if got, _ := h.Store.GetWorkshop(ctx, w.Code); !got.Unlisted {
		t.Fatal("not saved unlisted")
	}
	flowstest.WantIDs(t, h.Text(40, "/workshops"), "ws.none_upcoming")
	res = h.Send(55, flows.Input{ChatID: forum, Thread: 12, Kind: flows.KindCommand, Command: "workshops", Text: "/workshops"})
	flowstest.WantIDs(t, res, "groups.no_upcoming")
	flowstest.Alert(t, h.Press(31, "groups.announce:"+w.Code), "groups.unlisted")
	flowstest.Alert(t, h.Press(31, "groups.post:"+w.Code+":-1001:12"), "groups.unlisted")
	// Its link still finds it.
	if res := h.Text(40, "/start ws_"+w.Code); res.Replies[len(res.Replies)-1].Text.ID != "ws.card" {
		t.Fatalf("by its link: %v", flowstest.IDs(res))
	}
	h.Press(31, "workshops.visibility:"+w.Code)
	res = h.Text(40, "/workshops")
	flowstest.WantIDs(t, res, "ws.upcoming_title")
}
