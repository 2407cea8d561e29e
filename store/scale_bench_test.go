package store_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/store"
	"sinergi/store/redistest"
	"sinergi/store/seed"
)

// The national-scale benchmarks (#22) run on a forum from store/seed. With
// -short (the test command runs every benchmark once that way, so none
// rots) the forum is small; the full size is documented in the README
// (Performance, National scale).

// seeded is a store holding the forum cfg, and the forum.
func seeded(b *testing.B, cfg seed.Config) (*store.Store, *seed.Forum) {
	b.Helper()
	r := redistest.New(b)
	st := store.New(r.Unguarded(b), store.Options{Prefix: r.Prefix})
	f := seed.Generate(cfg)
	began := time.Now()
	if err := seed.Write(context.Background(), st, f, 32, nil); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d members, %d workshops, %d commitments in %v", len(f.Users), len(f.Workshops), len(f.Commitments), time.Since(began))
	return st, f
}

// scaled is the national forum, or a small one with -short.
func scaled(full seed.Config) seed.Config {
	if !testing.Short() {
		return full
	}
	return seed.Config{Seed: full.Seed, Members: min(full.Members, 2_000), Partners: min(full.Partners, 2_000),
		Workshops: min(full.Workshops, 40), Big: min(full.Big, 1), BigRegs: 300, Commitments: min(full.Commitments, 3_000), Now: full.Now}
}

