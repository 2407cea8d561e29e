// Package seed fills a Redis with a realistic national forum for measuring
// Sinergi at scale (issue #22): members with profiles across the 38
// provinces and every sector, organisation (partner) profiles, workshops
// with registrations, waiting lists and check-ins, and commitments with
// their histories.
//
// Generate makes the forum from a seed alone (the same seed, the same
// forum: user ids, codes, tokens, times and every choice); Write stores it
// through the store's own methods (SaveUser, SaveProfile, SavePartner,
// CreateWorkshop, Register, CheckIn, SaveCommitment), so the keys are
// exactly those the bot writes. cmd/sinergi-seed is the command.
package seed

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"sinergi/flows"
	"sinergi/store"
)

// Config is the size of the forum.
type Config struct {
	Seed        uint64
	Members     int // users, each with a member profile
	Partners    int // organisation profiles, owned by the first Partners members
	Workshops   int
	Big         int // of the workshops, how many have BigRegs registrants
	BigRegs     int // registrants of a big workshop (its capacity is 5/6 of it: a waiting list)
	Commitments int
	// Now is the forum's "today": workshops run from 90 days before to 30
	// days after it.
	Now time.Time
}

// National is the size issue #22 asks for: 100,000 members and partner
// profiles, 1,000 workshops of which 10 have 3,000 registrants, 200,000
// commitments.
func National(seed uint64) Config {
	return Config{Seed: seed, Members: 100_000, Partners: 100_000, Workshops: 1_000, Big: 10, BigRegs: 3_000,
		Commitments: 200_000, Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
}

// BaseUID is the first member's user id; member i is BaseUID+i.
const BaseUID int64 = 5_000_000_000

// Forum is everything Generate made, in the order Write stores it.
type Forum struct {
	Users         []*flows.User
	Profiles      []*flows.Profile
	Partners      []*flows.PartnerProfile
	Workshops     []*flows.Workshop
	Registrations [][]*flows.Registration // per workshop, in registration order
	CheckIns      [][]CheckIn             // per workshop
	Commitments   []*flows.Commitment
}

// CheckIn is a registrant checking in.
type CheckIn struct {
	UserID int64
	At     time.Time
}

// provinceWeight is how many members a province has relative to others:
// Java's provinces and North Sumatra most, as in the population.
func provinceWeight(code string) int {
	switch code {
	case "JB", "JT", "JI":
		return 12
	case "JK", "BT", "SU":
		return 5
	case "SS", "SN", "RI", "LA", "SB", "YO", "BA", "NT", "NB", "KB", "KS", "KT":
		return 2
	}
	return 1
}

type gen struct {
	r         *rand.Rand
	provinces []string // weighted: a province appears provinceWeight times
}

func (g *gen) province() string { return g.provinces[g.r.IntN(len(g.provinces))] }

// pick returns lo..hi distinct codes of all, in display order.
func (g *gen) pick(all []string, lo, hi int) []string {
	n := lo + g.r.IntN(hi-lo+1)
	chosen := map[string]bool{}
	for len(chosen) < n {
		chosen[all[g.r.IntN(len(all))]] = true
	}
	var out []string
	for _, c := range all {
		if chosen[c] {
			out = append(out, c)
		}
	}
	return out
}

func (g *gen) token() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(g.r.UintN(256))
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (g *gen) code(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = flows.CodeAlphabet[g.r.IntN(len(flows.CodeAlphabet))]
	}
	return string(b)
}

