package webapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sinergi/bot/chart"
	"sinergi/bot/webapp"
	"sinergi/flows"
	"sinergi/flows/flowstest"
)

const token = "123456:TEST-token-of-this-bot"

// The actors of the authorisation matrix (as flows/authz_test.go's).
const (
	actParticipant = 11 // a participant, registered to the workshop
	actOtherFac    = 12 // facilitator of another workshop only
	actOwnFac      = 13 // on the workshop's team
	actChapterA    = 14 // admin of chapter A, the workshop's
	actChapterB    = 15 // admin of chapter B
	actRemovedFac  = 16 // facilitator, taken off the workshop's team
	actStranger    = 17 // never started the bot
)

type actor struct {
	id    int64
	title string
}

var actors = []actor{
	{actParticipant, "Participant"},
	{actOtherFac, "Facilitator (other workshop)"},
	{actOwnFac, "Facilitator (this workshop)"},
	{actChapterA, "Chapter admin of A (this workshop's)"},
	{actChapterB, "Chapter admin of B"},
	{flowstest.AdminID, "Admin"},
	{actRemovedFac, "Removed co-facilitator"},
}

type fixture struct {
	h         *flowstest.Harness
	srv       http.Handler
	code      string
	other     string
	mu        sync.Mutex
	delivered []flows.Reply
	// deliveredFor: whose chat's outbox each delivery went through.
	deliveredFor []int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	h := flowstest.New(t, flowstest.AllModules)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	start := h.Now.Add(10 * 24 * time.Hour)
	w := &flows.Workshop{Code: flows.NewCode(), Title: "Air bersih di Flores", Start: start, End: start.Add(3 * time.Hour), Zone: "Asia/Makassar",
		Capacity: 20, Deadline: start, Facilitators: []int64{flowstest.AdminID, actOwnFac}, Owner: flowstest.AdminID, CreatedBy: flowstest.AdminID,
		Created: h.Now, Chapter: "chapaa", Approval: true}
	must(h.Store.CreateWorkshop(ctx, w))
	other := *w
	other.Code, other.Title, other.Facilitators, other.Owner, other.Chapter, other.Approval = flows.NewCode(), "Workshop lain", []int64{actOtherFac}, actOtherFac, "chapbb", false
	must(h.Store.CreateWorkshop(ctx, &other))
	must(h.Store.CreateChapter(ctx, &flows.Chapter{ID: "chapaa", Name: "Jawa Barat", Kind: flows.ChapterProvince, Provinces: []string{"JB"}, Created: h.Now}))
	must(h.Store.CreateChapter(ctx, &flows.Chapter{ID: "chapbb", Name: "Bali", Kind: flows.ChapterProvince, Provinces: []string{"BA"}, Created: h.Now}))
	for _, id := range []int64{actOtherFac, actOwnFac, actRemovedFac} {
		must(h.Store.SaveUser(ctx, &flows.User{ID: id, Lang: "en", Role: flows.RoleFacilitator, FirstName: "Fac"}))
	}
	must(h.Store.CreateTeamInvite(ctx, &flows.TeamInvite{Token: "removed", Workshop: w.Code, By: flowstest.AdminID, Created: h.Now, Expires: h.Now.Add(time.Hour)}))
	_, err := h.Store.JoinTeam(ctx, w.Code, "removed", actRemovedFac, h.Now)
	must(err)
	must(h.Store.RemoveFromTeam(ctx, w.Code, actRemovedFac))
	must(h.Store.SaveUser(ctx, &flows.User{ID: actChapterA, Lang: "en", Role: flows.RoleFacilitator, FirstName: "Ch", Chapter: "chapaa"}))
	must(h.Store.SaveUser(ctx, &flows.User{ID: actChapterB, Lang: "en", Role: flows.RoleFacilitator, FirstName: "Ch", Chapter: "chapbb"}))
	must(h.Store.SaveUser(ctx, &flows.User{ID: flowstest.AdminID, Lang: "en", FirstName: "Admin", Consent: flows.ConsentVersion}))
	// Participants 2, 3 (approved, 2 checked in), 4 (awaiting approval), 11;
	// 2 and 3 are in chapter A's province, 4 in chapter B's.
	prov := map[int64]string{2: "JB", 3: "JB", 4: "BA", actParticipant: "BA"}
	for _, id := range []int64{2, 3, 4, actParticipant} {
		must(h.Store.SaveUser(ctx, &flows.User{ID: id, Lang: "id", FirstName: "Peserta", Created: h.Now, Seen: h.Now}))
		must(h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta " + strconv.FormatInt(id, 10), Organisation: "Org " + strconv.FormatInt(id, 10),
			Sector: "ngo", Province: prov[id], ConsentVersion: flows.ConsentVersion}))
		_, err := h.Store.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: id, RegisteredAt: h.Now, Token: flows.NewToken(), Lang: "id"}, h.Now)
		must(err)
		if id == 4 {
			continue
		}
		_, err = h.Store.DecideRegistration(ctx, w.Code, id, true)
		must(err)
	}
	_, err = h.Store.CheckIn(ctx, w.Code, 2, h.Now)
	must(err)
	must(h.Store.SaveCommitment(ctx, &flows.Commitment{ID: "c1", Workshop: w.Code, What: "Tandon air", Owner: 2, By: 2, Due: h.Now.Add(-24 * time.Hour),
		Status: flows.CmBlocked, Created: h.Now.Add(-48 * time.Hour), History: []flows.StatusEntry{{At: h.Now.Add(-time.Hour), Status: flows.CmBlocked, Note: "menunggu dana", By: 2}}}))
	f := &fixture{h: h, code: w.Code, other: other.Code}
	f.srv = webapp.New(webapp.Config{
		Token: token, Store: h.Store, Texts: h.Texts, Engine: func() *flows.Engine { return h.E }, Clock: func() time.Time { return h.Now },
		Deliver: func(_ context.Context, user int64, r []flows.Reply) error {
			f.mu.Lock()
			f.delivered = append(f.delivered, r...)
			f.deliveredFor = append(f.deliveredFor, user)
			f.mu.Unlock()
			return nil
		},
		Chart: chart.PNG, DefaultLang: "id", Log: slog.New(slog.DiscardHandler),
	}).Handler()
	return f
}

