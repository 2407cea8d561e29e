package flowstest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
)

// The broadcasts contract: what flows.Broadcasts keeps of a broadcast (its
// record, its state as a scheduled or cancelled broadcast, the newest-first
// list) and who each segment reaches when flows.Recipients reads the
// members from the store — every segment kind, with members who opted out,
// blocked the bot, never consented or were forgotten, in the same order.
// Redis (store/broadcasts.go) is the reference.

// BroadcastsAndAudience is what the broadcasts contract reads and writes:
// the broadcasts, and everything a segment is resolved from (users,
// participant profiles, partner profiles, workshop registrations), with
// forgetting.
type BroadcastsAndAudience interface {
	flows.Broadcasts
	flows.Audience
	flows.Workshops
	flows.Privacy
	flows.Profiles
	SaveUser(ctx context.Context, u *flows.User) error
	SavePartner(ctx context.Context, p *flows.PartnerProfile) error
}

// bcClock is the cases' time: whole seconds, which both stores keep.
var bcClock = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type bcCheck struct {
	ctx context.Context
	s   BroadcastsAndAudience
}

func (c *bcCheck) create(t *testing.T, id string, created time.Duration) *flows.Broadcast {
	t.Helper()
	b := &flows.Broadcast{ID: id, By: 900, FromChat: 900, MessageID: 10, EnglishID: 11, Segment: "all",
		Created: bcClock.Add(created), StartAt: bcClock.Add(created + time.Hour),
		Chats: []flows.ChatTarget{{Chat: -100200}, {Chat: -100300, Thread: 7}}}
	if err := c.s.CreateBroadcast(c.ctx, b); err != nil {
		t.Fatalf("CreateBroadcast %s: %v", id, err)
	}
	return b
}

// sameBroadcast: a and b are equal, their linked chats too.
func sameBroadcast(a, b *flows.Broadcast) bool {
	x, y := *a, *b
	x.Chats, y.Chats = nil, nil
	return reflect.DeepEqual(x, y) && slices.Equal(a.Chats, b.Chats)
}

func (c *bcCheck) status(t *testing.T, id, want string) {
	t.Helper()
	_, st, err := c.s.GetBroadcast(c.ctx, id)
	if err != nil || st.Status != want {
		t.Fatalf("GetBroadcast %s: state %+v, %v; want status %s", id, st, err, want)
	}
}

