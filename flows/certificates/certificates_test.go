package certificates_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/certificates"
	"sinergi/flows/flowstest"
)

// seed: a workshop the admin runs; 2 attended it (checked in at the door),
// 3 registered and did not come; the admin's profile names the facilitator.
func seed(t *testing.T) (*flowstest.Harness, *flows.Workshop) {
	t.Helper()
	h := flowstest.New(t, flowstest.AllModules)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "0")
	for _, p := range []flows.Profile{
		{UserID: flowstest.AdminID, FullName: "Maria Goreti", Organisation: "Sekretariat"},
		{UserID: 2, FullName: "Salih Hasibuan", Organisation: "Yayasan Air Bersih"},
		{UserID: 3, FullName: "Budi", Organisation: "Koperasi Maju"},
	} {
		p.ConsentVersion = flows.ConsentVersion
		if err := h.Store.SaveProfile(ctx, &p); err != nil {
			t.Fatal(err)
		}
		if p.UserID != flowstest.AdminID {
			h.Press(p.UserID, "registration.join:"+code)
		}
	}
	w, err := h.Store.GetWorkshop(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	h.Now = w.Start.Add(-time.Hour)
	r, err := h.Store.GetRegistration(ctx, code, 2)
	if err != nil {
		t.Fatal(err)
	}
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "/start checkin_"+r.Token), "checkin.done", "checkin.welcome")
	return h, w
}

// certOf is the certificate a reply carries.
func certOf(t *testing.T, res *flows.Result) *flows.CertificateDoc {
	t.Helper()
	for _, r := range res.Replies {
		if r.Certificate != nil {
			if r.Text.ID != "cert.caption" {
				t.Fatalf("certificate caption %s", r.Text.ID)
			}
			return r.Certificate
		}
	}
	t.Fatalf("no certificate in %v", flowstest.IDs(res))
	return nil
}

