package registration_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// seen is everything replies show, rendered in Indonesian and English:
// texts, buttons (labels, data, URLs), answers and the fields of a
// calendar invitation and a QR code.
func seen(h *flowstest.Harness, replies []flows.Reply, answer *flows.Answer) string {
	var b strings.Builder
	for _, lang := range []string{"id", "en"} {
		for _, r := range replies {
			if r.Text.ID != "" {
				b.WriteString(h.Render(lang, r.Text) + "\n")
			}
			for _, row := range r.Buttons {
				for _, bt := range row {
					if bt.Literal == "" {
						b.WriteString(h.Render(lang, bt.Label))
					}
					b.WriteString(" " + bt.Literal + " " + bt.Data + " " + bt.URL + "\n")
				}
			}
			if r.Calendar != nil {
				w := r.Calendar.Workshop
				b.WriteString(w.Venue + " " + w.OnlineURL + " " + w.Description + "\n")
			}
			if r.QR != nil {
				b.WriteString(r.QR.Content + "\n")
			}
		}
		if answer != nil {
			b.WriteString(h.Render(lang, answer.Text) + "\n")
		}
	}
	return b.String()
}

// to are the replies of res sent to uid (its own chat: ChatID 0 or uid).
func to(res *flows.Result, uid int64) []flows.Reply {
	var out []flows.Reply
	for _, r := range res.Replies {
		if r.ChatID == uid || (r.ChatID == 0 && res.User.ID == uid) {
			out = append(out, r)
		}
	}
	return out
}