func (f *fixture) fill(s string) string {
	return strings.NewReplacer("{code}", f.code, "{other}", f.other).Replace(s)
}

// do sends method path as user uid (0: no launch data) and returns the
// response.
func (f *fixture) do(t *testing.T, method, path string, uid int64, body string) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, f.fill(path), rd)
	if uid != 0 {
		req.Header.Set("Authorization", "tma "+webapp.SignedInitData(webapp.TelegramUser{ID: uid, FirstName: "X"}, f.h.Now, token))
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return rec
}

func decode(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("not JSON (%d): %q", rec.Code, rec.Body.String())
	}
	return out
}

type verdict bool

const (
	allow verdict = true
	deny  verdict = false
)

var (
	facRole      = [7]verdict{deny, allow, allow, allow, allow, allow, allow}
	managers     = [7]verdict{deny, deny, allow, allow, deny, allow, deny}
	scopedAdmins = [7]verdict{deny, deny, deny, allow, allow, allow, deny}
	adminOnly    = [7]verdict{deny, deny, deny, deny, deny, allow, deny}
)

// oneMember is a valid import of one person.
const oneMember = "name,organisation,sector,province,telegram\nSiti Rahma,Yayasan Air,ngo,Bali,@siti_rahma\n"

// apiRow is one API call of the matrix; Sees/Hides are what an allowed
// answer must (not) contain for the scoped actors.
type apiRow struct {
	Method, Path, Body string
	Want               [7]verdict
	Mutates            bool
	Notes              string
}

var apiTable = []apiRow{
	{Method: "GET", Path: "/app/api/me", Want: facRole, Notes: "who the caller is, their role, language and what they may see"},
	{Method: "GET", Path: "/app/api/overview", Want: facRole, Notes: "scoped: a facilitator's own workshops, a chapter admin's chapter, the admin's forum"},
	{Method: "GET", Path: "/app/api/workshops", Want: facRole, Notes: "the workshops the caller manages (as /myworkshops)"},
	{Method: "GET", Path: "/app/api/workshops/{code}", Want: managers, Notes: "registrants with status and answers, check-in counter, pending list"},
	{Method: "POST", Path: "/app/api/workshops/{code}/approve", Body: `{"user":4}`, Want: managers, Mutates: true, Notes: "the chat's approve button (registration.approve), run as the caller"},
	{Method: "GET", Path: "/app/api/workshops/{code}/export.csv", Want: managers, Notes: "the chat's CSV export (workshops.export), audited"},
	{Method: "GET", Path: "/app/api/workshops/{code}/chart.png", Want: managers, Notes: "the chat report's progress chart (followup.report)"},
	{Method: "GET", Path: "/app/api/workshops/{code}/meetings", Want: managers, Notes: "partner meetings: the grid (slots × tables, the two organisations) and the counts requested / accepted / held"},
	{Method: "GET", Path: "/app/api/commitments", Want: facRole, Notes: "commitments of the caller's workshops only"},
	{Method: "GET", Path: "/app/api/commitments/{code}/c1", Want: managers, Notes: "one commitment with its history"},
	{Method: "GET", Path: "/app/api/members?q=peserta", Want: scopedAdmins, Notes: "member search: everyone for admins, the chapter's members for a chapter admin"},
	{Method: "POST", Path: "/app/api/members/import", Body: oneMember, Want: adminOnly, Mutates: true, Notes: "member import from CSV: a personal invitation link per row"},
}

