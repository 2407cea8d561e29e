package attendance_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// withAgenda adds to the seeded workshop (09:00–12:00) a plenary opening
// (09:00–09:30), two parallel discussions (09:30–10:30: Air, capacity 5,
// Budi's and Ṣāliḥ's and Đặng's choice… see below) and a plenary close
// (11:00–12:00); Ṣāliḥ (2) and Đặng (3) sign up for Air, Budi (4) for
// Sanitasi.
func withAgenda(t *testing.T, h *flowstest.Harness, w *flows.Workshop) {
	t.Helper()
	ctx := context.Background()
	for _, s := range []flows.AgendaSession{
		{ID: "s00000001", Title: "Pembukaan", Start: w.Start, End: w.Start.Add(30 * time.Minute)},
		{ID: "s00000002", Title: "FGD Air", Start: w.Start.Add(30 * time.Minute), End: w.Start.Add(90 * time.Minute), Capacity: 5},
		{ID: "s00000003", Title: "FGD Sanitasi", Start: w.Start.Add(30 * time.Minute), End: w.Start.Add(90 * time.Minute), Capacity: 5},
		{ID: "s00000004", Title: "Penutupan", Start: w.Start.Add(2 * time.Hour), End: w.Start.Add(3 * time.Hour)},
	} {
		if err := s.Check(w); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Store.SaveSession(ctx, w.Code, s, flows.MaxSessions); err != nil {
			t.Fatal(err)
		}
	}
	for uid, sid := range map[int64]string{2: "s00000002", 3: "s00000002", 4: "s00000003"} {
		if err := h.Store.SignUp(ctx, w.Code, sid, uid); err != nil {
			t.Fatal(err)
		}
	}
}

func sessionMarks(t *testing.T, h *flowstest.Harness, w *flows.Workshop) map[string][]int64 {
	t.Helper()
	m, err := h.Store.SessionMarks(context.Background(), w.Code)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]int64{}
	for sid, byUser := range m {
		for uid := range byUser {
			out[sid] = append(out[sid], uid)
		}
	}
	return out
}

func has(ids []int64, uid int64) bool {
	for _, id := range ids {
		if id == uid {
			return true
		}
	}
	return false
}

