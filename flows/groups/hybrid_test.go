package groups_test

import (
	"context"
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// A hybrid workshop's live card counts the seats of both modes (the venue
// full leaves the online seats open) and never shows the online link.
func TestLiveCardHybrid(t *testing.T) {
	h, w := cardFixture(t)
	w.Format, w.OnlineCapacity, w.OnlineURL = flows.FormatHybrid, 1, "https://meet.example.org/rahasia"
	if _, err := h.Store.UpdateWorkshop(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	res := h.Text(31, "/announce")
	res = h.Press(31, flowstest.ButtonData(t, res, "Air bersih"))
	res = h.Press(31, flowstest.ButtonData(t, res, "Forum Air #12"))
	for _, r := range res.Replies {
		if r.ChatID == forum {
			for _, lang := range []string{"id", "en"} {
				if s := h.Render(lang, r.Text); strings.Contains(s, "rahasia") {
					t.Fatalf("the card shows the link: %s", s)
				}
			}
			if err := h.E.Posted(context.Background(), r.Posted, forum, 12, 501); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, uid := range []int64{41, 42} { // the 2 seats on site
		if _, err := h.Store.Register(context.Background(), &flows.Registration{Workshop: w.Code, UserID: uid, RegisteredAt: h.Now,
			Token: flows.NewToken(), Lang: "id", Mode: flows.ModeOnsite}, h.Now); err != nil {
			t.Fatal(err)
		}
	}
	out := refresh(t, h, w)
	if len(out) != 1 {
		t.Fatalf("card: %+v", out)
	}
	seats := out[0].Text.Data["Seats"].(flows.Text)
	if seats.ID != "groups.card_seats" || seats.Data["Count"] != 1 {
		t.Fatalf("seats of a hybrid workshop with its venue full: %+v", seats)
	}
	for _, lang := range []string{"id", "en"} {
		if s := h.Render(lang, out[0].Text); strings.Contains(s, "rahasia") {
			t.Fatalf("the card shows the link: %s", s)
		}
	}
}