func (c *bcCheck) recent(t *testing.T, limit int, want ...string) {
	t.Helper()
	bs, err := c.s.RecentBroadcasts(c.ctx, limit)
	if err != nil {
		t.Fatalf("RecentBroadcasts(%d): %v", limit, err)
	}
	var got []string
	for _, b := range bs {
		got = append(got, b.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("RecentBroadcasts(%d) = %v, want %v", limit, got, want)
	}
}

// The members of the audience cases: who they are decides whom a segment
// reaches.
const (
	bcAdmin   = 900 // the author of the broadcasts
	bcIDJawa  = 1   // id, NGO in Jawa Barat, confirmed in w1 and checked in, theme education
	bcEnJawa  = 2   // en, CSR in Jawa Barat, confirmed in w1, themes education and health
	bcIDBali  = 3   // id, NGO in Bali, waiting in w1, theme health (paused partner profile)
	bcOptOut  = 4   // en, NGO in Jawa Barat, confirmed in w1, opted out of broadcasts
	bcBlocked = 5   // id, NGO in Jawa Barat, confirmed in w1, blocked the bot
	bcNoCons  = 6   // id, NGO in Jawa Barat, never agreed to the privacy notice
	bcForgot  = 7   // en, NGO in Jawa Barat, confirmed in w1 and checked in, theme education: forgotten
	bcNoProf  = 8   // en, no profile of any kind
)

// audience seeds the members above, the author and workshop w1, and
// forgets bcForgot.
func (c *bcCheck) audience(t *testing.T) {
	t.Helper()
	type member struct {
		id               int64
		lang             string
		sector, province string
		themes           []string
		visible          bool
		edit             func(u *flows.User)
	}
	members := []member{
		{bcAdmin, "id", "gov", "JK", nil, false, func(u *flows.User) { u.Role = flows.RoleAdmin }},
		{bcIDJawa, "id", "ngo", "JB", []string{"education"}, true, nil},
		{bcEnJawa, "en", "csr", "JB", []string{"education", "health"}, true, nil},
		{bcIDBali, "id", "ngo", "BA", []string{"health"}, false, nil},
		{bcOptOut, "en", "ngo", "JB", []string{"education"}, true, func(u *flows.User) { u.NoUpdates = true }},
		{bcBlocked, "id", "ngo", "JB", []string{"education"}, true, func(u *flows.User) { u.Inactive = true }},
		{bcNoCons, "id", "ngo", "JB", []string{"education"}, true, func(u *flows.User) { u.Consent = "" }},
		{bcForgot, "en", "ngo", "JB", []string{"education"}, true, nil},
		{bcNoProf, "en", "", "", nil, false, nil},
	}
	for _, m := range members {
		u := &flows.User{ID: m.id, Lang: m.lang, FirstName: fmt.Sprint("member ", m.id), Consent: flows.ConsentVersion,
			Created: bcClock, Seen: bcClock}
		if m.edit != nil {
			m.edit(u)
		}
		if err := c.s.SaveUser(c.ctx, u); err != nil {
			t.Fatal(err)
		}
		if m.sector == "" {
			continue
		}
		if err := c.s.SaveProfile(c.ctx, &flows.Profile{UserID: m.id, FullName: u.FirstName, Organisation: "Org",
			Sector: m.sector, Province: m.province, ConsentAt: bcClock, ConsentVersion: flows.ConsentVersion, Updated: bcClock}); err != nil {
			t.Fatal(err)
		}
		if m.themes != nil {
			if err := c.s.SavePartner(c.ctx, &flows.PartnerProfile{UserID: m.id, Org: "Org", Sector: m.sector, Themes: m.themes,
				Provinces: []string{m.province}, Offers: []string{"funding"}, Visible: m.visible, Created: bcClock, Updated: bcClock}); err != nil {
				t.Fatal(err)
			}
		}
	}
	w := &flows.Workshop{Code: "w1", Title: "Workshop w1", Zone: "Asia/Jakarta", Capacity: 5,
		Start: bcClock.Add(7 * 24 * time.Hour), End: bcClock.Add(7*24*time.Hour + 2*time.Hour),
		Deadline: bcClock.Add(6 * 24 * time.Hour), Facilitators: []int64{bcAdmin}, CreatedBy: bcAdmin, Created: bcClock}
	if err := c.s.CreateWorkshop(c.ctx, w); err != nil {
		t.Fatal(err)
	}
	// Five seats: the first five are confirmed, bcIDBali waits.
	for i, uid := range []int64{bcIDJawa, bcEnJawa, bcOptOut, bcBlocked, bcForgot, bcIDBali} {
		if _, err := c.s.Register(c.ctx, &flows.Registration{Workshop: "w1", UserID: uid, Lang: "id",
			RegisteredAt: bcClock.Add(time.Duration(i) * time.Minute), Token: fmt.Sprint("w1-tok-", uid)}, bcClock.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	for _, uid := range []int64{bcIDJawa, bcForgot} {
		if _, err := c.s.CheckIn(c.ctx, "w1", uid, w.Start); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.s.ForgetUser(c.ctx, bcForgot, bcClock.Add(8*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
}

// recipients checks whom a broadcast to segment reaches, in order, as
// "uid:message".
func (c *bcCheck) recipients(t *testing.T, segment string, want ...string) {
	t.Helper()
	rs, err := flows.Recipients(c.ctx, c.s, &flows.Broadcast{ID: "b1", By: bcAdmin, MessageID: 10, EnglishID: 11, Segment: segment})
	if err != nil {
		t.Fatalf("Recipients(%s): %v", segment, err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, fmt.Sprint(r.UserID, ":", r.MessageID))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Recipients(%s) = %v, want %v", segment, got, want)
	}
}

var bcCases = []struct {
	name string
	run  func(t *testing.T, c *bcCheck)
}{
	{"a broadcast reads back whole, scheduled", func(t *testing.T, c *bcCheck) {
		b := c.create(t, "b1", 0)
		got, st, err := c.s.GetBroadcast(c.ctx, "b1")
		if err != nil || !sameBroadcast(got, b) {
			t.Fatalf("GetBroadcast = %+v, %v; want %+v", got, err, b)
		}
		if *st != (flows.BroadcastState{Status: flows.BcScheduled}) {
			t.Fatalf("a new broadcast's state = %+v, want only scheduled", st)
		}
	}},
	{"an id is taken once", func(t *testing.T, c *bcCheck) {
		c.create(t, "b1", 0)
		err := c.s.CreateBroadcast(c.ctx, &flows.Broadcast{ID: "b1", By: 1, Segment: "all", MessageID: 99, Created: bcClock, StartAt: bcClock})
		if !errors.Is(err, flows.ErrCodeTaken) {
			t.Fatalf("second CreateBroadcast b1: %v, want ErrCodeTaken", err)
		}
		if got, _, err := c.s.GetBroadcast(c.ctx, "b1"); err != nil || got.MessageID != 10 {
			t.Fatalf("the first broadcast was overwritten: %+v, %v", got, err)
		}
	}},
	{"unknown broadcasts are not found", func(t *testing.T, c *bcCheck) {
		if _, _, err := c.s.GetBroadcast(c.ctx, "nope"); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("GetBroadcast unknown: %v", err)
		}
		if err := c.s.CancelBroadcast(c.ctx, "nope"); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("CancelBroadcast unknown: %v", err)
		}
	}},
	{"a cancelled broadcast stays, cancelled, and is not cancelled twice", func(t *testing.T, c *bcCheck) {
		c.create(t, "b1", 0)
		c.create(t, "b2", time.Minute)
		if err := c.s.CancelBroadcast(c.ctx, "b1"); err != nil {
			t.Fatal(err)
		}
		c.status(t, "b1", flows.BcCancelled)
		c.status(t, "b2", flows.BcScheduled)
		if err := c.s.CancelBroadcast(c.ctx, "b1"); !errors.Is(err, flows.ErrNotCancellable) {
			t.Fatalf("CancelBroadcast of a cancelled one: %v, want ErrNotCancellable", err)
		}
		c.recent(t, 10, "b2", "b1")
	}},
	{"recent broadcasts: newest created first, up to the limit", func(t *testing.T, c *bcCheck) {
		c.create(t, "b2", time.Hour)
		c.create(t, "b1", 0)
		c.create(t, "b3", 2*time.Hour)
		c.recent(t, 10, "b3", "b2", "b1")
		c.recent(t, 2, "b3", "b2")
	}},
	{"recent broadcasts created in the same millisecond: the greater id first", func(t *testing.T, c *bcCheck) {
		c.create(t, "ba", 0)
		c.create(t, "bc", 0)
		c.create(t, "bb", 0)
		c.create(t, "a0", 500*time.Microsecond)
		c.create(t, "b0", -time.Minute)
		c.recent(t, 10, "bc", "bb", "ba", "a0", "b0")
	}},
	{"no broadcasts, none recent", func(t *testing.T, c *bcCheck) {
		c.recent(t, 10)
	}},
	{"everyone: the consenting, active, subscribed members but the author", func(t *testing.T, c *bcCheck) {
		c.audience(t)
		c.recipients(t, "all", "1:10", "2:11", "3:10", "8:11")
	}},
	{"a workshop's confirmed registrants, or those who checked in", func(t *testing.T, c *bcCheck) {
		c.audience(t)
		c.recipients(t, "ws:w1:c", "1:10", "2:11")
		c.recipients(t, "ws:w1:i", "1:10")
		c.recipients(t, "ws:nope:c")
	}},
	{"a sector or a province of the participant profile", func(t *testing.T, c *bcCheck) {
		c.audience(t)
		c.recipients(t, "sector:ngo", "1:10", "3:10")
		c.recipients(t, "sector:csr", "2:11")
		c.recipients(t, "sector:gov")
		c.recipients(t, "prov:JB", "1:10", "2:11")
		c.recipients(t, "prov:BA", "3:10")
	}},
	{"a theme of the partner profile, paused or not", func(t *testing.T, c *bcCheck) {
		c.audience(t)
		c.recipients(t, "theme:education", "1:10", "2:11")
		c.recipients(t, "theme:health", "2:11", "3:10")
		c.recipients(t, "theme:wash")
	}},
	{"a language", func(t *testing.T, c *bcCheck) {
		c.audience(t)
		c.recipients(t, "lang:id", "1:10", "3:10")
		c.recipients(t, "lang:en", "2:11", "8:11")
	}},
	{"receivers: consenting, active, subscribed members by ascending id, a page at a time, by language", func(t *testing.T, c *bcCheck) {
		c.audience(t)
		page := func(lang string, after int64, n int) string {
			t.Helper()
			rs, err := c.s.Receivers(c.ctx, lang, after, n)
			if err != nil {
				t.Fatalf("Receivers(%q, %d, %d): %v", lang, after, n, err)
			}
			return fmt.Sprint(rs)
		}
		for _, q := range []struct {
			lang  string
			after int64
			n     int
			want  string
		}{
			{"", math.MinInt64, 100, "[{1 id} {2 en} {3 id} {8 en} {900 id}]"},
			{"", math.MinInt64, 2, "[{1 id} {2 en}]"},
			{"", 2, 2, "[{3 id} {8 en}]"},
			{"", 8, 2, "[{900 id}]"},
			{"", 900, 2, "[]"},
			{"en", math.MinInt64, 1, "[{2 en}]"},
			{"en", 2, 5, "[{8 en}]"},
			{"id", 1, 5, "[{3 id} {900 id}]"},
			{"id", math.MinInt64, 0, "[]"},
		} {
			if got := page(q.lang, q.after, q.n); got != q.want {
				t.Errorf("Receivers(%q, after %d, %d) = %s, want %s", q.lang, q.after, q.n, got, q.want)
			}
		}
	}},
	{"a profile removed (consent withdrawn) leaves the sector and province segments", func(t *testing.T, c *bcCheck) {
		c.audience(t)
		if err := c.s.RemoveProfile(c.ctx, bcIDJawa); err != nil {
			t.Fatal(err)
		}
		c.recipients(t, "prov:JB", "2:11")
		c.recipients(t, "sector:ngo", "3:10")
		c.recipients(t, "all", "1:10", "2:11", "3:10", "8:11")
	}},
}

// RunBroadcastsContract runs the broadcasts contract against stores open
// makes, a fresh one per case.
func RunBroadcastsContract(t *testing.T, open func(t *testing.T) BroadcastsAndAudience) {
	for _, tc := range bcCases {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, &bcCheck{ctx: context.Background(), s: open(t)})
		})
	}
}