// hybridSetup is a hybrid workshop with 2 seats on site and 1 online, and
// participants 2..7 with profiles.
func hybridSetup(t *testing.T) (*flowstest.Harness, string) {
	t.Helper()
	h := newHarness(t)
	code := flowstest.CreateHybridWorkshop(t, h, "2", "1")
	for id := int64(2); id <= 7; id++ {
		if err := h.Store.SaveProfile(context.Background(), &flows.Profile{UserID: id, FullName: "Peserta", ConsentVersion: flows.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
	}
	return h, code
}

// The participant chooses on site or online; each mode has its seats and
// waiting list; the link goes to the confirmed online participant only —
// never the public card, on-site, waiting people — and the calendar file
// holds the venue on site, the link online.
func TestHybridRegistration(t *testing.T) {
	h, code := hybridSetup(t)
	link := flowstest.HybridLink
	w, err := h.Store.GetWorkshop(context.Background(), code)
	if err != nil || !w.Hybrid() || w.Capacity != 2 || w.OnlineCapacity != 1 {
		t.Fatalf("workshop %+v, %v", w, err)
	}

	// The public card: seats of each mode, a button for each, no link.
	res := h.Text(2, "/start ws_"+code)
	flowstest.WantIDs(t, res, "ws.card")
	if s := seen(h, res.Replies, nil); strings.Contains(s, link) || !strings.Contains(s, "Daring: Sisa 1 dari 1 kursi") ||
		!strings.Contains(s, "Online: 1 of 1 seat left") || !strings.Contains(s, "On site: 2 of 2 seats left") {
		t.Fatalf("public card:\n%s", s)
	}
	flowstest.ButtonData(t, res, "ws.btn_register_onsite")
	// The register button of before asks the mode.
	flowstest.WantIDs(t, h.Press(2, "registration.join:"+code), "ws.choose_mode")

	// Online: the confirmation and its calendar file hold the link (no QR
	// code: no door to check in at).
	res = h.Press(2, "registration.join_as:"+code+":online")
	flowstest.WantIDs(t, res, "ws.confirmed_online", "ws.ics_caption")
	if inv := res.Replies[1].Calendar; inv.Workshop.OnlineURL != link || inv.Workshop.Venue != "" {
		t.Fatalf("online calendar file %+v", inv.Workshop)
	}
	if s := seen(h, res.Replies, nil); !strings.Contains(s, link) {
		t.Fatalf("the online participant has no link:\n%s", s)
	}
	// On site: the venue, the QR code, never the link.
	res = h.Press(3, "registration.join_as:"+code+":onsite")
	flowstest.WantIDs(t, res, "ws.confirmed", "ws.ics_caption", "ws.qr_caption_onsite")
	if inv := res.Replies[1].Calendar; inv.Workshop.OnlineURL != "" || inv.Workshop.Venue != "Hotel Sahid, Jakarta" {
		t.Fatalf("on-site calendar file %+v", inv.Workshop)
	}
	if s := seen(h, res.Replies, nil); strings.Contains(s, link) {
		t.Fatalf("the on-site participant got the link:\n%s", s)
	}
	// The online seat is taken: 4 waits online; on site is still open.
	res = h.Press(4, "registration.join_as:"+code+":online")
	flowstest.WantIDs(t, res, "ws.waitlisted")
	if s := seen(h, res.Replies, nil); strings.Contains(s, link) {
		t.Fatalf("a waiting participant got the link:\n%s", s)
	}
	flowstest.WantIDs(t, h.Press(5, "registration.join_as:"+code+":onsite"), "ws.confirmed", "ws.ics_caption", "ws.qr_caption_onsite")
	flowstest.WantIDs(t, h.Press(6, "registration.join_as:"+code+":onsite"), "ws.waitlisted")
	// One place each: choosing the other mode shows where one stands.
	flowstest.WantIDs(t, h.Press(3, "registration.join_as:"+code+":online"), "ws.confirmed", "ws.ics_caption", "ws.qr_caption_onsite")
	onsite, online, _ := h.Store.ModeCounts(context.Background(), code)
	if onsite != (flows.Counts{Confirmed: 2, Waiting: 1}) || online != (flows.Counts{Confirmed: 1, Waiting: 1}) {
		t.Fatalf("mode counts %+v %+v", onsite, online)
	}

	// The card: the link for 2 (confirmed online) only.
	for id, wantLink := range map[int64]bool{2: true, 3: false, 4: false, 6: false, 7: false} {
		res := h.Press(id, "registration.show:"+code)
		if s := seen(h, res.Replies, nil); strings.Contains(s, link) != wantLink {
			t.Errorf("card of %d holds the link: %v, want %v\n%s", id, !wantLink, wantLink, s)
		}
	}
	// /mine says how each attends, with a switch button.
	res = h.Text(3, "/mine")
	if s := seen(h, res.Replies, nil); !strings.Contains(s, "(di tempat)") || !strings.Contains(s, "(on site)") ||
		!strings.Contains(s, "registration.switch:"+code+":online") || strings.Contains(s, link) {
		t.Fatalf("/mine of 3:\n%s", s)
	}
}

// Switching keeps one place: to a free seat at once (the seat left goes to
// its own mode's waiting list), to a full mode only by giving one's place
// up, after being asked.
func TestHybridSwitch(t *testing.T) {
	h, code := hybridSetup(t)
	link := flowstest.HybridLink
	h.Press(2, "registration.join_as:"+code+":online")
	h.Press(3, "registration.join_as:"+code+":onsite")
	h.Press(4, "registration.join_as:"+code+":online") // waiting online

	// Online is full: 3 keeps their seat unless they give it up.
	res := h.Press(3, "registration.switch:"+code+":online")
	flowstest.WantIDs(t, res, "ws.switch_full")
	giveUp := flowstest.ButtonData(t, res, "ws.btn_switch_giveup")
	if r, _ := h.Store.GetRegistration(context.Background(), code, 3); r.Status != flows.RegConfirmed || r.Mode != "" {
		t.Fatalf("3 after a refused switch: %+v", r)
	}
	res = h.Press(3, giveUp)
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.switched_waiting")
	if got := res.Replies[1].Text.Data["Pos"]; got != 2 {
		t.Fatalf("3's place online: %v", got)
	}
	if s := seen(h, res.Replies, nil); strings.Contains(s, link) {
		t.Fatalf("waiting online, 3 got the link:\n%s", s)
	}
	// 2 moves on site (seats free): the on-site confirmation, no link; the
	// online seat 2 left is offered to 4, the head of the online list.
	res = h.Press(2, "registration.switch:"+code+":onsite")
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.switched_onsite", "ws.ics_caption", "ws.qr_caption_onsite", "ws.offer")
	if s := seen(h, to(res, 2), nil); strings.Contains(s, link) {
		t.Fatalf("on site now, 2 still got the link:\n%s", s)
	}
	if r := res.Replies[4]; r.ChatID != 4 || strings.Contains(seen(h, []flows.Reply{r}, nil), link) {
		t.Fatalf("offer %+v (an offer never holds the link)", r)
	}
	// 4 accepts: confirmed online, with the link.
	res = h.Press(4, "registration.accept:"+code)
	if s := seen(h, res.Replies, nil); !strings.Contains(s, link) {
		t.Fatalf("4 accepted the online seat without the link:\n%s", s)
	}
	if res := h.Press(4, "registration.switch:"+code+":online"); res.Answer == nil || res.Answer.Text.ID != "ws.switch_same" {
		t.Fatalf("switch to the same mode: %+v", res.Answer)
	}
	regs, _ := h.Store.Registrations(context.Background(), code)
	var got []string
	for _, r := range regs {
		got = append(got, string(r.Status)+"/"+r.Mode)
	}
	if !slices.Equal(got, []string{"confirmed/", "confirmed/online", "waiting/online"}) {
		t.Fatalf("registrations %v", got)
	}
}

// Reminders and the start message carry the link to confirmed online
// participants only.
func TestHybridRemindersLink(t *testing.T) {
	h, code := hybridSetup(t)
	link := flowstest.HybridLink
	h.Press(2, "registration.join_as:"+code+":online")
	h.Press(3, "registration.join_as:"+code+":onsite")
	w, _ := h.Store.GetWorkshop(context.Background(), code)
	for _, kind := range []string{flows.JobDayBefore, flows.JobSoon, flows.JobOnline} {
		for uid, wantLink := range map[int64]bool{2: true, 3: false} {
			replies, err := h.E.RunJob(context.Background(), flows.Job{ID: kind + "|" + code + "|" + string(rune('0'+uid))}, w.Start.Add(-3*60*1e9))
			if err != nil && kind != flows.JobOnline {
				t.Fatalf("%s for %d: %v", kind, uid, err)
			}
			if s := seen(h, replies, nil); strings.Contains(s, link) != wantLink {
				t.Errorf("%s for %d holds the link: %v, want %v\n%s", kind, uid, !wantLink, wantLink, s)
			}
		}
	}
}

// Capacities are set per mode and never lowered below the seats of that
// mode taken; a hybrid workshop with people online stays hybrid; the
// export and the registrants' list say how each attends.
func TestHybridManage(t *testing.T) {
	h, code := hybridSetup(t)
	h.Press(2, "registration.join_as:"+code+":online")
	h.Press(3, "registration.join_as:"+code+":onsite")
	h.Press(5, "registration.join_as:"+code+":onsite")

	res := h.Press(flowstest.AdminID, "workshops.edit:"+code)
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.edit"))
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.field.online_cap"))
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.ask_online_capacity")
	res = h.Text(flowstest.AdminID, "0") // 0 is unlimited: allowed
	flowstest.WantIDs(t, res, "ws.summary")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.edit"))
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.field.online_cap"))
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "1"), "ws.summary")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, h.Press(flowstest.AdminID, "workshops.edit:"+code), "ws.edit"))
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.field.capacity"))
	res = h.Text(flowstest.AdminID, "1") // 2 on site
	flowstest.WantIDs(t, res, "ws.onsite_capacity_below_taken", "ws.ask_capacity_onsite")
	if s := seen(h, res.Replies, nil); !strings.Contains(s, "2 on-site seats are taken") || !strings.Contains(s, "2 kursi di tempat sudah terisi") {
		t.Fatalf("refusal:\n%s", s)
	}
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "2"), "ws.summary")
	// Making it one list while 2 attends online is refused, nothing saved.
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, h.Press(flowstest.AdminID, "workshops.edit:"+code), "ws.edit"))
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.field.format"))
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.format_single"))
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.save"))
	if !slices.Contains(flowstest.IDs(res), "ws.format_online_registered") {
		t.Fatalf("format change with people online: %v", flowstest.IDs(res))
	}
	if w, _ := h.Store.GetWorkshop(context.Background(), code); !w.Hybrid() {
		t.Fatal("the workshop stopped being hybrid")
	}

	// The export has a column of how each attends.
	res = h.Press(flowstest.AdminID, "workshops.export:"+code)
	tb := res.Replies[0].Table
	if tb == nil || tb.Columns[len(tb.Columns)-1].Header != "Hadir" {
		t.Fatalf("export columns %+v", tb)
	}
	var modes []any
	for _, row := range tb.Rows {
		modes = append(modes, row[len(row)-1])
	}
	if !slices.Equal(modes, []any{"di tempat", "di tempat", "daring"}) {
		t.Fatalf("export modes %v", modes)
	}
	res = h.Press(flowstest.AdminID, "workshops.registrants:"+code+":0")
	if s := seen(h, res.Replies, nil); !strings.Contains(s, "· online") || !strings.Contains(s, "· on site") {
		t.Fatalf("registrants:\n%s", s)
	}
}

