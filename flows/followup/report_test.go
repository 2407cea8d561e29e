package followup_test

import (
	"context"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"sinergi/flows"
	"sinergi/flows/flowstest"
	"sinergi/flows/followup"
)

// A commitment written for someone else shows that person's name, never
// their Telegram id (issue #13, point 11).
func TestCommitmentForSomeoneShowsName(t *testing.T) {
	h, code := flowstest.FollowUpSetup(t)
	h.Press(2, "followup.commit:"+code)
	h.Text(2, "Data baseline desa")
	h.Press(2, "core.step:"+h.Sess[2].Nonce+":3")
	res := h.Text(2, "20/01/2027")
	res = h.Press(2, flowstest.ButtonData(t, res, "cm.skip"))
	res = h.Press(2, flowstest.ButtonData(t, res, "cm.skip"))
	flowstest.WantIDs(t, res, "(clear buttons)", "cm.summary")
	got := h.Rendered("en", res)
	if !strings.Contains(got, "👤 Peserta 3") || strings.Contains(got, "👤 3") {
		t.Fatalf("summary names the owner by id:\n%s", got)
	}
}

// Lateness and status are two dimensions: an overdue blocked commitment
// counts and is listed as blocked as well as overdue, and an overdue one on
// track still shows "on track" (issue #13, point 13).
func TestReportShowsStatusAndLateness(t *testing.T) {
	h, code := flowstest.FollowUpSetup(t)
	ctx := context.Background()
	past, future := h.Now.AddDate(0, 0, -3), h.Now.AddDate(0, 1, 0)
	for _, c := range []*flows.Commitment{
		{ID: "c1", What: "Late and blocked", Owner: 2, Due: past, Status: flows.CmBlocked},
		{ID: "c2", What: "Late but on track", Owner: 3, Due: past, Status: flows.CmOnTrack},
		{ID: "c3", What: "Blocked in time", Owner: 2, Due: future, Status: flows.CmBlocked},
	} {
		c.Workshop, c.Created = code, h.Now
		if err := h.Store.SaveCommitment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	h.Store.SaveUser(ctx, &flows.User{ID: flowstest.AdminID, Lang: "en", Role: flows.RoleAdmin})
	res := h.Press(flowstest.AdminID, "followup.report:"+code)
	flowstest.WantIDs(t, res, "rp.text", "rp.chart_caption", "rp.csv_caption")
	d := res.Replies[0].Text.Data
	if d["Blocked"] != 2 || d["OnTrack"] != 1 || d["Overdue"] != 2 {
		t.Fatalf("report counts %v", d)
	}
	text := h.Render("en", res.Replies[0].Text)
	_, lists, _ := strings.Cut(text, "<b>Overdue</b>")
	overdueList, blockedList, _ := strings.Cut(lists, "<b>Blocked</b>")
	for _, want := range []string{"Late and blocked", "blocked, ⚠️ overdue", "Late but on track", "on track, ⚠️ overdue"} {
		if !strings.Contains(overdueList, want) {
			t.Errorf("overdue list lacks %q:\n%s", want, overdueList)
		}
	}
	for _, want := range []string{"Late and blocked", "Blocked in time"} {
		if !strings.Contains(blockedList, want) {
			t.Errorf("blocked list lacks %q:\n%s", want, blockedList)
		}
	}
	csv := string(res.Replies[2].Table.CSV())
	for _, want := range []string{"Days overdue", "Late and blocked,Peserta 2,Org 2,2026-11-20,blocked,3,", "Late but on track,Peserta 3,Org 3,2026-11-20,on track,3,", "Blocked in time,Peserta 2,Org 2,2026-12-23,blocked,,"} {
		if !strings.Contains(csv, want) {
			t.Errorf("csv lacks %q:\n%s", want, csv)
		}
	}

	// The owner's own list shows both too.
	h.Store.SaveUser(ctx, &flows.User{ID: 3, Lang: "en"})
	if got := h.Rendered("en", h.Text(3, "/mycommitments")); !strings.Contains(got, "on track, ⚠️ overdue") {
		t.Errorf("/mycommitments: %s", got)
	}
}

// telegramLen is the length Telegram counts of an HTML message: UTF-16
// units of its text without the markup.
func telegramLen(s string) int {
	plain := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, ""))
	return len(utf16.Encode([]rune(plain)))
}