func TestAPIAuthorizationMatrix(t *testing.T) {
	for _, row := range apiTable {
		for i, a := range actors {
			t.Run(row.Method+" "+row.Path+"/"+a.title, func(t *testing.T) {
				f := newFixture(t)
				before := f.h.Store.Snapshot(t)
				rec := f.do(t, row.Method, row.Path, a.id, row.Body)
				after := f.h.Store.Snapshot(t)
				if row.Want[i] == deny {
					if rec.Code != http.StatusForbidden {
						t.Fatalf("want 403, got %d %s", rec.Code, rec.Body)
					}
					if msg := decode(t, rec)["error"]; msg == "" || msg == nil {
						t.Fatalf("403 without a message: %s", rec.Body)
					}
					if before != after {
						t.Fatal("refused but changed the store")
					}
					return
				}
				if rec.Code != http.StatusOK {
					t.Fatalf("want 200, got %d %s", rec.Code, rec.Body)
				}
				if row.Mutates && before == after {
					t.Fatal("allowed but the store did not change")
				}
			})
		}
	}
}

// Scoped lists show each actor only their own.
func TestAPIScopes(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		who         int64
		path        string
		sees, hides []string
	}{
		{actOtherFac, "/app/api/workshops", []string{"{other}"}, []string{"{code}"}},
		{actOwnFac, "/app/api/workshops", []string{"{code}"}, []string{"{other}"}},
		{actChapterA, "/app/api/workshops", []string{"{code}"}, []string{"{other}"}},
		{actChapterB, "/app/api/workshops", []string{"{other}"}, []string{"{code}"}},
		{flowstest.AdminID, "/app/api/workshops", []string{"{code}", "{other}"}, nil},
		{actOtherFac, "/app/api/overview", []string{"Workshop lain"}, []string{"Air bersih", "Tandon air"}},
		{actOwnFac, "/app/api/overview", []string{"Air bersih", "Tandon air", `"members":4`}, []string{"Workshop lain"}},
		{actOtherFac, "/app/api/commitments", nil, []string{"Tandon air"}},
		{actChapterA, "/app/api/commitments", []string{"Tandon air"}, nil},
		// Members: chapter A's are 2 and 3 (province JB); B's 4 and 11.
		{actChapterA, "/app/api/members", []string{"Peserta 2", "Peserta 3"}, []string{"Peserta 4", "Peserta 11"}},
		{actChapterB, "/app/api/members", []string{"Peserta 4", "Peserta 11"}, []string{"Peserta 2", "Peserta 3"}},
		{flowstest.AdminID, "/app/api/members?q=org%204", []string{"Peserta 4"}, []string{"Peserta 2"}},
		{actChapterA, "/app/api/overview", []string{"Jawa Barat"}, nil},
	} {
		rec := f.do(t, "GET", c.path, c.who, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s: %d %s", c.who, c.path, rec.Code, rec.Body)
		}
		body := rec.Body.String()
		for _, s := range c.sees {
			if !strings.Contains(body, f.fill(s)) {
				t.Errorf("%d %s: want %q in %s", c.who, c.path, f.fill(s), body)
			}
		}
		for _, s := range c.hides {
			if strings.Contains(body, f.fill(s)) {
				t.Errorf("%d %s: must not show %q: %s", c.who, c.path, f.fill(s), body)
			}
		}
	}
}

