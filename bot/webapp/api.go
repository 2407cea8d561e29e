package webapp

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
	"sinergi/flows/meetings"
)

func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /app/api/me", s.auth(s.me))
	mux.HandleFunc("GET /app/api/overview", s.auth(s.overview))
	mux.HandleFunc("GET /app/api/workshops", s.auth(s.workshops))
	mux.HandleFunc("GET /app/api/workshops/{code}", s.auth(s.managed(s.workshop)))
	mux.HandleFunc("POST /app/api/workshops/{code}/approve", s.auth(s.managed(s.approve)))
	mux.HandleFunc("GET /app/api/workshops/{code}/export.csv", s.auth(s.managed(s.exportCSV)))
	mux.HandleFunc("GET /app/api/workshops/{code}/chart.png", s.auth(s.managed(s.chart)))
	mux.HandleFunc("GET /app/api/workshops/{code}/meetings", s.auth(s.managed(s.meetings)))
	mux.HandleFunc("GET /app/api/commitments", s.auth(s.commitments))
	mux.HandleFunc("GET /app/api/commitments/{code}/{id}", s.auth(s.managed(s.commitment)))
	mux.HandleFunc("GET /app/api/members", s.auth(s.secretariat(s.members)))
	mux.HandleFunc("POST /app/api/members/import", s.auth(s.importMembers))
}

// managed loads the workshop {code} and lets through those who may manage
// it (flows.Turn.CanManage, as every management button): 404 for no such
// workshop, 403 for another's.
func (s *Server) managed(next func(http.ResponseWriter, *http.Request, *flows.Turn, *flows.Workshop)) authed {
	return func(w http.ResponseWriter, r *http.Request, t *flows.Turn) {
		code := r.PathValue("code")
		if len(code) != 6 || strings.Trim(code, flows.CodeAlphabet) != "" {
			s.refuse(w, http.StatusNotFound, t.Lang, errNoWorkshop)
			return
		}
		ws, err := s.cfg.Store.GetWorkshop(r.Context(), code)
		if errors.Is(err, flows.ErrNotFound) {
			s.refuse(w, http.StatusNotFound, t.Lang, errNoWorkshop)
			return
		}
		if err != nil {
			s.internal(w, t.Lang, "get workshop", err)
			return
		}
		if !t.CanManage(ws) {
			s.refuse(w, http.StatusForbidden, t.Lang, errNotYours)
			return
		}
		next(w, r, t, ws)
	}
}

// secretariat lets through admins and chapter admins (within their
// chapter, which the handler scopes to).
func (s *Server) secretariat(next authed) authed {
	return func(w http.ResponseWriter, r *http.Request, t *flows.Turn) {
		if t.Role < flows.RoleAdmin && t.ChapterAdmin() == "" {
			s.refuse(w, http.StatusForbidden, t.Lang, errAdminsOnly)
			return
		}
		next(w, r, t)
	}
}

