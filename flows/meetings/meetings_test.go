package meetings_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// org seeds user uid in lang: a participant profile, an organisation
// profile and, when code is set, a confirmed registration.
func org(t *testing.T, h *flowstest.Harness, uid int64, lang, code string, p *flows.PartnerProfile) {
	t.Helper()
	ctx := context.Background()
	if err := h.Store.SaveUser(ctx, &flows.User{ID: uid, Lang: lang, FirstName: "User" + strconv.FormatInt(uid, 10),
		Username: "user" + strconv.FormatInt(uid, 10), Consent: flows.ConsentVersion}); err != nil {
		t.Fatal(err)
	}
	if err := h.Store.SaveProfile(ctx, &flows.Profile{UserID: uid, FullName: "Peserta " + strconv.FormatInt(uid, 10),
		Organisation: p.Org, ConsentVersion: flows.ConsentVersion}); err != nil {
		t.Fatal(err)
	}
	p.UserID, p.Visible = uid, true
	if err := h.Store.SavePartner(ctx, p); err != nil {
		t.Fatal(err)
	}
	if code != "" {
		h.Press(uid, "registration.join:"+code)
		if r, err := h.Store.GetRegistration(ctx, code, uid); err != nil || r.Status != flows.RegConfirmed {
			t.Fatalf("registration of %d: %+v %v", uid, r, err)
		}
	}
}

func l(s ...string) []string { return s }

// reply finds the reply with message id to chat (0: the presser's).
func reply(t *testing.T, res *flows.Result, id string, chat int64) flows.Reply {
	t.Helper()
	for _, r := range res.Replies {
		if r.Text.ID == id && r.ChatID == chat {
			return r
		}
	}
	t.Fatalf("no %s to %d in %v", id, chat, flowstest.IDs(res))
	return flows.Reply{}
}

// contactURL is the link of a reply's contact button ("" none).
func contactURL(r flows.Reply) string {
	for _, row := range r.Buttons {
		for _, b := range row {
			if b.URL != "" {
				return b.URL
			}
		}
	}
	return ""
}

func buttonIn(t *testing.T, r flows.Reply, label string) string {
	t.Helper()
	return flowstest.ButtonData(t, &flows.Result{Replies: []flows.Reply{r}}, label)
}

// setUp walks the team's setup: bad windows refused with their reasons,
// then 20-minute slots 09:30–11:30 (WITA) at two tables, at most cap
// meetings per organisation.
func setUp(t *testing.T, h *flowstest.Harness, code, tables, cap string) *flows.Result {
	t.Helper()
	res := h.Press(flowstest.AdminID, "meetings.setup:"+code)
	flowstest.WantIDs(t, res, "(clear buttons)", "mt.ask_slot")
	res = h.Text(flowstest.AdminID, "90")
	flowstest.WantIDs(t, res, "mt.bad_slot", "mt.ask_slot")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "20"))
	flowstest.WantIDs(t, res, "(clear buttons)", "mt.ask_windows")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "08:00-10:00"), "mt.window_outside", "mt.ask_windows")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "09:30-10:30, 10:00-11:00"), "mt.window_overlap", "mt.ask_windows")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "09:30-09:40"), "mt.window_short", "mt.ask_windows")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "half past nine"), "mt.bad_windows", "mt.ask_windows")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "09:30-11:30"), "mt.ask_tables")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, tables), "mt.ask_cap")
	res = h.Text(flowstest.AdminID, cap)
	flowstest.WantIDs(t, res, "mt.setup_summary")
	return h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "mt.save"))
}

