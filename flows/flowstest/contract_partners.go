package flowstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
)

// The partners contract: a partner profile reads back as saved, is
// replaced whole and deleted; suggestions (flows.Partners.SuggestPartners)
// are the candidates ranked by flows.MatchScore, best first, equal scores by
// the lower user id, up to the limit — never the asker, a paused profile, one
// the asker marked not interested, one whose owner blocked the bot, never
// consented or was forgotten — narrowed by a theme, province, sector or to
// coalitions. It checks results and their order only, never how a store
// finds them. Redis (store/partners.go) is the reference.

// PartnersAndUsers is what the partners contract reads and writes: the
// partner profiles and introductions, the users who own them, and
// forgetting.
type PartnersAndUsers interface {
	flows.Partners
	flows.Privacy
	SaveUser(ctx context.Context, u *flows.User) error
}

var ppClock = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type ppCheck struct {
	ctx context.Context
	s   PartnersAndUsers
}

// user saves an active, consenting user uid (edited by edit).
func (c *ppCheck) user(t *testing.T, uid int64, edit ...func(*flows.User)) {
	t.Helper()
	u := &flows.User{ID: uid, Lang: "id", FirstName: fmt.Sprint("user ", uid), Consent: flows.ConsentVersion, Created: ppClock, Seen: ppClock}
	for _, f := range edit {
		f(u)
	}
	if err := c.s.SaveUser(c.ctx, u); err != nil {
		t.Fatal(err)
	}
}

// partner saves p, visible, for a user saved with it.
func (c *ppCheck) partner(t *testing.T, p flows.PartnerProfile) *flows.PartnerProfile {
	t.Helper()
	c.user(t, p.UserID)
	return c.save(t, p)
}

func (c *ppCheck) save(t *testing.T, p flows.PartnerProfile) *flows.PartnerProfile {
	t.Helper()
	if p.Org == "" {
		p.Org = fmt.Sprint("Org ", p.UserID)
	}
	if p.Created.IsZero() {
		p.Created, p.Updated = ppClock, ppClock
	}
	if err := c.s.SavePartner(c.ctx, &p); err != nil {
		t.Fatalf("SavePartner %d: %v", p.UserID, err)
	}
	return &p
}