func TestAPIRefusals(t *testing.T) {
	f := newFixture(t)
	now := f.h.Now
	signed := func(uid int64, at time.Time, tok string) string {
		return webapp.SignedInitData(webapp.TelegramUser{ID: uid, FirstName: "X"}, at, tok)
	}
	for _, c := range []struct {
		name, auth string
		want       int
		code       string
	}{
		{"no header", "", 401, "app.err_no_initdata"},
		{"another scheme", "Bearer " + signed(flowstest.AdminID, now, token), 401, "app.err_no_initdata"},
		{"replayed from another bot's token", "tma " + signed(flowstest.AdminID, now, "654321:other-bot"), 401, "app.err_bad_initdata"},
		{"forged (user changed after signing)", "tma " + strings.Replace(signed(actOwnFac, now, token), "%3A13%2C", "%3A900%2C", 1), 401, "app.err_bad_initdata"},
		{"expired", "tma " + signed(flowstest.AdminID, now.Add(-25*time.Hour), token), 401, "app.err_expired"},
		{"in the future", "tma " + signed(flowstest.AdminID, now.Add(10*time.Minute), token), 401, "app.err_future"},
		{"a user who never started the bot", "tma " + signed(actStranger, now, token), 403, "app.err_not_started"},
		{"a participant", "tma " + signed(actParticipant, now, token), 403, "app.err_no_role"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/app/api/overview", nil)
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			rec := httptest.NewRecorder()
			f.srv.ServeHTTP(rec, req)
			got := decode(t, rec)
			if rec.Code != c.want || got["code"] != c.code {
				t.Fatalf("got %d %v, want %d %s", rec.Code, got, c.want, c.code)
			}
			if msg, _ := got["error"].(string); msg == "" || strings.HasPrefix(msg, "app.") {
				t.Fatalf("no readable message: %v", got)
			}
		})
	}
	// A chapter admin asking for another chapter's workshop, and its
	// commitment: 403, nothing shown.
	for _, p := range []string{"/app/api/workshops/{code}", "/app/api/commitments/{code}/c1", "/app/api/workshops/{code}/export.csv"} {
		rec := f.do(t, "GET", p, actChapterB, "")
		if rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), "Peserta") || strings.Contains(rec.Body.String(), "Tandon") {
			t.Fatalf("chapter B's admin on %s: %d %s", p, rec.Code, rec.Body)
		}
	}
	// A participant calling admin endpoints.
	for _, p := range []string{"/app/api/members", "/app/api/workshops/{code}"} {
		if rec := f.do(t, "GET", p, actParticipant, ""); rec.Code != http.StatusForbidden {
			t.Fatalf("participant on %s: %d", p, rec.Code)
		}
	}
	if rec := f.do(t, "POST", "/app/api/workshops/{code}/approve", actParticipant, `{"all":true}`); rec.Code != http.StatusForbidden {
		t.Fatalf("participant approving: %d", rec.Code)
	}
	// Unknown workshop, bad bodies.
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/app/api/workshops/ZZZZZZ", "", 404},
		{"GET", "/app/api/workshops/abc%3Cx", "", 404},
		{"POST", "/app/api/workshops/{code}/approve", `{}`, 400},
		{"POST", "/app/api/workshops/{code}/approve", `not json`, 400},
		{"GET", "/app/api/commitments?month=2026-13", "", 400},
		{"GET", "/app/api/nothing", "", 404},
	} {
		if rec := f.do(t, c.method, c.path, flowstest.AdminID, c.body); rec.Code != c.want {
			t.Errorf("%s %s %s: %d %s, want %d", c.method, c.path, c.body, rec.Code, rec.Body, c.want)
		}
	}
}

// Every response carries the security headers, the page included.
func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/app/", "/app/app.js", "/app/api/me", "/app/api/nothing"} {
		rec := f.do(t, "GET", p, flowstest.AdminID, "")
		h := rec.Header()
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org", "default-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline: %q", p, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", p, h)
		}
	}
	// The page has no inline script.
	rec := f.do(t, "GET", "/app/", 0, "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `<script src="app.js"`) || strings.Contains(rec.Body.String(), "<script>") {
		t.Fatalf("page: %d %s", rec.Code, rec.Body)
	}
}

