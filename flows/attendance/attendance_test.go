package attendance_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// seed: a workshop (online link and venue) with five confirmed
// registrants of three organisations; the team is the admin.
func seed(t *testing.T) (*flowstest.Harness, *flows.Workshop) {
	t.Helper()
	h := flowstest.New(t, flowstest.AllModules)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "0")
	people := []flows.Profile{
		{UserID: 2, FullName: "Ṣāliḥ Nuruddin Ḥasibuan", Organisation: "Yayasan Air"},
		{UserID: 3, FullName: "Đặng Thu", Organisation: "Yayasan Air"},
		{UserID: 4, FullName: "Budi", Organisation: "Koperasi Maju"},
		{UserID: 5, FullName: "Citra", Organisation: "Koperasi Maju"},
		{UserID: 6, FullName: "Dewi", Organisation: "Perkumpulan <b>Lain</b>"},
	}
	for _, p := range people {
		p.ConsentVersion = flows.ConsentVersion
		if err := h.Store.SaveProfile(ctx, &p); err != nil {
			t.Fatal(err)
		}
		flowstest.WantIDs(t, h.Press(p.UserID, "registration.join:"+code), "ws.confirmed", "ws.ics_caption", "ws.qr_caption")
	}
	w, err := h.Store.GetWorkshop(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	return h, w
}

// checkInQR opens uid's QR link as the team.
func checkInQR(t *testing.T, h *flowstest.Harness, w *flows.Workshop, uid int64) {
	t.Helper()
	r, err := h.Store.GetRegistration(context.Background(), w.Code, uid)
	if err != nil {
		t.Fatal(err)
	}
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "/start checkin_"+r.Token), "checkin.done", "checkin.welcome")
}

// Online attendance: the "I'm attending online" button is accepted from
// SINERGI_ONLINE_OPENS before the start to SINERGI_ONLINE_CLOSES after the
// end; outside, a clear message says when it opens or that it closed (in
// both languages).
func TestOnlineAttendanceWindow(t *testing.T) {
	h, w := seed(t)
	ctx := context.Background()
	att := "registration.online:" + w.Code

	h.Now = w.Start.Add(-flows.DefaultOnlineOpens - time.Second)
	res := h.Press(2, att)
	if res.Answer == nil || res.Answer.Text.ID != "att.too_early" {
		t.Fatalf("before the window: %+v", res.Answer)
	}
	h.Now = w.Start.Add(-flows.DefaultOnlineOpens)
	flowstest.WantIDs(t, h.Press(2, att), "(clear buttons)", "att.done")

	h.Now = w.End.Add(flows.DefaultOnlineCloses - time.Second)
	flowstest.WantIDs(t, h.Press(3, att), "(clear buttons)", "att.done", "sv.invite")

	h.Now = w.End.Add(flows.DefaultOnlineCloses)
	res = h.Press(4, att)
	if res.Answer == nil || res.Answer.Text.ID != "att.closed_at" {
		t.Fatalf("after the window: %+v", res.Answer)
	}
	for lang, want := range map[string]string{"en": "closed at Thursday, 10 December 2026 12:30 WITA", "id": "ditutup pada Kamis, 10 Desember 2026 12.30 WITA"} {
		if got := h.Render(lang, res.Answer.Text); !strings.Contains(got, want) {
			t.Errorf("%s: %q lacks %q", lang, got, want)
		}
	}
	for uid, want := range map[int64]bool{2: true, 3: true, 4: false} {
		r, _ := h.Store.GetRegistration(ctx, w.Code, uid)
		if got := !r.CheckedInAt.IsZero(); got != want {
			t.Errorf("%d checked in %v, want %v", uid, got, want)
		}
	}
}