// me tells the page who it is, in which language, what it may see, and
// its words (the app.* messages of locales) in that language.
func (s *Server) me(w http.ResponseWriter, r *http.Request, t *flows.Turn) {
	name, org := flows.NameOf(r.Context(), s.cfg.Store, t.User.ID)
	if d := launchOf(r); d != nil && name == strconv.FormatInt(t.User.ID, 10) && d.User.FirstName != "" {
		// No profile, and no name kept before consent: Telegram's name.
		name = d.User.FirstName
	}
	out := map[string]any{
		"id": t.User.ID, "name": name, "organisation": org, "lang": t.Lang,
		"role": t.Role.String(), "role_label": s.text(t.Lang, "role."+t.Role.String(), nil, nil),
		"may": map[string]bool{
			"overview": true, "workshops": true, "commitments": true,
			"members": t.Role >= flows.RoleAdmin || t.ChapterAdmin() != "",
			"import":  t.Role >= flows.RoleAdmin,
		},
		"texts": s.pageTexts(t.Lang),
	}
	if ch := t.ChapterAdmin(); ch != "" {
		c, err := s.cfg.Store.GetChapter(r.Context(), ch)
		if err != nil && !errors.Is(err, flows.ErrNotFound) {
			s.internal(w, t.Lang, "get chapter", err)
			return
		}
		if c != nil {
			out["chapter"] = map[string]string{"id": c.ID, "name": c.Name}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// workshopOut is a workshop in a list.
type workshopOut struct {
	Code      string       `json:"code"`
	Title     string       `json:"title"`
	Start     time.Time    `json:"start"`
	When      string       `json:"when"`
	Capacity  int          `json:"capacity"`
	SeatsLeft *int         `json:"seats_left,omitempty"` // nil: unlimited
	Cancelled bool         `json:"cancelled,omitempty"`
	Approval  bool         `json:"approval,omitempty"`
	Chapter   string       `json:"chapter,omitempty"`
	Counts    flows.Counts `json:"counts"`
}

func (s *Server) workshopOut(ctx context.Context, t *flows.Turn, ws *flows.Workshop) (workshopOut, error) {
	c, err := s.cfg.Store.Counts(ctx, ws.Code)
	if err != nil {
		return workshopOut{}, err
	}
	return s.workshopRow(t, ws, c), nil
}

// workshopRow is workshopOut with the counts read.
func (s *Server) workshopRow(t *flows.Turn, ws *flows.Workshop, c flows.Counts) workshopOut {
	o := workshopOut{Code: ws.Code, Title: ws.Title, Start: ws.Start, Capacity: ws.Capacity, Cancelled: ws.Cancelled,
		Approval: ws.Approval, Chapter: ws.Chapter, Counts: c,
		When: flows.When{At: ws.Start, Zone: ws.Zone}.Render(s.cfg.Texts, t.Lang)}
	if ws.Capacity > 0 {
		left := max(0, ws.Capacity-c.Confirmed-c.Offered)
		o.SeatsLeft = &left
	}
	return o
}

// workshops lists the workshops the caller manages (ManagedWorkshops: own
// for a facilitator, the chapter's for a chapter admin, all for admins).
func (s *Server) workshops(w http.ResponseWriter, r *http.Request, t *flows.Turn) {
	ws, err := flows.ManagedWorkshops(r.Context(), s.cfg.Store, t)
	if err != nil {
		s.internal(w, t.Lang, "managed workshops", err)
		return
	}
	out := make([]workshopOut, 0, len(ws))
	for _, x := range ws {
		o, err := s.workshopOut(r.Context(), t, x)
		if err != nil {
			s.internal(w, t.Lang, "counts", err)
			return
		}
		out = append(out, o)
	}
	writeJSON(w, http.StatusOK, map[string]any{"workshops": out})
}

// tally is a count by key with its label, largest first.
type tally struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

func tallies(counts map[string]int, label func(string) string) []tally {
	out := make([]tally, 0, len(counts))
	for k, n := range counts {
		out = append(out, tally{Key: k, Label: label(k), Count: n})
	}
	slices.SortFunc(out, func(a, b tally) int {
		return cmp.Or(b.Count-a.Count, strings.Compare(a.Label, b.Label))
	})
	return out
}

// memberCounts counts the members the caller oversees. The whole forum's
// (an admin's) come from the store's exact indexes (CountMembers) without
// reading any member; a chapter's or a facilitator's are counted from
// their profiles, which are returned too.
func (s *Server) memberCounts(ctx context.Context, t *flows.Turn, ws []*flows.Workshop) (flows.MemberCounts, map[int64]*flows.Profile, error) {
	if t.Role >= flows.RoleAdmin {
		c, err := s.cfg.Store.CountMembers(ctx)
		return c, nil, err
	}
	profiles, err := s.scopeMembers(ctx, t, ws)
	if err != nil {
		return flows.MemberCounts{}, nil, err
	}
	var c flows.MemberCounts
	for _, p := range profiles {
		c.Add(p)
	}
	return c, profiles, nil
}

// scopeMembers are the members the caller oversees: everyone for admins,
// the chapter's members for a chapter admin, the registrants of their
// workshops for a facilitator.
func (s *Server) scopeMembers(ctx context.Context, t *flows.Turn, ws []*flows.Workshop) (map[int64]*flows.Profile, error) {
	var ids []int64
	switch ch := t.ChapterAdmin(); {
	case t.Role >= flows.RoleAdmin:
		users, err := s.cfg.Store.AllUsers(ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			ids = append(ids, u.ID)
		}
	case ch != "":
		c, err := s.cfg.Store.GetChapter(ctx, ch)
		if errors.Is(err, flows.ErrNotFound) {
			return map[int64]*flows.Profile{}, nil
		}
		if err != nil {
			return nil, err
		}
		m, err := flows.ChapterMembers(ctx, s.cfg.Store, []*flows.Chapter{c}, nil)
		if err != nil {
			return nil, err
		}
		for id := range m[c.ID] {
			ids = append(ids, id)
		}
	default:
		seen := map[int64]bool{}
		for _, x := range ws {
			regs, err := s.cfg.Store.Registrations(ctx, x.Code)
			if err != nil {
				return nil, err
			}
			for _, r := range regs {
				if !seen[r.UserID] {
					seen[r.UserID] = true
					ids = append(ids, r.UserID)
				}
			}
		}
	}
	return s.cfg.Store.ProfilesOf(ctx, ids)
}

// commitmentOut is a commitment in a list.
type commitmentOut struct {
	ID          string    `json:"id"`
	Workshop    string    `json:"workshop"`
	Title       string    `json:"workshop_title"`
	What        string    `json:"what"`
	Owner       string    `json:"owner"`
	Org         string    `json:"organisation"`
	Status      string    `json:"status"`
	StatusLabel string    `json:"status_label"`
	Due         time.Time `json:"due"`
	DueText     string    `json:"due_text"`
	Overdue     bool      `json:"overdue"`
}

func (s *Server) commitmentOut(ctx context.Context, t *flows.Turn, ws *flows.Workshop, c *flows.Commitment) commitmentOut {
	name, org := flows.NameOf(ctx, s.cfg.Store, c.Owner)
	due := flows.When{At: c.Due, Zone: ws.Zone, DateOnly: true}.Render(s.cfg.Texts, t.Lang)
	return s.commitmentRow(t, ws, c, name, org, due)
}

// commitmentRow is commitmentOut with the owner's name and organisation
// and the due date's text known.
func (s *Server) commitmentRow(t *flows.Turn, ws *flows.Workshop, c *flows.Commitment, name, org, due string) commitmentOut {
	overdue := c.Status != flows.CmDone && c.Due.Before(t.Now())
	return commitmentOut{ID: c.ID, Workshop: ws.Code, Title: ws.Title, What: c.What, Owner: name, Org: org, Status: c.Status,
		StatusLabel: s.text(t.Lang, "cm.status."+c.Status, nil, nil), Due: c.Due, Overdue: overdue, DueText: due}
}

// overview is the forum (or chapter, or a facilitator's workshops) at a
// glance.
func (s *Server) overview(w http.ResponseWriter, r *http.Request, t *flows.Turn) {
	ctx := r.Context()
	ws, err := flows.ManagedWorkshops(ctx, s.cfg.Store, t)
	if err != nil {
		s.internal(w, t.Lang, "managed workshops", err)
		return
	}
	members, profiles, err := s.memberCounts(ctx, t, ws)
	if err != nil {
		s.internal(w, t.Lang, "members", err)
		return
	}
	counts, err := s.scopeCounts(ctx, ws)
	if err != nil {
		s.internal(w, t.Lang, "workshops' counts", err)
		return
	}
	var upcoming, per []workshopOut
	for i, x := range ws {
		o := s.workshopRow(t, x, counts[i])
		per = append(per, o)
		if !x.Cancelled && x.Start.After(t.Now()) {
			upcoming = append(upcoming, o)
		}
	}
	byStart := func(a, b workshopOut) int { return a.Start.Compare(b.Start) }
	slices.SortFunc(upcoming, byStart)
	slices.SortFunc(per, byStart)

	// The commitments: counted by the writes (store: the commitment
	// tallies), and only the first of the overdue and blocked read.
	codes := make([]string, len(ws))
	byCode := make(map[string]*flows.Workshop, len(ws))
	for i, x := range ws {
		codes[i], byCode[x.Code] = x.Code, x
	}
	cmTallies, err := s.cfg.Store.CommitmentTallies(ctx, codes, t.Now())
	if err != nil {
		s.internal(w, t.Lang, "commitment tallies", err)
		return
	}
	overdueCms, overdueTotal, err := s.cfg.Store.OverdueCommitments(ctx, codes, t.Now(), listedCommitments)
	if err != nil {
		s.internal(w, t.Lang, "overdue commitments", err)
		return
	}
	blockedCms, blockedTotal, err := s.cfg.Store.BlockedCommitments(ctx, codes, listedCommitments)
	if err != nil {
		s.internal(w, t.Lang, "blocked commitments", err)
		return
	}
	byStatus := map[string]int{}
	type monthRow struct {
		Month    string         `json:"month"`
		ByStatus map[string]int `json:"by_status"`
	}
	months := map[string]map[string]int{}
	for _, code := range codes {
		for m, by := range cmTallies[code].Due {
			if months[m] == nil {
				months[m] = map[string]int{}
			}
			for st, n := range by {
				byStatus[st] += n
				months[m][st] += n
			}
		}
	}
	// Names only of the owners listed, read in one pipeline beside the
	// profiles already read for the scope, if any (as flows.NameOf).
	var owners []int64
	for _, c := range slices.Concat(overdueCms, blockedCms) {
		if profiles[c.Owner] == nil {
			owners = append(owners, c.Owner)
		}
	}
	more, err := s.cfg.Store.ProfilesOf(ctx, owners)
	if err != nil {
		s.internal(w, t.Lang, "owners", err)
		return
	}
	// Each due date's text is rendered once for this answer (LoadZone
	// reads the zone database on every call).
	zones, dueTexts := map[string]*time.Location{}, map[string]string{}
	dueText := func(x *flows.Workshop, at time.Time) string {
		loc := zones[x.Zone]
		if loc == nil {
			loc = flows.LoadZone(x.Zone)
			zones[x.Zone] = loc
		}
		key := x.Zone + " " + at.In(loc).Format("2006-01-02")
		txt, ok := dueTexts[key]
		if !ok {
			txt = flows.When{At: at, Zone: x.Zone, DateOnly: true}.Render(s.cfg.Texts, t.Lang)
			dueTexts[key] = txt
		}
		return txt
	}
	rows := func(cs []*flows.Commitment) []commitmentOut {
		out := make([]commitmentOut, 0, len(cs))
		for _, c := range cs {
			x := byCode[c.Workshop]
			if p := cmp.Or(profiles[c.Owner], more[c.Owner]); p != nil {
				out = append(out, s.commitmentRow(t, x, c, p.FullName, p.Organisation, dueText(x, c.Due)))
			} else {
				out = append(out, s.commitmentOut(ctx, t, x, c))
			}
		}
		return out
	}
	var byMonth []monthRow
	for m, st := range months {
		byMonth = append(byMonth, monthRow{Month: m, ByStatus: st})
	}
	slices.SortFunc(byMonth, func(a, b monthRow) int { return strings.Compare(a.Month, b.Month) })
	trend := s.trend(t, ws, counts, cmTallies)
	writeJSON(w, http.StatusOK, map[string]any{
		"scope":       s.scopeLabel(ctx, t),
		"members":     members.Total,
		"by_sector":   tallies(members.BySector, func(k string) string { return s.text(t.Lang, "sector."+k, nil, nil) }),
		"by_province": tallies(members.ByProvince, func(k string) string { return s.text(t.Lang, "province."+k, nil, nil) }),
		"upcoming":    nonNil(upcoming),
		"workshops":   nonNil(per),
		"trend":       trend,
		"commitments": map[string]any{
			"by_status":     tallies(byStatus, func(k string) string { return s.text(t.Lang, "cm.status."+k, nil, nil) }),
			"by_month":      nonNil(byMonth),
			"overdue":       rows(overdueCms),
			"overdue_total": overdueTotal,
			"overdue_note":  s.listedNote(t.Lang, len(overdueCms), overdueTotal),
			"blocked":       rows(blockedCms),
			"blocked_total": blockedTotal,
			"blocked_note":  s.listedNote(t.Lang, len(blockedCms), blockedTotal),
		},
	})
}

// listedCommitments is how many overdue, and how many blocked, commitments
// the overview lists (the longest due first; the totals are counted).
const listedCommitments = 50

// listedNote says that a list shows shown of total ("" when it shows
// them all).
func (s *Server) listedNote(lang string, shown, total int) string {
	if shown >= total {
		return ""
	}
	return s.text(lang, "app.listed_of", map[string]any{"Shown": groupDigits(lang, shown), "Count": groupDigits(lang, total)}, total)
}

// groupDigits writes n with its thousands grouped as lang does (34,263 in
// English, 34.263 in Indonesian).
func groupDigits(lang string, n int) string {
	sep := "."
	if lang == "en" {
		sep = ","
	}
	d := strconv.Itoa(max(n, 0))
	var b strings.Builder
	for i, r := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// scopeLabel says what the caller sees: the forum, their chapter, their
// workshops.
func (s *Server) scopeLabel(ctx context.Context, t *flows.Turn) string {
	switch ch := t.ChapterAdmin(); {
	case t.Role >= flows.RoleAdmin:
		return s.text(t.Lang, "app.scope_forum", nil, nil)
	case ch != "":
		name := ch
		if c, err := s.cfg.Store.GetChapter(ctx, ch); err == nil {
			name = c.Name
		}
		return s.text(t.Lang, "app.scope_chapter", map[string]any{"Chapter": name}, nil)
	}
	return s.text(t.Lang, "app.scope_mine", nil, nil)
}

// registrantOut is one registration of a workshop.
type registrantOut struct {
	UserID      int64     `json:"user_id"`
	Name        string    `json:"name"`
	Org         string    `json:"organisation"`
	Sector      string    `json:"sector"`
	Province    string    `json:"province"`
	Status      string    `json:"status"`
	StatusLabel string    `json:"status_label"`
	Position    int       `json:"position,omitempty"`
	Registered  time.Time `json:"registered_at"`
	CheckedIn   bool      `json:"checked_in"`
	Answers     []string  `json:"answers"` // in the order of the form's questions
}

// workshop is one workshop: its counts (the live check-in counter), its
// registrants with their answers (q searches name and organisation, status
// filters), and those awaiting approval.
func (s *Server) workshop(w http.ResponseWriter, r *http.Request, t *flows.Turn, ws *flows.Workshop) {
	ctx := r.Context()
	o, err := s.workshopOut(ctx, t, ws)
	if err != nil {
		s.internal(w, t.Lang, "counts", err)
		return
	}
	regs, err := s.cfg.Store.Registrations(ctx, ws.Code)
	if err != nil {
		s.internal(w, t.Lang, "registrations", err)
		return
	}
	stored, err := s.cfg.Store.Form(ctx, ws.Code)
	if err != nil {
		s.internal(w, t.Lang, "form", err)
		return
	}
	form := flows.FormOf(ws, stored)
	questions := make([]string, len(form))
	for i, q := range form {
		questions[i] = q.Localised(t.Lang)
	}
	ids := make([]int64, len(regs))
	for i, reg := range regs {
		ids[i] = reg.UserID
	}
	profiles, err := s.cfg.Store.ProfilesOf(ctx, ids)
	if err != nil {
		s.internal(w, t.Lang, "profiles", err)
		return
	}
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	status := r.URL.Query().Get("status")
	out, pending := []registrantOut{}, []registrantOut{}
	for _, reg := range regs {
		ro := registrantOut{UserID: reg.UserID, Status: string(reg.Status), Position: reg.Position, Registered: reg.RegisteredAt,
			CheckedIn: !reg.CheckedInAt.IsZero(), StatusLabel: s.text(t.Lang, "ws.status."+string(reg.Status), nil, nil)}
		if p := profiles[reg.UserID]; p != nil {
			ro.Name, ro.Org = p.FullName, p.Organisation
			if p.Sector != "" {
				ro.Sector = s.text(t.Lang, "sector."+p.Sector, nil, nil)
			}
			if p.Province != "" {
				ro.Province = s.text(t.Lang, "province."+p.Province, nil, nil)
			}
		} else {
			ro.Name, ro.Org = flows.NameOf(ctx, s.cfg.Store, reg.UserID)
		}
		for _, fq := range form {
			ro.Answers = append(ro.Answers, s.answerText(t.Lang, &fq, reg.AnswerTo(fq.ID)))
		}
		if reg.Status == flows.RegPending {
			pending = append(pending, ro)
		}
		if status != "" && status != ro.Status && !(status == "checked_in" && ro.CheckedIn) {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(ro.Name+" "+ro.Org+" "+ro.Sector+" "+ro.Province), q) {
			continue
		}
		out = append(out, ro)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"workshop": o, "questions": questions, "registrants": out, "pending": pending, "total": len(regs),
	})
}

// answerText is an answer in words: the options chosen, yes or no.
func (s *Server) answerText(lang string, q *flows.FormQuestion, v string) string {
	if v == "" {
		return ""
	}
	switch shown := flows.ShowAnswer(q, v, lang).(type) {
	case flows.Text:
		return s.text(lang, shown.ID, shown.Data, shown.Count)
	case string:
		return shown
	}
	return v
}

// press runs a management button of the chat as the caller (the route's
// checks and handler are the chat's), delivers what it tells others, and
// returns its answer.
func (s *Server) press(ctx context.Context, t *flows.Turn, data string) (*flows.Result, error) {
	res, err := s.cfg.Engine().Press(ctx, t.User, data, t.Now())
	if err != nil {
		return nil, err
	}
	var others []flows.Reply
	for _, rep := range res.Replies {
		if rep.ChatID != 0 && rep.ChatID != t.User.ID {
			others = append(others, rep)
		}
	}
	if len(others) > 0 && s.cfg.Deliver != nil {
		if err := s.cfg.Deliver(context.WithoutCancel(ctx), t.User.ID, others); err != nil {
			// The action is done; only its notices could not be committed.
			s.cfg.Log.Error("mini app: notices of an action not sent", "user", t.User.ID, "action", data, "count", len(others), "err", err)
		}
	}
	return res, nil
}

// approve approves one pending registration ({"user": id}), declines one
// ({"user": id, "decline": true}) or approves all ({"all": true}) with the
// chat's approval buttons.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, t *flows.Turn, ws *flows.Workshop) {
	var body struct {
		User    int64 `json:"user"`
		All     bool  `json:"all"`
		Decline bool  `json:"decline"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&body); err != nil || (body.User <= 0 && !body.All) {
		s.refuse(w, http.StatusBadRequest, t.Lang, "app.err_bad_approval")
		return
	}
	data := flows.MustData("registration.approve_all", ws.Code)
	switch {
	case body.User > 0 && body.Decline:
		data = flows.MustData("registration.reject", ws.Code, strconv.FormatInt(body.User, 10))
	case body.User > 0:
		data = flows.MustData("registration.approve", ws.Code, strconv.FormatInt(body.User, 10))
	}
	res, err := s.press(r.Context(), t, data)
	if err != nil {
		s.internal(w, t.Lang, "approve", err)
		return
	}
	msg, ok := "", res.Answer != nil
	if ok {
		msg = s.text(t.Lang, res.Answer.Text.ID, res.Answer.Text.Data, res.Answer.Text.Count)
	}
	code := http.StatusOK
	if ok && res.Answer.Alert { // refused: decided already, cancelled, not allowed
		code = http.StatusConflict
		if res.Answer.Text.ID == "errors.not_allowed" {
			code = http.StatusForbidden
		}
	}
	writeJSON(w, code, map[string]any{"message": msg})
}

// exportCSV is the chat's registrant export (the same columns, the same
// formula guard, the same audit entry) as a download.
func (s *Server) exportCSV(w http.ResponseWriter, r *http.Request, t *flows.Turn, ws *flows.Workshop) {
	res, err := s.press(r.Context(), t, flows.MustData("workshops.export", ws.Code))
	if err != nil {
		s.internal(w, t.Lang, "export", err)
		return
	}
	for _, rep := range res.Replies {
		if rep.Table != nil {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+rep.Table.Name+`.csv"`)
			_, _ = w.Write(rep.Table.CSV())
			return
		}
	}
	s.refuse(w, http.StatusForbidden, t.Lang, errNotYours)
}

// chart is the workshop's progress chart of the chat's report (drawn by
// bot/chart, go-chart) as PNG.
func (s *Server) chart(w http.ResponseWriter, r *http.Request, t *flows.Turn, ws *flows.Workshop) {
	res, err := s.cfg.Engine().Press(r.Context(), t.User, flows.MustData("followup.report", ws.Code), t.Now())
	if err != nil {
		s.internal(w, t.Lang, "report", err)
		return
	}
	for _, rep := range res.Replies {
		if rep.Chart != nil && s.cfg.Chart != nil {
			png, err := s.cfg.Chart(rep.Chart)
			if err != nil {
				s.internal(w, t.Lang, "chart", err)
				return
			}
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(png)
			return
		}
	}
	s.refuse(w, http.StatusNotFound, t.Lang, "app.no_chart")
}

// commitment is one commitment of a workshop the caller manages, with its
// history.
func (s *Server) commitment(w http.ResponseWriter, r *http.Request, t *flows.Turn, ws *flows.Workshop) {
	cs, err := s.cfg.Store.WorkshopCommitments(r.Context(), ws.Code)
	if err != nil {
		s.internal(w, t.Lang, "commitments", err)
		return
	}
	i := slices.IndexFunc(cs, func(c *flows.Commitment) bool { return c.ID == r.PathValue("id") })
	if i < 0 {
		s.refuse(w, http.StatusNotFound, t.Lang, "app.err_no_commitment")
		return
	}
	c := cs[i]
	type entry struct {
		At     time.Time `json:"at"`
		When   string    `json:"when"`
		Status string    `json:"status"`
		Label  string    `json:"label"`
		Note   string    `json:"note,omitempty"`
		By     string    `json:"by"`
	}
	hist := []entry{}
	for _, h := range c.History {
		by, _ := flows.NameOf(r.Context(), s.cfg.Store, h.By)
		hist = append(hist, entry{At: h.At, Status: h.Status, Note: h.Note, By: by,
			When:  flows.When{At: h.At, Zone: ws.Zone}.Render(s.cfg.Texts, t.Lang),
			Label: s.text(t.Lang, "cm.status."+h.Status, nil, nil)})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"commitment": s.commitmentOut(r.Context(), t, ws, c), "indicator": c.Indicator, "partners": c.Partners, "history": hist,
	})
}