// An attendee confirms or corrects the spelling (the correction is the
// certificate's, the profile stays) and gets the certificate: both
// languages' texts, the workshop, the facilitator, a numbered certificate
// whose QR link verifies it (/start cert_<code>: valid, with the name,
// workshop and date); /certificates lists it and sends it again, the same.
func TestCertificate(t *testing.T) {
	h, w := seed(t)
	ctx := context.Background()

	h.Now = w.End.Add(-time.Minute)
	flowstest.WantIDs(t, h.Press(2, "certificates.get:"+w.Code), "cert.not_over")

	h.Now = w.End.Add(time.Hour)
	res := h.Text(2, "/certificates")
	flowstest.WantIDs(t, res, "cert.list")
	if l := res.Replies[0].Text.Data["Lines"].([]flows.Text); len(l) != 1 || l[0].ID != "cert.line_none" {
		t.Fatalf("list %+v", l)
	}
	res = h.Press(2, flowstest.ButtonData(t, res, "cert.btn_get"))
	flowstest.WantIDs(t, res, "cert.confirm")
	if d := res.Replies[0].Text.Data; d["Name"] != "Salih Hasibuan" || d["Org"] != "Yayasan Air Bersih" {
		t.Fatalf("confirm %v", d)
	}
	for lang, want := range map[string]string{"en": "Are the name and organisation spelt right?", "id": "Sudah benar ejaannya?"} {
		if got := h.Render(lang, res.Replies[0].Text); !strings.Contains(got, want) || !strings.Contains(got, "<b>Salih Hasibuan</b>") {
			t.Errorf("%s: %q", lang, got)
		}
	}
	res = h.Press(2, flowstest.ButtonData(t, res, "cert.btn_fix_name"))
	flowstest.WantIDs(t, res, "(clear buttons)", "cert.ask_name")
	flowstest.WantIDs(t, h.Text(2, "1234"), "errors.name_needs_letter", "cert.ask_name")
	res = h.Text(2, "Ṣāliḥ Nuruddin Ḥasibuan")
	flowstest.WantIDs(t, res, "cert.confirm")
	if d := res.Replies[0].Text.Data; d["Name"] != "Ṣāliḥ Nuruddin Ḥasibuan" {
		t.Fatalf("corrected %v", d)
	}
	res = h.Press(2, flowstest.ButtonData(t, res, "cert.btn_ok"))
	doc := certOf(t, res)
	want := strings.ToUpper(w.Code) + "-0001"
	if doc.Person != "Ṣāliḥ Nuruddin Ḥasibuan" || doc.Org != "Yayasan Air Bersih" || doc.Number != want || doc.Title != w.Title ||
		doc.Facilitator != "Maria Goreti" || doc.Forum != "Sinergi" || doc.Name != "certificate-"+want {
		t.Fatalf("certificate %+v", doc)
	}
	if len(doc.Labels) != 2 || doc.Labels[0].Heading != "Sertifikat Kehadiran" || doc.Labels[1].Heading != "Certificate of Attendance" ||
		doc.Labels[0].Dates != "Kamis, 10 Desember 2026" || doc.Labels[1].Dates != "Thursday, 10 December 2026" ||
		doc.Labels[0].Place != "Hotel Sahid, Jakarta / Daring" || doc.Labels[1].Place != "Hotel Sahid, Jakarta / Online" ||
		doc.Labels[1].Verify != "Scan to verify" {
		t.Fatalf("labels %+v", doc.Labels)
	}
	if p, _ := h.Store.GetProfile(ctx, 2); p.FullName != "Salih Hasibuan" {
		t.Fatalf("the profile changed: %q", p.FullName)
	}

	// The QR code's link verifies it, for anyone.
	c, err := h.Store.GetCertificate(ctx, w.Code, 2)
	if err != nil {
		t.Fatal(err)
	}
	link := "https://t.me/sinergi_test_bot?start=cert_" + c.Code
	if doc.Link != link || certificates.Link("sinergi_test_bot", c.Code) != link {
		t.Fatalf("link %q, want %q", doc.Link, link)
	}
	payload := strings.TrimPrefix(link, "https://t.me/sinergi_test_bot?start=")
	res = h.Text(77, "/start "+payload)
	flowstest.WantIDs(t, res, "cert.verify_valid")
	for lang, want := range map[string]string{
		"en": "✅ Valid certificate of attendance No. " + want + ": <b>Ṣāliḥ Nuruddin Ḥasibuan</b> attended <b>" + w.Title + "</b> on Thursday, 10 December 2026.",
		"id": "✅ Sertifikat kehadiran No. " + want + " sah: <b>Ṣāliḥ Nuruddin Ḥasibuan</b> menghadiri <b>" + w.Title + "</b> pada Kamis, 10 Desember 2026.",
	} {
		if got := h.Render(lang, res.Replies[0].Text); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}

	// Listed with its number, sent again the same.
	res = h.Text(2, "/certificates")
	if l := res.Replies[0].Text.Data["Lines"].([]flows.Text); len(l) != 1 || l[0].ID != "cert.line" || l[0].Data["Number"] != want {
		t.Fatalf("list %+v", l)
	}
	again := certOf(t, h.Press(2, flowstest.ButtonData(t, res, "cert.btn_send")))
	if again.Number != want || again.Link != link || again.Person != doc.Person {
		t.Fatalf("again %+v", again)
	}
	// The person's data export has it.
	if got := h.Rendered("id", h.Text(2, "/mydata")); !strings.Contains(got, "Sertifikat kehadiran No. "+want+": Ṣāliḥ Nuruddin Ḥasibuan, Yayasan Air Bersih.") {
		t.Errorf("/mydata:\n%s", got)
	}
	// A second correction keeps the number and the code.
	h.Press(2, "certificates.get:"+w.Code)
	res = h.Press(2, "core.step:"+h.Sess[2].Nonce+":org")
	flowstest.WantIDs(t, res, "(clear buttons)", "cert.ask_org")
	h.Text(2, strings.Repeat("Yayasan Air Bersih Nusa Tenggara ", 7)[:200])
	again = certOf(t, h.Press(2, "core.step:"+h.Sess[2].Nonce+":ok"))
	if again.Number != want || again.Link != link || len([]rune(again.Org)) != 200 {
		t.Fatalf("corrected again %+v", again)
	}
}