// Approving from the dashboard is the chat's approval: the person is told,
// the decision is audited, a second decision is refused.
func TestAPIApprove(t *testing.T) {
	f := newFixture(t)
	rec := f.do(t, "POST", "/app/api/workshops/{code}/approve", actOwnFac, `{"user":4}`)
	if rec.Code != 200 {
		t.Fatalf("approve: %d %s", rec.Code, rec.Body)
	}
	if msg, _ := decode(t, rec)["message"].(string); !strings.Contains(msg, "Peserta 4") {
		t.Fatalf("message %q", msg)
	}
	r, err := f.h.Store.GetRegistration(context.Background(), f.code, 4)
	if err != nil || r.Status != flows.RegConfirmed {
		t.Fatalf("registration after approval: %+v %v", r, err)
	}
	told := false
	for _, rep := range f.delivered {
		told = told || (rep.ChatID == 4 && rep.Text.ID == "ws.approved")
	}
	if !told {
		t.Fatalf("the person was not told: %+v", f.delivered)
	}
	if len(f.deliveredFor) != 1 || f.deliveredFor[0] != actOwnFac {
		t.Fatalf("delivered through the chats of %v, want the approver's (%d) once", f.deliveredFor, actOwnFac)
	}
	if !strings.Contains(f.h.Store.Snapshot(t), flows.AuditRegApprove) {
		t.Fatal("approval not audited")
	}
	rec = f.do(t, "POST", "/app/api/workshops/{code}/approve", flowstest.AdminID, `{"user":4}`)
	if rec.Code != http.StatusConflict {
		t.Fatalf("second decision: %d %s", rec.Code, rec.Body)
	}
	// The workshop view: counter and lists.
	var got struct {
		Workshop struct {
			Counts flows.Counts `json:"counts"`
		} `json:"workshop"`
		Registrants []map[string]any `json:"registrants"`
		Pending     []map[string]any `json:"pending"`
	}
	rec = f.do(t, "GET", "/app/api/workshops/{code}?status=checked_in", actChapterA, "")
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Workshop.Counts.CheckedIn != 1 || got.Workshop.Counts.Confirmed != 4 || len(got.Pending) != 0 || len(got.Registrants) != 1 {
		t.Fatalf("workshop view: %s", rec.Body)
	}
}

func TestAPIExportCSV(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p, err := f.h.Store.GetProfile(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	p.Organisation = "=HYPERLINK(\"http://evil\")"
	if err := f.h.Store.SaveProfile(ctx, p); err != nil {
		t.Fatal(err)
	}
	rec := f.do(t, "GET", "/app/api/workshops/{code}/export.csv", actOwnFac, "")
	body := rec.Body.Bytes()
	if rec.Code != 200 || !bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) || !strings.Contains(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %q", rec.Code, body)
	}
	if !bytes.Contains(body, []byte("Peserta 2")) || bytes.Contains(body, []byte(",=HYPERLINK")) || bytes.Contains(body, []byte(`,"=HYPERLINK`)) {
		t.Fatalf("export content: %s", body)
	}
}

// renderAPITable renders the matrix as Markdown (docs/authorization-api.md).
func renderAPITable() []byte {
	var b bytes.Buffer
	b.WriteString("# Authorization of the dashboard API\n\n")
	b.WriteString("<!-- Generated from bot/webapp/api_test.go (apiTable); do not edit by hand.\n")
	b.WriteString("     Regenerate with: UPDATE_DOCS=1 go test ./bot/webapp/ -run TestAPIAuthorizationTableUpToDate -->\n\n")
	b.WriteString("Who may call each endpoint of the Mini App's API, as tested by `TestAPIAuthorizationMatrix` with the\n")
	b.WriteString("actors of [the chat's matrix](authorization.md). Every call carries Telegram's signed launch data\n")
	b.WriteString("(`Authorization: tma <initData>`): missing, forged, expired, future-dated or another bot's → 401;\n")
	b.WriteString("a user who never started the bot, or a participant → 403; a workshop the caller may not manage → 403.\n")
	b.WriteString("The rules are the chat's: `Turn.CanManage`, `ManagedWorkshops` and the chat's own button handlers.\n\n")
	b.WriteString("| Endpoint |")
	for _, a := range actors {
		b.WriteString(" " + a.title + " |")
	}
	b.WriteString(" Notes |\n|---|")
	for range actors {
		b.WriteString(":---:|")
	}
	b.WriteString("---|\n")
	for _, r := range apiTable {
		fmt.Fprintf(&b, "| `%s %s` |", r.Method, r.Path)
		for _, v := range r.Want {
			if v == allow {
				b.WriteString(" allowed |")
			} else {
				b.WriteString(" 403 |")
			}
		}
		notes := r.Notes
		if r.Mutates {
			notes += "; changes state"
		}
		fmt.Fprintf(&b, " %s |\n", notes)
	}
	return b.Bytes()
}

const apiDoc = "../../docs/authorization-api.md"

