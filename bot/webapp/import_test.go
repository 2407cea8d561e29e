package webapp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"sinergi/bot/webapp"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

type importAnswer struct {
	Code     string `json:"code"`
	Error    string `json:"error"`
	Message  string `json:"message"`
	Imported int    `json:"imported"`
	Members  []struct {
		Line    int    `json:"line"`
		Name    string `json:"name"`
		Org     string `json:"organisation"`
		Contact string `json:"contact"`
		Link    string `json:"link"`
	} `json:"members"`
	Problems []struct {
		Line    int    `json:"line"`
		Message string `json:"message"`
	} `json:"problems"`
	Notes []struct {
		Line    int    `json:"line"`
		Message string `json:"message"`
	} `json:"notes"`
}

func (f *fixture) importCSV(t *testing.T, uid int64, body string) (int, importAnswer) {
	t.Helper()
	rec := f.do(t, "POST", "/app/api/members/import", uid, body)
	var a importAnswer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatalf("not JSON (%d): %s", rec.Code, rec.Body)
	}
	return rec.Code, a
}

func TestImportMembers(t *testing.T) {
	f := newFixture(t)
	csv := "\xef\xbb\xbfNama;Organisasi;Sektor;Provinsi;Telegram\r\n" + // Excel: BOM, semicolons, Indonesian headers
		"Siti Rahma;Yayasan Air Bersih;LSM / yayasan;Bali;@siti_rahma\r\n" +
		"\r\n" +
		"=HYPERLINK(\"http://evil\");+Org Baik;csr;west java;+62 812 3456 7890\r\n"
	code, a := f.importCSV(t, flowstest.AdminID, csv)
	if code != 200 || a.Imported != 2 || len(a.Members) != 2 {
		t.Fatalf("import: %d %+v", code, a)
	}
	if a.Members[0].Line != 2 || a.Members[1].Line != 4 || a.Members[1].Contact != "+6281234567890" {
		t.Fatalf("rows: %+v", a.Members)
	}
	// Formulas neutralised, and said so by line.
	if n := a.Members[1]; strings.HasPrefix(n.Name, "=") || n.Org != "Org Baik" || len(a.Notes) != 2 || a.Notes[0].Line != 4 {
		t.Fatalf("formula cells: %+v notes %+v", n, a.Notes)
	}
	if !strings.Contains(a.Message, "2 people invited") && !strings.Contains(a.Message, "2 orang diundang") {
		t.Fatalf("message %q", a.Message)
	}
	// Each link is a personal one-time invitation: opening it welcomes the
	// person by name and tells the importer.
	link := a.Members[0].Link
	payload := link[strings.Index(link, "?start=")+len("?start="):]
	res := f.h.Text(777, "/start "+payload)
	if ids := flowstest.IDs(res); !containsID(ids, "grant.member_welcome") {
		t.Fatalf("opening the link: %v", ids)
	}
	told := false
	for _, r := range res.Replies {
		told = told || (r.ChatID == flowstest.AdminID && r.Text.ID == "grant.member_joined" && r.Text.Data["Name"] == "Siti Rahma")
	}
	if !told {
		t.Fatal("the importer was not told")
	}
	if ids := flowstest.IDs(f.h.Text(778, "/start "+payload)); containsID(ids, "grant.member_welcome") {
		t.Fatal("the link worked twice")
	}
	if !strings.Contains(f.h.Store.Snapshot(t), flows.AuditMemberImport) {
		t.Fatal("the import is not audited")
	}
}