var zones = []string{"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}

// Generate makes the forum cfg describes; it depends on nothing but cfg.
func Generate(cfg Config) *Forum {
	g := &gen{r: rand.New(rand.NewPCG(cfg.Seed, 0x5e1e6))}
	for _, p := range flows.Provinces() {
		for range provinceWeight(p) {
			g.provinces = append(g.provinces, p)
		}
	}
	f := &Forum{}
	sectors := flows.Sectors()
	for i := range cfg.Members {
		uid := BaseUID + int64(i)
		joined := cfg.Now.Add(-time.Duration(g.r.IntN(365*24)) * time.Hour)
		lang := "id"
		if g.r.IntN(10) == 0 {
			lang = "en"
		}
		u := &flows.User{ID: uid, Lang: lang, FirstName: fmt.Sprintf("Anggota %d", i), Consent: flows.ConsentVersion,
			Inactive: g.r.IntN(50) == 0, NoUpdates: g.r.IntN(33) == 0, Created: joined, Seen: joined.Add(time.Hour)}
		if g.r.IntN(3) == 0 {
			u.Username = fmt.Sprintf("anggota%d", i)
		}
		f.Users = append(f.Users, u)
		f.Profiles = append(f.Profiles, &flows.Profile{UserID: uid, FullName: fmt.Sprintf("Anggota Forum %d", i),
			Organisation: fmt.Sprintf("Organisasi %d", i), Sector: sectors[g.r.IntN(len(sectors))], Province: g.province(),
			ConsentAt: joined, ConsentVersion: flows.ConsentVersion, Updated: joined})
	}
	for i := range min(cfg.Partners, cfg.Members) {
		m := f.Profiles[i]
		provs := []string{m.Province}
		for range g.r.IntN(3) {
			if p := g.province(); !slices.Contains(provs, p) {
				provs = append(provs, p)
			}
		}
		f.Partners = append(f.Partners, &flows.PartnerProfile{UserID: m.UserID, Org: m.Organisation, Sector: m.Sector,
			Themes: g.pick(flows.Themes(), 1, 3), Provinces: known(flows.Provinces(), provs),
			Offers: g.pick(flows.Resources(), 0, 3), Needs: g.pick(flows.Resources(), 1, 3),
			Description: fmt.Sprintf("Program %d", i), Visible: g.r.IntN(20) != 0, Created: m.ConsentAt, Updated: m.ConsentAt})
	}
	codes := map[string]bool{}
	for w := range cfg.Workshops {
		code := g.code(6)
		for codes[code] {
			code = g.code(6)
		}
		codes[code] = true
		start := cfg.Now.Add(time.Duration(g.r.IntN(120*24)-90*24) * time.Hour).Truncate(time.Hour)
		host := BaseUID + int64(g.r.IntN(max(cfg.Members, 1)))
		regs := 5 + g.r.IntN(150)
		capacity := 20 + g.r.IntN(150)
		if w < cfg.Big {
			regs, capacity = cfg.BigRegs, cfg.BigRegs*5/6
		}
		regs = min(regs, cfg.Members)
		ws := &flows.Workshop{Code: code, Title: fmt.Sprintf("Lokakarya %d", w), Description: "Lokakarya forum nasional",
			Start: start, End: start.Add(3 * time.Hour), Zone: zones[g.r.IntN(len(zones))], Venue: fmt.Sprintf("Aula %d", w),
			Capacity: capacity, Facilitators: []int64{host}, Owner: host, CreatedBy: host, Created: start.Add(-30 * 24 * time.Hour)}
		f.Workshops = append(f.Workshops, ws)
		// Registrants: distinct members, in the order they register.
		seen := map[int64]bool{}
		var list []*flows.Registration
		for len(list) < regs {
			u := f.Users[g.r.IntN(cfg.Members)]
			if seen[u.ID] {
				continue
			}
			seen[u.ID] = true
			list = append(list, &flows.Registration{Workshop: code, UserID: u.ID, Lang: u.Lang, Token: g.token(),
				RegisteredAt: ws.Created.Add(time.Duration(len(list)) * time.Minute)})
		}
		f.Registrations = append(f.Registrations, list)
		// Most confirmed registrants of a past workshop checked in.
		var ins []CheckIn
		if start.Before(cfg.Now) {
			for _, r := range list[:min(len(list), capacity)] {
				if g.r.IntN(10) < 7 {
					ins = append(ins, CheckIn{UserID: r.UserID, At: start.Add(time.Duration(g.r.IntN(30)) * time.Minute)})
				}
			}
		}
		f.CheckIns = append(f.CheckIns, ins)
	}
	// Commitments: made at past workshops by confirmed registrants, a few
	// written down by the facilitator, with up to four progress answers.
	var past []int
	for w, ws := range f.Workshops {
		if ws.Start.Before(cfg.Now) && len(f.Registrations[w]) > 0 {
			past = append(past, w)
		}
	}
	ids := map[string]bool{}
	statuses := []string{flows.CmOnTrack, flows.CmBlocked, flows.CmOnTrack, flows.CmDone}
	for c := range cfg.Commitments {
		if len(past) == 0 {
			break
		}
		w := past[g.r.IntN(len(past))]
		ws := f.Workshops[w]
		regs := f.Registrations[w][:min(len(f.Registrations[w]), ws.Capacity)]
		owner := regs[g.r.IntN(len(regs))].UserID
		id := g.code(6)
		for ids[ws.Code+id] {
			id = g.code(6)
		}
		ids[ws.Code+id] = true
		cm := &flows.Commitment{ID: id, Workshop: ws.Code, What: fmt.Sprintf("Tindak lanjut %d", c), Owner: owner, By: owner,
			Due: ws.Start.Add(time.Duration(30+g.r.IntN(90)) * 24 * time.Hour), Indicator: "Laporan kegiatan",
			Status: flows.CmOpen, Created: ws.End}
		if g.r.IntN(10) == 0 {
			cm.By, cm.Status = ws.Facilitators[0], flows.CmProposed
		}
		if cm.Status == flows.CmOpen {
			at := ws.End
			for k := range g.r.IntN(5) {
				at = at.Add(time.Duration(1+g.r.IntN(14)) * 24 * time.Hour)
				if !at.Before(cfg.Now) {
					break
				}
				st := statuses[min(k, len(statuses)-1)]
				if k > 0 && g.r.IntN(3) == 0 {
					st = statuses[g.r.IntN(len(statuses))]
				}
				cm.History = append(cm.History, flows.StatusEntry{At: at, Status: st, By: owner, Note: fmt.Sprintf("Catatan %d", k)})
				cm.Status = st
				if st == flows.CmDone {
					break
				}
			}
		}
		f.Commitments = append(f.Commitments, cm)
	}
	return f
}

// known lists the codes of order that are in codes.
func known(order, codes []string) []string {
	var out []string
	for _, c := range order {
		if slices.Contains(codes, c) {
			out = append(out, c)
		}
	}
	return out
}

// Write stores the forum through st with workers concurrent writers, and
// calls progress (when not nil) after each phase. Registrations of one
// workshop are written in order by one writer, so who is confirmed and who
// waits is the same on every run.
func Write(ctx context.Context, st *store.Store, f *Forum, workers int, progress func(phase string, n int)) error {
	if workers <= 0 {
		workers = 32
	}
	phase := func(name string, n int, do func(i int) error) error {
		var next atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= n || ctx.Err() != nil {
						return
					}
					if err := do(i); err != nil {
						errs <- fmt.Errorf("seed %s %d: %w", name, i, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if progress != nil {
			progress(name, n)
		}
		return nil
	}
	if err := phase("members", len(f.Users), func(i int) error {
		if err := st.SaveUser(ctx, f.Users[i]); err != nil {
			return err
		}
		return st.SaveProfile(ctx, f.Profiles[i])
	}); err != nil {
		return err
	}
	if err := phase("partner profiles", len(f.Partners), func(i int) error {
		return st.SavePartner(ctx, f.Partners[i])
	}); err != nil {
		return err
	}
	// Big workshops first, so that their long sequential runs overlap the
	// many small ones.
	if err := phase("workshops", len(f.Workshops), func(i int) error {
		w := f.Workshops[i]
		if err := st.CreateWorkshop(ctx, w); err != nil {
			return err
		}
		for _, r := range f.Registrations[i] {
			if _, err := st.Register(ctx, r, r.RegisteredAt); err != nil {
				return err
			}
		}
		for _, c := range f.CheckIns[i] {
			if _, err := st.CheckIn(ctx, w.Code, c.UserID, c.At); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	return phase("commitments", len(f.Commitments), func(i int) error {
		return st.SaveCommitment(ctx, f.Commitments[i])
	})
}