// The whole way, in each language: the team sets up meetings; a registered
// organisation sees whom to meet among the registered ones (ranked,
// explained, coalitions marked), asks with slots and a note; the other side
// sees no contact until it accepts a slot; both are told the table and each
// other's contact; the reminder names the table; the question after the
// meeting records a partnership, which the team card counts.
func TestMeetingsFlow(t *testing.T) {
	for _, lang := range []string{"en", "id"} {
		t.Run(lang, func(t *testing.T) {
			h := flowstest.New(t, flowstest.AllModules)
			ctx := context.Background()
			code := flowstest.CreateWorkshop(t, h, "0")
			w, err := h.Store.GetWorkshop(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			res := setUp(t, h, code, "Meja Melati, Meja Kenanga", "3")
			flowstest.WantIDs(t, res, "(clear buttons)", "mt.setup_saved")
			s, err := h.Store.MeetingSetup(ctx, code)
			if err != nil || len(s.Slots()) != 6 || len(s.Tables) != 2 || s.MaxPerOrg != 3 {
				t.Fatalf("setup %+v (%d slots) %v", s, len(s.Slots()), err)
			}
			if first := s.Slots()[0]; !first.Equal(w.Start.Add(30 * time.Minute)) {
				t.Fatalf("first slot %v, workshop starts %v", first, w.Start)
			}

			org(t, h, 2, lang, code, &flows.PartnerProfile{Org: "Yayasan Air", Sector: "ngo", Themes: l("wash"), Provinces: l("NT"), Offers: l("volunteers"), Needs: l("funding")})
			org(t, h, 3, lang, code, &flows.PartnerProfile{Org: "PT Dana CSR", Sector: "csr", Themes: l("wash"), Provinces: l("NT"), Offers: l("funding"), Needs: l("volunteers")})
			org(t, h, 4, lang, code, &flows.PartnerProfile{Org: "Komunitas Relawan", Sector: "community", Themes: l("wash"), Provinces: l("NT"), Offers: l("volunteers")})
			org(t, h, 5, lang, "", &flows.PartnerProfile{Org: "Tidak Terdaftar", Sector: "csr", Themes: l("wash"), Provinces: l("NT"), Offers: l("funding")})

			// Whom to meet: 3 first (they offer what 2 needs), then 4 marked as a coalition; 5 is not registered.
			res = h.Text(2, "/meetings")
			flowstest.WantIDs(t, res, "mt.mine_empty")
			res = h.Press(2, flowstest.ButtonData(t, res, "mt.btn_suggest"))
			flowstest.WantIDs(t, res, "mt.suggestion")
			card := res.Replies[0].Text
			if card.Data["Org"] != "PT Dana CSR" || card.Data["Total"] != 2 {
				t.Fatalf("first suggestion %v of %v", card.Data["Org"], card.Data["Total"])
			}
			next := h.Press(2, "meetings.suggest:"+code+":a:1")
			if c := next.Replies[0].Text; c.Data["Org"] != "Komunitas Relawan" || !strings.Contains(h.Render(lang, c), h.Render(lang, flows.T("mm.coalition", "Offers", flows.ListText("offer.", l("volunteers")), "Themes", flows.ListText("theme.", l("wash")), "Provinces", flows.ListText("province.", l("NT"))))) {
				t.Fatalf("second suggestion %s", h.Render(lang, c))
			}
			if c := h.Press(2, "meetings.suggest:"+code+":s.csr:0").Replies[0].Text; c.Data["Org"] != "PT Dana CSR" || c.Data["Total"] != 1 {
				t.Fatalf("sector filter: %v of %v", c.Data["Org"], c.Data["Total"])
			}
			flowstest.Alert(t, h.Press(2, "meetings.request:"+code+":5"), "mt.err_not_registered")

			// The request: two slots, a note.
			res = h.Press(2, flowstest.ButtonData(t, res, "mt.btn_request"))
			flowstest.WantIDs(t, res, "mt.ask_slots")
			slots := s.Slots()
			res = h.Press(2, "core.step:"+res.Session.Nonce+":x."+strconv.FormatInt(slots[1].Unix(), 10))
			res = h.Press(2, "core.step:"+res.Session.Nonce+":x."+strconv.FormatInt(slots[2].Unix(), 10))
			res = h.Press(2, flowstest.ButtonData(t, res, "mt.done"))
			flowstest.WantIDs(t, res, "(clear buttons)", "mt.ask_note")
			res = h.Text(2, "Air bersih di Flores <b>")
			got := reply(t, res, "mt.request_received", 3)
			if r := h.Render(lang, got.Text); strings.Contains(r, "user2") || !strings.Contains(r, "&lt;b&gt;") || contactURL(got) != "" {
				t.Fatalf("request shows a contact or unescaped note: %s %v", r, got.Buttons)
			}
			reply(t, res, "mt.request_sent", 0)
			accept := buttonIn(t, got, "mt.btn_accept_at")
			ms, _ := h.Store.UserMeetings(ctx, code, 2)
			if len(ms) != 1 || ms[0].Status != flows.MeetPending || len(ms[0].Slots) != 2 {
				t.Fatalf("meetings %+v", ms)
			}
			m := ms[0]

			// 3 accepts the first slot offered: both booked at the first table, contacts shown.
			res = h.Press(3, accept)
			booked := reply(t, res, "mt.booked", 2)
			if r := h.Render(lang, booked.Text); !strings.Contains(r, "Meja Melati") || contactURL(booked) != "tg://user?id=3" {
				t.Fatalf("booked to 2: %s %v", r, contactURL(booked))
			}
			if r := reply(t, res, "mt.booked", 0); contactURL(r) != "tg://user?id=2" {
				t.Fatalf("booked to 3: %v", contactURL(r))
			}
			m, _ = h.Store.GetMeeting(ctx, code, m.ID)
			if m.Status != flows.MeetAccepted || !m.Slot.Equal(slots[1]) || m.Table != 1 {
				t.Fatalf("meeting %+v", m)
			}
			flowstest.Alert(t, h.Press(3, accept), "mt.err_decided")

			// /meetings lists it with the table; the calendar file holds it.
			res = h.Text(3, "/meetings")
			if r := h.Render(lang, res.Replies[0].Text); !strings.Contains(r, "Meja Melati") || !strings.Contains(r, "Yayasan Air") {
				t.Fatalf("/meetings: %s", r)
			}
			res = h.Press(3, flowstest.ButtonData(t, res, "mt.btn_calendar"))
			if c := res.Replies[0].Calendar; c == nil || len(c.Meetings) != 1 || !c.Meetings[0].Start.Equal(slots[1]) || c.Meetings[0].Location != "Meja Melati" {
				t.Fatalf("calendar %+v", c)
			}

			// The reminder ten minutes before names the table; the question after records the outcome.
			rem, err := h.E.RunJob(ctx, flows.Job{ID: "mtr|" + code + "." + m.ID + "|2"}, slots[1].Add(-10*time.Minute))
			if err != nil || len(rem) != 1 || rem[0].ChatID != 2 || rem[0].Text.ID != "mt.reminder" || !strings.Contains(h.Render(lang, rem[0].Text), "Meja Melati") {
				t.Fatalf("reminder %+v %v", rem, err)
			}
			ask, err := h.E.RunJob(ctx, flows.Job{ID: "mto|" + code + "." + m.ID + "|3"}, slots[2])
			if err != nil || len(ask) != 1 || ask[0].Text.ID != "mt.ask_outcome" {
				t.Fatalf("outcome question %+v %v", ask, err)
			}
			res = h.Press(3, buttonIn(t, ask[0], "mt.outcome.partner"))
			flowstest.WantIDs(t, res, "mt.outcome_saved")
			res = h.Press(flowstest.AdminID, "meetings.team:"+code)
			if d := res.Replies[0].Text.Data; d["Accepted"] != 1 || d["Held"] != 1 || d["Partnerships"] != 1 || d["Requested"] != 1 {
				t.Fatalf("team card %v", d)
			}

			// The team's grid: a picture and a table, the meeting at its slot and table.
			res = h.Press(flowstest.AdminID, "meetings.grid:"+code)
			g, tab := res.Replies[0].Grid, res.Replies[1].Table
			if g == nil || tab == nil || !slices.Equal(g.Columns, []string{"Meja Melati", "Meja Kenanga"}) || len(g.Rows) != 6 ||
				g.Rows[1].Cells[0] != "Yayasan Air ↔ PT Dana CSR" || g.Rows[1].Cells[1] != "" || g.Rows[0].Cells[0] != "" {
				t.Fatalf("grid %+v", g)
			}
			if csv := string(tab.CSV()); !strings.Contains(csv, "Yayasan Air ↔ PT Dana CSR") || !strings.Contains(csv, "Meja Kenanga") {
				t.Fatalf("grid csv %q", csv)
			}

			// The workshop's progress report shows the partnership next to the commitments.
			if err := h.Store.SaveCommitment(ctx, &flows.Commitment{ID: "cm1", Workshop: code, What: "Sumur bor", Owner: 2, By: 2,
				Due: w.End.Add(30 * 24 * time.Hour), Status: flows.CmOpen, Created: h.Now}); err != nil {
				t.Fatal(err)
			}
			res = h.Press(flowstest.AdminID, "followup.report:"+code)
			sec := reply(t, res, "mt.report", 0)
			if res.Replies[1].Text.ID != "mt.report" || !strings.Contains(h.Render(lang, sec.Text), "Yayasan Air ↔ PT Dana CSR") || sec.Text.Data["Partnerships"] != 1 {
				t.Fatalf("report %v: %s", flowstest.IDs(res), h.Render(lang, sec.Text))
			}
		})
	}
}

// world is a workshop with meetings set up (one table, cap 2) and
// organisations 2, 3, 4 registered in lang.
func world(t *testing.T, lang, tables, cap string) (*flowstest.Harness, string, *flows.MeetingSetup) {
	t.Helper()
	return worldWith(t, lang, tables, cap, flowstest.AllModules)
}

// worldWith is world with the modules built by modules.
func worldWith(t *testing.T, lang, tables, cap string, modules func(*flowstest.Store) []flows.Module) (*flowstest.Harness, string, *flows.MeetingSetup) {
	t.Helper()
	h := flowstest.New(t, modules)
	code := flowstest.CreateWorkshop(t, h, "0")
	flowstest.WantIDs(t, setUp(t, h, code, tables, cap), "(clear buttons)", "mt.setup_saved")
	org(t, h, 2, lang, code, &flows.PartnerProfile{Org: "Yayasan Air", Sector: "ngo", Themes: l("wash"), Provinces: l("NT"), Offers: l("volunteers"), Needs: l("funding")})
	org(t, h, 3, lang, code, &flows.PartnerProfile{Org: "PT Dana CSR", Sector: "csr", Themes: l("wash"), Provinces: l("NT"), Offers: l("funding"), Needs: l("volunteers")})
	org(t, h, 4, lang, code, &flows.PartnerProfile{Org: "Komunitas Relawan", Sector: "community", Themes: l("wash"), Provinces: l("NT"), Offers: l("volunteers"), Needs: l("funding")})
	s, err := h.Store.MeetingSetup(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return h, code, s
}

// ask has from request a meeting with to in slots (indexes of the setup's
// slots) and returns the request as to received it.
func ask(t *testing.T, h *flowstest.Harness, code string, s *flows.MeetingSetup, from, to int64, slots ...int) flows.Reply {
	t.Helper()
	res := h.Press(from, "meetings.request:"+code+":"+strconv.FormatInt(to, 10))
	flowstest.WantIDs(t, res, "mt.ask_slots")
	for _, i := range slots {
		res = h.Press(from, "core.step:"+res.Session.Nonce+":x."+strconv.FormatInt(s.Slots()[i].Unix(), 10))
	}
	res = h.Press(from, flowstest.ButtonData(t, res, "mt.done"))
	res = h.Press(from, flowstest.ButtonData(t, res, "mt.skip_note"))
	return reply(t, res, "mt.request_received", to)
}

// Bad input and races, in each language: a slot taken meanwhile is refused
// and the next free ones offered (proposed to the other side, who accepts);
// the cap; a table removed that has meetings (refused with the count, then
// confirmed: cancelled, both told); a cancelled registration cancels that
// person's meetings and tells the other side; cancel and move tell the
// other side; forgetting tells the other side and leaves nothing.
func TestMeetingsBadInputAndRaces(t *testing.T) {
	for _, lang := range []string{"en", "id"} {
		t.Run(lang, func(t *testing.T) {
			h, code, s := world(t, lang, "Meja 1", "2")
			ctx := context.Background()
			slots := s.Slots()
			// 2 asks 3 and 4 asks 3 for the same slot; 3 accepts 2's: with
			// one table, 4's slot is now taken.
			r23 := ask(t, h, code, s, 2, 3, 0)
			r43 := ask(t, h, code, s, 4, 3, 0)
			h.Press(3, buttonIn(t, r23, "mt.btn_accept_at"))
			res := h.Press(3, buttonIn(t, r43, "mt.btn_accept_at"))
			flowstest.WantIDs(t, res, "mt.slot_taken")
			if res.Replies[0].EditMessageID != 42 {
				t.Fatal("the refusal does not replace the request")
			}
			// The next free slot is offered; pressing it proposes it to 4, who accepts.
			res = h.Press(3, buttonIn(t, res.Replies[0], "mt.btn_slot"))
			prop := reply(t, res, "mt.proposed_you", 4)
			if at := prop.Text.Data["At"].(flows.When).At; !at.Equal(slots[1]) {
				t.Fatalf("proposed %v, want %v", at, slots[1])
			}
			res = h.Press(4, buttonIn(t, prop, "mt.btn_accept_at"))
			reply(t, res, "mt.booked", 3)
			// 3 now holds 2 meetings, the cap: 2 cannot ask 3 again (open), 4 cannot ask 2? 2 holds 1: fine;
			// a new organisation asking 3 is refused for the cap.
			org(t, h, 6, lang, code, &flows.PartnerProfile{Org: "Dinas Sosial", Sector: "gov", Themes: l("wash"), Provinces: l("NT"), Offers: l("volunteers"), Needs: l("funding")})
			flowstest.Alert(t, h.Press(6, "meetings.request:"+code+":3"), "mt.err_cap_them")
			flowstest.Alert(t, h.Press(2, "meetings.request:"+code+":3"), "mt.err_open")

			// The team removes the table that has the meetings: refused with the count.
			res = setUp(t, h, code, "Meja 2", "2")
			flowstest.WantIDs(t, res, "mt.setup_conflict")
			if n := res.Replies[0].Text.Data["Count"]; n != 2 || res.Replies[0].EditMessageID != 42 {
				t.Fatalf("conflict count %v", n)
			}
			if ms, _ := h.Store.UserMeetings(ctx, code, 3); ms[0].Status != flows.MeetAccepted || ms[1].Status != flows.MeetAccepted {
				t.Fatalf("refused setup changed meetings: %+v", ms)
			}
			// Confirmed: both meetings cancelled, all four sides told.
			res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "mt.btn_force"))
			for _, u := range []int64{2, 3, 4} {
				reply(t, res, "mt.cancelled_by_team", u)
			}
			if s2, _ := h.Store.MeetingSetup(ctx, code); len(s2.Tables) != 1 || s2.Tables[0].Name != "Meja 2" || s2.Tables[0].ID != 2 {
				t.Fatalf("setup %+v", s2)
			}

			// Booked again; 2 moves it, then 3 cancels its registration: 2 is told.
			r := ask(t, h, code, s, 2, 3, 2)
			h.Press(3, buttonIn(t, r, "mt.btn_accept_at"))
			res = h.Text(2, "/meetings")
			res = h.Press(2, flowstest.ButtonData(t, res, "mt.btn_move_named"))
			flowstest.WantIDs(t, res, "mt.choose_move")
			res = h.Press(2, buttonIn(t, res.Replies[0], "mt.btn_slot"))
			moved := reply(t, res, "mt.moved_them", 3)
			if at := moved.Text.Data["At"].(flows.When).At; !at.Equal(slots[0]) {
				t.Fatalf("moved to %v", at)
			}
			res = h.Press(3, "registration.leave_yes:"+code)
			reply(t, res, "mt.cancelled_left", 2)
			if ms, _ := h.Store.UserMeetings(ctx, code, 2); ms[len(ms)-1].Status != flows.MeetCancelled {
				t.Fatalf("meeting after the registration ended: %+v", ms[len(ms)-1])
			}
			flowstest.Alert(t, h.Press(2, "meetings.request:"+code+":3"), "mt.err_not_registered")

			// 4 and 6 meet; 6 is forgotten: 4 is told, nothing of 6 stays.
			r = ask(t, h, code, s, 4, 6, 3)
			h.Press(6, buttonIn(t, r, "mt.btn_accept_at"))
			res = h.Press(6, "privacy.forget:yes")
			reply(t, res, "mt.cancelled_left", 4)
			if ms, _ := h.Store.UserMeetings(ctx, code, 4); slices.ContainsFunc(ms, func(m *flows.Meeting) bool { return m.Party(6) }) {
				t.Fatal("a meeting of the forgotten person stays")
			}
			if codes, _ := h.Store.MeetingWorkshops(ctx, 6); len(codes) != 0 {
				t.Fatalf("forgotten person's workshops %v", codes)
			}
		})
	}
}