// Per-session attendance: the team's QR scan during a session marks the
// session the person chose (not before its window); an online
// participant's "I'm here" marks theirs and offers the button for their
// later sessions; the team marks and unmarks from a session's list and
// finds a walk-in by search; the list, the counts per session and the CSV
// show it, in both languages, and each change is audited.
func TestSessionAttendance(t *testing.T) {
	h, w := seed(t)
	withAgenda(t, h, w)

	// Before FGD Air's window (opens 15 minutes before 09:30): the scan
	// checks Ṣāliḥ in, no session is marked.
	h.Now = w.Start.Add(-time.Hour)
	checkInQR(t, h, w, 2)
	if m := sessionMarks(t, h, w); len(m) != 0 {
		t.Fatalf("marked before any window: %v", m)
	}
	// During it, the scan again: FGD Air marked.
	h.Now = w.Start.Add(20 * time.Minute)
	r, _ := h.Store.GetRegistration(context.Background(), w.Code, 2)
	res := h.Text(flowstest.AdminID, "/start checkin_"+r.Token)
	flowstest.WantIDs(t, res, "checkin.again", "attn.s_scanned")
	if got := h.Render("en", res.Replies[1].Text); !strings.Contains(got, "also marked present at the session running now:\n• FGD Air") {
		t.Errorf("en scan: %q", got)
	}
	if got := h.Render("id", res.Replies[1].Text); !strings.Contains(got, "juga ditandai hadir di 1 sesi yang sedang berlangsung:\n• FGD Air") {
		t.Errorf("id scan: %q", got)
	}

	// Đặng online during FGD Air.
	h.Now = w.Start.Add(40 * time.Minute)
	res = h.Press(3, "registration.online:"+w.Code)
	flowstest.WantIDs(t, res, "(clear buttons)", "att.done", "attn.s_online")
	here := flowstest.ButtonData(t, res, "attn.btn_here")
	if here != "attendance.here:"+w.Code {
		t.Fatalf("here button %q", here)
	}
	// The button again after FGD Air's window: nothing of theirs is open.
	h.Now = w.Start.Add(2*time.Hour + 5*time.Minute)
	flowstest.Alert(t, h.Press(3, here), "attn.here_none")
	m := sessionMarks(t, h, w)
	if !has(m["s00000002"], 2) || !has(m["s00000002"], 3) || len(m["s00000002"]) != 2 || len(m) != 1 {
		t.Fatalf("marks after scan and online: %v", m)
	}

	// The team: the sessions with their counts, FGD Sanitasi's list.
	res = h.Press(flowstest.AdminID, "attendance.show:"+w.Code)
	flowstest.WantIDs(t, res, "attn.list_sessions")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "attn.btn_sessions"))
	flowstest.WantIDs(t, res, "attn.s_list")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "FGD Sanitasi"))
	flowstest.WantIDs(t, res, "attn.s_session")
	if d := res.Replies[0].Text.Data; d["N"] != 0 || d["Of"] != 1 {
		t.Fatalf("FGD Sanitasi before: %v", d)
	}
	// Budi is there: marked from the list, the message edited in place.
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "attn.s_absent"))
	flowstest.WantIDs(t, res, "attn.s_session")
	if rep := res.Replies[0]; rep.EditMessageID != 42 || rep.Text.Data["N"] != 1 || rep.Buttons[0][0].Label.ID != "attn.s_present" {
		t.Fatalf("after marking Budi: %+v", rep)
	}
	// Citra walked in: found by search, marked.
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "attn.btn_s_find"))
	flowstest.WantIDs(t, res, "attn.s_find_ask")
	res = h.Text(flowstest.AdminID, "citra")
	flowstest.WantIDs(t, res, "attn.s_found", "attn.s_find_ask")
	if got := h.Render("id", res.Replies[0].Text); !strings.Contains(got, "ketuk untuk menandai hadir di <b>FGD Sanitasi</b>") {
		t.Errorf("id search: %q", got)
	}
	res = h.Press(flowstest.AdminID, res.Replies[0].Buttons[0][0].Data)
	flowstest.WantIDs(t, res, "attn.s_session")
	if d := res.Replies[0].Text.Data; d["N"] != 2 || d["Of"] != 2 {
		t.Fatalf("FGD Sanitasi after Citra: %v", d)
	}
	if h.Sess[flowstest.AdminID] != nil && h.Sess[flowstest.AdminID].Flow != "" {
		t.Fatalf("the search flow is still on: %q", h.Sess[flowstest.AdminID].Flow)
	}
	en := h.Render("en", res.Replies[0].Text)
	if !strings.Contains(en, "<b>FGD Sanitasi</b> — Joint Action: air bersih di Flores") || !strings.Contains(en, "2 of 2 attended.") {
		t.Errorf("en session: %q", en)
	}

	// The list's counts per session: plenary sessions count those present
	// at the workshop (Ṣāliḥ by QR, Đặng online).
	h.Now = w.End.Add(3 * time.Hour)
	res = h.Press(flowstest.AdminID, "attendance.show:"+w.Code)
	en = h.Render("en", res.Replies[0].Text)
	for _, want := range []string{"5 confirmed registrants: 2 present", "<b>By session</b> (attended / expected)",
		"• 09:00 WITA–09:30 WITA Pembukaan (plenary): 2 / 5", "09:30 WITA–10:30 WITA FGD Air: 2 / 2", "FGD Sanitasi: 2 / 2", "11:00 WITA–12:00 WITA Penutupan (plenary): 2 / 5"} {
		if !strings.Contains(en, want) {
			t.Errorf("en list lacks %q:\n%s", want, en)
		}
	}
	id := h.Render("id", res.Replies[0].Text)
	for _, want := range []string{"<b>Per sesi</b> (hadir / diharapkan)", "Pembukaan (pleno): 2 / 5", "FGD Sanitasi: 2 / 2"} {
		if !strings.Contains(id, want) {
			t.Errorf("id list lacks %q:\n%s", want, id)
		}
	}

	// The CSV: a column per session.
	res = h.Press(flowstest.AdminID, "attendance.csv:"+w.Code)
	csv := string(res.Replies[0].Document.Data)
	for _, want := range []string{
		"name,organisation,attendance,checked_in,session 2026-12-10 09:00 Pembukaan,session 2026-12-10 09:30 FGD Air,session 2026-12-10 09:30 FGD Sanitasi,session 2026-12-10 11:00 Penutupan\r\n",
		"Budi,Koperasi Maju,no_show,,,,present,\r\n",
		"Citra,Koperasi Maju,no_show,,,,present,\r\n",
		"Ṣāliḥ Nuruddin Ḥasibuan,Yayasan Air,present,2026-12-10 08:00,present,present,,present\r\n",
	} {
		if !strings.Contains(csv, want) {
			t.Errorf("csv lacks %q:\n%s", want, csv)
		}
	}

	// Unmarking Budi; every change audited.
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "attendance.mark:"+w.Code+":s00000003:4:a:0"), "attn.s_session")
	if m := sessionMarks(t, h, w); has(m["s00000003"], 4) || !has(m["s00000003"], 5) {
		t.Fatalf("after unmarking Budi: %v", m)
	}
	var got []string
	for _, a := range h.Store.AuditTrail() {
		if a.Action == flows.AuditAttendance {
			got = append(got, a.Target)
		}
	}
	if want := []string{w.Code + ":s00000003:present", w.Code + ":s00000003:present", w.Code + ":s00000003:absent"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("audit %v, want %v", got, want)
	}
}