// The mode chosen first carries through the profile questions and the
// registration form.
func TestHybridModeThroughProfileAndForm(t *testing.T) {
	h, code := hybridSetup(t)
	// 8 has no profile: the profile first, then registered online.
	res := h.Press(8, "registration.join_as:"+code+":online")
	flowstest.WantIDs(t, res, "ws.profile_first", "profile.intro", "profile.ask_name")
	res = flowstest.FillProfile(t, h, 8, res)
	if !slices.Contains(flowstest.IDs(res), "ws.confirmed_online") {
		t.Fatalf("after the profile: %v", flowstest.IDs(res))
	}
	// With a form: the question, then registered on site (the online seat
	// is 8's).
	if err := h.Store.AddQuestion(context.Background(), code, flows.FormQuestion{ID: "qdiet", Kind: flows.QShort, Text: "Makanan?"}, flows.MaxFormQuestions); err != nil {
		t.Fatal(err)
	}
	res = h.Press(2, "registration.join_as:"+code+":onsite")
	flowstest.WantIDs(t, res, "form.ask")
	res = h.Text(2, "Vegetarian")
	if !slices.Contains(flowstest.IDs(res), "ws.confirmed") {
		t.Fatalf("after the form: %v", flowstest.IDs(res))
	}
	for uid, want := range map[int64]string{8: flows.ModeOnline, 2: ""} {
		if r, err := h.Store.GetRegistration(context.Background(), code, uid); err != nil || r.Mode != want || r.Status != flows.RegConfirmed {
			t.Fatalf("registration of %d: %+v, %v; want mode %q", uid, r, err, want)
		}
	}
}

// At the door of a hybrid workshop the team finds those attending on site;
// an online participant is not at the door.
func TestHybridDoor(t *testing.T) {
	h, code := hybridSetup(t)
	h.Press(2, "registration.join_as:"+code+":online")
	h.Press(3, "registration.join_as:"+code+":onsite")
	w, _ := h.Store.GetWorkshop(context.Background(), code)
	h.Now = w.Start.Add(-time.Hour)
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "registration.door:"+code), "door.ask")
	res := h.Text(flowstest.AdminID, "Peserta")
	if n := res.Replies[0].Text.Data["Count"]; n != 1 || res.Replies[0].Buttons[0][0].Data != "registration.door_in:"+code+":3" {
		t.Fatalf("door search: %v matches %+v", n, res.Replies[0].Buttons)
	}
}