// memberOut is a member in a search.
type memberOut struct {
	UserID   int64  `json:"user_id"`
	Name     string `json:"name"`
	Org      string `json:"organisation"`
	Sector   string `json:"sector"`
	Province string `json:"province"`
}

// memberLimit is how many members a search returns.
const memberLimit = 100

// members searches the caller's members (everyone for admins, the chapter's
// for a chapter admin) by name, organisation, sector or province.
func (s *Server) members(w http.ResponseWriter, r *http.Request, t *flows.Turn) {
	profiles, err := s.scopeMembers(r.Context(), t, nil)
	if err != nil {
		s.internal(w, t.Lang, "members", err)
		return
	}
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	out := []memberOut{}
	for _, p := range profiles {
		m := memberOut{UserID: p.UserID, Name: p.FullName, Org: p.Organisation}
		if p.Sector != "" {
			m.Sector = s.text(t.Lang, "sector."+p.Sector, nil, nil)
		}
		if p.Province != "" {
			m.Province = s.text(t.Lang, "province."+p.Province, nil, nil)
		}
		if q != "" && !strings.Contains(strings.ToLower(m.Name+"\n"+m.Org+"\n"+m.Sector+"\n"+m.Province), q) {
			continue
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b memberOut) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), cmp.Compare(a.UserID, b.UserID))
	})
	total := len(out)
	writeJSON(w, http.StatusOK, map[string]any{"members": out[:min(len(out), memberLimit)], "total": total})
}

