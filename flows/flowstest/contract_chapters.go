package flowstest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
)

// ChaptersStore is what the chapters contract reads and writes: chapters,
// the broadcast audience they scope, and seeding and forgetting users.
type ChaptersStore interface {
	flows.Chapters
	flows.Audience
	GetUser(ctx context.Context, id int64) (*flows.User, error)
	SaveUser(ctx context.Context, u *flows.User) error
	CreateWorkshop(ctx context.Context, w *flows.Workshop) error
	GetWorkshop(ctx context.Context, code string) (*flows.Workshop, error)
	SaveProfile(ctx context.Context, p *flows.Profile) error
	GetProfile(ctx context.Context, userID int64) (*flows.Profile, error)
	ForgetUser(ctx context.Context, uid int64, now time.Time) ([]flows.Promotion, error)
	ExportUser(ctx context.Context, uid int64) (*flows.UserData, error)
}

// RunChaptersContract runs the rules of chapters against a fresh store per
// case: a chapter read back whole and listed oldest first, joining by link
// (once, only an existing chapter), members by province read from the
// profiles as they are now, forgetting, the chapter an admin administers
// written alone, an invitation working once, and a broadcast within a
// chapter reaching its members only.
func RunChaptersContract(t *testing.T, open func(t *testing.T) ChaptersStore) {
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	jabar := flows.Chapter{ID: "jabar2", Name: "FKTJSL Jawa Barat", Kind: flows.ChapterProvince, Provinces: []string{"JB", "BT"}, By: 1, Created: at}
	bali := flows.Chapter{ID: "bdps22", Name: "FKTJSL Bali", Kind: flows.ChapterProvince, Provinces: []string{"BA"}, By: 1, Created: at}
	zakat := flows.Chapter{ID: "zakat2", Name: "Forum Zakat", Kind: flows.ChapterNetwork, By: 1, Created: at.Add(-time.Hour)}
	must := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	create := func(t *testing.T, s ChaptersStore, cs ...flows.Chapter) {
		t.Helper()
		for _, c := range cs {
			must(t, s.CreateChapter(ctx, &c))
		}
	}
	// member seeds a consented user with a profile in prov ("" none).
	member := func(t *testing.T, s ChaptersStore, uid int64, lang, prov string) {
		t.Helper()
		must(t, s.SaveUser(ctx, &flows.User{ID: uid, Lang: lang, FirstName: "U", Consent: flows.ConsentVersion, Created: at, Seen: at}))
		if prov != "" {
			must(t, s.SaveProfile(ctx, &flows.Profile{UserID: uid, FullName: "U", Organisation: "O", Sector: "ngo", Province: prov,
				ConsentAt: at, ConsentVersion: flows.ConsentVersion, Updated: at}))
		}
	}
	members := func(t *testing.T, s ChaptersStore, c flows.Chapter) []int64 {
		t.Helper()
		m, err := flows.ChapterMembers(ctx, s, []*flows.Chapter{&c}, nil)
		must(t, err)
		return slices.Sorted(maps.Keys(m[c.ID]))
	}
	cases := []struct {
		name string
		run  func(t *testing.T, s ChaptersStore)
	}{
		{"a chapter renamed and its provinces changed: members by province follow at once; a network keeps none", func(t *testing.T, s ChaptersStore) {
			create(t, s, jabar, zakat)
			member(t, s, 2, "id", "JB")
			member(t, s, 3, "id", "JT")
			member(t, s, 4, "id", "")
			must(t, s.JoinChapter(ctx, jabar.ID, 4))
			got, err := s.UpdateChapter(ctx, jabar.ID, "FKTJSL Jawa", []string{"JT"})
			if err != nil || got.Name != "FKTJSL Jawa" || !slices.Equal(got.Provinces, []string{"JT"}) || got.Kind != jabar.Kind || got.By != 1 || !got.Created.Equal(at) {
				t.Fatalf("UpdateChapter: %+v, %v", got, err)
			}
			c, err := s.GetChapter(ctx, jabar.ID)
			if err != nil || c.Name != "FKTJSL Jawa" || !slices.Equal(c.Provinces, []string{"JT"}) || !c.Created.Equal(at) {
				t.Fatalf("GetChapter after the update: %+v, %v", c, err)
			}
			if got := members(t, s, *c); !slices.Equal(got, []int64{3, 4}) {
				t.Fatalf("members after the provinces changed: %v, want [3 4]", got)
			}
			n, err := s.UpdateChapter(ctx, zakat.ID, "Forum Zakat Nasional", []string{"JB"})
			if err != nil || n.Name != "Forum Zakat Nasional" || len(n.Provinces) != 0 || n.Kind != flows.ChapterNetwork {
				t.Fatalf("UpdateChapter of a network: %+v, %v", n, err)
			}
			if _, err := s.UpdateChapter(ctx, "nopezz", "X", nil); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("UpdateChapter of none: %v", err)
			}
			if list, err := s.ListChapters(ctx); err != nil || len(list) != 2 || list[0].ID != zakat.ID || list[1].Name != "FKTJSL Jawa" {
				t.Fatalf("ListChapters after the updates: %+v, %v", list, err)
			}
		}},
		{"deleting a chapter: its admins lose it, its joins and invitations go, its workshops become national; others untouched", func(t *testing.T, s ChaptersStore) {
			create(t, s, jabar, zakat)
			member(t, s, 2, "id", "JB")
			member(t, s, 3, "id", "")
			for _, c := range []flows.Chapter{jabar, zakat} {
				must(t, s.JoinChapter(ctx, c.ID, 3))
			}
			must(t, s.SaveUser(ctx, &flows.User{ID: 5, Lang: "id", Role: flows.RoleFacilitator, Chapter: jabar.ID}))
			must(t, s.SaveUser(ctx, &flows.User{ID: 6, Lang: "id", Role: flows.RoleFacilitator, Chapter: zakat.ID}))
			must(t, s.CreateChapterInvite(ctx, &flows.ChapterInvite{Token: "tokjabar", Chapter: jabar.ID, By: 1, Created: at}, time.Hour))
			must(t, s.CreateChapterInvite(ctx, &flows.ChapterInvite{Token: "tokzakat", Chapter: zakat.ID, By: 1, Created: at}, time.Hour))
			for code, ch := range map[string]string{"wsjb22": jabar.ID, "wszk22": zakat.ID} {
				must(t, s.CreateWorkshop(ctx, &flows.Workshop{Code: code, Title: "W", Zone: "Asia/Jakarta", Start: at.Add(48 * time.Hour), End: at.Add(50 * time.Hour),
					Deadline: at.Add(48 * time.Hour), Facilitators: []int64{5}, CreatedBy: 5, Created: at, Chapter: ch}))
			}
			must(t, s.DeleteChapter(ctx, jabar.ID))
			if _, err := s.GetChapter(ctx, jabar.ID); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("GetChapter after the delete: %v", err)
			}
			if list, err := s.ListChapters(ctx); err != nil || len(list) != 1 || list[0].ID != zakat.ID {
				t.Fatalf("ListChapters: %+v, %v", list, err)
			}
			if ids, err := s.JoinedChapters(ctx, 3); err != nil || !slices.Equal(ids, []string{zakat.ID}) {
				t.Fatalf("JoinedChapters(3) = %v, %v", ids, err)
			}
			if ids, err := s.ChapterJoined(ctx, jabar.ID); err != nil || len(ids) != 0 {
				t.Fatalf("ChapterJoined of the deleted = %v, %v", ids, err)
			}
			if _, err := s.TakeChapterInvite(ctx, "tokjabar"); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("the deleted chapter's invitation: %v", err)
			}
			if inv, err := s.TakeChapterInvite(ctx, "tokzakat"); err != nil || inv.Chapter != zakat.ID {
				t.Fatalf("another chapter's invitation: %+v, %v", inv, err)
			}
			for uid, want := range map[int64]string{5: "", 6: zakat.ID} {
				if u, err := s.GetUser(ctx, uid); err != nil || u.Chapter != want || u.Role != flows.RoleFacilitator {
					t.Fatalf("admin %d after the delete: %+v, %v", uid, u, err)
				}
			}
			for code, want := range map[string]string{"wsjb22": "", "wszk22": zakat.ID} {
				if w, err := s.GetWorkshop(ctx, code); err != nil || w.Chapter != want || !slices.Equal(w.Facilitators, []int64{5}) {
					t.Fatalf("workshop %s after the delete: %+v, %v", code, w, err)
				}
			}
			if err := s.DeleteChapter(ctx, jabar.ID); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("deleting again: %v", err)
			}
			if err := s.JoinChapter(ctx, jabar.ID, 2); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("joining the deleted chapter: %v", err)
			}
		}},
		{"leaving a chapter joined by link, once; a province member stays one by province", func(t *testing.T, s ChaptersStore) {
			create(t, s, jabar, zakat)
			member(t, s, 2, "id", "JB")
			member(t, s, 3, "id", "")
			for _, c := range []flows.Chapter{jabar, zakat} {
				must(t, s.JoinChapter(ctx, c.ID, 2))
				must(t, s.JoinChapter(ctx, c.ID, 3))
			}
			must(t, s.LeaveChapter(ctx, jabar.ID, 2))
			must(t, s.LeaveChapter(ctx, zakat.ID, 3))
			if err := s.LeaveChapter(ctx, zakat.ID, 3); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("leaving twice: %v", err)
			}
			if err := s.LeaveChapter(ctx, "nopezz", 2); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("leaving none: %v", err)
			}
			if ids, err := s.JoinedChapters(ctx, 2); err != nil || !slices.Equal(ids, []string{zakat.ID}) {
				t.Fatalf("JoinedChapters(2) = %v, %v", ids, err)
			}
			if ids, err := s.JoinedChapters(ctx, 3); err != nil || !slices.Equal(ids, []string{jabar.ID}) {
				t.Fatalf("JoinedChapters(3) = %v, %v", ids, err)
			}
			if got := members(t, s, jabar); !slices.Equal(got, []int64{2, 3}) { // 2 by province
				t.Fatalf("jabar members %v", got)
			}
			if got := members(t, s, zakat); !slices.Equal(got, []int64{2}) {
				t.Fatalf("zakat members %v", got)
			}
		}},
		{"a chapter reads back whole; the list is oldest first, equal times by id", func(t *testing.T, s ChaptersStore) {
			create(t, s, jabar, bali, zakat)
			got, err := s.GetChapter(ctx, jabar.ID)
			if err != nil || got.Name != jabar.Name || got.Kind != jabar.Kind || !slices.Equal(got.Provinces, jabar.Provinces) ||
				!got.Created.Equal(at) || got.By != 1 {
				t.Fatalf("GetChapter: %+v, %v", got, err)
			}
			if _, err := s.GetChapter(ctx, "nopezz"); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("GetChapter of none: %v", err)
			}
			list, err := s.ListChapters(ctx)
			must(t, err)
			var ids []string
			for _, c := range list {
				ids = append(ids, c.ID)
			}
			if want := []string{zakat.ID, bali.ID, jabar.ID}; !slices.Equal(ids, want) {
				t.Fatalf("ListChapters: %v, want %v", ids, want)
			}
		}},
		{"a chapter id is taken once", func(t *testing.T, s ChaptersStore) {
			create(t, s, jabar)
			other := bali
			other.ID = jabar.ID
			if err := s.CreateChapter(ctx, &other); !errors.Is(err, flows.ErrChapterTaken) {
				t.Fatalf("a second chapter with the id: %v", err)
			}
			if got, err := s.GetChapter(ctx, jabar.ID); err != nil || got.Name != jabar.Name {
				t.Fatalf("the first chapter: %+v, %v", got, err)
			}
			if list, err := s.ListChapters(ctx); err != nil || len(list) != 1 {
				t.Fatalf("ListChapters: %v, %v", list, err)
			}
		}},
		{"no chapters: an empty list", func(t *testing.T, s ChaptersStore) {
			list, err := s.ListChapters(ctx)
			if err != nil || len(list) != 0 {
				t.Fatalf("ListChapters: %v, %v", list, err)
			}
		}},
		{"joining by link: once, only an existing chapter", func(t *testing.T, s ChaptersStore) {
			create(t, s, zakat, bali)
			if err := s.JoinChapter(ctx, "nopezz", 5); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("join a missing chapter: %v", err)
			}
			if ids, err := s.JoinedChapters(ctx, 5); err != nil || len(ids) != 0 {
				t.Fatalf("a refused join was stored: %v, %v", ids, err)
			}
			for _, uid := range []int64{9, 5, 5} {
				must(t, s.JoinChapter(ctx, zakat.ID, uid))
			}
			must(t, s.JoinChapter(ctx, bali.ID, 5))
			if got, err := s.ChapterJoined(ctx, zakat.ID); err != nil || !slices.Equal(got, []int64{5, 9}) {
				t.Fatalf("ChapterJoined: %v, %v", got, err)
			}
			if got, err := s.JoinedChapters(ctx, 5); err != nil || !slices.Equal(got, []string{bali.ID, zakat.ID}) {
				t.Fatalf("JoinedChapters: %v, %v", got, err)
			}
		}},
		{"members: by link, and by province as the profile says now", func(t *testing.T, s ChaptersStore) {
			create(t, s, jabar, bali, zakat)
			member(t, s, 2, "id", "JB")
			member(t, s, 3, "id", "BT")
			member(t, s, 4, "en", "BA")
			member(t, s, 5, "id", "")
			must(t, s.JoinChapter(ctx, jabar.ID, 5))
			must(t, s.JoinChapter(ctx, zakat.ID, 4))
			if got := members(t, s, jabar); !slices.Equal(got, []int64{2, 3, 5}) {
				t.Fatalf("Jawa Barat: %v", got)
			}
			if got := members(t, s, bali); !slices.Equal(got, []int64{4}) {
				t.Fatalf("Bali: %v", got)
			}
			if got := members(t, s, zakat); !slices.Equal(got, []int64{4}) {
				t.Fatalf("a network by province: %v", got)
			}
			// Moving to Bali moves the member.
			member(t, s, 2, "id", "BA")
			if got := members(t, s, jabar); !slices.Equal(got, []int64{3, 5}) {
				t.Fatalf("Jawa Barat after a move: %v", got)
			}
			if got := members(t, s, bali); !slices.Equal(got, []int64{2, 4}) {
				t.Fatalf("Bali after a move: %v", got)
			}
			p, err := s.GetProfile(ctx, 3)
			must(t, err)
			chs, err := flows.ChaptersOf(ctx, s, 3, p)
			if err != nil || len(chs) != 1 || chs[0].ID != jabar.ID {
				t.Fatalf("ChaptersOf 3: %v, %v", chs, err)
			}
		}},
		{"forgetting takes a member out of every chapter and deletes their invitations", func(t *testing.T, s ChaptersStore) {
			create(t, s, jabar, zakat)
			member(t, s, 2, "id", "JB")
			member(t, s, 5, "id", "")
			for _, uid := range []int64{2, 5} {
				must(t, s.JoinChapter(ctx, zakat.ID, uid))
			}
			must(t, s.JoinChapter(ctx, jabar.ID, 2))
			must(t, s.CreateChapterInvite(ctx, &flows.ChapterInvite{Token: "by2", Chapter: jabar.ID, By: 2, Created: at}, time.Hour))
			must(t, s.CreateChapterInvite(ctx, &flows.ChapterInvite{Token: "by5", Chapter: jabar.ID, By: 5, Created: at}, time.Hour))
			if d, err := s.ExportUser(ctx, 2); err != nil || !slices.Equal(d.Chapters, []string{jabar.ID, zakat.ID}) {
				t.Fatalf("exported chapters: %+v, %v", d, err)
			}
			if _, err := s.ForgetUser(ctx, 2, at); err != nil {
				t.Fatal(err)
			}
			if got := members(t, s, jabar); len(got) != 0 {
				t.Fatalf("Jawa Barat after forgetting: %v", got)
			}
			if got, err := s.ChapterJoined(ctx, zakat.ID); err != nil || !slices.Equal(got, []int64{5}) {
				t.Fatalf("zakat forum after forgetting: %v, %v", got, err)
			}
			if got, err := s.JoinedChapters(ctx, 2); err != nil || len(got) != 0 {
				t.Fatalf("chapters of a forgotten user: %v, %v", got, err)
			}
			if _, err := s.TakeChapterInvite(ctx, "by2"); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("the forgotten user's invitation: %v", err)
			}
			if _, err := s.TakeChapterInvite(ctx, "by5"); err != nil {
				t.Fatalf("another's invitation: %v", err)
			}
		}},
		{"the chapter an admin administers is written alone, only to an existing user", func(t *testing.T, s ChaptersStore) {
			u := flows.User{ID: 7, Lang: "en", Role: flows.RoleFacilitator, FirstName: "Sari", Consent: flows.ConsentVersion, Created: at, Seen: at}
			must(t, s.SaveUser(ctx, &u))
			must(t, s.SetChapterAdmin(ctx, 7, jabar.ID))
			want := u
			want.Chapter = jabar.ID
			if got, err := s.GetUser(ctx, 7); err != nil || *got != want {
				t.Fatalf("after SetChapterAdmin: %+v, %v; want %+v", got, err, want)
			}
			must(t, s.SetChapterAdmin(ctx, 7, ""))
			if got, err := s.GetUser(ctx, 7); err != nil || *got != u {
				t.Fatalf("after removing: %+v, %v; want %+v", got, err, u)
			}
			if err := s.SetChapterAdmin(ctx, 99, jabar.ID); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("SetChapterAdmin of nobody: %v", err)
			}
			if _, err := s.GetUser(ctx, 99); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("SetChapterAdmin created a user: %v", err)
			}
		}},
		{"a chapter-admin invitation works once", func(t *testing.T, s ChaptersStore) {
			inv := flows.ChapterInvite{Token: "tok123", Chapter: jabar.ID, By: 1, Created: at}
			must(t, s.CreateChapterInvite(ctx, &inv, time.Hour))
			got, err := s.TakeChapterInvite(ctx, "tok123")
			if err != nil || got.Chapter != jabar.ID || got.By != 1 || !got.Created.Equal(at) {
				t.Fatalf("TakeChapterInvite: %+v, %v", got, err)
			}
			if _, err := s.TakeChapterInvite(ctx, "tok123"); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("second take: %v", err)
			}
		}},
		{"a broadcast within a chapter reaches its members only", func(t *testing.T, s ChaptersStore) {
			create(t, s, jabar, bali)
			member(t, s, 2, "id", "JB")
			member(t, s, 3, "en", "JB")
			member(t, s, 4, "id", "BA")
			member(t, s, 5, "id", "")
			must(t, s.JoinChapter(ctx, jabar.ID, 5))
			for seg, want := range map[string][]int64{
				"in:" + jabar.ID + ":all":     {2, 3, 5},
				"in:" + jabar.ID + ":lang:en": {3},
				"in:" + jabar.ID + ":prov:BA": nil,
				"in:" + bali.ID + ":all":      {4},
				"all":                         {2, 3, 4, 5},
			} {
				rs, err := flows.Recipients(ctx, s, &flows.Broadcast{ID: "b1", By: 1, MessageID: 1, Segment: seg})
				must(t, err)
				var got []int64
				for _, r := range rs {
					got = append(got, r.UserID)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: %v, want %v", seg, got, want)
				}
			}
			if _, err := flows.Recipients(ctx, s, &flows.Broadcast{ID: "b2", By: 1, Segment: "in:nopezz:all"}); err == nil {
				t.Fatal("a broadcast to a missing chapter has recipients")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, open(t)) })
	}
}