// The team's scheduler, in each language: it places the matched pairs that
// have no meeting into free slots (a pair with a pending request is left
// to it), explains each placement, and asks both sides; once both confirm
// the meeting is booked, a decline frees it.
func TestMeetingsScheduler(t *testing.T) {
	for _, lang := range []string{"en", "id"} {
		t.Run(lang, func(t *testing.T) {
			h, code, s := world(t, lang, "Meja 1", "2")
			ctx := context.Background()
			ask(t, h, code, s, 2, 4, 0) // 2 and 4: pending, not placed
			res := h.Press(flowstest.AdminID, "meetings.auto:"+code)
			placed := reply(t, res, "mt.placed", 0)
			if n := placed.Text.Data["Count"]; n != 2 {
				t.Fatalf("placed %v: %s", n, h.Render(lang, placed.Text))
			}
			ms, _ := h.Store.WorkshopMeetings(ctx, code)
			var byPair = map[[2]int64]*flows.Meeting{}
			for _, m := range ms {
				byPair[[2]int64{min(m.From, m.To), max(m.From, m.To)}] = m
			}
			m23, m34 := byPair[[2]int64{2, 3}], byPair[[2]int64{3, 4}]
			if m23 == nil || m34 == nil || m23.Status != flows.MeetProposed || m34.Status != flows.MeetProposed || m23.Slot.Equal(m34.Slot) {
				t.Fatalf("placements %+v %+v", m23, m34)
			}
			if byPair[[2]int64{2, 4}].Status != flows.MeetPending {
				t.Fatal("the pending request was touched")
			}
			// 2 and 3 confirm: booked with contacts; 4 declines: freed.
			ask23 := reply(t, res, "mt.placed_you", 2)
			res = h.Press(2, buttonIn(t, ask23, "mt.btn_confirm"))
			flowstest.WantIDs(t, res, "(clear buttons)", "mt.confirmed_wait")
			res = h.Press(3, "meetings.confirm:"+code+":"+m23.ID)
			reply(t, res, "mt.booked", 2)
			res = h.Press(4, "meetings.decline:"+code+":"+m34.ID)
			reply(t, res, "mt.closed_them_declined", 3)
			if m, _ := h.Store.GetMeeting(ctx, code, m34.ID); m.Status != flows.MeetDeclined {
				t.Fatalf("declined placement %+v", m)
			}
			// Again: 2–3 booked, 2–4 asked, 3–4 declined: nothing to place.
			flowstest.WantIDs(t, h.Press(flowstest.AdminID, "meetings.auto:"+code), "mt.placed_none")
		})
	}
}
