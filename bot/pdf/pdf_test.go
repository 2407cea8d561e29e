package pdf_test

import (
	"bytes"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sinergi/bot/pdf"
	"sinergi/bot/qr"
	"sinergi/flows"
)

// pdftotext is the text poppler reads from file, whitespace collapsed;
// the test fails (in CI: scripts/test installs poppler-utils) or, on a
// machine without poppler, skips.
func pdftotext(t *testing.T, file []byte, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext is missing (apt-get install poppler-utils)")
		}
		t.Skip("pdftotext is missing (apt-get install poppler-utils)")
	}
	path := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, append(args, path, "-")...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func pdfinfo(t *testing.T, file []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdfinfo")
	if err != nil {
		t.Skip("pdfinfo is missing (apt-get install poppler-utils)")
	}
	path := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v: %s", err, out)
	}
	return string(out)
}

func doc(person, org string) *flows.CertificateDoc {
	return &flows.CertificateDoc{Name: "certificate-ABC123-0007", Number: "ABC123-0007", Link: "https://t.me/sinergi_bot?start=cert_AAAAAAAAAAAAAAAAAAAAAA",
		Person: person, Org: org, Forum: "Forum Sinergi NTT", Title: "Joint Action: air bersih di Flores", Facilitator: "Đặng Văn Lâm",
		Labels: []flows.CertificateLabels{
			{Heading: "Sertifikat Kehadiran", Awarded: "diberikan kepada", Attended: "atas kehadirannya dalam", Dates: "Kamis, 10 Desember 2026",
				Place: "Hotel Sahid, Kupang / Daring", Facilitator: "Fasilitator", Organiser: "Penyelenggara", Number: "No.", Verify: "Pindai untuk memeriksa keaslian"},
			{Heading: "Certificate of Attendance", Awarded: "is awarded to", Attended: "for attending", Dates: "Thursday, 10 December 2026",
				Place: "Hotel Sahid, Kupang / Online", Facilitator: "Facilitator", Organiser: "Organiser", Number: "No.", Verify: "Scan to verify"},
		}}
}

func build(t *testing.T, d *flows.CertificateDoc) []byte {
	t.Helper()
	code, err := qr.PNG(d.Link)
	if err != nil {
		t.Fatal(err)
	}
	file, err := pdf.Certificate(d, code)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(file, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", file[:min(len(file), 16)])
	}
	return file
}

// The certificate parses, is one A4 landscape page, and reads the person's
// name with its diacritics, the organisation, the workshop, the date and
// place and the number in both languages; the QR code links to the
// verification link.
func TestCertificate(t *testing.T) {
	file := build(t, doc("Ṣāliḥ Nuruddin Ḥasibuan", "Yayasan Pengembangan Masyarakat Desa"))
	info := pdfinfo(t, file)
	if !strings.Contains(info, "Pages:           1") || !strings.Contains(info, "841.89 x 595.28 pts (A4)") {
		t.Fatalf("not one A4 landscape page:\n%s", info)
	}
	text := pdftotext(t, file)
	for _, want := range []string{"Forum Sinergi NTT", "SERTIFIKAT KEHADIRAN", "Certificate of Attendance", "diberikan kepada / is awarded to",
		"Ṣāliḥ Nuruddin Ḥasibuan", "Yayasan Pengembangan Masyarakat Desa", "atas kehadirannya dalam / for attending",
		"Joint Action: air bersih di Flores", "Kamis, 10 Desember 2026", "Thursday, 10 December 2026",
		"Hotel Sahid, Kupang / Daring / Hotel Sahid, Kupang / Online", "Đặng Văn Lâm", "Fasilitator / Facilitator",
		"Penyelenggara / Organiser", "No. ABC123-0007", "Pindai untuk memeriksa keaslian / Scan to verify"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	if !bytes.Contains(file, []byte("/URI (https://t.me/sinergi_bot?start=cert_AAAAAAAAAAAAAAAAAAAAAA)")) {
		t.Error("the QR code does not link to the verification link")
	}
}

// Characters the font lacks are replaced, never drawn broken: CJK and
// emoji become "?", fullwidth letters the letters; controls go; the rest of the
// name stays. A 200-character organisation wraps (shrunk) inside the
// page, every word of it there.
func TestCertificateBadInput(t *testing.T) {
	org := strings.Repeat("Perkumpulan Pemberdayaan Masyarakat ", 6)[:200]
	file := build(t, doc("王小明 Đặng\u0000 Thị Ｆｉｔｒｉ 😀\u200b", org))
	text := pdftotext(t, file)
	if !strings.Contains(text, "??? Đặng Thị Fitri ?") {
		t.Errorf("the name is not replaced as expected:\n%s", text)
	}
	if !strings.Contains(text, strings.Join(strings.Fields(org), " ")) {
		t.Errorf("the organisation is not whole:\n%s", text)
	}
	// Every line of the text lies inside the frame (10 mm = 28.35 pt from
	// each edge): the long organisation wrapped rather than ran off.
	bbox := pdftotextBBox(t, file)
	for _, w := range bbox {
		if w.xMin < 28 || w.xMax > 841.89-28 || w.yMin < 28 || w.yMax > 595.28-28 {
			t.Errorf("word %q at %+v is outside the frame", w.text, w)
		}
	}
}

var wordLine = regexp.MustCompile(`^<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">(.*)</word>$`)

type word struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

// pdftotextBBox is every word with its box, in points (pdftotext -bbox).
func pdftotextBBox(t *testing.T, file []byte) []word {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext is missing")
	}
	path := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-bbox", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v: %s", err, out)
	}
	var words []word
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "<word ") {
			continue
		}
		m := wordLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("bbox line %q", line)
		}
		w := word{text: html.UnescapeString(m[5])}
		for i, f := range []*float64{&w.xMin, &w.yMin, &w.xMax, &w.yMax} {
			if *f, err = strconv.ParseFloat(m[i+1], 64); err != nil {
				t.Fatalf("bbox line %q: %v", line, err)
			}
		}
		words = append(words, w)
	}
	if len(words) < 20 {
		t.Fatalf("only %d words in the bbox output:\n%s", len(words), out)
	}
	return words
}

