package webapp

import (
	"cmp"
	"context"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// The Commitments tab pages through the commitments of the caller's
// workshops by due date, then workshop code and id.
const (
	cmPageSize = 50  // a page when the request names no limit
	cmPageMax  = 200 // the most a page holds (a larger limit is cut to it)
	cmTopOrgs  = 20  // the organisations by_org lists
)

// cmCursor is the place after the last commitment of a page, and how many
// were listed up to it; opaque to the page (base64 of "ms|code|id|shown").
type cmCursor struct {
	flows.CommitmentCursor
	shown int
}

func (c cmCursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.Due.UnixMilli(), 10) + "|" + c.Workshop + "|" + c.ID + "|" + strconv.Itoa(c.shown)))
}

func parseCursor(s string) (*cmCursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	f := strings.Split(string(raw), "|")
	if len(f) != 4 || f[1] == "" || f[2] == "" {
		return nil, false
	}
	ms, err1 := strconv.ParseInt(f[0], 10, 64)
	shown, err2 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil || shown < 0 {
		return nil, false
	}
	return &cmCursor{CommitmentCursor: flows.CommitmentCursor{Due: time.UnixMilli(ms), Workshop: f[1], ID: f[2]}, shown: shown}, true
}

// commitments lists a page of the commitments of the caller's workshops
// (or of one of them: workshop), filtered by organisation (org, a
// substring of the owner's), status (or "overdue") and due month (YYYY-MM,
// in each workshop's zone); limit (at most cmPageMax) and cursor (the
// previous page's next) page on. The counts by status and by due month are
// the tallies of the workshops (exact, whatever the filters); by_org, the
// organisations matching the org filter by their commitments, only with
// one (it needs every owner's organisation).
func (s *Server) commitments(w http.ResponseWriter, r *http.Request, t *flows.Turn) {
	ctx := r.Context()
	q := r.URL.Query()
	org, status, month, code := strings.ToLower(strings.TrimSpace(q.Get("org"))), q.Get("status"), q.Get("month"), q.Get("workshop")
	limit := cmPageSize
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.refuse(w, http.StatusBadRequest, t.Lang, "app.err_bad_limit")
			return
		}
		limit = min(n, cmPageMax)
	}
	var monthAt time.Time
	if month != "" {
		m, err := time.Parse("2006-01", month)
		if err != nil {
			s.refuse(w, http.StatusBadRequest, t.Lang, "app.err_bad_month")
			return
		}
		monthAt = m
	}
	if status != "" && status != "overdue" && !slices.Contains(flows.ChartStatuses(), status) {
		s.refuse(w, http.StatusBadRequest, t.Lang, "app.err_bad_status")
		return
	}
	var after *cmCursor
	if v := q.Get("cursor"); v != "" {
		c, ok := parseCursor(v)
		if !ok {
			s.refuse(w, http.StatusBadRequest, t.Lang, "app.err_bad_cursor")
			return
		}
		after = c
	}
	ws, err := flows.ManagedWorkshops(ctx, s.cfg.Store, t)
	if err != nil {
		s.internal(w, t.Lang, "managed workshops", err)
		return
	}
	if code != "" {
		i := slices.IndexFunc(ws, func(x *flows.Workshop) bool { return x.Code == code })
		if i < 0 {
			s.refuse(w, http.StatusNotFound, t.Lang, errNoWorkshop)
			return
		}
		ws = ws[i : i+1]
	}
	codes := make([]string, len(ws))
	byCode := make(map[string]*flows.Workshop, len(ws))
	windows := make([]flows.DueWindow, len(ws))
	for i, x := range ws {
		codes[i], byCode[x.Code] = x.Code, x
		windows[i] = flows.DueWindow{Code: x.Code}
		if !monthAt.IsZero() {
			loc := flows.LoadZone(x.Zone)
			from := time.Date(monthAt.Year(), monthAt.Month(), 1, 0, 0, 0, 0, loc)
			windows[i].From, windows[i].To = from, from.AddDate(0, 1, 0)
		}
	}
	cmTallies, err := s.cfg.Store.CommitmentTallies(ctx, codes, t.Now())
	if err != nil {
		s.internal(w, t.Lang, "commitment tallies", err)
		return
	}
	byStatus, byMonth := map[string]int{}, map[string]int{}
	for _, c := range codes {
		for m, by := range cmTallies[c].Due {
			for st, n := range by {
				byStatus[st] += n
				byMonth[m] += n
			}
		}
	}
	query := flows.CommitmentQuery{Workshops: windows, Status: status, Now: t.Now(), Limit: limit}
	if after != nil {
		query.After = &after.CommitmentCursor
	}
	var (
		page     flows.CommitmentPage
		profiles map[int64]*flows.Profile
		byOrg    []tally
	)
	if org == "" {
		page, err = s.cfg.Store.CommitmentsByDue(ctx, query)
		if err != nil {
			s.internal(w, t.Lang, "commitments", err)
			return
		}
		profiles, err = s.cfg.Store.ProfilesOf(ctx, owners(page.Commitments))
		if err != nil {
			s.internal(w, t.Lang, "owners", err)
			return
		}
	} else {
		page, profiles, byOrg, err = s.commitmentsOfOrg(ctx, query, org)
		if err != nil {
			s.internal(w, t.Lang, "commitments of organisations", err)
			return
		}
	}
	zones, dueTexts := map[string]*time.Location{}, map[string]string{}
	out := make([]commitmentOut, 0, len(page.Commitments))
	for _, c := range page.Commitments {
		x := byCode[c.Workshop]
		if x == nil {
			continue
		}
		name, orgName := "", ""
		if p := profiles[c.Owner]; p != nil {
			name, orgName = p.FullName, p.Organisation
		} else {
			name, orgName = flows.NameOf(ctx, s.cfg.Store, c.Owner) // no profile: at most a page of these
		}
		loc := zones[x.Zone]
		if loc == nil {
			loc = flows.LoadZone(x.Zone)
			zones[x.Zone] = loc
		}
		key := x.Zone + " " + c.Due.In(loc).Format(time.DateOnly)
		txt, ok := dueTexts[key]
		if !ok {
			txt = flows.When{At: c.Due, Zone: x.Zone, DateOnly: true}.Render(s.cfg.Texts, t.Lang)
			dueTexts[key] = txt
		}
		out = append(out, s.commitmentRow(t, x, c, name, orgName, txt))
	}
	shown := len(page.Commitments)
	if after != nil {
		shown += after.shown
	}
	next, note := "", ""
	if page.More && len(page.Commitments) > 0 {
		last := page.Commitments[len(page.Commitments)-1]
		next = cmCursor{CommitmentCursor: flows.CommitmentCursor{Due: last.Due, Workshop: last.Workshop, ID: last.ID}, shown: shown}.String()
	}
	if page.More {
		note = s.text(t.Lang, "app.cm_page_of", map[string]any{"Shown": groupDigits(t.Lang, shown), "Count": groupDigits(t.Lang, page.Total)}, page.Total)
	}
	months := tallies(byMonth, func(k string) string { return k })
	slices.SortFunc(months, func(a, b tally) int { return strings.Compare(a.Key, b.Key) })
	writeJSON(w, http.StatusOK, map[string]any{
		"commitments": out,
		"total":       page.Total,
		"more":        page.More,
		"next":        next,
		"limit":       limit,
		"shown":       shown,
		"note":        note,
		"by_org":      nonNil(byOrg),
		"by_status":   tallies(byStatus, func(k string) string { return s.text(t.Lang, "cm.status."+k, nil, nil) }),
		"by_month":    months,
	})
}

