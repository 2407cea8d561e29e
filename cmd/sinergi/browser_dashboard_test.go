package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sinergi/bot/webapp"
	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// The dashboard (Mini App) in a real browser, opened from the playground's
// "Open dashboard" with launch data signed with the playground's token: the
// secretariat admin sees the forum at a glance and a workshop; a
// participant is refused and sees no tab.
func TestBrowserDashboard(t *testing.T) {
	base := startPlayground(t, "-demo")
	br := startBrowser(t, 1280, 900)
	ctx, cancel := context.WithTimeout(br.ctx, 90*time.Second)
	defer cancel()
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			shot := filepath.Join(t.TempDir(), "failure.png")
			sctx, scancel := context.WithTimeout(br.ctx, 5*time.Second)
			if buf, err := chromedp.Run(sctx, chromedp.CaptureScreenshot()); err == nil {
				_ = os.WriteFile(shot, buf, 0o644)
			}
			scancel()
			t.Fatalf("%s: %v (screenshot %s)", what, err, shot)
		}
	}
	// dashboardOf selects the user in the playground and returns the
	// address its "Open dashboard" link opens.
	dashboardOf := func(name string) string {
		t.Helper()
		step("select "+name,
			chromedp.EmulateViewport(1280, 900),
			chromedp.Navigate(base+"/"),
			chromedp.Click(chromedp.Search(fmt.Sprintf(`//button[@data-testid="user"][@data-user-name=%q]`, name))),
			chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//h1[@id="chat-name"][. = %q]`, name))),
		)
		href, err := chromedp.Run(ctx, chromedp.Poll[string](
			`(() => { const a = document.querySelector('[data-testid="open-dashboard"]'); return a && !a.hidden && a.getAttribute("href") || ""; })()`,
			chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil || !strings.HasPrefix(href, "/app/#") || !strings.Contains(href, "tgWebAppData=") {
			t.Fatalf("%s: Open dashboard link %q (%v)", name, href, err)
		}
		return base + href
	}

	// The admin starts the bot (a user the bot has never seen is refused),
	// then opens the dashboard.
	dashboardOf("Sekretariat")
	step("the admin starts the bot",
		chromedp.WaitEnabled(chromedp.CSS(`[data-testid="composer-input"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="composer-input"]`), "/start\r"),
		chromedp.WaitVisible(chromedp.Search(`//div[@data-testid="message"][@data-from="bot"]`)),
	)
	url := dashboardOf("Sekretariat")
	began := time.Now()
	// The last 12 months end with this one: the demo's registrations
	// count in the month its workshop starts (in 3 or 4 days), so they are
	// on the last bar unless that is next month.
	// (Next month, nothing of the forum is in the window: no bars.)
	jkt := flows.LoadZone("Asia/Jakarta")
	bars := 12
	demoBars := `//section[h2 = "12 bulan terakhir"]//div[@id="trend-registrations"]/div[@class="bar"][last()]/span[@class="n"][not(starts-with(., "0 /")) and substring-after(., " / ") = "0"]`
	if demoStart(began).In(jkt).Month() != began.In(jkt).Month() {
		bars, demoBars = 0, `//section[h2 = "12 bulan terakhir"]/p[@class="hint"][. = "Tidak ada."]/following-sibling::p[1][starts-with(., "Pendaftaran dan check-in dihitung")]`
	}
	step("the admin's overview",
		chromedp.EmulateViewport(400, 800), // the Mini App is a phone's page
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`#tab-overview.on`)),
		chromedp.WaitVisible(chromedp.CSS(`#tab-members`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@id="scope"][. = "Seluruh forum"]`)),
		chromedp.WaitVisible(chromedp.Search(`//section[h2 = "Lokakarya mendatang"]//a[contains(., "[DEMO] Joint Action")]`)),
		chromedp.WaitVisible(chromedp.Search(`//section[h2 = "Anggota per sektor"]//div[@class="bar"]`)),
		// The last 12 months: the demo has no check-ins and no commitments
		// yet.
		chromedp.WaitVisible(chromedp.Search(demoBars)),
		chromedp.WaitVisible(chromedp.Search(`//section[h2 = "12 bulan terakhir"]/h3[. = "Komitmen per bulan tenggat dan status"]/following-sibling::p[1][@class="hint"]`)),
	)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelectorAll("#trend-registrations > .bar").length`)); err != nil || int(n) != bars {
		t.Fatalf("trend months %v (%v)", n, err)
	}
	loadMS := time.Since(began).Milliseconds()
	total, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#members-total`)))
	if err != nil || total == "0" || total == "" {
		t.Fatalf("members total %q (%v)", total, err)
	}
	who, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#who`)))
	if err != nil || !strings.Contains(who, "Sekretariat · admin") {
		t.Fatalf("who %q (%v)", who, err)
	}
	// The page's weight as the browser fetched it.
	size, err := chromedp.Run(ctx, chromedp.Evaluate[float64](
		`performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource")).filter(e => e.name.includes("/app/") && !e.name.includes("/api/")).reduce((n, e) => n + (e.decodedBodySize || 0), 0)`))
	if err != nil {
		t.Fatal(err)
	}
	if path := os.Getenv("DASHBOARD_SCREENSHOT"); path != "" { // for a look by hand
		if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(path, buf, 0o644)
		}
	}
	t.Logf("dashboard: page %.1f KB (HTML, JS, CSS), overview shown %d ms after navigation", size/1024, loadMS)
	step("a workshop: check-in counter and registrants",
		chromedp.Click(chromedp.Search(`//section[h2 = "Lokakarya mendatang"]//a[contains(., "[DEMO] Joint Action")]`)),
		chromedp.WaitVisible(chromedp.CSS(`#checkin-counter`)),
		chromedp.WaitVisible(chromedp.CSS(`#search`)),
		chromedp.WaitVisible(chromedp.Search(`//td[contains(., "(demo)")]`)),
		// The demo workshop's booked partner meeting on its grid, with the counts.
		chromedp.WaitVisible(chromedp.Search(`//section[h2 = "Pertemuan mitra"]//div[@id="meeting-grid"]//th[. = "Meja 1"]`)),
		chromedp.WaitVisible(chromedp.Search(`//div[@id="meeting-grid"]//td[. = "Dinas Sosial Provinsi NTT (contoh) ↔ Forum Zakat Daerah (contoh)"]`)),
		chromedp.WaitVisible(chromedp.Search(`//section[h2 = "Pertemuan mitra"]//tr[th[1] = "Diminta"]/following::tr[1][td[1] = "1" and td[2] = "1" and td[3] = "0"]`)),
		// The demo workshop has no commitments yet: the chart says so.
		chromedp.Click(chromedp.CSS(`#show-chart`)),
		chromedp.WaitVisible(chromedp.Search(`//p[contains(., "Belum ada grafik kemajuan")]`)),
	)
	step("the members tab searches",
		chromedp.Click(chromedp.CSS(`#tab-members`)),
		chromedp.WaitVisible(chromedp.CSS(`#member-search`)),
		chromedp.SendKeys(chromedp.CSS(`#member-search`), "Maria\r"),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="hint"][. = "1 dari 1"]`)), // the search's answer, not the list before it
		chromedp.WaitVisible(chromedp.Search(`//td[. = "Maria Ulfa (demo)"]`)),
	)
	// Import two members from a CSV: a personal invitation link each.
	csvFile := filepath.Join(t.TempDir(), "anggota.csv")
	if err := os.WriteFile(csvFile, []byte("\xef\xbb\xbfnama,organisasi,sektor,provinsi,telegram\nSiti Rahma,Yayasan Air,LSM / yayasan,Bali,@siti_rahma\nBudi,=Org,csr,Nusa Tenggara Timur,+6281234567890\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	step("import members",
		chromedp.WaitVisible(chromedp.CSS(`#import-file`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#import-file`), []string{csvFile}),
		chromedp.Click(chromedp.CSS(`#import-run`)),
		chromedp.WaitVisible(chromedp.Search(`//div[@id="import-result"]/*`)),
	)
	if res, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#import-result`))); err != nil || !strings.Contains(res, "https://t.me/") {
		t.Fatalf("import: %q (%v)", res, err)
	}
	step("the import's rows",
		chromedp.WaitVisible(chromedp.Search(`//div[@id="import-result"]//td[. = "Siti Rahma"]`)),
	)
	if errs := br.pageErrors(); len(errs) > 0 {
		t.Fatalf("page errors: %v", errs)
	}

	// A participant: refused in her language, nothing shown.
	url = dashboardOf("Dewi Lestari (demo)")
	step("the participant is refused",
		chromedp.EmulateViewport(400, 800),
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.Search(`//p[@id="error"][contains(., "Dasbor ini untuk fasilitator dan sekretariat")]`)),
	)
	tabs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#tabs button").length`))
	if err != nil || tabs != 0 {
		t.Fatalf("the participant sees %d tabs (%v)", tabs, err)
	}
	if errs := br.pageErrors(); len(errs) > 0 {
		t.Fatalf("page errors: %v", errs)
	}
}