// BenchmarkRecipients100k resolves a province segment (West Java, the
// largest) among 100,000 members: who a broadcast goes to (target < 300 ms).
func BenchmarkRecipients100k(b *testing.B) {
	cfg := seed.National(1)
	cfg.Partners, cfg.Workshops, cfg.Commitments = 0, 0, 0
	st, f := seeded(b, scaled(cfg))
	ctx := context.Background()
	want := 0
	for i, p := range f.Profiles {
		if u := f.Users[i]; p.Province == "JB" && !u.Inactive && !u.NoUpdates {
			want++
		}
	}
	b.ResetTimer()
	for b.Loop() {
		rs, err := flows.Recipients(ctx, st, &flows.Broadcast{ID: "bench", MessageID: 1, Segment: "prov:JB"})
		if err != nil {
			b.Fatal(err)
		}
		if len(rs) != want {
			b.Fatalf("%d recipients, want %d", len(rs), want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/segment")
}

// BenchmarkRecipientsTheme100k resolves a theme segment (water and
// sanitation: members whose organisation profile has it) among 100,000
// members with 100,000 organisation profiles (target < 300 ms).
func BenchmarkRecipientsTheme100k(b *testing.B) {
	cfg := seed.National(1)
	cfg.Workshops, cfg.Commitments = 0, 0
	st, f := seeded(b, scaled(cfg))
	ctx := context.Background()
	want := 0
	for i, p := range f.Partners {
		if u := f.Users[i]; slices.Contains(p.Themes, "wash") && !u.Inactive && !u.NoUpdates {
			want++
		}
	}
	b.ResetTimer()
	for b.Loop() {
		rs, err := flows.Recipients(ctx, st, &flows.Broadcast{ID: "bench", MessageID: 1, Segment: "theme:wash"})
		if err != nil {
			b.Fatal(err)
		}
		if len(rs) != want {
			b.Fatalf("%d recipients, want %d", len(rs), want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/segment")
}

// BenchmarkForget forgets a member with 50 registrations, 20 commitments
// and 10 introductions in the national forum (target < 1 s).
func BenchmarkForget(b *testing.B) {
	cfg := scaled(seed.National(1))
	st, f := seeded(b, cfg)
	ctx := context.Background()
	now := cfg.Now
	n := 0
	// victim prepares a member as the benchmark asks for.
	victim := func() int64 {
		n++
		uid := seed.BaseUID + int64(len(f.Users)) + int64(n)
		if err := st.SaveUser(ctx, &flows.User{ID: uid, Lang: "id", Consent: flows.ConsentVersion, Created: now}); err != nil {
			b.Fatal(err)
		}
		if err := st.SaveProfile(ctx, &flows.Profile{UserID: uid, FullName: "Korban", Organisation: "Org", Sector: "ngo", Province: "JB"}); err != nil {
			b.Fatal(err)
		}
		p := &flows.PartnerProfile{UserID: uid, Org: "Org", Sector: "ngo", Themes: []string{"wash"}, Provinces: []string{"JB"},
			Needs: []string{"funding"}, Visible: true}
		if err := st.SavePartner(ctx, p); err != nil {
			b.Fatal(err)
		}
		regs := 0
		var codes []string
		for w := n; regs < min(50, len(f.Workshops)); w++ {
			ws := f.Workshops[w%len(f.Workshops)]
			if _, err := st.Register(ctx, &flows.Registration{Workshop: ws.Code, UserID: uid, Lang: "id"}, ws.Created); err != nil {
				b.Fatal(err)
			}
			codes = append(codes, ws.Code)
			regs++
		}
		for i := range 20 {
			c := &flows.Commitment{ID: fmt.Sprintf("v%dc%d", n, i), Workshop: codes[i%len(codes)], What: "Janji", Owner: uid, By: uid,
				Due: now.Add(30 * 24 * time.Hour), Status: flows.CmOnTrack, Created: now,
				History: []flows.StatusEntry{{At: now, Status: flows.CmOnTrack, By: uid, Note: "catatan"}}}
			if err := st.SaveCommitment(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
		for i := range 10 {
			in := &flows.Introduction{ID: fmt.Sprintf("v%di%d", n, i), From: uid, To: seed.BaseUID + int64(i*97+n), Note: "halo",
				Status: flows.IntroPending, Created: now}
			if i%2 == 1 {
				in.From, in.To = in.To, uid
			}
			if err := st.RequestIntro(ctx, in, time.Hour, 100); err != nil {
				b.Fatal(err)
			}
		}
		return uid
	}
	var took []time.Duration
	for b.Loop() {
		b.StopTimer()
		uid := victim()
		b.StartTimer()
		began := time.Now()
		if _, err := st.ForgetUser(ctx, uid, now); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(began))
		b.StopTimer()
		if _, err := st.GetUser(ctx, uid); err == nil {
			b.Fatal("forgotten user still stored")
		}
		b.StartTimer()
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms/forget")
	b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
}

// BenchmarkRecipientsAll100k resolves the segments "all" and "lang:en"
// among 100,000 members (target < 300 ms each).
func BenchmarkRecipientsAll100k(b *testing.B) {
	cfg := seed.National(1)
	cfg.Partners, cfg.Workshops, cfg.Commitments = 0, 0, 0
	st, f := seeded(b, scaled(cfg))
	ctx := context.Background()
	all, en := 0, 0
	for _, u := range f.Users {
		if !u.Inactive && !u.NoUpdates {
			all++
			if u.Lang == "en" {
				en++
			}
		}
	}
	for _, c := range []struct {
		seg  string
		want int
	}{{"all", all}, {"lang:en", en}, {"lang:id", all - en}} {
		b.Run(c.seg, func(b *testing.B) {
			for b.Loop() {
				rs, err := flows.Recipients(ctx, st, &flows.Broadcast{ID: "bench", MessageID: 1, Segment: c.seg})
				if err != nil {
					b.Fatal(err)
				}
				if len(rs) != c.want {
					b.Fatalf("%d recipients, want %d", len(rs), c.want)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/segment")
		})
	}
}

// BenchmarkRecipientsChapter100k resolves a chapter's segment
// ("in:<chapter>:all") among 100,000 members: a province chapter of West
// Java and Banten, whose members are those whose profile is in either
// (target < 300 ms).
func BenchmarkRecipientsChapter100k(b *testing.B) {
	cfg := seed.National(1)
	cfg.Partners, cfg.Workshops, cfg.Commitments = 0, 0, 0
	st, f := seeded(b, scaled(cfg))
	ctx := context.Background()
	ch := &flows.Chapter{ID: "jbbt23", Name: "Jawa Barat dan Banten", Kind: flows.ChapterProvince, Provinces: []string{"JB", "BT"},
		By: seed.BaseUID, Created: cfg.Now}
	if err := st.CreateChapter(ctx, ch); err != nil {
		b.Fatal(err)
	}
	want := 0
	for i, p := range f.Profiles {
		if u := f.Users[i]; (p.Province == "JB" || p.Province == "BT") && !u.Inactive && !u.NoUpdates && u.ID != seed.BaseUID {
			want++
		}
	}
	b.ResetTimer()
	for b.Loop() {
		rs, err := flows.Recipients(ctx, st, &flows.Broadcast{ID: "bench", MessageID: 1, By: seed.BaseUID, Segment: "in:" + ch.ID + ":all"})
		if err != nil {
			b.Fatal(err)
		}
		if len(rs) != want {
			b.Fatalf("%d recipients, want %d", len(rs), want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/segment")
}

// BenchmarkRecipientsKinds100k resolves the segment kinds the other
// benchmarks leave out — a sector (NGOs, the largest) and a workshop's
// registrants (a big one: 3,000 registrants, 2,500 confirmed) — among
// 100,000 members with 1,000 workshops (target < 300 ms each).
func BenchmarkRecipientsKinds100k(b *testing.B) {
	cfg := seed.National(1)
	cfg.Partners, cfg.Commitments = 0, 0
	st, f := seeded(b, scaled(cfg))
	ctx := context.Background()
	sector := map[string]int{}
	for i, p := range f.Profiles {
		if u := f.Users[i]; !u.Inactive && !u.NoUpdates {
			sector[p.Sector]++
		}
	}
	big := f.Workshops[0] // the big ones come first
	byID := map[int64]*flows.User{}
	for _, u := range f.Users {
		byID[u.ID] = u
	}
	regs, err := st.Registrations(ctx, big.Code)
	if err != nil {
		b.Fatal(err)
	}
	confirmed := 0
	for _, r := range regs {
		if u := byID[r.UserID]; r.Status == flows.RegConfirmed && u != nil && !u.Inactive && !u.NoUpdates {
			confirmed++
		}
	}
	for _, c := range []struct {
		name, seg string
		want      int
	}{{"sector", "sector:ngo", sector["ngo"]}, {"workshop", "ws:" + big.Code + ":c", confirmed}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				rs, err := flows.Recipients(ctx, st, &flows.Broadcast{ID: "bench", MessageID: 1, Segment: c.seg})
				if err != nil {
					b.Fatal(err)
				}
				if len(rs) != c.want {
					b.Fatalf("%s: %d recipients, want %d", c.seg, len(rs), c.want)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/segment")
		})
	}
}

// BenchmarkMemberCounts100k counts 100,000 members by sector and province
// as the dashboard's overview does: "indexes" by CountMembers, "scan" as
// the overview did before it (every record, then every profile).
func BenchmarkMemberCounts100k(b *testing.B) {
	cfg := seed.National(1)
	cfg.Partners, cfg.Workshops, cfg.Commitments = 0, 0, 0
	st, f := seeded(b, scaled(cfg))
	ctx := context.Background()
	scan := func() flows.MemberCounts {
		users, err := st.AllUsers(ctx)
		if err != nil {
			b.Fatal(err)
		}
		ids := make([]int64, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		profiles, err := st.ProfilesOf(ctx, ids)
		if err != nil {
			b.Fatal(err)
		}
		var c flows.MemberCounts
		for _, p := range profiles {
			c.Add(p)
		}
		return c
	}
	want := scan()
	if want.Total != len(f.Profiles) {
		b.Fatalf("the scan counts %d members, the forum has %d profiles", want.Total, len(f.Profiles))
	}
	for _, c := range []struct {
		name  string
		count func() flows.MemberCounts
	}{{"indexes", func() flows.MemberCounts {
		c, err := st.CountMembers(ctx)
		if err != nil {
			b.Fatal(err)
		}
		return c
	}}, {"scan", scan}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if got := c.count(); got.Total != want.Total || !maps.Equal(got.BySector, want.BySector) || !maps.Equal(got.ByProvince, want.ByProvince) {
					b.Fatalf("%+v, want %+v", got, want)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/count")
		})
	}
}
