package meetings_test

import (
	"context"
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
		})
	}
}
