package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg" // screenshots below quality 100
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The playground page in a real browser: the README's "playground in six
// steps", only by clicking and typing. A new user registers for the demo
// workshop and gets the confirmation, the calendar file and the check-in QR
// code; the facilitator checks her in with the link; she adds a commitment;
// "+3 days" brings the day-before workshop reminder and a commitment
// reminder; the facilitator reads the report; in the demo's forum group a
// member lists the workshops in a topic and the button opens her private
// chat with the workshop. The test also takes the
// screenshot in docs/playground.png (UPDATE_SCREENSHOT=1 rewrites it).
func TestBrowserPlayground(t *testing.T) {
	began := time.Now()
	base := startPlayground(t, "-demo")

	// Page errors fail the test.
	br := startBrowser(t, 1280, 900)
	browserCtx := br.ctx
	ctx, cancel := context.WithTimeout(browserCtx, 120*time.Second)
	defer cancel()

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			shot := filepath.Join(t.TempDir(), "failure.png")
			sctx, scancel := context.WithTimeout(browserCtx, 5*time.Second)
			if buf, err := chromedp.Run(sctx, chromedp.CaptureScreenshot()); err == nil {
				_ = os.WriteFile(shot, buf, 0o644)
			}
			scancel()
			logChats(t, base)
			t.Fatalf("%s: %v (%.1fs in; screenshot %s)", what, err, time.Since(began).Seconds(), shot)
		}
	}
	// XPath lookups by text and by the page's data-testid attributes.
	message := func(text string) chromedp.Search {
		return chromedp.Search(fmt.Sprintf(`//div[@data-testid="message"][contains(., %q)]`, text))
	}
	button := func(text string) chromedp.Search {
		return chromedp.Search(fmt.Sprintf(`//button[@data-testid="kb-button"][contains(., %q)]`, text))
	}
	input := chromedp.CSS(`[data-testid="composer-input"]`)
	send := chromedp.CSS(`[data-testid="send"]`)

	// 1. The page lists the demo users; add Siti with the form and open her chat.
	step("open the page",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.Search(`//button[@data-testid="user"][contains(., "Rina Wulandari")]`)),
		chromedp.WaitVisible(chromedp.Search(`//*[@data-testid="bot-name"][starts-with(., "@")]`)),
	)
	step("fill the add-user form",
		chromedp.Click(chromedp.CSS(`[data-testid="add-name"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="add-name"]`), "Siti Browser"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="add-lang"]`), "English"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="add-role"]`), "Participant"),
	)
	for sel, want := range map[string]string{"add-lang": "en", "add-role": "participant"} {
		got, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`[data-testid="`+sel+`"]`)))
		if err != nil || got != want {
			t.Fatalf("%s is %q (%v), want %q", sel, got, err, want)
		}
	}
	step("add and select Siti",
		chromedp.Click(chromedp.CSS(`[data-testid="add-submit"]`)),
		chromedp.Click(chromedp.Search(`//button[@data-testid="user"][@data-user-name="Siti Browser"]`)),
		chromedp.WaitVisible(chromedp.Search(`//button[@data-testid="user"][@data-user-name="Siti Browser"][@aria-current="true"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[@id="chat-name"][. = "Siti Browser"]`)),
		chromedp.WaitEnabled(input),
	)

	// 2. Workshops → the demo workshop → Register.
	step("list the workshops",
		chromedp.Click(chromedp.Search(`//button[@data-testid="chip"][@data-command="/workshops"]`)),
		chromedp.WaitVisible(chromedp.Search(`//div[@data-testid="message"][@data-from="user"][. = "/workshops" or starts-with(normalize-space(.), "/workshops")]`)),
		chromedp.Click(button("[DEMO] Joint Action")),
		chromedp.WaitVisible(message("2 of 4 seats left")),
		chromedp.Click(button("Register")),
		chromedp.WaitVisible(chromedp.Search(`//*[@data-testid="pressed"][contains(., "Register")]`)),
	)

	// 3. The profile questions, then the workshop's own question.
	step("answer the name",
		chromedp.WaitVisible(message("What is your full name")),
		chromedp.SendKeys(input, "Siti Browser Rahayu"),
		chromedp.Click(send),
	)
	step("answer the organisation (Enter sends)",
		chromedp.WaitVisible(message("Which organisation do you work for")),
		chromedp.SendKeys(input, "Yayasan Air Bersih Bali\r"),
		chromedp.WaitVisible(message("Which sector is your organisation in")),
	)
	step("choose the sector",
		chromedp.Click(chromedp.Search(`//button[@data-testid="kb-button"][. = "NGO / foundation"]`)),
		chromedp.WaitVisible(message("In which province are you based")),
		chromedp.SendKeys(input, "Bali"),
		chromedp.Click(send),
	)
	step("consent",
		chromedp.Click(button("✅ I agree")),
		chromedp.WaitVisible(message("Your profile is saved")),
	)
	step("answer the workshop's question",
		chromedp.WaitVisible(message("Kebutuhan makanan khusus?")),
		chromedp.SendKeys(input, "Vegetarian"),
		chromedp.Click(send),
	)

	// 4. Confirmation, QR code (loaded from file_url) and calendar file.
	step("confirmation, calendar file and QR code",
		chromedp.WaitVisible(message("You are registered for")),
		chromedp.WaitVisible(chromedp.Search(`//a[@data-testid="document"][substring(@data-file-name, string-length(@data-file-name) - 3) = ".ics"]`)),
		chromedp.WaitVisible(chromedp.CSS(`img[data-testid="photo"]`)),
	)
	loaded, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`(() => { const i = document.querySelector('img[data-testid="photo"]'); return !!i && i.complete && i.naturalWidth > 0; })()`,
		chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil || !loaded {
		t.Fatalf("QR image not loaded: %v", err)
	}
	chip, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`a[data-testid="document"] [data-testid="file-name"]`)))
	if err != nil || !strings.HasSuffix(strings.TrimSpace(chip), ".ics") {
		t.Fatalf("document chip %q (%v), want a name ending .ics", chip, err)
	}
	// The calendar chip downloads from the playground's file URL.
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a[data-testid="document"]').getAttribute("href") + " " + document.querySelector('a[data-testid="document"]').hasAttribute("download")`))
	if err != nil || !strings.HasPrefix(href, "/api/chats/") || !strings.HasSuffix(href, " true") {
		t.Fatalf("document chip link %q (%v)", href, err)
	}

	// 5. Screenshot of the chat.
	step("settle", chromedp.Sleep(300*time.Millisecond))
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	// FullScreenshot encodes PNG at quality 100 and JPEG below; store a PNG.
	img, _, err := image.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("decode screenshot: %v", err)
	}
	var out bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, img); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "playground.png")
	if err := os.WriteFile(tmp, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %dx%d: %s", img.Bounds().Dx(), img.Bounds().Dy(), tmp)
	if os.Getenv("UPDATE_SCREENSHOT") != "" {
		docs := filepath.Join("..", "..", "docs")
		if err := os.MkdirAll(docs, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(docs, "playground.png"), out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", filepath.Join(docs, "playground.png"))
	}

	// The rest of the README's six steps.
	selectUser := func(name string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.Click(chromedp.Search(fmt.Sprintf(`//button[@data-testid="user"][starts-with(@data-user-name, %q)]`, name))),
			chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//button[@data-testid="user"][starts-with(@data-user-name, %q)][@aria-current="true"]`, name))),
			chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//h1[@id="chat-name"][starts-with(., %q)]`, name))),
			chromedp.WaitEnabled(input),
		}
	}
	// lastButton is the newest button whose text contains text.
	lastButton := func(text string) chromedp.Search {
		return chromedp.Search(fmt.Sprintf(`(//button[@data-testid="kb-button"][contains(., %q)])[last()]`, text))
	}
	sendText := func(text string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{chromedp.SendKeys(input, text), chromedp.Click(send)}
	}

	// Step 2: the check-in link under Siti's QR code, pasted by Rina.
	checkin, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`(() => { const m = document.querySelector('[data-testid="messages"]').innerText.match(/https:\/\/t\.me\/[A-Za-z0-9_]+\?start=checkin_[A-Za-z0-9_-]+/); return m ? m[0] : ""; })()`))
	if err != nil || checkin == "" {
		t.Fatalf("no check-in link under the QR code (%v)", err)
	}
	step("select Rina", selectUser("Rina Wulandari")...)
	step("Rina checks Siti in", append(sendText(checkin),
		chromedp.WaitVisible(message("Siti Browser Rahayu (Yayasan Air Bersih Bali) tercatat hadir")))...)

	// Step 3: Rina collects commitments; Siti adds one.
	step("Rina opens the workshop", append(sendText("/myworkshops"),
		chromedp.Click(lastButton("[DEMO] Joint Action")),
		chromedp.Click(lastButton("Kumpulkan komitmen")),
		chromedp.WaitVisible(message("Undangan menambah komitmen dikirim kepada 1 peserta")))...)
	step("select Siti", selectUser("Siti Browser")...)
	jkt := time.FixedZone("WIB", 7*3600)
	today := time.Now().In(jkt)
	due := today.AddDate(0, 0, 4)
	step("Siti is welcomed and invited",
		chromedp.WaitVisible(message("You are checked in to")),
		chromedp.WaitVisible(message("What will you do after")),
		chromedp.Click(lastButton("Add my commitment")),
		chromedp.WaitVisible(message("will be done?")),
		chromedp.SendKeys(input, "Install 10 rainwater tanks in Sikka\r"),
		chromedp.WaitVisible(message("is responsible?")),
		chromedp.Click(chromedp.Search(`(//button[@data-testid="kb-button"][normalize-space(.) = "Me"])[last()]`)),
		chromedp.WaitVisible(message("By when")),
	)
	if due.Month() != today.Month() {
		step("next month in the calendar", chromedp.Click(lastButton("Next")), chromedp.Sleep(300*time.Millisecond))
	}
	step("a day in the calendar, then Save",
		chromedp.Click(chromedp.Search(fmt.Sprintf(`(//button[@data-testid="kb-button"][normalize-space(.) = "%d"])[last()]`, due.Day()))),
		chromedp.WaitVisible(message("success indicator")),
		chromedp.Click(lastButton("Skip")),
		chromedp.WaitVisible(message("partner organisations")),
		chromedp.Click(lastButton("Skip")),
		chromedp.WaitVisible(message("Please check the commitment")),
		chromedp.Click(lastButton("Save")),
		chromedp.WaitVisible(message("Saved. I will remind you")),
	)

	// Step 4: +3 days. The day-before workshop reminder and the commitment
	// reminder (three days before its day, found a day late: "tomorrow")
	// arrive in Siti's chat, and the clock in the top bar moves on.
	before, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="clock"]`)))
	if err != nil {
		t.Fatal(err)
	}
	// A run that crossed midnight in WIB since the due date was chosen is
	// on the due day itself three days on.
	dueText := "Due tomorrow"
	if now := time.Now().In(jkt); now.YearDay() != today.YearDay() {
		dueText = "Due today"
	}
	step("+3 days",
		chromedp.Click(chromedp.CSS(`[data-testid="clock-3d"]`)),
		chromedp.WaitVisible(message("Reminder: [DEMO] Joint Action")),
		chromedp.WaitVisible(message(dueText)),
	)
	after, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="clock"]`)))
	if err != nil || after == before {
		t.Fatalf("the clock shows %q before and %q after +3 days (%v)", before, after, err)
	}

	// Step 5: Rina's report: counts, chart and CSV.
	step("select Rina again", selectUser("Rina Wulandari")...)
	step("Rina's report", append(sendText("/report"),
		// The list first: an earlier /myworkshops list has a button of
		// the same name.
		chromedp.WaitVisible(message("Laporan lokakarya yang mana?")),
		chromedp.Click(lastButton("[DEMO] Joint Action")),
		chromedp.WaitVisible(message("1 komitmen")),
		chromedp.WaitVisible(message("Status komitmen")),
		chromedp.WaitVisible(chromedp.Search(`//a[@data-testid="document"][substring(@data-file-name, string-length(@data-file-name) - 3) = ".csv"]`)))...)

	// Step 6: in the demo's forum group, topic Pengumuman, Maria sends
	// /workshops; the bot answers in that topic, and the workshop's
	// Register button opens Maria's private chat with the workshop.
	step("open Forum Sinergi",
		chromedp.Click(chromedp.Search(`//button[@data-testid="group"][@data-group-name="Forum Sinergi"]`)),
		chromedp.WaitVisible(chromedp.Search(`//button[@data-testid="group"][@data-group-name="Forum Sinergi"][@aria-current="true"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[@id="chat-name"][. = "Forum Sinergi"]`)),
		chromedp.WaitEnabled(input),
	)
	step("topic Pengumuman, as Maria",
		chromedp.SendKeys(chromedp.CSS(`[data-testid="topic"]`), "Pengumuman"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="speaker"]`), "Maria"),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="chat-sub"][contains(., "topic Pengumuman")][contains(., "as Maria Ulfa")]`)),
	)
	step("Maria's /workshops in the topic", append(sendText("/workshops"),
		chromedp.WaitVisible(chromedp.Search(`//div[@data-testid="message"][@data-from="user"][.//*[@data-testid="sender"][starts-with(., "Maria Ulfa")]][contains(., "/workshops")]`)),
		chromedp.WaitVisible(message("Upcoming workshops")),
		chromedp.Click(chromedp.Search(`//button[@data-testid="kb-button"][contains(@data-url, "?start=ws_")][contains(., "[DEMO] Joint Action")]`)),
		chromedp.WaitVisible(chromedp.Search(`//button[@data-testid="user"][starts-with(@data-user-name, "Maria Ulfa")][@aria-current="true"]`)),
		chromedp.WaitVisible(chromedp.Search(`//div[@data-testid="message"][@data-from="user"][starts-with(normalize-space(.), "/start ws_")]`)),
		chromedp.WaitVisible(message("seats left")),
		chromedp.WaitVisible(button("Register")))...)
	// The topic shows only its own messages: the other topic has none of them.
	groupTexts, err := groupTopicTexts(base, "Forum Sinergi")
	if err != nil {
		t.Fatal(err)
	}
	if got := groupTexts["Pengumuman"]; !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "Upcoming workshops") }) {
		t.Errorf("topic Pengumuman holds %q, want the bot's workshop list", got)
	}
	if got := groupTexts["FGD Air Bersih"]; slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "workshops") }) {
		t.Errorf("topic FGD Air Bersih holds %q, want none of Pengumuman's messages", got)
	}

	if errs := br.pageErrors(); len(errs) > 0 {
		t.Errorf("page errors:\n%s", strings.Join(errs, "\n"))
	}
	t.Logf("browser flow took %.1fs", time.Since(began).Seconds())
}

