package flowstest

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"sinergi/flows"
)

// The members contract: what the dashboard counts of the members
// (flows.MemberCounter: those the store lists with a profile, by the
// sector and the province of it) and the receivers of a sector or a
// province (Audience.ProfileReceivers), through moves, removals and
// forgetting. Redis (store/members.go) is the reference: it counts and
// intersects its indexes, the fake reads everything.

// MembersStore is what the members contract reads and writes.
type MembersStore interface {
	flows.Audience
	flows.MemberCounter
	flows.Profiles
	flows.Privacy
	SaveUser(ctx context.Context, u *flows.User) error
}

var mbClock = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

type mbCheck struct {
	ctx context.Context
	s   MembersStore
}

func (c *mbCheck) user(t *testing.T, id int64, lang string, edit func(u *flows.User)) {
	t.Helper()
	u := &flows.User{ID: id, Lang: lang, FirstName: fmt.Sprint("member ", id), Consent: flows.ConsentVersion, Created: mbClock, Seen: mbClock}
	if edit != nil {
		edit(u)
	}
	if err := c.s.SaveUser(c.ctx, u); err != nil {
		t.Fatal(err)
	}
}

func (c *mbCheck) profile(t *testing.T, id int64, sector, province string) {
	t.Helper()
	if err := c.s.SaveProfile(c.ctx, &flows.Profile{UserID: id, FullName: fmt.Sprint("member ", id), Organisation: "Org",
		Sector: sector, Province: province, ConsentAt: mbClock, ConsentVersion: flows.ConsentVersion, Updated: mbClock}); err != nil {
		t.Fatal(err)
	}
}

func (c *mbCheck) counts(t *testing.T, total int, bySector, byProvince map[string]int) {
	t.Helper()
	got, err := c.s.CountMembers(c.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != total || !maps.Equal(got.BySector, bySector) || !maps.Equal(got.ByProvince, byProvince) {
		t.Fatalf("CountMembers = %+v, want total %d, by sector %v, by province %v", got, total, bySector, byProvince)
	}
}

func (c *mbCheck) receivers(t *testing.T, kind flows.SegmentKind, values []string, want string) {
	t.Helper()
	rs, err := c.s.ProfileReceivers(c.ctx, kind, values...)
	if err != nil {
		t.Fatalf("ProfileReceivers(%s, %v): %v", kind, values, err)
	}
	if got := fmt.Sprint(rs); got != want {
		t.Fatalf("ProfileReceivers(%s, %v) = %s, want %s", kind, values, got, want)
	}
}

// forum seeds: 1 id NGO JB; 2 en CSR JB; 3 id NGO BA, opted out; 4 en NGO
// JK, blocked the bot; 5 id CSR BA, never consented; 6 en, no profile;
// 7 a profile without a user record; 8 id, a profile of no sector nor
// province; 9 id, a sector and a province outside the catalog; 10 en gov
// JB.
func (c *mbCheck) forum(t *testing.T) {
	t.Helper()
	c.user(t, 1, "id", nil)
	c.profile(t, 1, "ngo", "JB")
	c.user(t, 2, "en", nil)
	c.profile(t, 2, "csr", "JB")
	c.user(t, 3, "id", func(u *flows.User) { u.NoUpdates = true })
	c.profile(t, 3, "ngo", "BA")
	c.user(t, 4, "en", func(u *flows.User) { u.Inactive = true })
	c.profile(t, 4, "ngo", "JK")
	c.user(t, 5, "id", func(u *flows.User) { u.Consent = "" })
	c.profile(t, 5, "csr", "BA")
	c.user(t, 6, "en", nil)
	c.profile(t, 7, "ngo", "JB")
	c.user(t, 8, "id", nil)
	c.profile(t, 8, "", "")
	c.user(t, 9, "id", nil)
	c.profile(t, 9, "retired", "ZZ")
	c.user(t, 10, "en", nil)
	c.profile(t, 10, "gov", "JB")
}

var mbCases = []struct {
	name string
	run  func(t *testing.T, c *mbCheck)
}{
	{"nobody, no counts", func(t *testing.T, c *mbCheck) {
		c.counts(t, 0, map[string]int{}, map[string]int{})
		c.receivers(t, flows.SegSector, []string{"ngo"}, "[]")
	}},
	{"the members with a profile and a record, by the catalog's sector and province", func(t *testing.T, c *mbCheck) {
		c.forum(t)
		// 6 has no profile, 7 no record; 8 and 9 count in the total only.
		c.counts(t, 8, map[string]int{"ngo": 3, "csr": 2, "gov": 1}, map[string]int{"JB": 3, "BA": 2, "JK": 1})
	}},
	{"a move, a removed profile and a forgotten member change the counts", func(t *testing.T, c *mbCheck) {
		c.forum(t)
		c.profile(t, 1, "gov", "BA")
		c.profile(t, 8, "csr", "JK")
		if err := c.s.RemoveProfile(c.ctx, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := c.s.ForgetUser(c.ctx, 10, mbClock); err != nil {
			t.Fatal(err)
		}
		c.counts(t, 6, map[string]int{"ngo": 2, "csr": 2, "gov": 1}, map[string]int{"BA": 3, "JK": 2})
	}},
	{"the receivers of a sector or of provinces: consenting, active, subscribed, in ascending id", func(t *testing.T, c *mbCheck) {
		c.forum(t)
		c.receivers(t, flows.SegSector, []string{"ngo"}, "[{1 id}]")
		c.receivers(t, flows.SegSector, []string{"csr"}, "[{2 en}]")
		c.receivers(t, flows.SegProvince, []string{"JB"}, "[{1 id} {2 en} {10 en}]")
		c.receivers(t, flows.SegProvince, []string{"BA", "JB", "JK"}, "[{1 id} {2 en} {10 en}]")
		c.receivers(t, flows.SegProvince, []string{"BA"}, "[]")
		c.receivers(t, flows.SegSector, []string{"philanthropy"}, "[]")
	}},
	{"the receivers follow a move, a removal and forgetting", func(t *testing.T, c *mbCheck) {
		c.forum(t)
		c.profile(t, 1, "csr", "BA")
		if err := c.s.RemoveProfile(c.ctx, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := c.s.ForgetUser(c.ctx, 10, mbClock); err != nil {
			t.Fatal(err)
		}
		c.profile(t, 8, "ngo", "JB")
		c.receivers(t, flows.SegSector, []string{"csr"}, "[{1 id}]")
		c.receivers(t, flows.SegProvince, []string{"JB"}, "[{8 id}]")
		c.receivers(t, flows.SegProvince, []string{"BA"}, "[{1 id}]")
	}},
}

// RunMembersContract runs the members contract against stores open makes,
// a fresh one per case.
func RunMembersContract(t *testing.T, open func(t *testing.T) MembersStore) {
	for _, tc := range mbCases {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, &mbCheck{ctx: context.Background(), s: open(t)})
		})
	}
}
