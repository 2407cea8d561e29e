package flows_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

func TestParseSegment(t *testing.T) {
	for _, c := range []struct {
		text string
		want flows.Segment
	}{
		{"all", flows.Segment{Kind: flows.SegAll}},
		{"ws:abc234:c", flows.Segment{Kind: flows.SegWorkshop, Value: "abc234"}},
		{"ws:abc234:i", flows.Segment{Kind: flows.SegWorkshop, Value: "abc234", CheckedIn: true}},
		{"sector:ngo", flows.Segment{Kind: flows.SegSector, Value: "ngo"}},
		{"prov:JB", flows.Segment{Kind: flows.SegProvince, Value: "JB"}},
		{"theme:health", flows.Segment{Kind: flows.SegTheme, Value: "health"}},
		{"lang:en", flows.Segment{Kind: flows.SegLang, Value: "en"}},
		{"wsr:abc234:c", flows.Segment{Kind: flows.SegRegistrants, Value: "abc234", Status: flows.RegsConfirmed}},
		{"wsr:abc234:w", flows.Segment{Kind: flows.SegRegistrants, Value: "abc234", Status: flows.RegsWaiting}},
		{"wsr:abc234:i", flows.Segment{Kind: flows.SegRegistrants, Value: "abc234", Status: flows.RegsCheckedIn}},
		{"wsr:abc234:n", flows.Segment{Kind: flows.SegRegistrants, Value: "abc234", Status: flows.RegsNoShow}},
		{"wsr:abc234:o", flows.Segment{Kind: flows.SegRegistrants, Value: "abc234", Status: flows.RegsOffered}},
		{"wsr:abc234:p", flows.Segment{Kind: flows.SegRegistrants, Value: "abc234", Status: flows.RegsPending}},
		{"in:jabar2:all", flows.Segment{Kind: flows.SegAll, Chapter: "jabar2"}},
		{"in:jabar2:prov:BA", flows.Segment{Kind: flows.SegProvince, Value: "BA", Chapter: "jabar2"}},
		{"in:jabar2:ws:abc234:i", flows.Segment{Kind: flows.SegWorkshop, Value: "abc234", CheckedIn: true, Chapter: "jabar2"}},
	} {
		got, err := flows.ParseSegment(c.text)
		if err != nil || got != c.want {
			t.Errorf("ParseSegment(%q) = %+v, %v; want %+v", c.text, got, err, c.want)
		}
		if s := got.String(); s != c.text {
			t.Errorf("%+v.String() = %q, want %q", got, s, c.text)
		}
	}
	for _, bad := range []string{"", "everyone", "all:", "all:x", "ws:", "ws:abc234", "ws:abc234:x", "ws::c",
		"sector:", "sector:banks", "prov:XX", "prov:jb", "theme:", "theme:space", "lang:fr", "lang:", "Sector:ngo",
		"wsr:", "wsr:abc234", "wsr:abc234:", "wsr:abc234:x", "wsr::c", "wsr:abc234:cc", "wsr:abc234:op", "wsr:abc234:O",
		"in:", "in:jabar2", "in:jabar2:", "in::all", "in:jabar2:everyone", "in:JABAR2:all", "in:jabar:all", "in:bali11:all",
		"in:jabar2:in:bdps22:all"} {
		if got, err := flows.ParseSegment(bad); !errors.Is(err, flows.ErrUnknownSegment) {
			t.Errorf("ParseSegment(%q) = %+v, %v; want ErrUnknownSegment", bad, got, err)
		}
	}
}

// TestRecipientsUnknownSegment: a broadcast whose segment this build cannot
// read goes to nobody (an error), never to everyone.
func TestRecipientsUnknownSegment(t *testing.T) {
	h := newHarness(t)
	if err := h.Store.SaveUser(context.Background(), &flows.User{ID: 1, Lang: "id", Consent: flows.ConsentVersion}); err != nil {
		t.Fatal(err)
	}
	if rs, err := h.E.Recipients(context.Background(), &flows.Broadcast{ID: "b0", MessageID: 1, Segment: "all"}); err != nil || len(rs) != 1 {
		t.Fatalf("segment all: %v, %v", rs, err)
	}
	for _, seg := range []string{"everyone", "sector:banks", "lang:fr", "ws:abc234"} {
		rs, err := h.E.Recipients(context.Background(), &flows.Broadcast{ID: "b1", MessageID: 1, Segment: seg})
		if !errors.Is(err, flows.ErrUnknownSegment) || rs != nil {
			t.Errorf("segment %q: recipients %v, err %v; want ErrUnknownSegment", seg, rs, err)
		}
	}
}

