package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"sinergi/bot/playground"
	"sinergi/flows"
	"sinergi/flows/meetings"
	"sinergi/store"
)

// seedDemo fills the playground with an invented forum: every name and
// organisation is made up and marked "(demo)" / "(contoh)".
func seedDemo(ctx context.Context, p *playground.Playground, st *store.Store, now time.Time, log *slog.Logger) error {
	type person struct {
		name, lang, role, org, sector, province string
		themes, provinces, offers, needs        []string
		about                                   string
	}
	people := []person{
		{"Rina Wulandari (demo)", "id", "facilitator", "Yayasan Tunas Harapan (contoh)", "ngo", "JK",
			[]string{"child", "wash"}, []string{"NT", "BA"}, []string{"volunteers", "expertise"}, []string{"funding", "tech"},
			"Pendampingan anak dan keluarga; panen air hujan di Flores (data rekaan)."},
		{"Budi Santoso (demo)", "en", "facilitator", "PT Hijau Lestari — CSR (example)", "csr", "JB",
			[]string{"wash", "env"}, []string{"NT", "JB"}, []string{"funding", "tech"}, []string{"volunteers", "network"},
			"CSR programme for climate-adaptive water systems (invented data)."},
		{"Dewi Lestari (demo)", "id", "participant", "Dinas Sosial Provinsi NTT (contoh)", "gov", "NT",
			[]string{"child", "food"}, []string{"NT"}, []string{"data", "network"}, []string{"funding", "expertise"},
			"Data keluarga rentan dan koordinasi program di NTT (data rekaan)."},
		{"Andi Pratama (demo)", "id", "participant", "Forum Zakat Daerah (contoh)", "philanthropy", "SS",
			[]string{"econ", "food"}, []string{"SS", "NT"}, []string{"funding"}, []string{"data", "volunteers"},
			"Penyaluran zakat produktif untuk desa (data rekaan)."},
		{"Maria Ulfa (demo)", "en", "participant", "Universitas Nusa (example)", "academia", "BA",
			[]string{"education", "wash"}, []string{"BA", "NT"}, []string{"expertise", "data"}, []string{"venue"},
			"Research and training on village water governance (invented data)."},
	}
	var ids []int64
	for _, pp := range people {
		u, err := p.AddUser(ctx, pp.name, pp.lang, pp.role, true)
		if err != nil {
			return err
		}
		ids = append(ids, u.ID)
		if err := st.SaveUser(ctx, &flows.User{ID: u.ID, Lang: pp.lang, LangSet: true, Role: roleOf(pp.role), FirstName: pp.name, Consent: flows.ConsentVersion, Created: now, Seen: now}); err != nil {
			return err
		}
		if err := st.SaveProfile(ctx, &flows.Profile{UserID: u.ID, FullName: pp.name, Organisation: pp.org, Sector: pp.sector,
			Province: pp.province, ConsentAt: now, ConsentVersion: flows.ConsentVersion, Updated: now}); err != nil {
			return err
		}
		if err := st.SavePartner(ctx, &flows.PartnerProfile{UserID: u.ID, Org: pp.org, Sector: pp.sector, Themes: pp.themes,
			Provinces: pp.provinces, Offers: pp.offers, Needs: pp.needs, Description: pp.about, Visible: true, Created: now, Updated: now}); err != nil {
			return err
		}
	}
	start := demoStart(now)
	w := &flows.Workshop{
		Code:  flows.NewCode(),
		Title: "[DEMO] Joint Action: Air Bersih & Sanitasi Flores",
		Description: "Contoh lokakarya (data rekaan): menyelaraskan kontribusi CSR dengan kebutuhan keluarga dampingan — " +
			"panen air hujan dan sistem air tahan iklim di Flores, dengan perempuan dan anak sebagai prioritas.",
		Start: start, End: start.Add(3 * time.Hour), Zone: "Asia/Jakarta", Venue: "Hotel Contoh, Jakarta (demo)",
		OnlineURL: "https://meet.example.org/sinergi-demo", Capacity: 4, Deadline: start, Question: "Kebutuhan makanan khusus?",
		Facilitators: []int64{ids[0]}, CreatedBy: ids[0], Created: now,
	}
	if err := st.CreateWorkshop(ctx, w); err != nil {
		return err
	}
	// Two invented participants are already registered.
	for _, uid := range ids[2:4] {
		r := &flows.Registration{Workshop: w.Code, UserID: uid, RegisteredAt: now, Token: flows.NewToken(), Lang: "id", Answer: "Tidak ada (demo)"}
		if _, err := st.Register(ctx, r, now); err != nil {
			return err
		}
		jobs, _ := flows.ReminderJobs(w, uid, now)
		if err := st.Schedule(ctx, jobs...); err != nil {
			return err
		}
	}
	if err := seedMeetings(ctx, st, w, ids[2], ids[3], people[2].org, people[3].org, now); err != nil {
		return err
	}
	if err := seedForumGroup(ctx, p, st, now, w.Code, []int64{ids[2], ids[4]}); err != nil {
		return err
	}
	log.Info("playground: demo forum seeded (all names invented)", "workshop", w.Title, "code", w.Code, "users", len(people))
	return nil
}