func containsID(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Bad files: refused whole, with the reason (and every bad line), nothing
// imported.
func TestImportMembersRefusals(t *testing.T) {
	f := newFixture(t)
	header := "name,organisation,sector,province,telegram\n"
	big := strings.Builder{}
	big.WriteString(header)
	for range 50_000 {
		big.WriteString("Budi,Org,ngo,Bali,@budi_santoso\n")
	}
	for _, c := range []struct {
		name, body, code string
		lines            []int
	}{
		{"50,000 rows", big.String(), "app.err_import_too_many", nil},
		{"wrong columns", "nama,email\nSiti,siti@example.org\n", "app.err_import_columns", nil},
		{"a column missing", "name,organisation,sector,province\nSiti,Org,ngo,Bali\n", "app.err_import_columns", nil},
		{"empty", "", "app.err_import_empty", nil},
		{"only the header", header, "app.err_import_empty", nil},
		{"not UTF-8", header + "Sit\xff,Org,ngo,Bali,@siti_rahma\n", "app.err_import_encoding", nil},
		{"bad lines", header +
			"Siti,Org,ngo,Bali,@siti_rahma\n" + // fine
			",Org,ngo,Bali,@someone_else\n" + // line 3: no name
			"Budi,Org,farming,Bali,@budi_s\n" + // line 4: unknown sector
			"Ani,Org,ngo,Atlantis,@ani_ani\n" + // line 5: unknown province
			"Dedi,Org,ngo,Bali,dedi\n" + // line 6: neither @username nor phone
			"Eka,Org,ngo,Bali,@SITI_RAHMA\n" + // line 7: the same contact as line 2
			"Fajar,Org,ngo\n", // line 8: too few cells
			"app.err_import_lines", []int{3, 4, 5, 6, 7, 8}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := f.h.Store.Snapshot(t)
			code, a := f.importCSV(t, flowstest.AdminID, c.body)
			if code != http.StatusBadRequest || a.Code != c.code || a.Error == "" || strings.HasPrefix(a.Error, "app.") {
				t.Fatalf("got %d %+v, want 400 %s", code, a, c.code)
			}
			var lines []int
			for _, p := range a.Problems {
				lines = append(lines, p.Line)
				if p.Message == "" || strings.HasPrefix(p.Message, "app.") {
					t.Fatalf("line %d: no readable message", p.Line)
				}
			}
			if len(lines) != len(c.lines) || (len(lines) > 0 && lines[0] != c.lines[0]) {
				t.Fatalf("problems on lines %v, want %v (%+v)", lines, c.lines, a.Problems)
			}
			if after := f.h.Store.Snapshot(t); after != before {
				t.Fatal("a refused import changed the store")
			}
		})
	}
	// The 5,000 rows allowed are allowed.
	ok := strings.Builder{}
	ok.WriteString(header)
	for i := range 5000 {
		ok.WriteString(fmt.Sprintf("Budi,Org,ngo,Bali,+62812%06d\n", i))
	}
	if code, a := f.importCSV(t, flowstest.AdminID, ok.String()); code != 200 || a.Imported != 5000 {
		t.Fatalf("5000 rows: %d %s %d", code, a.Error, a.Imported)
	}
}

// failingInvites fails the n-th invitation it is asked to create.
type failingInvites struct {
	*flowstest.Store
	n, calls int
}

func (s *failingInvites) CreateInvite(ctx context.Context, inv *flows.Invite, ttl time.Duration) error {
	s.calls++
	if s.calls == s.n {
		return errors.New("redis went away")
	}
	return s.Store.CreateInvite(ctx, inv, ttl)
}

// A store failure halfway through takes back the invitations made before
// it: nothing of the import stays, and the answer says it failed.
func TestImportMembersUndoneOnFailure(t *testing.T) {
	f := newFixture(t)
	st := &failingInvites{Store: f.h.Store, n: 3}
	srv := webapp.New(webapp.Config{Token: token, Store: st, Texts: f.h.Texts, Engine: func() *flows.Engine { return f.h.E },
		Clock: func() time.Time { return f.h.Now }, DefaultLang: "id", Log: slog.New(slog.DiscardHandler)}).Handler()
	body := "name,organisation,sector,province,telegram\n" +
		"A Satu,Org,ngo,Bali,@a_satu\nB Dua,Org,ngo,Bali,@b_dua1\nC Tiga,Org,ngo,Bali,@c_tiga\nD Empat,Org,ngo,Bali,@d_empat\n"
	before := f.h.Store.Snapshot(t)
	req := httptest.NewRequest("POST", "/app/api/members/import", strings.NewReader(body))
	req.Header.Set("Authorization", "tma "+webapp.SignedInitData(webapp.TelegramUser{ID: flowstest.AdminID}, f.h.Now, token))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError || st.calls != 3 {
		t.Fatalf("got %d after %d invitations: %s", rec.Code, st.calls, rec.Body)
	}
	if after := f.h.Store.Snapshot(t); after != before {
		t.Fatalf("a failed import left invitations behind:\nbefore %s\nafter  %s", before, after)
	}
}
