package telegramtest_test

import (
	"strings"
	"testing"
)

// Mini App buttons: only in private chats, only over HTTPS, as Telegram
// answers; the menu button likewise.
func TestWebAppButtons(t *testing.T) {
	s := newServer(t)
	s.SendText(alice, "/start") // the private chat exists
	const group = -1001234
	s.NewSupergroup(group, "Forum", false)
	kb := func(url string) string {
		return `{"inline_keyboard":[[{"text":"Dashboard","web_app":{"url":"` + url + `"}}]]}`
	}
	if a := postJSON(t, s, "sendMessage", map[string]any{"chat_id": alice.ID, "text": "hi", "reply_markup": kb("https://example.org/app/")}); !a.OK {
		t.Fatalf("private web_app button refused: %+v", a)
	}
	msgs := s.BotMessages(alice.ID)
	if got := msgs[len(msgs)-1].Buttons[0][0].WebApp; got != "https://example.org/app/" {
		t.Fatalf("web_app URL recorded %q", got)
	}
	for _, c := range []struct {
		chat int64
		url  string
		want string
	}{
		{group, "https://example.org/app/", "BUTTON_TYPE_INVALID"},
		{alice.ID, "http://example.org/app/", "BUTTON_URL_INVALID"},
	} {
		a := postJSON(t, s, "sendMessage", map[string]any{"chat_id": c.chat, "text": "hi", "reply_markup": kb(c.url)})
		if a.OK || a.ErrorCode != 400 || !strings.Contains(a.Description, c.want) {
			t.Fatalf("chat %d %s: %+v, want 400 %s", c.chat, c.url, a, c.want)
		}
	}
	menu := func(chat int64, url string) answer {
		return postJSON(t, s, "setChatMenuButton", map[string]any{"chat_id": chat,
			"menu_button": map[string]any{"type": "web_app", "text": "Dashboard", "web_app": map[string]string{"url": url}}})
	}
	if a := menu(alice.ID, "https://example.org/app/"); !a.OK {
		t.Fatalf("menu button refused: %+v", a)
	}
	if got := s.MenuButton(alice.ID); !strings.Contains(got, `"web_app"`) || !strings.Contains(got, "https://example.org/app/") {
		t.Fatalf("menu button %q", got)
	}
	if a := menu(alice.ID, "http://example.org/app/"); a.OK || !strings.Contains(a.Description, "BUTTON_URL_INVALID") {
		t.Fatalf("http menu button: %+v", a)
	}
	if a := menu(group, "https://example.org/app/"); a.OK || !strings.Contains(a.Description, "BUTTON_TYPE_INVALID") {
		t.Fatalf("group menu button: %+v", a)
	}
}