// The overview's 12 months with commitments, in a real browser: the Mini
// App served straight from bot/webapp over a seeded store (no playground),
// opened as the admin (English). This month's bar counts the registrations
// and check-ins of the workshop held this month, is stacked by status (done
// and blocked), says how many are overdue and were written down; the
// overdue list shows its first 50 and says of how many.
func TestBrowserDashboardTrend(t *testing.T) {
	h := flowstest.New(t, flowstest.AllModules)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(h.Store.SaveUser(ctx, &flows.User{ID: flowstest.AdminID, Lang: "en", FirstName: "Admin", Consent: flows.ConsentVersion}))
	start := h.Now.Add(-24 * time.Hour) // this month
	w := &flows.Workshop{Code: flows.NewCode(), Title: "Air bersih", Start: start, End: start.Add(3 * time.Hour), Zone: "Asia/Jakarta",
		Capacity: 20, Deadline: start, Facilitators: []int64{flowstest.AdminID}, Owner: flowstest.AdminID, CreatedBy: flowstest.AdminID, Created: start.Add(-72 * time.Hour)}
	must(h.Store.CreateWorkshop(ctx, w))
	for _, id := range []int64{2, 3} {
		_, err := h.Store.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: id, RegisteredAt: w.Created, Token: flows.NewToken(), Lang: "id"}, w.Created)
		must(err)
	}
	_, err := h.Store.CheckIn(ctx, w.Code, 2, h.Now)
	must(err)
	for id, st := range map[string]string{"c1": flows.CmDone, "c2": flows.CmBlocked, "c3": flows.CmBlocked} {
		must(h.Store.SaveCommitment(ctx, &flows.Commitment{ID: id, Workshop: w.Code, What: "Rencana " + id, Owner: 2, By: 2,
			Due: h.Now.Add(-24 * time.Hour), Status: st, Created: h.Now.Add(-48 * time.Hour)}))
	}
	// 52 more overdue, due and written down before the 12 months: 54 in
	// all.
	for i := range 52 {
		must(h.Store.SaveCommitment(ctx, &flows.Commitment{ID: fmt.Sprintf("old%02d", i), Workshop: w.Code, What: "Lama", Owner: 2, By: 2,
			Due: h.Now.AddDate(-2, 0, 0), Status: flows.CmOpen, Created: h.Now.AddDate(-2, -1, 0)}))
	}
	srv := httptest.NewServer(webapp.New(webapp.Config{Token: "1:trend", Store: h.Store, Texts: h.Texts,
		Engine: func() *flows.Engine { return h.E }, Clock: func() time.Time { return h.Now }, DefaultLang: "id",
		Log: slog.New(slog.DiscardHandler)}).Handler())
	t.Cleanup(srv.Close)
	data := webapp.SignedInitData(webapp.TelegramUser{ID: flowstest.AdminID, FirstName: "Admin"}, h.Now, "1:trend")

	br := startBrowser(t, 400, 800)
	tctx, cancel := context.WithTimeout(br.ctx, 30*time.Second)
	defer cancel()
	month := h.Now.In(flows.LoadZone("Asia/Jakarta")).Format("2006-01")
	if err := chromedp.Do(tctx,
		chromedp.Navigate(srv.URL+"/app/#"+url.Values{"tgWebAppData": {data}}.Encode()),
		chromedp.WaitVisible(chromedp.Search(`//section[h2 = "Last 12 months"]//div[@id="trend-registrations"]/div[@data-month="`+month+`"]/span[@class="n"][. = "2 / 1"]`)),
		chromedp.WaitVisible(chromedp.Search(`//div[@id="trend-commitments"]/div[@data-month="`+month+`"]/span[@class="n"][. = "3 (2 overdue) · +3 new"]`)),
		chromedp.WaitVisible(chromedp.Search(`//section[h2 = "Overdue"]/p[@id="overdue-note"][. = "The first 50 of 54 commitments, the longest due first."]`)),
	); err != nil {
		t.Fatal(err)
	}
	// The bar's segments: done then blocked, a third and two thirds wide.
	widths, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#trend-commitments [data-month="`+month+`"] .fill')).map(e => e.className + " " + Math.round(parseFloat(e.style.width)))`))
	if err != nil || strings.Join(widths, ",") != "fill st-done 33,fill st-blocked 67" {
		t.Fatalf("segments %q (%v)", widths, err)
	}
	rows, err := chromedp.Run(tctx, chromedp.Evaluate[float64](`document.querySelectorAll('section:has(#overdue-note) tbody tr').length`))
	if err != nil || rows != 50 {
		t.Fatalf("overdue rows %v (%v)", rows, err)
	}
}