// Bad input: a certificate asked for a workshop not attended, or not
// existing; a verification code malformed, unknown, or of someone forgotten.
func TestCertificateRefusals(t *testing.T) {
	h, w := seed(t)
	ctx := context.Background()
	h.Now = w.End.Add(time.Hour)

	res := h.Press(3, "certificates.get:"+w.Code)
	flowstest.WantIDs(t, res, "cert.not_attended")
	for lang, want := range map[string]string{"en": "no attendance of yours is recorded", "id": "kehadiran Anda tidak tercatat"} {
		if got := h.Render(lang, res.Replies[0].Text); !strings.Contains(got, want) {
			t.Errorf("%s: %q", lang, got)
		}
	}
	flowstest.WantIDs(t, h.Press(3, "certificates.send:"+w.Code), "cert.not_attended")
	flowstest.WantIDs(t, h.Text(3, "/certificates"), "cert.none")
	flowstest.WantIDs(t, h.Press(3, "certificates.get:zzzzzz"), "ws.not_found")
	// The team corrected 3 present after all: now it is theirs.
	h.Press(flowstest.AdminID, "attendance.set:"+w.Code+":3:p")
	flowstest.WantIDs(t, h.Press(3, "certificates.get:"+w.Code), "cert.confirm")

	// Malformed (too short, too long) or unknown: not found. Characters
	// Telegram does not allow after /start, or no code: the core's bad link.
	for _, payload := range []string{"cert_x", "cert_" + strings.Repeat("A", 22), "cert_" + strings.Repeat("A", 40), "cert_" + strings.Repeat("_", 22)} {
		flowstest.WantIDs(t, h.Text(77, "/start "+payload), "cert.verify_not_found")
	}
	flowstest.WantIDs(t, h.Text(77, "/start cert_"+strings.Repeat("A", 21)+"!"), "start.bad_link")
	flowstest.WantIDs(t, h.Text(77, "/start cert_"), "start.bad_link")

	// Forgotten: the certificate no longer verifies.
	h.Press(2, "certificates.get:"+w.Code)
	certOf(t, h.Press(2, "core.step:"+h.Sess[2].Nonce+":ok"))
	c, err := h.Store.GetCertificate(ctx, w.Code, 2)
	if err != nil {
		t.Fatal(err)
	}
	flowstest.WantIDs(t, h.Text(77, "/start cert_"+c.Code), "cert.verify_valid")
	// The team corrects 2 to a no-show: the certificate no longer verifies,
	// nor is it sent again; corrected back, it is valid again.
	h.Press(flowstest.AdminID, "attendance.set:"+w.Code+":2:n")
	flowstest.WantIDs(t, h.Text(77, "/start cert_"+c.Code), "cert.verify_not_found")
	flowstest.WantIDs(t, h.Press(2, "certificates.send:"+w.Code), "cert.not_attended")
	h.Press(flowstest.AdminID, "attendance.set:"+w.Code+":2:p")
	flowstest.WantIDs(t, h.Text(77, "/start cert_"+c.Code), "cert.verify_valid")
	if _, err := h.Store.ForgetUser(ctx, 2, h.Now); err != nil {
		t.Fatal(err)
	}
	flowstest.WantIDs(t, h.Text(77, "/start cert_"+c.Code), "cert.verify_not_found")
}