// Demo forum group: a forum supergroup with a topic linked for the forum's
// announcements and one linked as the demo workshop's group.
const (
	demoGroupTitle = "Forum Sinergi"
	demoTopicNews  = "Pengumuman"
	demoTopicFGD   = "FGD Air Bersih"
)

// seedForumGroup makes the demo's forum supergroup, the secretariat (its
// creator) and members in it, and links its two topics, as an admin's
// /linkgroup in each topic would: Pengumuman for forum announcements (its
// /workshops lists the workshops), FGD Air Bersih as the workshop's group
// (its /commit leads to that workshop's commitments).
func seedForumGroup(ctx context.Context, p *playground.Playground, st *store.Store, now time.Time, workshop string, members []int64) error {
	users := p.Users()
	if len(users) == 0 {
		return errors.New("demo group: no secretariat user")
	}
	in := []playground.User{users[0]}
	for _, id := range members {
		i := slices.IndexFunc(users, func(u playground.User) bool { return u.ID == id })
		if i < 0 {
			return fmt.Errorf("demo group: no user %d", id)
		}
		in = append(in, users[i])
	}
	g, err := p.AddForum(demoGroupTitle, []string{demoTopicNews, demoTopicFGD}, in)
	if err != nil {
		return fmt.Errorf("demo group: %w", err)
	}
	for _, t := range g.Topics[1:] {
		l := &flows.ChatLink{Chat: g.ID, Thread: t.ID, Title: g.Title, Type: "supergroup", Purpose: flows.PurposeForum, By: in[0].ID, At: now}
		if t.Name == demoTopicFGD {
			l.Purpose, l.Workshop = flows.PurposeWorkshop, workshop
		}
		if _, err := st.LinkChat(ctx, l); err != nil {
			return fmt.Errorf("demo group: link topic %q: %w", t.Name, err)
		}
	}
	return nil
}

// demoStart is when the demo workshop starts: 09:00 WIB on the first day
// after three days from now. So the README's "+3 days" lands after the
// day-before reminder (09:00 the day before) and before the start.
func demoStart(now time.Time) time.Time {
	jkt := flows.LoadZone("Asia/Jakarta")
	day := now.In(jkt).AddDate(0, 0, 3)
	start := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, jkt)
	if !start.After(now.AddDate(0, 0, 3)) {
		start = start.AddDate(0, 0, 1)
	}
	return start
}

func roleOf(s string) flows.Role {
	r, _ := flows.ParseRole(s)
	return r
}

// seedMeetings opens partner meetings at the demo workshop (20-minute
// slots from an hour after its start for an hour, two tables, three per
// organisation) and books one between the two registered participants,
// with its reminders, as their request and acceptance would.
func seedMeetings(ctx context.Context, st *store.Store, w *flows.Workshop, from, to int64, fromOrg, toOrg string, now time.Time) error {
	s := &flows.MeetingSetup{Workshop: w.Code, SlotMinutes: 20, MaxPerOrg: 3,
		Windows: []flows.MeetWindow{{Start: w.Start.Add(time.Hour), End: w.Start.Add(2 * time.Hour)}},
		Tables:  []flows.MeetTable{{ID: 1, Name: "Meja 1"}, {ID: 2, Name: "Meja 2"}}}
	if err := flows.CheckMeetingSetup(s, w); err != nil {
		return fmt.Errorf("demo meetings: %w", err)
	}
	if _, err := st.SaveMeetingSetup(ctx, s, false, now); err != nil {
		return err
	}
	slot := s.Slots()[1]
	m := &flows.Meeting{ID: "demomeet01", Workshop: w.Code, From: from, To: to, FromOrg: fromOrg, ToOrg: toOrg,
		Slots: []time.Time{slot}, Awaiting: to, Status: flows.MeetPending, Created: now}
	if err := st.RequestMeeting(ctx, m); err != nil {
		return err
	}
	booked, err := st.AcceptMeeting(ctx, w.Code, m.ID, to, slot, now)
	if err != nil {
		return err
	}
	return st.Schedule(ctx, meetings.Jobs(s, booked)...)
}
