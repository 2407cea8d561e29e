package webapp

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"sinergi/flows"
)

// Member import: the secretariat uploads a CSV of people it wants in
// Sinergi — name, organisation, sector, province, Telegram @username or
// phone — and gets for each a personal invitation link to send them (a bot
// cannot write to someone who never started it). The link is a one-time
// participant invitation (flows.Invite with Member): whoever opens it is
// welcomed by that name and the importer is told. Nothing becomes a profile
// before the person consents in the chat.
//
// The whole file is checked first: any problem answers 400 with every
// problem by line, and nothing is imported; a file of more than MaxImportRows
// rows is refused whole. Cells that a spreadsheet would run as a formula
// (starting = + - @, or a tab or carriage return) are neutralised: the
// leading characters are dropped, and the answer says so by line.

// Import limits.
const (
	MaxImportRows  = 5000
	maxImportBytes = 4 << 20
	maxNameLen     = 100
)

// The columns, in any order; each accepts its English and Indonesian name.
var importColumns = []struct {
	key   string
	names []string
}{
	{"name", []string{"name", "nama", "full name", "nama lengkap"}},
	{"organisation", []string{"organisation", "organization", "organisasi", "lembaga"}},
	{"sector", []string{"sector", "sektor"}},
	{"province", []string{"province", "provinsi"}},
	{"telegram", []string{"telegram", "username", "phone", "telepon", "telegram or phone", "telegram atau telepon", "contact", "kontak"}},
}

var (
	usernameRe = regexp.MustCompile(`^@[A-Za-z][A-Za-z0-9_]{4,31}$`)
	phoneRe    = regexp.MustCompile(`^\+?[0-9]{8,15}$`)
)

// lineProblem is one problem of the file, by its line.
type lineProblem struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// importedRow is one person invited.
type importedRow struct {
	Line    int    `json:"line"`
	Name    string `json:"name"`
	Org     string `json:"organisation"`
	Contact string `json:"contact"`
	Link    string `json:"link"`
}

// importRow is a checked row, with its line.
type importRow struct {
	line int
	m    flows.InvitedMember
}

// neutralise drops what would make a spreadsheet run the cell as a
// formula; changed reports whether it did.
func neutralise(v string) (string, bool) {
	out := strings.TrimLeft(v, "=+-@\t\r")
	return strings.TrimSpace(out), out != v
}

// choices maps what a person may write for a sector or province (its id,
// its name in either language, lower case) to its id.
func (s *Server) choices(ids []string, prefix string) map[string]string {
	out := map[string]string{}
	for _, id := range ids {
		out[strings.ToLower(id)] = id
		for _, lang := range []string{"id", "en"} {
			label := strings.ToLower(s.text(lang, prefix+id, nil, nil))
			out[label] = id
			if before, inner, ok := strings.Cut(label, "("); ok { // "jawa barat (west java)"
				out[strings.TrimSpace(before)] = id
				out[strings.TrimSpace(strings.TrimSuffix(inner, ")"))] = id
			}
		}
	}
	return out
}

