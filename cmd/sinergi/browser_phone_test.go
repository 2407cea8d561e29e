package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The playground on a phone (390 px wide), and composing (#15): the chat
// fills the screen and the user list folds away; the quick commands offer
// what each role can do; a user sends bold and italic text and a picture;
// a participant who uses an invitation is shown with the new role; and the
// secretariat's broadcast preview — the bot's copy — keeps the formatting.
func TestBrowserPhoneAndComposer(t *testing.T) {
	base := startPlayground(t, "-demo")
	br := startBrowser(t, 390, 844)
	browserCtx := br.ctx
	ctx, cancel := context.WithTimeout(browserCtx, 90*time.Second)
	defer cancel()
	shots := t.TempDir()
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			shot := filepath.Join(shots, "failure.png")
			sctx, scancel := context.WithTimeout(browserCtx, 5*time.Second)
			if buf, err := chromedp.Run(sctx, chromedp.CaptureScreenshot()); err == nil {
				_ = os.WriteFile(shot, buf, 0o644)
			}
			scancel()
			logChats(t, base)
			t.Fatalf("%s: %v (screenshot %s)", what, err, shot)
		}
	}
	eval := func(what, js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	input := chromedp.CSS(`[data-testid="composer-input"]`)
	clear := chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="composer-input"]').value = ""`)
	chip := func(cmd string) chromedp.Search {
		return chromedp.Search(fmt.Sprintf(`//button[@data-testid="chip"][@data-command=%q]`, cmd))
	}
	// layout reports what a phone user sees: the message pane's height, and
	// whether the user list and the message pane are shown.
	layout := func() string {
		return eval("layout", `(() => {
			const shown = (sel) => { const e = document.querySelector(sel); return !!e && getComputedStyle(e).display !== "none" && e.getBoundingClientRect().height > 0; };
			const m = document.querySelector('[data-testid="messages"]').getBoundingClientRect();
			return "messages " + (shown('[data-testid="messages"]') && m.height >= 300 && m.width >= 350 ? "usable" : "collapsed " + Math.round(m.width) + "x" + Math.round(m.height)) +
				", users " + (shown('[data-testid="sidebar"]') ? "open" : "folded");
		})()`)
	}

	// 1. At phone width the chat fills the screen; the user list is folded.
	step("open the page at 390 px",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.Search(`//h1[@id="chat-name"][. = "Sekretariat"]`)),
		chromedp.WaitEnabled(input),
	)
	if got := layout(); got != "messages usable, users folded" {
		t.Fatalf("at 390 px: %s", got)
	}
	if w := eval("page width", `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("the page is %s px wide at 390 px: it scrolls sideways", w)
	}
	// 2. "Users" folds the list out over the chat; choosing a user folds it away.
	step("fold out the users",
		chromedp.Click(chromedp.CSS(`[data-testid="users-toggle"]`)),
		chromedp.WaitVisible(chromedp.Search(`//button[@data-testid="user"][starts-with(@data-user-name, "Rina Wulandari")]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="add-name"]`)),
	)
	if got := layout(); !strings.HasSuffix(got, "users open") {
		t.Fatalf("after Users: %s", got)
	}
	step("choose Rina",
		chromedp.Click(chromedp.Search(`//button[@data-testid="user"][starts-with(@data-user-name, "Rina Wulandari")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[@id="chat-name"][starts-with(., "Rina Wulandari")]`)),
		chromedp.WaitEnabled(input),
	)
	if got := layout(); got != "messages usable, users folded" {
		t.Fatalf("after choosing Rina: %s", got)
	}
	// 3. The quick commands: a facilitator's include /partner, /matches,
	// /mydata and /report, but not the admin's /broadcast.
	for _, c := range []string{"/partner", "/matches", "/mydata", "/report"} {
		step("chip "+c, chromedp.WaitReady(chip(c)))
	}
	if n := eval("broadcast chip", `String(document.querySelectorAll('[data-testid="chip"][data-command="/broadcast"]').length)`); n != "0" {
		t.Errorf("a facilitator is offered /broadcast")
	}

	// 4. Bold and italic: typed markers, and the B button around a selection.
	step("Rina sends bold and italic text",
		chromedp.SendKeys(input, "**Halo** semua, ini __penting__\r"),
		chromedp.WaitVisible(chromedp.Search(`//div[@data-testid="message"][@data-from="user"]//b[. = "Halo"]`)),
		chromedp.WaitVisible(chromedp.Search(`//div[@data-testid="message"][@data-from="user"]//i[. = "penting"]`)),
	)
	if txt := eval("sent text", `[...document.querySelectorAll('[data-testid="message"][data-from="user"]')].pop().innerText`); !strings.HasPrefix(txt, "Halo semua, ini penting") {
		t.Errorf("the message reads %q: markers left in", txt)
	}
	step("the B button wraps the selection",
		clear, // the Enter above may leave a line break
		chromedp.SendKeys(input, "rapat"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="composer-input"]').select()`),
		chromedp.Click(chromedp.CSS(`[data-testid="format-bold"]`)),
	)
	if v := eval("input", `document.querySelector('[data-testid="composer-input"]').value`); v != "**rapat**" {
		t.Errorf("after B: %q", v)
	}
	step("send it", chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.Search(`//div[@data-testid="message"][@data-from="user"]//b[. = "rapat"]`)))

	// 5. A picture from the file picker, with the text as its caption.
	pic := filepath.Join(t.TempDir(), "kebun.png")
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		for y := range 30 {
			img.Set(x, y, color.RGBA{15, 118, 110, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pic, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	step("Rina sends a picture with a caption",
		clear,
		chromedp.SendKeys(input, "Kebun __kami__"),
		chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="photo-input"]`), []string{pic}),
		chromedp.WaitVisible(chromedp.Search(`//div[@data-testid="message"][@data-from="user"][.//img[@data-testid="photo"]]//i[. = "kami"]`)),
	)
	loaded, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`(() => { const i = [...document.querySelectorAll('[data-from="user"] img[data-testid="photo"]')].pop(); return !!i && i.complete && i.naturalWidth === 40; })()`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || !loaded {
		t.Fatalf("the picture is not shown: %v", err)
	}

	// "Formatting is kept" (7 below): the secretariat's broadcast preview is
	// the bot's copy of the message, bold and italic included.
	step("choose the secretariat",
		chromedp.Click(chromedp.CSS(`[data-testid="users-toggle"]`)),
		chromedp.Click(chromedp.Search(`//button[@data-testid="user"][@data-user-name="Sekretariat"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[@id="chat-name"][. = "Sekretariat"]`)),
		chromedp.WaitEnabled(input),
	)
	// 6. An invitation used in the chat changes the role the page shows.
	step("the secretariat makes an invitation",
		chromedp.Click(chip("/grant")),
		chromedp.Click(chromedp.Search(`(//button[@data-testid="kb-button"][contains(., "Undang fasilitator")])[last()]`)),
		chromedp.WaitVisible(chromedp.Search(`//div[@data-testid="message"][contains(., "start=invite")]`)),
	)
	invite := eval("invitation", `(document.querySelector('[data-testid="messages"]').innerText.match(/start=(invite[A-Za-z0-9_-]+)/) || ["", ""])[1]`)
	if invite == "" {
		t.Fatal("no invitation link")
	}
	dewi := `//button[@data-testid="user"][starts-with(@data-user-name, "Dewi Lestari")]`
	step("Dewi uses it",
		chromedp.Click(chromedp.CSS(`[data-testid="users-toggle"]`)),
		chromedp.WaitVisible(chromedp.Search(dewi+`[.//span[contains(@class, "role-participant")]]`)),
		chromedp.Click(chromedp.Search(dewi)),
		chromedp.WaitVisible(chromedp.Search(`//h1[@id="chat-name"][starts-with(., "Dewi Lestari")]`)),
		chromedp.WaitEnabled(input),
		clear,
		chromedp.SendKeys(input, "/start "+invite+"\r"),
		chromedp.WaitVisible(chromedp.Search(`//div[@data-testid="message"][@data-from="bot"][contains(., "Anda sekarang")]`)),
		chromedp.WaitVisible(chromedp.Search(`//div[@id="chat-sub"]/span[contains(@class, "role-facilitator")]`)),
		chromedp.WaitReady(chip("/report")),
		chromedp.WaitReady(chromedp.Search(dewi+`[.//span[contains(@class, "role-facilitator")]]`)),
	)
	step("back to the secretariat",
		chromedp.Click(chromedp.CSS(`[data-testid="users-toggle"]`)),
		chromedp.Click(chromedp.Search(`//button[@data-testid="user"][@data-user-name="Sekretariat"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[@id="chat-name"][. = "Sekretariat"]`)),
		chromedp.WaitEnabled(input),
	)

	// 7. "Formatting is kept".
	step("compose a broadcast",
		chromedp.Click(chip("/broadcast")),
		chromedp.WaitVisible(chromedp.Search(`//div[@data-testid="message"][contains(., "teks berformat")]`)),
		clear,
		chromedp.SendKeys(input, "**Rapat** Senin __pukul 9__\r"),
		chromedp.Click(chromedp.Search(`(//button[@data-testid="kb-button"][contains(., "Tanpa versi bahasa Inggris")])[last()]`)),
		chromedp.Click(chromedp.Search(`(//button[@data-testid="kb-button"][contains(., "Semua anggota")])[last()]`)),
		// The demo's forum group has linked topics: post into none of them.
		chromedp.Click(chromedp.Search(`(//button[@data-testid="kb-button"][contains(., "Selesai (0 obrolan")])[last()]`)),
		chromedp.WaitVisible(chromedp.Search(`//div[@data-testid="message"][contains(., "Pratinjau")]`)),
		chromedp.WaitVisible(chromedp.Search(`//div[@data-testid="message"][@data-from="bot"]//b[. = "Rapat"]`)),
		chromedp.WaitVisible(chromedp.Search(`//div[@data-testid="message"][@data-from="bot"]//i[. = "pukul 9"]`)),
	)
	if got := layout(); got != "messages usable, users folded" {
		t.Errorf("at the end: %s", got)
	}
	if errs := br.pageErrors(); len(errs) > 0 {
		t.Errorf("page errors:\n%s", strings.Join(errs, "\n"))
	}
}
