package bot_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
)

// /dashboard through the transport: an admin gets the web_app button and
// the chat's menu button (setChatMenuButton, type web_app); a participant
// gets a polite refusal and never the menu button.
func TestDashboardButtonAndMenu(t *testing.T) {
	e := newEnv(t)
	e.webApp = "https://forum.example.org/app/"
	e.start()
	admin := telegramtest.User{ID: adminID, FirstName: "Sekretariat", LanguageCode: "en"}
	e.fake.SendText(admin, "/dashboard")
	msg := e.next(admin.ID)
	if len(msg.Buttons) == 0 || msg.Buttons[0][0].WebApp != e.webApp {
		t.Fatalf("no web_app button: %q %+v", msg.Plain, msg.Buttons)
	}
	call, err := e.fake.WaitCall(5*time.Second, func(c telegramtest.Call) bool {
		return c.Method == "setChatMenuButton" && c.Params["chat_id"] == strconv.FormatInt(admin.ID, 10)
	})
	if err != nil || call.ErrorCode != 0 {
		t.Fatalf("menu button not set: %+v %v", call, err)
	}
	if got := e.fake.MenuButton(admin.ID); !strings.Contains(got, e.webApp) || !strings.Contains(got, `"web_app"`) {
		t.Fatalf("menu button %q", got)
	}

	participant := telegramtest.User{ID: 4242, FirstName: "Dewi", LanguageCode: "en"}
	e.fake.SendText(participant, "/dashboard")
	msg = e.next(participant.ID)
	if !strings.Contains(msg.Plain, "for facilitators and the secretariat") || len(msg.Buttons) != 0 {
		t.Fatalf("participant: %q %+v", msg.Plain, msg.Buttons)
	}
	if got := e.fake.MenuButton(participant.ID); got != "" {
		t.Fatalf("participant got a menu button: %q", got)
	}
	for _, c := range e.fake.CallsOf("setChatMenuButton") {
		if c.Params["chat_id"] == strconv.FormatInt(participant.ID, 10) {
			t.Fatalf("setChatMenuButton for the participant: %+v", c)
		}
	}

	// Granted facilitator: the menu button comes with the news; made a
	// participant again: Telegram's default menu button is back.
	menuOf := func(want string) {
		t.Helper()
		call, err := e.fake.WaitCall(5*time.Second, func(c telegramtest.Call) bool {
			return c.Method == "setChatMenuButton" && c.Params["chat_id"] == "4242" && strings.Contains(c.Params["menu_button"], want)
		})
		if err != nil || call.ErrorCode != 0 {
			t.Fatalf("menu button %s: %+v %v", want, call, err)
		}
	}
	e.fake.SendText(admin, "/grant 4242 facilitator")
	menuOf(e.webApp)
	e.fake.SendText(admin, "/grant 4242 participant")
	menuOf(`"default"`)
}
