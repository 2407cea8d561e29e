package bot_test

import (
	"strconv"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
)

// A question asked with buttons and answered by typing (the time zone
// typed instead of tapped, a date instead of the calendar) loses its
// buttons, as a tap would take them away: no old keyboard stays live (#15).
func TestTypedAnswerTakesTheButtonsAway(t *testing.T) {
	e := newEnv(t)
	e.start()
	fac := telegramtest.User{ID: adminID, FirstName: "Fasilitator", LanguageCode: "en"}
	e.fake.SendText(fac, "/newworkshop")
	e.skip(fac.ID, 1)
	contains(t, e.next(fac.ID), "title")
	e.fake.SendText(fac, "Lokakarya Air")
	desc := e.next(fac.ID)
	e.fake.Press(fac, desc.ID, buttonData(t, desc, "No description"))
	zone := e.next(fac.ID)
	if len(zone.Buttons) == 0 {
		t.Fatalf("the zone question has no buttons: %q", zone.Plain)
	}
	e.fake.SendText(fac, "WITA") // typed, not tapped
	contains(t, e.next(fac.ID), "start")
	call, err := e.fake.WaitCall(5*time.Second, func(c telegramtest.Call) bool {
		return c.Method == "editMessageReplyMarkup" && c.Params["message_id"] == strconv.Itoa(zone.ID)
	})
	if err != nil {
		t.Fatalf("the zone question kept its buttons: %v", err)
	}
	if call.ErrorCode != 0 {
		t.Fatalf("clearing the keyboard failed: %+v", call)
	}
}