// suggest checks the suggestions for me under f, up to limit, as user ids
// in order.
func (c *ppCheck) suggest(t *testing.T, me *flows.PartnerProfile, f flows.MatchFilter, limit int, want ...int64) {
	t.Helper()
	ps, err := c.s.SuggestPartners(c.ctx, flows.MatchQuery{Me: me, Filter: f, Limit: limit})
	if err != nil {
		t.Fatalf("SuggestPartners for %d %+v: %v", me.UserID, f, err)
	}
	var got []int64
	for _, p := range ps {
		got = append(got, p.UserID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("SuggestPartners for %d %+v limit %d = %v, want %v", me.UserID, f, limit, got, want)
	}
}

// me is the asker of the suggestion cases: an NGO in Jawa Barat on
// education and health, offering volunteers, needing funding and data.
func (c *ppCheck) me(t *testing.T) *flows.PartnerProfile {
	t.Helper()
	return c.partner(t, flows.PartnerProfile{UserID: 1, Sector: "ngo", Themes: []string{"education", "health"},
		Provinces: []string{"JB"}, Offers: []string{"volunteers"}, Needs: []string{"funding", "data"}, Visible: true})
}

// field is one profile of every kind of overlap with me, and its score:
//
//	10 csr  offers funding (3), education (2), JB (1), cross-sector (2)     = 8
//	11 ngo  offers funding and data (6), needs volunteers (3)               = 9
//	12 gov  health (2), cross-sector (2)                                    = 4
//	13 ngo  JB (1)                                                          = 1
//	14 csr  nothing shared: cross-sector alone makes no candidate           = –
//	15 ngo  education (2), JB (1)  offers volunteers (coalition)            = 3
//	16 academia  offers data (3), cross-sector (2)                          = 5
//	17 ngo  health (2), needs volunteers (3)                                = 5
//	18 philanthropy  offers funding (3), education (2), JB (1), cross (2)   = 8
func (c *ppCheck) field(t *testing.T) {
	t.Helper()
	for _, p := range []flows.PartnerProfile{
		{UserID: 10, Sector: "csr", Themes: []string{"education"}, Provinces: []string{"JB"}, Offers: []string{"funding"}},
		{UserID: 11, Sector: "ngo", Themes: []string{"env"}, Provinces: []string{"BA"}, Offers: []string{"funding", "data"}, Needs: []string{"volunteers"}},
		{UserID: 12, Sector: "gov", Themes: []string{"health"}, Provinces: []string{"JK"}},
		{UserID: 13, Sector: "ngo", Themes: []string{"env"}, Provinces: []string{"JB"}},
		{UserID: 14, Sector: "csr", Themes: []string{"env"}, Provinces: []string{"BA"}, Offers: []string{"venue"}},
		{UserID: 15, Sector: "ngo", Themes: []string{"education"}, Provinces: []string{"JB"}, Offers: []string{"volunteers"}},
		{UserID: 16, Sector: "academia", Themes: []string{"digital"}, Provinces: []string{"JT"}, Offers: []string{"data"}},
		{UserID: 17, Sector: "ngo", Themes: []string{"health"}, Provinces: []string{"JT"}, Needs: []string{"volunteers"}},
		{UserID: 18, Sector: "philanthropy", Themes: []string{"education"}, Provinces: []string{"JB"}, Offers: []string{"funding"}},
	} {
		p.Visible = true
		c.partner(t, p)
	}
}

var ppCases = []struct {
	name string
	run  func(t *testing.T, c *ppCheck)
}{
	{"a profile reads back as saved and is replaced whole", func(t *testing.T, c *ppCheck) {
		p := c.partner(t, flows.PartnerProfile{UserID: 5, Org: "Yayasan A", Sector: "ngo", Themes: []string{"education", "health"},
			Provinces: []string{"JB", "JT"}, Offers: []string{"volunteers"}, Needs: []string{"funding"}, Description: "<b>we</b> teach",
			Visible: true})
		got, err := c.s.GetPartner(c.ctx, 5)
		if err != nil || fmt.Sprint(*got) != fmt.Sprint(*p) {
			t.Fatalf("GetPartner = %+v, %v; want %+v", got, err, p)
		}
		q := c.save(t, flows.PartnerProfile{UserID: 5, Org: "Yayasan B", Sector: "csr", Themes: []string{"env"}, Provinces: []string{"BA"},
			Created: ppClock, Updated: ppClock.Add(time.Hour)})
		got, err = c.s.GetPartner(c.ctx, 5)
		if err != nil || fmt.Sprint(*got) != fmt.Sprint(*q) {
			t.Fatalf("GetPartner after replacing = %+v, %v; want %+v", got, err, q)
		}
	}},
	{"a deleted profile is gone, and deleting nothing is not found", func(t *testing.T, c *ppCheck) {
		me := c.me(t)
		c.partner(t, flows.PartnerProfile{UserID: 2, Sector: "csr", Themes: []string{"education"}, Provinces: []string{"JB"}, Visible: true})
		c.suggest(t, me, flows.MatchFilter{}, 10, 2)
		if err := c.s.DeletePartner(c.ctx, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := c.s.GetPartner(c.ctx, 2); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("GetPartner of a deleted profile: %v", err)
		}
		if err := c.s.DeletePartner(c.ctx, 2); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("DeletePartner twice: %v", err)
		}
		c.suggest(t, me, flows.MatchFilter{}, 10)
	}},
	{"suggestions: best score first, equal scores by the lower user id, up to the limit", func(t *testing.T, c *ppCheck) {
		me := c.me(t)
		c.field(t)
		c.suggest(t, me, flows.MatchFilter{}, 20, 11, 10, 18, 16, 17, 12, 15, 13)
		c.suggest(t, me, flows.MatchFilter{}, 3, 11, 10, 18)
		c.suggest(t, me, flows.MatchFilter{}, 4, 11, 10, 18, 16)
	}},
	{"suggestions narrowed by theme, province, sector, or to coalitions", func(t *testing.T, c *ppCheck) {
		me := c.me(t)
		c.field(t)
		c.suggest(t, me, flows.MatchFilter{Theme: "education"}, 20, 10, 18, 15)
		c.suggest(t, me, flows.MatchFilter{Theme: "env"}, 20, 11, 13)
		c.suggest(t, me, flows.MatchFilter{Province: "JT"}, 20, 16, 17)
		c.suggest(t, me, flows.MatchFilter{Sector: "ngo"}, 20, 11, 17, 15, 13)
		c.suggest(t, me, flows.MatchFilter{Sector: "gov"}, 20, 12)
		c.suggest(t, me, flows.MatchFilter{Theme: "wash"}, 20)
		c.suggest(t, me, flows.MatchFilter{Coalition: true}, 20, 15)
	}},
	{"never the asker, a paused profile, nor one marked not interested", func(t *testing.T, c *ppCheck) {
		me := c.me(t)
		c.field(t)
		paused := c.save(t, flows.PartnerProfile{UserID: 10, Sector: "csr", Themes: []string{"education"}, Provinces: []string{"JB"}, Offers: []string{"funding"}})
		if err := c.s.NotInterested(c.ctx, 1, 16); err != nil {
			t.Fatal(err)
		}
		c.suggest(t, me, flows.MatchFilter{}, 20, 11, 18, 17, 12, 15, 13)
		// The mark is the asker's only; a profile resumed is suggested again.
		other := c.partner(t, flows.PartnerProfile{UserID: 2, Sector: "ngo", Themes: []string{"digital"}, Provinces: []string{"BA"}, Visible: true})
		c.suggest(t, other, flows.MatchFilter{}, 20, 16, 14, 11)
		paused.Visible = true
		c.save(t, *paused)
		c.suggest(t, me, flows.MatchFilter{}, 20, 11, 10, 18, 17, 12, 15, 13)
	}},
	{"never one whose owner blocked the bot, never consented, has no record or was forgotten", func(t *testing.T, c *ppCheck) {
		me := c.me(t)
		c.field(t)
		c.user(t, 10, func(u *flows.User) { u.Inactive = true })
		c.user(t, 16, func(u *flows.User) { u.Consent = "" })
		if _, err := c.s.ForgetUser(c.ctx, 18, ppClock); err != nil {
			t.Fatal(err)
		}
		c.save(t, flows.PartnerProfile{UserID: 19, Sector: "csr", Themes: []string{"education"}, Provinces: []string{"JB"}, Visible: true})
		c.suggest(t, me, flows.MatchFilter{}, 20, 11, 17, 12, 15, 13)
		c.suggest(t, me, flows.MatchFilter{}, 2, 11, 17)
	}},
	{"many better profiles left out do not crowd out the ones shown", func(t *testing.T, c *ppCheck) {
		me := c.me(t)
		for uid := int64(100); uid < 140; uid++ { // 8 points each, every owner inactive
			c.partner(t, flows.PartnerProfile{UserID: uid, Sector: "csr", Themes: []string{"education"}, Provinces: []string{"JB"},
				Offers: []string{"funding"}, Visible: true})
			c.user(t, uid, func(u *flows.User) { u.Inactive = true })
		}
		c.partner(t, flows.PartnerProfile{UserID: 200, Sector: "ngo", Themes: []string{"env"}, Provinces: []string{"JB"}, Visible: true})    // 1
		c.partner(t, flows.PartnerProfile{UserID: 201, Sector: "ngo", Themes: []string{"health"}, Provinces: []string{"BA"}, Visible: true}) // 2
		c.partner(t, flows.PartnerProfile{UserID: 202, Sector: "gov", Themes: []string{"health"}, Provinces: []string{"BA"}, Visible: true}) // 4
		c.suggest(t, me, flows.MatchFilter{}, 2, 202, 201)
		c.suggest(t, me, flows.MatchFilter{}, 10, 202, 201, 200)
	}},
	{"an introduction hides nobody (the card says where the pair stands)", func(t *testing.T, c *ppCheck) {
		me := c.me(t)
		c.field(t)
		for i, to := range []int64{11, 10} {
			if err := c.s.RequestIntro(c.ctx, &flows.Introduction{ID: fmt.Sprint("i", i), From: 1, To: to, FromOrg: "Org 1", ToOrg: "Org",
				Created: ppClock, Status: flows.IntroPending}, 30*24*time.Hour, 5); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.s.DecideIntro(c.ctx, "i0", 11, flows.IntroAccepted, ppClock.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		c.suggest(t, me, flows.MatchFilter{}, 3, 11, 10, 18)
	}},
	{"an edited profile is found by what it says now", func(t *testing.T, c *ppCheck) {
		me := c.me(t)
		p := c.partner(t, flows.PartnerProfile{UserID: 2, Sector: "csr", Themes: []string{"education"}, Provinces: []string{"JB"}, Visible: true})
		c.suggest(t, me, flows.MatchFilter{Theme: "education"}, 10, 2)
		p.Themes, p.Provinces, p.Offers = []string{"wash"}, []string{"BA"}, []string{"data"}
		c.save(t, *p)
		c.suggest(t, me, flows.MatchFilter{Theme: "education"}, 10)
		c.suggest(t, me, flows.MatchFilter{Province: "JB"}, 10)
		c.suggest(t, me, flows.MatchFilter{}, 10, 2)
		p.Offers = nil
		c.save(t, *p)
		c.suggest(t, me, flows.MatchFilter{}, 10)
	}},
}

// RunPartnersContract runs the partners contract against stores open
// makes, a fresh one per case.
func RunPartnersContract(t *testing.T, open func(t *testing.T) PartnersAndUsers) {
	for _, tc := range ppCases {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, &ppCheck{ctx: context.Background(), s: open(t)})
		})
	}
}
