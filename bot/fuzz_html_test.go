package bot

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
	"sinergi/locales"
)

// FuzzHTMLEscape renders an arbitrary user name through the real renderer
// (as the welcome message does) and sends it to the fake Bot API, which
// checks the HTML the way Telegram does: it must be accepted, and the text
// the user sees must contain the name exactly as typed. The seeds run with
// every `go test`; explore with `go test -fuzz FuzzHTMLEscape ./bot/`.
func FuzzHTMLEscape(f *testing.F) {
	for _, s := range []string{
		"Gita", "<i>Gita</i> & co", "Tom & Jerry", "&amp;", "&lt;b&gt;", "&#39;", "&", "<", ">", `"'`, "</b>", "<b",
		"a<b>c</b>d", "&#x26;", "&nbsp;", "\u202eevil\u202c", "نور\u200f", "😀👩‍👩‍👧", "\x00", "\t\n\r", "<tg-spoiler>x</tg-spoiler>",
		"<a href=\"javascript:alert(1)\">x</a>", "&&&;;;", "\u00a0", "x\ufeff",
	} {
		f.Add(s)
	}
	texts, err := locales.Load()
	if err != nil {
		f.Fatal(err)
	}
	fake := telegramtest.New()
	f.Cleanup(fake.Close)
	const chat = 4242
	fake.SendText(telegramtest.User{ID: chat, FirstName: "X"}, "/start") // the chat exists
	r := &renderer{texts: texts, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	send := func(t testing.TB, text string) string {
		t.Helper()
		resp, err := http.PostForm(fake.URL()+"/bot"+telegramtest.Token+"/sendMessage",
			url.Values{"chat_id": {"4242"}, "text": {text}, "parse_mode": {"HTML"}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			OK          bool   `json:"ok"`
			Description string `json:"description"`
			Result      struct {
				Text string `json:"text"`
			} `json:"result"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		if !out.OK {
			t.Fatalf("Telegram refuses %q: %s", text, out.Description)
		}
		return out.Result.Text
	}
	const mark = "\ue000NAME\ue000"
	welcome := func(name string) string {
		return r.text("en", flows.T("start.welcome", "Name", name), false)
	}
	template := send(f, welcome(mark))
	f.Fuzz(func(t *testing.T, name string) {
		// Telegram names are valid UTF-8, at most 64 characters; be generous.
		if !utf8.ValidString(name) || utf8.RuneCountInString(name) > 256 || strings.Contains(name, mark) {
			t.Skip()
		}
		got := send(t, welcome(name))
		if want := strings.Replace(template, mark, name, 1); got != want {
			t.Fatalf("name %q shown as\n%q\nwant\n%q", name, got, want)
		}
	})
}