// parseImport checks the file; problems are the refusals by line, notes
// the neutralised cells.
func (s *Server) parseImport(lang string, data []byte) (rows []importRow, problems, notes []lineProblem, refusal string, refusalData map[string]any) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // Excel's BOM
	if !utf8.Valid(data) {
		return nil, nil, nil, "app.err_import_encoding", nil
	}
	// The row count first, cheaply: a file far too long is refused whole.
	if n := bytes.Count(data, []byte("\n")); n > MaxImportRows+1 {
		return nil, nil, nil, "app.err_import_too_many", map[string]any{"Max": MaxImportRows, "Count": n}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.LazyQuotes = true // a quote inside a bare cell (=HYPERLINK("…")) is text
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Contains(first, []byte(";")) && !bytes.Contains(first, []byte(",")) {
		r.Comma = ';' // Excel in Indonesian locales writes semicolons
	}
	head, err := r.Read()
	if err != nil {
		return nil, nil, nil, "app.err_import_empty", nil
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(h))
		for _, c := range importColumns {
			for _, n := range c.names {
				if h == n {
					col[c.key] = i
				}
			}
		}
	}
	if len(col) != len(importColumns) || len(head) != len(importColumns) {
		return nil, nil, nil, "app.err_import_columns", map[string]any{"Got": strings.Join(head, ", ")}
	}
	sectors, provinces := s.choices(flows.Sectors(), "sector."), s.choices(flows.Provinces(), "province.")
	seen := map[string]int{}
	problem := func(line int, id string, data map[string]any) {
		problems = append(problems, lineProblem{Line: line, Message: s.text(lang, id, data, nil)})
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			problem(perr.StartLine, "app.imp_unreadable", nil)
			continue
		}
		if err != nil {
			return nil, nil, nil, "app.err_import_empty", nil
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(head) {
			problem(line, "app.imp_cells", map[string]any{"Got": len(rec), "Want": len(head)})
			continue
		}
		cell := func(key string) string {
			v := strings.TrimSpace(rec[col[key]])
			if key == "telegram" {
				return v
			}
			out, changed := neutralise(v)
			if changed {
				notes = append(notes, lineProblem{Line: line, Message: s.text(lang, "app.imp_formula", map[string]any{"Value": out}, nil)})
			}
			return out
		}
		m := flows.InvitedMember{Name: cell("name"), Organisation: cell("organisation"), Contact: strings.ReplaceAll(cell("telegram"), " ", "")}
		switch {
		case m.Name == "":
			problem(line, "app.imp_no_name", nil)
		case utf8.RuneCountInString(m.Name) > maxNameLen:
			problem(line, "app.imp_name_long", map[string]any{"Max": maxNameLen})
		}
		if m.Organisation == "" {
			problem(line, "app.imp_no_org", nil)
		} else if utf8.RuneCountInString(m.Organisation) > maxNameLen {
			problem(line, "app.imp_org_long", map[string]any{"Max": maxNameLen})
		}
		var ok bool
		if m.Sector, ok = sectors[strings.ToLower(cell("sector"))]; !ok {
			problem(line, "app.imp_bad_sector", map[string]any{"Value": cell("sector")})
		}
		if m.Province, ok = provinces[strings.ToLower(cell("province"))]; !ok {
			problem(line, "app.imp_bad_province", map[string]any{"Value": cell("province")})
		}
		switch {
		case !usernameRe.MatchString(m.Contact) && !phoneRe.MatchString(m.Contact):
			problem(line, "app.imp_bad_contact", map[string]any{"Value": rec[col["telegram"]]})
		case seen[strings.ToLower(m.Contact)] != 0:
			problem(line, "app.imp_duplicate", map[string]any{"Value": m.Contact, "Line": seen[strings.ToLower(m.Contact)]})
		default:
			seen[strings.ToLower(m.Contact)] = line
		}
		rows = append(rows, importRow{line: line, m: m})
	}
	if len(rows) > MaxImportRows {
		return nil, nil, nil, "app.err_import_too_many", map[string]any{"Max": MaxImportRows, "Count": len(rows)}
	}
	if len(rows) == 0 && len(problems) == 0 {
		return nil, nil, nil, "app.err_import_empty", nil
	}
	return rows, problems, notes, "", nil
}

// importMembers takes the CSV in the request body (admins only: the
// invitations are the forum's).
func (s *Server) importMembers(w http.ResponseWriter, r *http.Request, t *flows.Turn) {
	if t.Role < flows.RoleAdmin {
		s.refuse(w, http.StatusForbidden, t.Lang, "app.err_import_admins")
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImportBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeJSON(w, http.StatusBadRequest, apiError{Code: "app.err_import_too_big",
			Error: s.text(t.Lang, "app.err_import_too_big", map[string]any{"MB": maxImportBytes >> 20}, nil)})
		return
	}
	if err != nil {
		s.refuse(w, http.StatusBadRequest, t.Lang, "app.err_import_empty")
		return
	}
	rows, problems, notes, refusal, data2 := s.parseImport(t.Lang, data)
	if refusal != "" {
		var count any
		if data2 != nil {
			count = data2["Count"]
		}
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": refusal, "error": s.text(t.Lang, refusal, data2, count)})
		return
	}
	if len(problems) > 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": "app.err_import_lines",
			"error": s.text(t.Lang, "app.err_import_lines", nil, nil), "problems": problems, "notes": nonNil(notes)})
		return
	}
	ctx := r.Context()
	eng := s.cfg.Engine()
	ttl := eng.Config().InviteTTL
	out := make([]importedRow, 0, len(rows))
	var made []string
	for _, row := range rows {
		m := row.m
		inv := &flows.Invite{Token: flows.NewToken(), Role: flows.RoleParticipant, By: t.User.ID, Created: t.Now(), Member: &m}
		if err := s.cfg.Store.CreateInvite(ctx, inv, ttl); err != nil {
			s.undoImport(context.WithoutCancel(ctx), made)
			s.internal(w, t.Lang, "create invite", err)
			return
		}
		made = append(made, inv.Token)
		out = append(out, importedRow{Line: row.line, Name: m.Name, Org: m.Organisation, Contact: m.Contact, Link: t.BotLink("invite_" + inv.Token)})
	}
	if err := t.Audit(ctx, flows.AuditMemberImport, strconv.Itoa(len(out)), 0); err != nil {
		s.undoImport(context.WithoutCancel(ctx), made)
		s.internal(w, t.Lang, "audit", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"imported": len(out), "members": out, "notes": nonNil(notes),
		"message": s.text(t.Lang, "app.import_done", map[string]any{"Count": len(out)}, len(out)),
	})
}

// undoImport takes back the invitations an import made before it failed:
// nothing of it stays half done.
func (s *Server) undoImport(ctx context.Context, tokens []string) {
	for _, tok := range tokens {
		if _, err := s.cfg.Store.TakeInvite(ctx, tok); err != nil && !errors.Is(err, flows.ErrNotFound) {
			s.cfg.Log.Error("mini app: undo import", "err", fmt.Errorf("take invite: %w", err))
		}
	}
}