// The report's message fits Telegram's 4096 characters with any number of
// commitments, in both languages, even when every text is at its longest
// and doubled by emoji; each list that is cut says how many lines the
// spreadsheet has besides. At 5,000 commitments it was 300,000 characters,
// which Telegram refuses (#22). With ordinary texts the lists still show
// many lines.
func TestReportTextFitsTelegram(t *testing.T) {
	for _, tc := range []struct {
		name              string
		title, what, note string
		who               func(i int) string
		minShown          int
	}{
		{"longest texts", strings.Repeat("🚰", 120), strings.Repeat("💧", 300), strings.Repeat("📝", 300),
			func(i int) string { return strings.Repeat("👩", 60) + strconv.Itoa(i) }, 0},
		{"ordinary texts", "Lokakarya Air Bersih Flores", "Pemetaan sumber air desa", "menunggu data dari dinas",
			func(i int) string { return "Peserta " + strconv.Itoa(i) }, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := flowstest.New(t, flowstest.AllModules)
			ctx := context.Background()
			w := &flows.Workshop{Code: "big5k", Title: tc.title, Zone: "Asia/Jakarta", Start: h.Now.AddDate(0, 0, -40),
				End: h.Now.AddDate(0, 0, -40).Add(time.Hour), Venue: "x", Facilitators: []int64{flowstest.AdminID}}
			if err := h.Store.CreateWorkshop(ctx, w); err != nil {
				t.Fatal(err)
			}
			const owners, n = 120, 600
			for i := range owners {
				if err := h.Store.SaveProfile(ctx, &flows.Profile{UserID: int64(1000 + i), FullName: tc.who(i), Organisation: tc.who(i) + " Foundation"}); err != nil {
					t.Fatal(err)
				}
			}
			for i := range n {
				status, due := flows.CmOpen, h.Now.AddDate(0, 0, -3) // overdue
				switch i % 3 {
				case 1:
					status = flows.CmBlocked // overdue and blocked
				case 2:
					status, due = flows.CmBlocked, h.Now.AddDate(0, 1, 0) // blocked in time
				}
				c := &flows.Commitment{ID: "c" + strconv.Itoa(i), Workshop: w.Code, What: tc.what + strconv.Itoa(i), Owner: int64(1000 + i%owners),
					Due: due, Status: status, Created: w.End, History: []flows.StatusEntry{{At: w.End, Status: status, Note: tc.note}}}
				if err := h.Store.SaveCommitment(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
			for _, lang := range []string{"en", "id"} {
				h.Store.SaveUser(ctx, &flows.User{ID: flowstest.AdminID, Lang: lang, Role: flows.RoleAdmin})
				res := h.Press(flowstest.AdminID, "followup.report:"+w.Code)
				flowstest.WantIDs(t, res, "rp.text", "rp.chart_caption", "rp.csv_caption")
				text := h.Render(lang, res.Replies[0].Text)
				t.Logf("%s: %d characters", lang, telegramLen(text))
				if l := telegramLen(text); l > 4096 {
					t.Fatalf("%s: the report's message is %d characters, Telegram takes 4096", lang, l)
				}
				if got := len(res.Replies[2].Table.Rows); got != n {
					t.Errorf("the table has %d rows, want every commitment, %d", got, n)
				}
				if lang != "en" {
					continue
				}
				// Each list: its lines shown and the "more" line add up to
				// what it lists.
				_, rest, _ := strings.Cut(text, "<b>Overdue</b>")
				overdueList, rest, _ := strings.Cut(rest, "<b>Blocked</b>")
				blockedList, orgList, _ := strings.Cut(rest, "<b>By organisation</b>")
				more := regexp.MustCompile(`… and (\d+) more lines? \(the spreadsheet has every commitment\)`)
				for _, l := range []struct {
					name, text string
					want       int
				}{{"overdue", overdueList, 2 * n / 3}, {"blocked", blockedList, 2 * n / 3}, {"organisations", orgList, owners}} {
					shown := strings.Count(l.text, "• ")
					m := more.FindStringSubmatch(l.text)
					if m == nil {
						t.Fatalf("%s list (%d shown of %d) does not say how many more:\n%s", l.name, shown, l.want, l.text)
					}
					if k, _ := strconv.Atoi(m[1]); shown+k != l.want || shown < tc.minShown {
						t.Errorf("%s list: %d shown and %s more, want %d in all and at least %d shown", l.name, shown, m[1], l.want, tc.minShown)
					}
				}
			}
		})
	}
}

// countingTexts counts the lookups of a message catalogue.
type countingTexts struct {
	flows.Texts
	n int
}

func (c *countingTexts) Text(lang, id string, data map[string]any, count any) (string, error) {
	c.n++
	return c.Texts.Text(lang, id, data, count)
}

// The export's table looks each status's name up once, not at every row
// and history entry (#22), and writes each commitment's history as
// before: an entry a line, its time in the workshop's zone, the status
// and the note.
func TestCommitmentsTableLooksStatusesUpOnce(t *testing.T) {
	h := flowstest.New(t, flowstest.AllModules)
	texts := &countingTexts{Texts: h.Texts}
	w := &flows.Workshop{Code: "tbl1", Zone: "Asia/Jakarta"}
	at := time.Date(2026, 11, 2, 3, 0, 0, 0, time.UTC) // 10:00 WIB
	statuses := []string{flows.CmOpen, flows.CmOnTrack, flows.CmBlocked, flows.CmDone}
	var cs []*flows.Commitment
	for i := range 500 {
		cs = append(cs, &flows.Commitment{ID: "c" + strconv.Itoa(i), What: "x", Owner: 2, Due: at, Status: statuses[i%4], Created: at,
			History: []flows.StatusEntry{{At: at, Status: flows.CmOnTrack, Note: "progress note"}, {At: at.Add(time.Hour), Status: statuses[i%4]}}})
	}
	tbl := followup.CommitmentsTableOf(texts, at, "en", w, cs, func(int64) (string, string) { return "Owner", "Org" })
	if texts.n > 20 {
		t.Errorf("%d lookups of the catalogue for %d rows", texts.n, len(cs))
	}
	if got, want := tbl.Rows[2][9], "2026-11-02 10:00 on track: progress note\n2026-11-02 11:00 blocked"; got != want {
		t.Errorf("history %q, want %q", got, want)
	}
	if got := tbl.Rows[3][4]; got != "done" {
		t.Errorf("status %q, want done", got)
	}
}