// meetingsOut is a workshop's partner meetings: the team card's counts and
// the grid, a row per slot (its time, then a cell per table, or one online
// column, with the two organisations: "A ↔ B", "(?)" while the team's
// proposal awaits their yes). Enabled false: meetings are off there.
type meetingsOut struct {
	Enabled   bool       `json:"enabled"`
	Requested int        `json:"requested"`
	Accepted  int        `json:"accepted"`
	Held      int        `json:"held"`
	Columns   []string   `json:"columns"`
	Rows      [][]string `json:"rows"`
}

// meetings is the meeting grid of a workshop (the chat's meetings.grid, as
// its team sees it) with the counts requested / accepted / held.
func (s *Server) meetings(w http.ResponseWriter, r *http.Request, t *flows.Turn, ws *flows.Workshop) {
	ctx := r.Context()
	setup, err := s.cfg.Store.MeetingSetup(ctx, ws.Code)
	if errors.Is(err, flows.ErrNotFound) {
		writeJSON(w, http.StatusOK, meetingsOut{Columns: []string{}, Rows: [][]string{}})
		return
	}
	if err != nil {
		s.internal(w, t.Lang, "meeting setup", err)
		return
	}
	ms, err := s.cfg.Store.WorkshopMeetings(ctx, ws.Code)
	if err != nil {
		s.internal(w, t.Lang, "workshop meetings", err)
		return
	}
	zone := flows.LoadZone(ws.Zone)
	tab := meetings.GridTable(setup, ms, zone, s.text(t.Lang, "app.meet_slot", nil, nil), s.text(t.Lang, "app.meet_online", nil, nil))
	c := meetings.Count(ms)
	out := meetingsOut{Enabled: true, Requested: c.Requested, Accepted: c.Accepted, Held: c.Held, Rows: [][]string{}}
	for _, col := range tab.Columns {
		out.Columns = append(out.Columns, col.Header)
	}
	// The slots' clock only, unless they fall on more than one day.
	days := map[string]bool{}
	for _, row := range tab.Rows {
		if at, ok := row[0].(time.Time); ok {
			days[at.In(zone).Format(time.DateOnly)] = true
		}
	}
	for _, row := range tab.Rows {
		cells := make([]string, len(row))
		for i, v := range row {
			switch v := v.(type) {
			case time.Time:
				cells[i] = flows.When{At: v, Zone: ws.Zone, ClockOnly: len(days) < 2}.Render(s.cfg.Texts, t.Lang)
			case string:
				cells[i] = v
			}
		}
		out.Rows = append(out.Rows, cells)
	}
	writeJSON(w, http.StatusOK, out)
}
