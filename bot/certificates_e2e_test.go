package bot_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// Certificates end to end, against real Redis and the fake Bot API: an
// attendee confirms the spelling and receives the PDF by sendDocument
// (its text has their name, the workshop and the number); the QR link's
// /start verifies it; the team's "send to all" goes through the job queue
// and reaches the other attendee, and never the absentee.
func TestCertificatesEndToEnd(t *testing.T) {
	e := newEnv(t)
	start := time.Date(2026, 12, 10, 2, 0, 0, 0, time.UTC)
	e.clock.Set(start.Add(-time.Hour))
	ctx := context.Background()
	w := &flows.Workshop{Code: flows.NewCode(), Title: "Lokakarya Air Bersih", Zone: "Asia/Jakarta", Start: start,
		End: start.Add(3 * time.Hour), Deadline: start, Venue: "Balai Desa", Facilitators: []int64{adminID}, Owner: adminID,
		CreatedBy: adminID, Created: start.Add(-10 * 24 * time.Hour)}
	if err := e.store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	ps := []telegramtest.User{{ID: 5001, FirstName: "Salih", LanguageCode: "en"}, {ID: 5002, FirstName: "Dang", LanguageCode: "id"},
		{ID: 5003, FirstName: "Absen", LanguageCode: "en"}}
	names := []string{"Ṣāliḥ Nuruddin Ḥasibuan", "Đặng Thu", "Absen"}
	for i, p := range ps {
		if err := e.store.SaveUser(ctx, &flows.User{ID: p.ID, Lang: p.LanguageCode, FirstName: p.FirstName, Consent: flows.ConsentVersion, Created: start, Seen: start}); err != nil {
			t.Fatal(err)
		}
		if err := e.store.SaveProfile(ctx, &flows.Profile{UserID: p.ID, FullName: names[i], Organisation: "Yayasan " + p.FirstName, ConsentVersion: flows.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: p.ID, RegisteredAt: start.Add(-48 * time.Hour), Token: flows.NewToken(), Lang: p.LanguageCode}, start.Add(-48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			if _, err := e.store.CheckIn(ctx, w.Code, p.ID, start.Add(-30*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.clock.Set(w.End.Add(time.Hour))
	b, _ := e.startBot()
	salih := ps[0]

	e.fake.SendText(salih, "/certificates")
	list := e.next(salih.ID)
	contains(t, list, "Your certificate of attendance (1 workshop)")
	e.fake.Press(salih, list.ID, buttonData(t, list, "🎓 Get: Lokakarya Air Bersih"))
	confirm := e.next(salih.ID)
	contains(t, confirm, "Ṣāliḥ Nuruddin Ḥasibuan")
	e.fake.Press(salih, confirm.ID, buttonData(t, confirm, "✅ Right: make the certificate"))
	doc := e.next(salih.ID)
	for doc.Document == nil { // the confirmation's buttons cleared first
		doc = e.next(salih.ID)
	}
	number := strings.ToUpper(w.Code) + "-0001"
	contains(t, doc, "No. "+number)
	pdf := doc.Document.Data
	if doc.Media != "document" || doc.Document.Name != "certificate-"+number+".pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("document %s %+v, %d bytes", doc.Media, doc.Document.Name, len(pdf))
	}
	if text := pdfText(t, pdf); !strings.Contains(text, "Ṣāliḥ Nuruddin Ḥasibuan") || !strings.Contains(text, "Lokakarya Air Bersih") || !strings.Contains(text, number) {
		t.Fatalf("the PDF's text:\n%s", text)
	}

	// Its QR link verifies it.
	c, err := e.store.GetCertificate(ctx, w.Code, salih.ID)
	if err != nil {
		t.Fatal(err)
	}
	stranger := telegramtest.User{ID: 5009, FirstName: "Funder", LanguageCode: "en"}
	e.fake.SendText(stranger, "/start cert_"+c.Code)
	contains(t, e.next(stranger.ID), "Valid certificate of attendance No. "+number+": Ṣāliḥ Nuruddin Ḥasibuan attended Lokakarya Air Bersih")
	e.fake.SendText(stranger, "/start cert_"+strings.Repeat("x", 22))
	contains(t, e.next(stranger.ID), "Certificate not found")

	// The team sends them to all: queued, run by the scheduler.
	admin := telegramtest.User{ID: adminID, FirstName: "Fasilitator", LanguageCode: "en"}
	e.fake.SendText(admin, "/start ws_"+w.Code)
	ws := e.next(admin.ID)
	e.fake.Press(admin, ws.ID, buttonData(t, ws, "Manage"))
	card := e.next(admin.ID)
	e.fake.Press(admin, card.ID, buttonData(t, card, "🎓 Certificates"))
	team := e.next(admin.ID)
	contains(t, team, "2 attendees")
	e.fake.Press(admin, team.ID, buttonData(t, team, "📨 Send to all 2 attendees"))
	for m := e.next(admin.ID); !strings.Contains(m.Plain, "Sending the certificates"); m = e.next(admin.ID) {
	}
	if n, err := b.Tick(ctx); err != nil || n != 2 {
		t.Fatalf("tick: %d jobs, %v", n, err)
	}
	again := e.next(salih.ID)
	if again.Document == nil || again.Document.Name != "certificate-"+number+".pdf" {
		t.Fatalf("sent again: %+v", again)
	}
	contains(t, e.next(ps[1].ID), "Sertifikat kehadiran Anda untuk Lokakarya Air Bersih sudah siap")
	if m := e.fake.BotMessages(ps[2].ID); len(m) != 0 {
		t.Fatalf("the absentee got %d messages", len(m))
	}
}

// pdfText is the PDF's text by poppler's pdftotext (skipped without it
// outside CI; scripts/test installs poppler-utils).
func pdfText(t *testing.T, file []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext is missing (apt-get install poppler-utils)")
		}
		t.Skip("pdftotext is missing")
	}
	path := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