// The team sends the certificates to every attendee at once: one queued
// job each (absentees none), audit logged; an attendee without a
// certificate is asked to confirm the spelling, one with it gets the PDF.
func TestCertificatesSendAll(t *testing.T) {
	h, w := seed(t)
	ctx := context.Background()
	h.Now = w.Start.Add(-time.Hour)
	r4 := flows.Profile{UserID: 4, FullName: "Citra", Organisation: "Org", ConsentVersion: flows.ConsentVersion}
	if err := h.Store.SaveProfile(ctx, &r4); err != nil {
		t.Fatal(err)
	}
	h.Press(4, "registration.join:"+w.Code)
	h.Now = w.Start
	h.Press(4, "registration.online:"+w.Code)

	h.Now = w.End.Add(-time.Minute)
	card := h.Press(flowstest.AdminID, "workshops.manage:"+w.Code)
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, flowstest.ButtonData(t, card, "cert.btn_team")), "cert.team_not_over")
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "certificates.send_all:"+w.Code), "cert.team_not_over")

	h.Now = w.End.Add(time.Hour)
	// 2 has theirs already.
	h.Press(2, "certificates.get:"+w.Code)
	certOf(t, h.Press(2, "core.step:"+h.Sess[2].Nonce+":ok"))

	res := h.Press(flowstest.AdminID, "certificates.team:"+w.Code)
	flowstest.WantIDs(t, res, "cert.team")
	if d := res.Replies[0].Text.Data; d["Count"] != 2 || d["Issued"] != 1 {
		t.Fatalf("team %v", d)
	}
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "cert.btn_send_all"))
	flowstest.WantIDs(t, res, "(clear buttons)", "cert.sending")
	for uid, want := range map[string]bool{"2": true, "3": false, "4": true} {
		if got := h.Store.HasJob(certificates.JobSend + "|" + w.Code + "|" + uid); got != want {
			t.Errorf("job for %s: %v, want %v", uid, got, want)
		}
	}
	if a := h.Store.AuditTrail(); a[len(a)-1].Action != flows.AuditCertSend || a[len(a)-1].Target != w.Code {
		t.Fatalf("audit %+v", a[len(a)-1])
	}
	run := func(uid string) []flows.Reply {
		t.Helper()
		out, err := h.E.RunJob(ctx, flows.Job{ID: certificates.JobSend + "|" + w.Code + "|" + uid}, h.Now)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := run("2"); len(out) != 1 || out[0].Certificate == nil || out[0].ChatID != 2 || !out[0].Bulk {
		t.Fatalf("to 2: %+v", out)
	}
	out := run("4")
	if len(out) != 1 || out[0].Text.ID != "cert.ready" || out[0].ChatID != 4 || out[0].Buttons[0][0].Data != "certificates.get:"+w.Code {
		t.Fatalf("to 4: %+v", out)
	}
	// A job for someone who did not attend (the team corrected it since) sends nothing.
	h.Press(flowstest.AdminID, "attendance.set:"+w.Code+":4:n")
	if out := run("4"); len(out) != 0 {
		t.Fatalf("to 4 after the correction: %+v", out)
	}
	if out := run("3"); len(out) != 0 {
		t.Fatalf("to 3: %+v", out)
	}
}

// The certificate lists the sessions attended, in the agenda's order:
// every plenary one (the attendee was present at the workshop) and the
// parallel one they were marked at — not the one they chose and were not
// marked at, nor one only others attended; the label in both languages.
func TestCertificateSessions(t *testing.T) {
	h, w := seed(t)
	ctx := context.Background()
	for _, s := range []flows.AgendaSession{
		{ID: "s00000001", Title: "Pembukaan", Start: w.Start, End: w.Start.Add(30 * time.Minute)},
		{ID: "s00000002", Title: "FGD Air", Start: w.Start.Add(30 * time.Minute), End: w.Start.Add(90 * time.Minute), Capacity: 5},
		{ID: "s00000003", Title: "FGD Sanitasi", Start: w.Start.Add(30 * time.Minute), End: w.Start.Add(90 * time.Minute), Capacity: 5},
		{ID: "s00000004", Title: "FGD Hutan", Start: w.Start.Add(90 * time.Minute), End: w.Start.Add(2 * time.Hour), Capacity: 5},
		{ID: "s00000005", Title: "Penutupan", Start: w.Start.Add(2 * time.Hour), End: w.End},
	} {
		if _, err := h.Store.SaveSession(ctx, w.Code, s, flows.MaxSessions); err != nil {
			t.Fatal(err)
		}
	}
	for _, sid := range []string{"s00000002", "s00000004"} {
		if err := h.Store.SignUp(ctx, w.Code, sid, 2); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Store.SignUp(ctx, w.Code, "s00000003", 3); err != nil {
		t.Fatal(err)
	}
	// The team marks Salih at FGD Air (not at FGD Hutan), Budi at FGD Sanitasi.
	h.Now = w.Start.Add(time.Hour)
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "attendance.mark:"+w.Code+":s00000002:2:p:0"), "attn.s_session")
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "attendance.mark:"+w.Code+":s00000003:3:p:0"), "attn.s_session")

	h.Now = w.End.Add(time.Hour)
	res := h.Press(2, "certificates.get:"+w.Code)
	flowstest.WantIDs(t, res, "cert.confirm")
	doc := certOf(t, h.Press(2, flowstest.ButtonData(t, res, "cert.btn_ok")))
	if got := strings.Join(doc.Sessions, "|"); got != "Pembukaan|FGD Air|Penutupan" {
		t.Fatalf("sessions %q", got)
	}
	if doc.Labels[0].Sessions != "Sesi yang diikuti" || doc.Labels[1].Sessions != "Sessions attended" {
		t.Fatalf("labels %+v", doc.Labels)
	}
}
