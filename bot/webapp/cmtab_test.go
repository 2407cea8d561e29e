package webapp_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"sinergi/bot/chart"
	"sinergi/bot/webapp"
	"sinergi/flows"
	"sinergi/locales"
	"sinergi/store"
	"sinergi/store/redistest"
	"sinergi/store/seed"
)

// cmTab is a seeded forum in a real redis-server and its Mini App.
type cmTab struct {
	f     *seed.Forum
	srv   http.Handler
	texts *locales.Catalog
	now   time.Time
	langs map[int64]string
	orgOf map[int64]string
	ws    map[string]*flows.Workshop
}

type cmTabPage struct {
	Commitments []struct {
		ID           string `json:"id"`
		Workshop     string `json:"workshop"`
		Owner        string `json:"owner"`
		Organisation string `json:"organisation"`
		Status       string `json:"status"`
	} `json:"commitments"`
	Total, Limit, Shown int
	More                bool
	Next, Note, Error   string
	ByOrg               []struct {
		Key   string
		Count int
	} `json:"by_org"`
	ByStatus []struct {
		Key   string
		Count int
	} `json:"by_status"`
	ByMonth []struct {
		Key   string
		Count int
	} `json:"by_month"`
}

func (c *cmTab) get(t *testing.T, uid int64, qs string) (int, cmTabPage) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/app/api/commitments?"+qs, nil)
	req.Header.Set("Authorization", "tma "+webapp.SignedInitData(webapp.TelegramUser{ID: uid, FirstName: "X"}, c.now, token))
	rec := httptest.NewRecorder()
	c.srv.ServeHTTP(rec, req)
	var out cmTabPage
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s: %d %v", qs, rec.Code, err)
	}
	return rec.Code, out
}

// pages pages through qs with limit, checking every page, and returns the
// commitments listed ("code/id").
func (c *cmTab) pages(t *testing.T, uid int64, qs string, limit, total int) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for range 10_000 {
		q := qs + fmt.Sprintf("&limit=%d", limit)
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		code, p := c.get(t, uid, q)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", q, code, p.Error)
		}
		for _, r := range p.Commitments {
			ids = append(ids, r.Workshop+"/"+r.ID)
			if want := c.orgOf[c.ownerOf(r.Workshop, r.ID)]; r.Organisation != want {
				t.Errorf("%s/%s: organisation %q, want %q", r.Workshop, r.ID, r.Organisation, want)
			}
		}
		wantNote := ""
		if p.More {
			wantNote, _ = c.texts.Text(c.langs[uid], "app.cm_page_of", map[string]any{"Shown": groupDigits(c.langs[uid], len(ids)),
				"Count": groupDigits(c.langs[uid], total)}, total)
		}
		if p.Total != total || p.Shown != len(ids) || p.Note != wantNote || len(p.Commitments) > min(limit, 200) ||
			(p.More && len(p.Commitments) != min(limit, 200)) || (p.More != (p.Next != "")) {
			t.Fatalf("%s: %d rows, total %d, shown %d, more %v, next %q, note %q; want total %d, shown %d, note %q",
				q, len(p.Commitments), p.Total, p.Shown, p.More, p.Next, p.Note, total, len(ids), wantNote)
		}
		if !p.More {
			return ids
		}
		cursor = p.Next
	}
	t.Fatal("no last page")
	return nil
}

func (c *cmTab) ownerOf(code, id string) int64 {
	for _, cm := range c.f.Commitments {
		if cm.Workshop == code && cm.ID == id {
			return cm.Owner
		}
	}
	return -1
}

// groupDigits as the server writes counts (1.234 in id, 1,234 in en).
func groupDigits(lang string, n int) string {
	s := fmt.Sprint(n)
	sep := "."
	if lang == "en" {
		sep = ","
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + sep + s[i:]
	}
	return s
}