// A workshop's registrants by status: confirmed, waiting, checked in, not
// checked in — members who consented and are active, never the author; the
// secretariat's opt-out (/settings) does not stop a message of the
// workshop's team.
func TestRecipientsRegistrantsByStatus(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	start := h.Now.Add(48 * time.Hour)
	w := &flows.Workshop{Code: "abc234", Title: "W", Zone: "Asia/Jakarta", Start: start, End: start.Add(time.Hour), Venue: "V",
		Capacity: 4, Deadline: start, Facilitators: []int64{50}, CreatedBy: 50, Created: h.Now}
	if err := h.Store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	// 1, 2, 3, 50 (the author, registered too) hold seats, 4 and 5 wait;
	// 1 and 50 checked in; 3 blocked the bot; 2 turned the secretariat's
	// updates off; 6 is not registered.
	for _, id := range []int64{1, 2, 3, 50, 4, 5, 6} {
		u := &flows.User{ID: id, Lang: "id", Consent: flows.ConsentVersion, Inactive: id == 3, NoUpdates: id == 2}
		if err := h.Store.SaveUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if id == 6 {
			continue
		}
		if _, err := h.Store.Register(ctx, &flows.Registration{Workshop: "abc234", UserID: id, Token: flows.NewToken(), Lang: "id"}, h.Now); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{1, 50} {
		if _, err := h.Store.CheckIn(ctx, "abc234", id, start); err != nil {
			t.Fatal(err)
		}
	}
	for status, want := range map[flows.RegistrantStatus][]int64{
		flows.RegsConfirmed: {1, 2}, flows.RegsWaiting: {4, 5}, flows.RegsCheckedIn: {1}, flows.RegsNoShow: {2},
	} {
		seg := flows.Segment{Kind: flows.SegRegistrants, Value: "abc234", Status: status}.String()
		rs, err := h.E.Recipients(ctx, &flows.Broadcast{ID: "b1", By: 50, MessageID: 7, Segment: seg})
		var got []int64
		for _, r := range rs {
			got = append(got, r.UserID)
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: %v, %v; want %v", seg, got, err, want)
		}
	}
	// The secretariat's segment of the same workshop keeps the opt-out.
	rs, err := h.E.Recipients(ctx, &flows.Broadcast{ID: "b2", By: 900, MessageID: 7, Segment: "ws:abc234:c"})
	if err != nil || len(rs) != 2 || rs[0].UserID != 1 || rs[1].UserID != 50 {
		t.Fatalf("ws:abc234:c = %v, %v; want [1 50]", rs, err)
	}

	// Pending offers and pending approval: one seat, approval on; 7 holds
	// it, 8 was approved onto the waiting list and is offered the seat 7
	// frees, 9 awaits approval.
	w2 := *w
	w2.Code, w2.Capacity, w2.Offers, w2.Approval = "def234", 1, true, true
	if err := h.Store.CreateWorkshop(ctx, &w2); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{7, 8, 9} {
		if err := h.Store.SaveUser(ctx, &flows.User{ID: id, Lang: "id", Consent: flows.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
		r, err := h.Store.Register(ctx, &flows.Registration{Workshop: "def234", UserID: id, Token: flows.NewToken(), Lang: "id"}, h.Now)
		if err != nil || r.Status != flows.RegPending {
			t.Fatalf("register %d: %+v, %v", id, r, err)
		}
		if id != 9 {
			if _, err := h.Store.DecideRegistration(ctx, "def234", id, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := h.Store.CancelRegistration(ctx, "def234", 7, h.Now); err != nil {
		t.Fatal(err)
	}
	for status, want := range map[flows.RegistrantStatus][]int64{
		flows.RegsOffered: {8}, flows.RegsPending: {9}, flows.RegsConfirmed: nil, flows.RegsWaiting: nil,
	} {
		seg := flows.Segment{Kind: flows.SegRegistrants, Value: "def234", Status: status}.String()
		rs, err := h.E.Recipients(ctx, &flows.Broadcast{ID: "b3", By: 50, MessageID: 7, Segment: seg})
		var got []int64
		for _, r := range rs {
			got = append(got, r.UserID)
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: %v, %v; want %v", seg, got, err, want)
		}
	}
}

// noAllUsers is an audience that fails when every member is read.
type noAllUsers struct{ *flowstest.Store }

func (noAllUsers) AllUsers(context.Context) ([]*flows.User, error) {
	return nil, errors.New("every member read")
}

// A chapter's "all" and "lang:" segments read only who may be its members
// — those who joined by link and those whose profile is in its provinces —
// never every member, and reach exactly its members.
func TestChapterSegmentReadsOnlyItsMembers(t *testing.T) {
	ctx := context.Background()
	st := flowstest.NewStore()
	ch := &flows.Chapter{ID: "abc234", Name: "Jabar", Kind: flows.ChapterProvince, Provinces: []string{"JB"}, By: 1, Created: time.Now()}
	if err := st.CreateChapter(ctx, ch); err != nil {
		t.Fatal(err)
	}
	for id, prov := range map[int64]string{10: "JB", 11: "JB", 12: "JT", 13: "BT"} {
		lang := "id"
		if id%2 == 1 {
			lang = "en"
		}
		if err := st.SaveUser(ctx, &flows.User{ID: id, Lang: lang, Consent: flows.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
		if err := st.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "N", Province: prov, Sector: "ngo"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.JoinChapter(ctx, ch.ID, 13); err != nil { // by link, from another province
		t.Fatal(err)
	}
	for seg, want := range map[string][]int64{"in:abc234:all": {10, 11, 13}, "in:abc234:lang:en": {11, 13}} {
		rs, err := flows.Recipients(ctx, noAllUsers{st}, &flows.Broadcast{ID: "b", MessageID: 1, By: 1, Segment: seg})
		if err != nil {
			t.Fatalf("%s: %v", seg, err)
		}
		var got []int64
		for _, r := range rs {
			got = append(got, r.UserID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", seg, got, want)
		}
	}
}

// The segments everyone and a language read the index of receivers, and
// a workshop's segments its registrants' records: none reads every member
// (at 100,000 members that took 0.5–0.6 s). Each reaches the same members
// as before.
func TestSegmentsReadNotEveryMember(t *testing.T) {
	ctx := context.Background()
	st := flowstest.NewStore()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	w := &flows.Workshop{Code: "abc234", Title: "Lokakarya", Zone: "Asia/Jakarta", Start: now.Add(24 * time.Hour), End: now.Add(26 * time.Hour),
		Deadline: now.Add(24 * time.Hour), Facilitators: []int64{1}, CreatedBy: 1, Created: now}
	if err := st.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	users := []flows.User{
		{ID: 1, Lang: "id", Consent: flows.ConsentVersion}, // the author
		{ID: 10, Lang: "id", Consent: flows.ConsentVersion},
		{ID: 11, Lang: "en", Consent: flows.ConsentVersion},
		{ID: 12, Lang: "en", Consent: flows.ConsentVersion, NoUpdates: true},
		{ID: 13, Lang: "id", Consent: flows.ConsentVersion, Inactive: true},
		{ID: 14, Lang: "en"}, // no consent
		{ID: 15, Lang: "en", Consent: flows.ConsentVersion},
	}
	for _, u := range users {
		if err := st.SaveUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{10, 11, 12, 13, 14} {
		if _, err := st.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: id, Token: flows.NewToken()}, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CheckIn(ctx, w.Code, 11, now); err != nil {
		t.Fatal(err)
	}
	for seg, want := range map[string][]int64{
		"all": {10, 11, 15}, "lang:en": {11, 15}, "lang:id": {10},
		"ws:abc234:c": {10, 11}, "ws:abc234:i": {11}, "wsr:abc234:c": {10, 11, 12}, "wsr:abc234:n": {10, 12},
	} {
		b := &flows.Broadcast{ID: "b", MessageID: 1, EnglishID: 2, By: 1, Segment: seg}
		rs, err := flows.Recipients(ctx, noAllUsers{st}, b)
		if err != nil {
			t.Fatalf("%s: %v", seg, err)
		}
		var got []int64
		for _, r := range rs {
			got = append(got, r.UserID)
			if wantMsg := map[bool]int{true: 2, false: 1}[r.UserID == 11 || r.UserID == 12 || r.UserID == 15]; r.MessageID != wantMsg {
				t.Errorf("%s: %d gets message %d, want %d", seg, r.UserID, r.MessageID, wantMsg)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", seg, got, want)
		}
		// Read in pages from any member on, they are the same.
		for _, after := range []int64{math.MinInt64, 10, 11, 14, 15} {
			for _, n := range []int{1, 2, 100} {
				pages, err := flows.NewRecipientPages(ctx, noAllUsers{st}, b, after)
				if err != nil {
					t.Fatal(err)
				}
				var paged []flows.Recipient
				for {
					page, err := pages.Next(ctx, n)
					if err != nil {
						t.Fatal(err)
					}
					if len(page) > n {
						t.Fatalf("%s: page of %d, asked for %d", seg, len(page), n)
					}
					if len(page) == 0 {
						break
					}
					paged = append(paged, page...)
				}
				i := slices.IndexFunc(rs, func(r flows.Recipient) bool { return r.UserID > after })
				rest := []flows.Recipient{}
				if i >= 0 {
					rest = rs[i:]
				}
				if !slices.Equal(paged, rest) && (len(paged) != 0 || len(rest) != 0) {
					t.Errorf("%s after %d in pages of %d: %v, want %v", seg, after, n, paged, rest)
				}
			}
		}
	}
}