func TestAPIAuthorizationTableUpToDate(t *testing.T) {
	want := renderAPITable()
	if os.Getenv("UPDATE_DOCS") == "1" {
		if err := os.WriteFile(apiDoc, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(apiDoc)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date (err %v); regenerate with UPDATE_DOCS=1 go test ./bot/webapp/ -run TestAPIAuthorizationTableUpToDate", apiDoc, err)
	}
}

// A workshop's partner meetings: the grid (a row per slot, a column per
// table, the two organisations in the booked cell, a proposal marked) and
// the team card's counts; a workshop without meetings says so.
func TestAPIMeetings(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	w, err := f.h.Store.GetWorkshop(ctx, f.code)
	if err != nil {
		t.Fatal(err)
	}
	setup := &flows.MeetingSetup{Workshop: w.Code, SlotMinutes: 20, MaxPerOrg: 3,
		Windows: []flows.MeetWindow{{Start: w.Start.Add(30 * time.Minute), End: w.Start.Add(90 * time.Minute)}},
		Tables:  []flows.MeetTable{{ID: 1, Name: "Meja Melati"}, {ID: 2, Name: "Meja Kenanga"}}}
	if _, err := f.h.Store.SaveMeetingSetup(ctx, setup, false, f.h.Now); err != nil {
		t.Fatal(err)
	}
	slots := setup.Slots()
	ask := func(id string, from, to int64, at time.Time) {
		t.Helper()
		m := &flows.Meeting{ID: id, Workshop: w.Code, From: from, To: to, FromOrg: "Org " + strconv.FormatInt(from, 10), ToOrg: "Org " + strconv.FormatInt(to, 10),
			Slots: []time.Time{at}, Awaiting: to, Status: flows.MeetPending, Created: f.h.Now}
		if err := f.h.Store.RequestMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	ask("meetaaaaaa", 2, 3, slots[1])
	if _, err := f.h.Store.AcceptMeeting(ctx, w.Code, "meetaaaaaa", 3, slots[1], f.h.Now); err != nil {
		t.Fatal(err)
	}
	if err := f.h.Store.SetMeetingOutcome(ctx, w.Code, "meetaaaaaa", 2, flows.OutcomePartnership); err != nil {
		t.Fatal(err)
	}
	ask("meetbbbbbb", 2, actParticipant, slots[2]) // pending: counted, not on the grid

	for _, c := range []struct {
		who  int64
		lang string
	}{{actOwnFac, "en"}, {actChapterA, "en"}, {flowstest.AdminID, "en"}} {
		rec := f.do(t, "GET", "/app/api/workshops/{code}/meetings", c.who, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("%d: %d %s", c.who, rec.Code, rec.Body)
		}
		var got struct {
			Enabled                   bool
			Requested, Accepted, Held int
			Columns                   []string
			Rows                      [][]string
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if !got.Enabled || got.Requested != 2 || got.Accepted != 1 || got.Held != 1 {
			t.Fatalf("%d: counts %+v", c.who, got)
		}
		if want := []string{"Slot", "Meja Melati", "Meja Kenanga"}; !slices.Equal(got.Columns, want) {
			t.Fatalf("columns %q, want %q", got.Columns, want)
		}
		if len(got.Rows) != len(slots) {
			t.Fatalf("%d rows for %d slots", len(got.Rows), len(slots))
		}
		for i, row := range got.Rows {
			if want := (flows.When{At: slots[i], Zone: w.Zone, ClockOnly: true}).Render(f.h.Texts, c.lang); row[0] != want {
				t.Errorf("slot %d shown %q, want %q", i, row[0], want)
			}
			booked := strings.Join(row[1:], "|")
			if (i == 1) != (booked != "|") {
				t.Errorf("row %d: %q", i, row)
			}
		}
		if !slices.Contains(got.Rows[1][1:], "Org 2 ↔ Org 3") {
			t.Fatalf("the booked meeting's cell: %q", got.Rows[1])
		}
	}
	// A workshop without meetings says so.
	rec := f.do(t, "GET", "/app/api/workshops/{other}/meetings", actOtherFac, "")
	if rec.Code != http.StatusOK || decode(t, rec)["enabled"] != false {
		t.Fatalf("a workshop without meetings: %d %s", rec.Code, rec.Body)
	}
	// The page's words for the section come with /app/api/me.
	me := f.do(t, "GET", "/app/api/me", actOwnFac, "").Body.String()
	for _, id := range []string{"app.meetings", "app.meet_requested", "app.meet_accepted", "app.meet_held"} {
		if !strings.Contains(me, `"`+id+`"`) {
			t.Errorf("/me lacks %s", id)
		}
	}
}