// The team's list: present / absent / no-show per person and per
// organisation, from the card's 🧾 button and /attendance, in both
// languages; before the check-in closes whoever is not in is absent, after
// it a no-show unless the team excused them; the CSV has everyone.
func TestAttendanceList(t *testing.T) {
	h, w := seed(t)
	h.Now = w.Start.Add(-time.Hour)
	checkInQR(t, h, w, 2)
	h.Now = w.Start
	flowstest.WantIDs(t, h.Press(3, "registration.online:"+w.Code), "(clear buttons)", "att.done")

	// During the workshop: nobody is a no-show yet.
	card := h.Press(flowstest.AdminID, "workshops.manage:"+w.Code)
	res := h.Press(flowstest.AdminID, flowstest.ButtonData(t, card, "attn.btn"))
	flowstest.WantIDs(t, res, "attn.list")
	d := res.Replies[0].Text.Data
	if d["Count"] != 5 || d["Present"] != 2 || d["Absent"] != 3 || d["NoShow"] != 0 {
		t.Fatalf("during: %v", d)
	}

	// The team excuses Citra; the check-in closes.
	h.Now = w.End.Add(3 * time.Hour)
	h.Text(flowstest.AdminID, "/attendance")
	res = h.Press(flowstest.AdminID, "attendance.fix:"+w.Code)
	flowstest.WantIDs(t, res, "attn.fix_ask")
	res = h.Text(flowstest.AdminID, "citra")
	flowstest.WantIDs(t, res, "attn.fix_found", "attn.fix_ask")
	res = h.Press(flowstest.AdminID, res.Replies[0].Buttons[0][0].Data)
	flowstest.WantIDs(t, res, "attn.person")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "attn.set.absent"))
	flowstest.WantIDs(t, res, "(clear buttons)", "attn.set_done")

	res = h.Press(flowstest.AdminID, "attendance.show:"+w.Code)
	d = res.Replies[0].Text.Data
	if d["Count"] != 5 || d["Present"] != 2 || d["Absent"] != 1 || d["NoShow"] != 2 {
		t.Fatalf("after: %v", d)
	}
	en := h.Render("en", res.Replies[0].Text)
	for _, want := range []string{
		"5 confirmed registrants: 2 present, 1 absent, 2 no-show.",
		"• Yayasan Air: 2 present, 0 absent, 0 no-show",
		"• Koperasi Maju: 0 present, 1 absent, 1 no-show",
		"• Perkumpulan &lt;b&gt;Lain&lt;/b&gt;: 0 present, 0 absent, 1 no-show",
		"• Budi (Koperasi Maju): ❌ no-show",
		"• Citra (Koperasi Maju): ▫️ absent",
		"• Ṣāliḥ Nuruddin Ḥasibuan (Yayasan Air): ✅ present",
		"• Đặng Thu (Yayasan Air): ✅ present",
	} {
		if !strings.Contains(en, want) {
			t.Errorf("en list lacks %q:\n%s", want, en)
		}
	}
	id := h.Render("id", res.Replies[0].Text)
	for _, want := range []string{
		"5 pendaftar terkonfirmasi: 2 hadir, 1 absen, 2 tidak datang.",
		"• Koperasi Maju: 0 hadir, 1 absen, 1 tidak datang",
		"• Citra (Koperasi Maju): ▫️ absen",
	} {
		if !strings.Contains(id, want) {
			t.Errorf("id list lacks %q:\n%s", want, id)
		}
	}

	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "attn.btn_csv"))
	flowstest.WantIDs(t, res, "attn.csv_caption")
	doc := res.Replies[0].Document
	if doc == nil || doc.Name != "attendance-"+w.Code+".csv" {
		t.Fatalf("csv %+v", res.Replies[0])
	}
	csv := string(doc.Data)
	for _, want := range []string{"name,organisation,attendance,checked_in\r\n", "Budi,Koperasi Maju,no_show,\r\n", "Citra,Koperasi Maju,absent,\r\n",
		"Ṣāliḥ Nuruddin Ḥasibuan,Yayasan Air,present,2026-12-10 08:00\r\n", "Đặng Thu,Yayasan Air,present,2026-12-10 09:00\r\n"} {
		if !strings.Contains(csv, want) {
			t.Errorf("csv lacks %q:\n%s", want, csv)
		}
	}
}

// A correction: the team marks a no-show present and a present person a
// no-show; each is in the audit trail with the new status, and only the
// team may.
func TestAttendanceCorrection(t *testing.T) {
	h, w := seed(t)
	ctx := context.Background()
	h.Now = w.Start.Add(-time.Hour)
	checkInQR(t, h, w, 2)
	h.Now = w.End.Add(3 * time.Hour)

	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "attendance.set:"+w.Code+":4:p"), "(clear buttons)", "attn.set_done")
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "attendance.set:"+w.Code+":2:n"), "(clear buttons)", "attn.set_done")
	for uid, want := range map[int64]bool{2: false, 4: true} {
		if r, _ := h.Store.GetRegistration(ctx, w.Code, uid); r.CheckedInAt.IsZero() == want {
			t.Errorf("%d checked in: %v, want %v", uid, !r.CheckedInAt.IsZero(), want)
		}
	}
	var got []string
	for _, a := range h.Store.AuditTrail() {
		if a.Action == flows.AuditAttendance {
			got = append(got, a.Target)
		}
	}
	if want := w.Code + ":present " + w.Code + ":no_show"; strings.Join(got, " ") != want {
		t.Fatalf("audit %v, want %s", got, want)
	}
	// Not the team's: a participant, a stranger's bad button, someone not registered.
	flowstest.Alert(t, h.Press(3, "attendance.set:"+w.Code+":3:p"), "errors.not_allowed")
	flowstest.Alert(t, h.Press(flowstest.AdminID, "attendance.set:"+w.Code+":4:x"), "errors.bad_button")
	flowstest.Alert(t, h.Press(flowstest.AdminID, "attendance.set:"+w.Code+":99:p"), "attn.not_confirmed")
}