// Bad presses: a session no longer on the agenda, someone not confirmed,
// a malformed button; a participant may not mark.
func TestSessionAttendanceRefusals(t *testing.T) {
	h, w := seed(t)
	withAgenda(t, h, w)
	h.Now = w.Start
	flowstest.Alert(t, h.Press(flowstest.AdminID, "attendance.mark:"+w.Code+":s0000000f:4:p"), "attn.s_gone")
	flowstest.Alert(t, h.Press(flowstest.AdminID, "attendance.session:"+w.Code+":s0000000f"), "attn.s_gone")
	flowstest.Alert(t, h.Press(flowstest.AdminID, "attendance.mark:"+w.Code+":s00000001:99:p"), "attn.not_confirmed")
	flowstest.Alert(t, h.Press(flowstest.AdminID, "attendance.mark:"+w.Code+":s00000001:4:x"), "errors.bad_button")
	flowstest.Alert(t, h.Press(2, "attendance.mark:"+w.Code+":s00000001:2:p"), "errors.not_allowed")
	if m := sessionMarks(t, h, w); len(m) != 0 {
		t.Fatalf("marks: %v", m)
	}
	// A workshop without an agenda says so.
	h2, w2 := seed(t)
	flowstest.WantIDs(t, h2.Press(flowstest.AdminID, "attendance.sessions:"+w2.Code), "attn.s_none")
	if res := h2.Press(flowstest.AdminID, "attendance.show:"+w2.Code); res.Replies[0].Text.ID != "attn.list" {
		t.Fatalf("no agenda: %v", flowstest.IDs(res))
	}
}

// A plenary session's list and search leave out those present at the
// workshop (they count by their check-in, a toggle would change nothing)
// and offer the others.
func TestPlenarySessionList(t *testing.T) {
	h, w := seed(t)
	withAgenda(t, h, w)
	h.Now = w.Start.Add(-time.Hour)
	checkInQR(t, h, w, 2)
	res := h.Press(flowstest.AdminID, "attendance.session:"+w.Code+":s00000001")
	flowstest.WantIDs(t, res, "attn.s_session")
	d := res.Replies[0].Text.Data
	if d["N"] != 1 || d["Of"] != 5 || d["ByCheckIn"] != 1 {
		t.Fatalf("plenary: %v", d)
	}
	var toggles int
	for _, row := range res.Replies[0].Buttons {
		if row[0].Label.ID == "attn.s_absent" || row[0].Label.ID == "attn.s_present" {
			toggles++
			if row[0].Label.Data["Name"] == "Ṣāliḥ Nuruddin Ḥasibuan" {
				t.Fatalf("a toggle for someone counted by check-in: %+v", row[0])
			}
		}
	}
	if toggles != 4 {
		t.Fatalf("%d toggles, want 4", toggles)
	}
	if got := h.Render("en", res.Replies[0].Text); !strings.Contains(got, "1 of 5 attended. 1 of them count by their check-in at the workshop") {
		t.Errorf("en: %q", got)
	}
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "attn.btn_s_find"))
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "yayasan"), "attn.s_found", "attn.s_find_ask") // Đặng only
	res = h.Text(flowstest.AdminID, "ṣāliḥ")
	flowstest.WantIDs(t, res, "attn.s_find_none", "attn.s_find_ask")
}