// The sessions attended are listed under their label in both languages,
// every title whole, and stay in their box however many: twelve long
// titles beside a long organisation and title shrink and wrap left of the
// QR code and above the signature lines, no word outside the frame nor on
// the QR code nor the lines.
func TestCertificateSessions(t *testing.T) {
	mm := 72 / 25.4 // points per millimetre
	d := doc("Ṣāliḥ Nuruddin Ḥasibuan", strings.Repeat("Perkumpulan Pemberdayaan Masyarakat ", 6)[:200])
	d.Title = strings.Repeat("Lokakarya Aksi Bersama untuk Air Bersih dan Sanitasi Desa ", 3)[:150]
	d.Labels[0].Sessions, d.Labels[1].Sessions = "Sesi yang diikuti", "Sessions attended"
	for i := range 12 {
		d.Sessions = append(d.Sessions, fmt.Sprintf("Diskusi Kelompok Terfokus %02d: Tata Kelola Air Bersih, Sanitasi dan Kesehatan Lingkungan di Desa Pesisir Ṣāliḥ", i+1))
	}
	file := build(t, d)
	if info := pdfinfo(t, file); !strings.Contains(info, "Pages:           1") {
		t.Fatalf("not one page:\n%s", info)
	}
	text := pdftotext(t, file)
	for _, want := range append([]string{"Sesi yang diikuti / Sessions attended"}, d.Sessions...) {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	for _, w := range pdftotextBBox(t, file) {
		if w.xMin < 28 || w.xMax > 841.89-28 || w.yMin < 28 || w.yMax > 595.28-28 {
			t.Errorf("word %q at %+v is outside the frame", w.text, w)
		}
		if w.xMax > 230*mm && w.xMin < 268*mm && w.yMax > 138*mm && w.yMin < 176*mm {
			t.Errorf("word %q at %+v is on the QR code", w.text, w)
		}
		if w.yMax > 168.5*mm && w.yMin < 172.5*mm {
			t.Errorf("word %q at %+v is on the signature lines", w.text, w)
		}
	}
}

// Thirty sessions of 120 characters still leave the page whole: what does
// not fit at the smallest size is cut with "…", inside the box.
func TestCertificateSessionsCut(t *testing.T) {
	mm := 72 / 25.4
	d := doc("Budi", strings.Repeat("Perkumpulan Pemberdayaan Masyarakat ", 6)[:200])
	d.Labels[0].Sessions, d.Labels[1].Sessions = "Sesi yang diikuti", "Sessions attended"
	for i := range 30 {
		d.Sessions = append(d.Sessions, fmt.Sprintf("Sesi %02d %s", i+1, strings.Repeat("Tata Kelola Air Bersih dan Sanitasi ", 4)[:112]))
	}
	file := build(t, d)
	text := pdftotext(t, file)
	if !strings.Contains(text, d.Sessions[0]) {
		t.Errorf("the first session is missing:\n%s", text)
	}
	for _, w := range pdftotextBBox(t, file) {
		if w.xMax > 230*mm && w.xMin < 268*mm && w.yMax > 138*mm && w.yMin < 176*mm {
			t.Errorf("word %q at %+v is on the QR code", w.text, w)
		}
		if w.yMax > 168.5*mm && w.yMin < 172.5*mm {
			t.Errorf("word %q at %+v is on the signature lines", w.text, w)
		}
	}
}