// The Commitments tab in a real browser (the Mini App served straight from
// bot/webapp over the fake store, the admin in English): the first 50 of
// 57 commitments by due date and a note saying so; "More" adds the other 7
// under them, the last page hides the button and the note; counts by
// organisation wait for an organisation filter, which lists the matching
// ones. The page keeps to its CSP (no page errors).
func TestBrowserDashboardCommitments(t *testing.T) {
	h := flowstest.New(t, flowstest.AllModules)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(h.Store.SaveUser(ctx, &flows.User{ID: flowstest.AdminID, Lang: "en", FirstName: "Admin", Consent: flows.ConsentVersion}))
	for _, id := range []int64{2, 3} {
		must(h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: fmt.Sprintf("Peserta %d", id), Organisation: fmt.Sprintf("Yayasan %d", id)}))
	}
	var codes []string
	for range 2 {
		w := &flows.Workshop{Code: flows.NewCode(), Title: "Air bersih", Start: h.Now.Add(-72 * time.Hour), End: h.Now.Add(-69 * time.Hour), Zone: "Asia/Jakarta",
			Facilitators: []int64{flowstest.AdminID}, Owner: flowstest.AdminID, CreatedBy: flowstest.AdminID, Created: h.Now.Add(-96 * time.Hour)}
		must(h.Store.CreateWorkshop(ctx, w))
		codes = append(codes, w.Code)
	}
	for i := range 57 {
		must(h.Store.SaveCommitment(ctx, &flows.Commitment{ID: fmt.Sprintf("c%02d", i), Workshop: codes[i%2], What: fmt.Sprintf("Rencana %02d", i),
			Owner: int64(2 + i%3/2), By: 2, Due: h.Now.Add(time.Duration(i) * 24 * time.Hour), Status: flows.CmOpen, Created: h.Now.Add(-48 * time.Hour)}))
	}
	srv := httptest.NewServer(webapp.New(webapp.Config{Token: "1:cm", Store: h.Store, Texts: h.Texts,
		Engine: func() *flows.Engine { return h.E }, Clock: func() time.Time { return h.Now }, DefaultLang: "id",
		Log: slog.New(slog.DiscardHandler)}).Handler())
	t.Cleanup(srv.Close)
	data := webapp.SignedInitData(webapp.TelegramUser{ID: flowstest.AdminID, FirstName: "Admin"}, h.Now, "1:cm")

	br := startBrowser(t, 400, 800)
	tctx, cancel := context.WithTimeout(br.ctx, 30*time.Second)
	defer cancel()
	rows := func(want int) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelectorAll('#cm-list tbody tr').length === %d`, want), chromedp.WithPollingTimeout(10*time.Second))
	}
	step := func(what string, a chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tctx, a); err != nil {
			html, _ := chromedp.Run(br.ctx, chromedp.Evaluate[string](`document.getElementById("main").innerText`))
			t.Fatalf("%s: %v; the page shows:\n%s", what, err, html)
		}
	}
	step("open", chromedp.Navigate(srv.URL+"/app/#"+url.Values{"tgWebAppData": {data}}.Encode()))
	step("the tab", chromedp.Click(chromedp.Search(`//nav[@id="tabs"]/button[. = "Commitments"]`)))
	step("the note", chromedp.WaitVisible(chromedp.Search(`//p[@id="cm-note"][. = "The first 50 of 57 commitments, by due date."]`)))
	step("50 rows", rows(50))
	step("by organisation waits", chromedp.WaitVisible(chromedp.Search(`//p[@id="by-org-hint"]`)))
	step("more", chromedp.Click(chromedp.Search(`//button[@id="cm-more"][. = "More"]`)))
	step("57 rows", rows(57))
	step("no more", chromedp.WaitNotVisible(chromedp.Search(`//button[@id="cm-more"]`)))
	step("no note", chromedp.WaitNotVisible(chromedp.Search(`//p[@id="cm-note"]`)))
	whats, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#cm-list tbody tr td:first-child')).map(e => e.textContent)`))
	if err != nil || len(whats) != 57 || whats[0] != "Rencana 00" || whats[49] != "Rencana 49" || whats[50] != "Rencana 50" || whats[56] != "Rencana 56" {
		t.Fatalf("rows %q (%v)", whats, err)
	}
	// An organisation filter: its commitments, and the organisations it
	// matches counted.
	step("an organisation", chromedp.SendKeys(chromedp.Search(`//input[@type="search"]`), "yayasan 3"))
	step("apply", chromedp.Click(chromedp.Search(`//button[@class="primary"][. = "Show"]`)))
	step("by organisation", chromedp.WaitVisible(chromedp.Search(`//section[h2 = "Commitments by organisation"]//div[@class="bar"][span[1] = "Yayasan 3"][span[@class="n"] = "19"]`)))
	step("19 rows", rows(19))
	if errs := br.pageErrors(); len(errs) > 0 {
		t.Fatalf("page errors: %v", errs)
	}
}