// owners are the distinct owners of cs.
func owners(cs []*flows.Commitment) []int64 {
	seen := make(map[int64]bool, len(cs))
	var ids []int64
	for _, c := range cs {
		if !seen[c.Owner] {
			seen[c.Owner] = true
			ids = append(ids, c.Owner)
		}
	}
	return ids
}

// commitmentsOfOrg is the page of q of the commitments whose owner's
// organisation contains org (lower case): the heads of every commitment of
// q's workshops (owner, due date, status) read in one pipeline, their
// owners' profiles in one batch, the page's commitments in one more. It
// returns the profiles of the owners and the organisations matching org
// by their commitments (of all statuses and months), the most first, at
// most cmTopOrgs.
func (s *Server) commitmentsOfOrg(ctx context.Context, q flows.CommitmentQuery, org string) (flows.CommitmentPage, map[int64]*flows.Profile, []tally, error) {
	codes := make([]string, len(q.Workshops))
	win := make(map[string]flows.DueWindow, len(q.Workshops))
	for i, w := range q.Workshops {
		codes[i], win[w.Code] = w.Code, w
	}
	heads, err := s.cfg.Store.CommitmentHeads(ctx, codes)
	if err != nil {
		return flows.CommitmentPage{}, nil, nil, err
	}
	seen := make(map[int64]bool)
	var ids []int64
	for _, h := range heads {
		if !seen[h.Owner] {
			seen[h.Owner] = true
			ids = append(ids, h.Owner)
		}
	}
	profiles, err := s.cfg.Store.ProfilesOf(ctx, ids)
	if err != nil {
		return flows.CommitmentPage{}, nil, nil, err
	}
	counts := map[string]int{}
	var match []flows.CommitmentHead
	for _, h := range heads {
		p := profiles[h.Owner]
		if p == nil || !strings.Contains(strings.ToLower(p.Organisation), org) {
			continue
		}
		counts[p.Organisation]++
		w := win[h.Workshop]
		switch due := h.Due.UnixMilli(); {
		case !w.From.IsZero() && due < w.From.UnixMilli(), !w.To.IsZero() && due >= w.To.UnixMilli():
			continue
		case q.Status == "overdue" && (h.Status == flows.CmDone || due >= q.Now.UnixMilli()):
			continue
		case q.Status != "" && q.Status != "overdue" && h.Status != q.Status:
			continue
		}
		match = append(match, h)
	}
	order := func(a, b flows.CommitmentHead) int {
		return cmp.Or(cmp.Compare(a.Due.UnixMilli(), b.Due.UnixMilli()), strings.Compare(a.Workshop, b.Workshop), strings.Compare(a.ID, b.ID))
	}
	slices.SortFunc(match, order)
	rest := match
	if a := q.After; a != nil {
		i, found := slices.BinarySearchFunc(match, flows.CommitmentHead{Due: a.Due, Workshop: a.Workshop, ID: a.ID}, order)
		if found {
			i++
		}
		rest = match[i:]
	}
	cs, err := s.cfg.Store.CommitmentsAt(ctx, rest[:min(len(rest), q.Limit)])
	if err != nil {
		return flows.CommitmentPage{}, nil, nil, err
	}
	page := flows.CommitmentPage{Commitments: cs, Total: len(match), More: len(rest) > q.Limit}
	byOrg := tallies(counts, func(k string) string { return k })
	return page, profiles, byOrg[:min(len(byOrg), cmTopOrgs)], nil
}