// TestAPICommitmentsSeededForum: on a small forum of store/seed in a real
// redis-server, the Commitments tab pages through exactly the commitments
// a scan of the data selects, in due-date order (ties by workshop code and
// id), for the admin (the forum), a chapter admin (the chapter's
// workshops) and a facilitator (theirs), with every filter and their
// combinations, whatever the page size (a limit over 200 is cut to 200);
// the counts are exact; bad parameters get localised 400s.
func TestAPICommitmentsSeededForum(t *testing.T) {
	cfg := seed.Config{Seed: 7, Members: 400, Workshops: 24, Big: 1, BigRegs: 90, Commitments: 600, Now: seed.National(1).Now}
	r := redistest.New(t)
	st := store.New(r.Client, store.Options{Prefix: r.Prefix})
	f := seed.Generate(cfg)
	for i, w := range f.Workshops {
		if i%3 == 0 {
			w.Chapter = "chjb"
		}
	}
	ctx := context.Background()
	if err := seed.Write(ctx, st, f, 4, nil); err != nil {
		t.Fatal(err)
	}
	const chAdmin = 990001
	if err := st.SaveUser(ctx, &flows.User{ID: chAdmin, Lang: "en", Role: flows.RoleFacilitator, FirstName: "Ch", Chapter: "chjb"}); err != nil {
		t.Fatal(err)
	}
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	admin := f.Users[0]
	e := flows.New(flows.Config{BotUsername: "test_bot", DefaultLang: "id", Admins: []int64{admin.ID}}, st, texts)
	c := &cmTab{f: f, texts: texts, now: cfg.Now, langs: map[int64]string{chAdmin: "en"}, orgOf: map[int64]string{}, ws: map[string]*flows.Workshop{}}
	c.srv = webapp.New(webapp.Config{Token: token, Store: st, Texts: texts, Engine: func() *flows.Engine { return e },
		Clock: func() time.Time { return cfg.Now }, Chart: chart.PNG, DefaultLang: "id", Log: slog.New(slog.DiscardHandler)}).Handler()
	for _, u := range f.Users {
		c.langs[u.ID] = u.Lang
	}
	for _, p := range f.Profiles {
		c.orgOf[p.UserID] = p.Organisation
	}
	for _, w := range f.Workshops {
		c.ws[w.Code] = w
	}
	hosted := map[int64]int{}
	var fac int64 // the facilitator of the most workshops
	for _, w := range f.Workshops {
		hosted[w.Facilitators[0]]++
		if h := w.Facilitators[0]; hosted[h] > hosted[fac] {
			fac = h
		}
	}
	u, err := st.GetUser(ctx, fac)
	if err != nil {
		t.Fatal(err)
	}
	u.Role = flows.RoleFacilitator // the seed's hosts are members
	if err := st.SaveUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	var facCodes, chCodes, allCodes []string
	for _, w := range f.Workshops {
		allCodes = append(allCodes, w.Code)
		if slices.Contains(w.Facilitators, fac) {
			facCodes = append(facCodes, w.Code)
		}
		if w.Chapter == "chjb" {
			chCodes = append(chCodes, w.Code)
		}
	}
	month := func(cm *flows.Commitment) string {
		return cm.Due.In(flows.LoadZone(c.ws[cm.Workshop].Zone)).Format("2006-01")
	}
	byDue := func(a, b *flows.Commitment) int {
		return cmp.Or(a.Due.Compare(b.Due), strings.Compare(a.Workshop, b.Workshop), strings.Compare(a.ID, b.ID))
	}
	all := slices.Clone(f.Commitments)
	slices.SortFunc(all, byDue)
	type filter struct{ org, status, month, workshop string }
	want := func(codes []string, fl filter) []string {
		var out []string
		fl.org = strings.ToLower(strings.TrimSpace(fl.org))
		for _, cm := range all {
			switch {
			case !slices.Contains(codes, cm.Workshop), fl.workshop != "" && cm.Workshop != fl.workshop,
				fl.org != "" && !strings.Contains(strings.ToLower(c.orgOf[cm.Owner]), fl.org),
				fl.status == "overdue" && (cm.Status == flows.CmDone || !cm.Due.Before(cfg.Now)),
				fl.status != "" && fl.status != "overdue" && cm.Status != fl.status,
				fl.month != "" && month(cm) != fl.month:
				continue
			}
			out = append(out, cm.Workshop+"/"+cm.ID)
		}
		return out
	}
	someMonth := month(all[len(all)/2])
	overdueIn := map[string]int{} // the month with the most overdue
	for _, cm := range all {
		if cm.Status != flows.CmDone && cm.Due.Before(cfg.Now) {
			overdueIn[month(cm)]++
		}
	}
	pastMonth := ""
	for m, n := range overdueIn {
		if n > overdueIn[pastMonth] || n == overdueIn[pastMonth] && m < pastMonth {
			pastMonth = m
		}
	}
	for _, sc := range []struct {
		name  string
		uid   int64
		codes []string
	}{{"admin", admin.ID, allCodes}, {"chapter admin", chAdmin, chCodes}, {"facilitator", fac, facCodes}} {
		if len(sc.codes) < 1 || len(sc.codes) == len(allCodes) && sc.uid != admin.ID {
			t.Fatalf("%s: %d workshops; the seed no longer tests the scope", sc.name, len(sc.codes))
		}
		// last: the scope's workshop with the most commitments.
		n := map[string]int{}
		last, lastStatus := "", ""
		for _, cm := range all {
			if slices.Contains(sc.codes, cm.Workshop) {
				if n[cm.Workshop]++; n[cm.Workshop] > n[last] {
					last = cm.Workshop
				}
			}
		}
		for _, cm := range all {
			if cm.Workshop == last && lastStatus == "" {
				lastStatus = cm.Status
			}
		}
		filters := []filter{{}, {status: "overdue"}, {status: flows.CmBlocked, month: someMonth}, {org: "organisasi 1"},
			{org: "ORGANISASI 2 ", status: flows.CmOpen}, {org: "organisasi 3", status: "overdue", month: pastMonth},
			{workshop: last, status: lastStatus}, {workshop: last, org: "organisasi"}}
		empty := 0
		for _, fl := range filters {
			exp := want(sc.codes, fl)
			if len(exp) == 0 {
				empty++
			}
			qs := url.Values{"org": {fl.org}, "status": {fl.status}, "month": {fl.month}, "workshop": {fl.workshop}}.Encode()
			for _, limit := range []int{7, 50, 1000} {
				if got := c.pages(t, sc.uid, qs, limit, len(exp)); !slices.Equal(got, exp) {
					t.Errorf("%s %+v limit %d:\n got %v\nwant %v", sc.name, fl, limit, got, exp)
				}
			}
		}
		if empty > len(filters)/2 || sc.uid == admin.ID && empty > 0 {
			t.Errorf("%s: %d of %d filters select nothing; the seed no longer tests them", sc.name, empty, len(filters))
		}
		// The counts: every commitment of the scope by status and by due
		// month (the tallies), whatever the filter.
		byStatus, byMonth := map[string]int{}, map[string]int{}
		for _, cm := range f.Commitments {
			if slices.Contains(sc.codes, cm.Workshop) {
				byStatus[cm.Status]++
				byMonth[month(cm)]++
			}
		}
		_, p := c.get(t, sc.uid, "status=overdue&org=organisasi")
		gotStatus, gotMonth := map[string]int{}, map[string]int{}
		for _, s := range p.ByStatus {
			gotStatus[s.Key] = s.Count
		}
		for _, m := range p.ByMonth {
			gotMonth[m.Key] = m.Count
		}
		if fmt.Sprint(gotStatus) != fmt.Sprint(byStatus) || fmt.Sprint(gotMonth) != fmt.Sprint(byMonth) {
			t.Errorf("%s: by status %v by month %v; want %v %v", sc.name, gotStatus, gotMonth, byStatus, byMonth)
		}
		// by_org: with an org filter, the organisations matching it by
		// their commitments in the scope, the most first (20 at most).
		_, p = c.get(t, sc.uid, "org=organisasi+1")
		orgs := map[string]int{}
		for _, cm := range f.Commitments {
			if o := c.orgOf[cm.Owner]; slices.Contains(sc.codes, cm.Workshop) && strings.Contains(strings.ToLower(o), "organisasi 1") {
				orgs[o]++
			}
		}
		var names []string
		for o := range orgs {
			names = append(names, o)
		}
		slices.SortFunc(names, func(a, b string) int { return cmp.Or(orgs[b]-orgs[a], strings.Compare(a, b)) })
		var top []string
		for _, o := range names {
			top = append(top, fmt.Sprintf("%s=%d", o, orgs[o]))
		}
		var gotOrgs []string
		for _, o := range p.ByOrg {
			gotOrgs = append(gotOrgs, fmt.Sprintf("%s=%d", o.Key, o.Count))
		}
		if !slices.Equal(gotOrgs, top[:min(20, len(top))]) {
			t.Errorf("%s: by_org %v, want %v", sc.name, gotOrgs, top[:min(20, len(top))])
		}
		if _, p := c.get(t, sc.uid, ""); len(p.ByOrg) != 0 || p.Limit != 50 || len(p.Commitments) != min(50, len(want(sc.codes, filter{}))) {
			t.Errorf("%s: unfiltered: by_org %v, limit %d, %d rows", sc.name, p.ByOrg, p.Limit, len(p.Commitments))
		}
	}
	// Owners' names are their profiles'.
	_, p := c.get(t, admin.ID, "limit=200")
	names := map[int64]string{}
	for _, pr := range f.Profiles {
		names[pr.UserID] = pr.FullName
	}
	for _, r := range p.Commitments {
		if want := names[c.ownerOf(r.Workshop, r.ID)]; r.Owner != want || want == "" {
			t.Errorf("%s/%s: owner %q, want %q", r.Workshop, r.ID, r.Owner, want)
		}
	}
	// A workshop outside the scope; bad parameters.
	if code, _ := c.get(t, fac, "workshop="+chCodes[len(chCodes)-1]); !slices.Contains(facCodes, chCodes[len(chCodes)-1]) && code != http.StatusNotFound {
		t.Errorf("facilitator asking another's workshop: %d, want 404", code)
	}
	for _, bad := range []struct{ qs, id string }{
		{"limit=0", "app.err_bad_limit"}, {"limit=x", "app.err_bad_limit"}, {"limit=-3", "app.err_bad_limit"},
		{"cursor=%21%21", "app.err_bad_cursor"}, {"cursor=bm9wZQ", "app.err_bad_cursor"},
		{"status=late", "app.err_bad_status"}, {"month=2026-13", "app.err_bad_month"},
	} {
		code, p := c.get(t, admin.ID, bad.qs)
		if msg, _ := texts.Text(admin.Lang, bad.id, nil, nil); code != http.StatusBadRequest || p.Error != msg || msg == "" {
			t.Errorf("%s: %d %q, want 400 %q", bad.qs, code, p.Error, msg)
		}
	}
}