// groupTopicTexts is the texts of the playground group titled title, by
// topic name, as its API serves them.
func groupTopicTexts(base, title string) (map[string][]string, error) {
	get := func(path string, v any) error {
		resp, err := http.Get(base + path)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		return json.NewDecoder(resp.Body).Decode(v)
	}
	var st struct {
		Groups []struct {
			ID     int64  `json:"id"`
			Title  string `json:"title"`
			Topics []struct {
				ID   int    `json:"id"`
				Name string `json:"name"`
			} `json:"topics"`
		} `json:"groups"`
	}
	if err := get("/api/state", &st); err != nil {
		return nil, err
	}
	for _, g := range st.Groups {
		if g.Title != title {
			continue
		}
		var msgs []struct {
			Thread int    `json:"thread"`
			Text   string `json:"text"`
			HTML   string `json:"html"`
		}
		if err := get(fmt.Sprintf("/api/groups/%d", g.ID), &msgs); err != nil {
			return nil, err
		}
		out := map[string][]string{}
		for _, m := range msgs {
			for _, tp := range g.Topics {
				if tp.ID == m.Thread {
					out[tp.Name] = append(out[tp.Name], m.Text+m.HTML)
				}
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("no group %q", title)
}

// logChats logs the last messages of every playground chat (after a failed
// step: what did the bot answer?).
func logChats(t *testing.T, base string) {
	t.Helper()
	get := func(path string, v any) error {
		resp, err := http.Get(base + path)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		return json.NewDecoder(resp.Body).Decode(v)
	}
	var st struct {
		Users []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"users"`
	}
	if err := get("/api/state", &st); err != nil {
		t.Logf("playground state: %v", err)
		return
	}
	for _, u := range st.Users {
		var msgs []map[string]any
		if err := get(fmt.Sprintf("/api/chats/%d", u.ID), &msgs); err != nil {
			continue
		}
		for _, m := range msgs[max(0, len(msgs)-6):] {
			t.Logf("%s: bot=%v %.120q buttons=%.160v", u.Name, m["from_bot"], fmt.Sprint(m["text"]), m["buttons"])
		}
	}
}

// findChromium is the system Chromium (Debian's "chromium" package):
// ./scripts/test installs it when it is missing, so only a bare `go test`
// skips a browser test; CI fails it.
func findChromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("no chromium on PATH (./scripts/test installs it); CI runs this test: %v", err)
		}
		t.Fatalf("CI needs Chromium: %v", err)
	}
	return path
}

// browser is a headless Chromium for a test: its context (the steps run
// on a deadline derived from it; a failure screenshot still can be taken
// with it) and the page errors it saw.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

// pageErrors are the exceptions and console errors the page raised.
func (b *browser) pageErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.errors)
}

// startBrowser starts the system Chromium with a window of width×height
// and records the page's errors; it is stopped when the test ends (before
// the playground and the profile directory: cleanups run last in, first
// out).
func startBrowser(t *testing.T, width, height int) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(findChromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-GB"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	b := &browser{ctx: ctx}
	// Listen starts the browser with the untimed context.
	if err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.ConsoleAPICalledTypeError {
				return
			}
			msg = "console.error:"
			for _, a := range ev.Args {
				msg += " " + string(a.Value) + a.Description
			}
		default:
			return
		}
		b.mu.Lock()
		b.errors = append(b.errors, msg)
		b.mu.Unlock()
	}); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return b
}
