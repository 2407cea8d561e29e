// Package pdf makes the PDF of a certificate of attendance
// ([flows.CertificateDoc]) with github.com/go-pdf/fpdf: A4 landscape, the
// texts in Indonesian and English, the QR code of its verification link.
//
// The font is DejaVu Sans (fonts/DejaVuSans.ttf, the Bitstream Vera licence
// with public-domain changes, fonts/LICENSE-DejaVu.txt: free to embed and
// redistribute), embedded into the binary and subset into each file. It
// covers Latin with every diacritic Indonesian names use (and Vietnamese,
// Arabic transliteration: Ṣāliḥ, Đặng), Greek and Cyrillic. A character it
// lacks (CJK, emoji, anything beyond the Basic Multilingual Plane) is
// replaced, never drawn as a broken glyph: by its decomposition's letters
// when the font has them (ﬁ → fi), else by "?".
package pdf

import (
	"bytes"
	_ "embed" // the font
	"fmt"
	"strings"
	"sync"
	"unicode"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"

	"sinergi/flows"
)

//go:embed fonts/DejaVuSans.ttf
var dejaVuSans []byte

const family = "dejavu"

// parsed is the font's glyph table, read once.
var parsed = sync.OnceValues(func() (*sfnt.Font, error) { return sfnt.Parse(dejaVuSans) })

// Page geometry, in millimetres (A4 landscape).
const (
	pageW, pageH = 297.0, 210.0
	textW        = 230.0 // the width of the centred texts
	textX        = (pageW - textW) / 2
	// The sessions attended fill the box left of the QR code (from x 230)
	// and above the signature lines (at y 172).
	sessionsX, sessionsW, sessionsBottom = 28.0, 196.0, 168.0
	// Centred across the page instead when they fit above the QR code
	// (at qrTop) at sessionsWide points or more.
	qrTop, sessionsWide = 136.0, 7.0
	// Their sizes, in points: shrunk from max down to min until they fit.
	sessionsMax, sessionsMin = 10.0, 4.0
)

// Certificate makes the PDF of doc; qrPNG is the QR code of doc.Link (a
// PNG, bot/qr).
func Certificate(doc *flows.CertificateDoc, qrPNG []byte) ([]byte, error) {
	if len(doc.Labels) == 0 {
		return nil, fmt.Errorf("certificate %s: no labels", doc.Number)
	}
	font, err := parsed()
	if err != nil {
		return nil, fmt.Errorf("certificate font: %w", err)
	}
	c := &cert{pdf: fpdf.New("L", "mm", "A4", ""), font: font}
	p := c.pdf
	p.SetAutoPageBreak(false, 0)
	p.SetMargins(0, 0, 0)
	p.AddUTF8FontFromBytes(family, "", dejaVuSans)
	main, other := doc.Labels[0], doc.Labels[len(doc.Labels)-1]
	p.SetTitle(c.clean(main.Heading+" — "+doc.Person+" — "+doc.Title), true)
	p.SetAuthor(c.clean(doc.Forum), true)
	p.SetCreator("Sinergi", false)
	p.AddPage()

	// A double frame.
	p.SetDrawColor(40, 80, 120)
	p.SetLineWidth(1.2)
	p.Rect(10, 10, pageW-20, pageH-20, "D")
	p.SetLineWidth(0.3)
	p.Rect(13, 13, pageW-26, pageH-26, "D")

	y := 22.0
	p.SetTextColor(90, 90, 90)
	y = c.block(doc.Forum, y, 13, 9, 1)
	y += 3
	p.SetTextColor(40, 80, 120)
	y = c.block(strings.ToUpper(main.Heading), y, 28, 16, 1)
	if len(doc.Labels) > 1 {
		p.SetTextColor(90, 90, 90)
		y = c.block(other.Heading, y, 14, 9, 1)
	}
	y += 4
	p.SetTextColor(60, 60, 60)
	y = c.block(bilingual(main.Awarded, other.Awarded, len(doc.Labels)), y, 11, 8, 1)
	y += 2
	p.SetTextColor(0, 0, 0)
	y = c.block(doc.Person, y, 26, 12, 2)
	if doc.Org != "" {
		p.SetTextColor(40, 40, 40)
		y = c.block(doc.Org, y, 14, 7, 3)
	}
	y += 3
	p.SetTextColor(60, 60, 60)
	y = c.block(bilingual(main.Attended, other.Attended, len(doc.Labels)), y, 11, 8, 1)
	y += 1
	p.SetTextColor(0, 0, 0)
	y = c.block(doc.Title, y, 17, 9, 2)
	y += 1
	p.SetTextColor(60, 60, 60)
	y = c.block(main.Dates, y, 11, 7, 1)
	if len(doc.Labels) > 1 && other.Dates != main.Dates {
		y = c.block(other.Dates, y, 10, 7, 1)
	}
	y = c.block(bilingual(main.Place, other.Place, len(doc.Labels)), y, 11, 7, 2)
	c.sessions(bilingual(main.Sessions, other.Sessions, len(doc.Labels)), doc.Sessions, y+1)

	// Signature lines: the facilitator's and the forum's.
	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(0.3)
	for _, s := range []struct {
		x          float64
		name, role string
	}{
		{28, doc.Facilitator, bilingual(main.Facilitator, other.Facilitator, len(doc.Labels))},
		{118, doc.Forum, bilingual(main.Organiser, other.Organiser, len(doc.Labels))},
	} {
		p.Line(s.x, 172, s.x+80, 172)
		p.SetTextColor(0, 0, 0)
		c.cell(s.x, 173, 80, s.name, 11, 7)
		p.SetTextColor(90, 90, 90)
		c.cell(s.x, 179, 80, s.role, 9, 6)
	}

	// The QR code of the verification link, the number under it.
	if len(qrPNG) > 0 {
		p.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(qrPNG))
		p.ImageOptions("qr", 230, 138, 38, 38, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, doc.Link)
	}
	p.SetTextColor(0, 0, 0)
	c.cell(212, 177, 74, bilingual(main.Number, other.Number, len(doc.Labels))+" "+doc.Number, 9, 6)
	p.SetTextColor(90, 90, 90)
	c.cell(212, 182, 74, bilingual(main.Verify, other.Verify, len(doc.Labels)), 7, 5)

	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("certificate %s: %w", doc.Number, err)
	}
	return buf.Bytes(), nil
}

// bilingual is "main / other" (just main with one language, or when the
// two are the same).
func bilingual(main, other string, langs int) string {
	if langs < 2 || main == other || other == "" {
		return main
	}
	return main + " / " + other
}

type cert struct {
	pdf  *fpdf.Fpdf
	font *sfnt.Font
	buf  sfnt.Buffer
}

// has: the font draws r.
func (c *cert) has(r rune) bool {
	if r > 0xFFFF {
		return false // fpdf's width table covers the BMP only
	}
	i, err := c.font.GlyphIndex(&c.buf, r)
	return err == nil && i != 0
}

// clean makes s drawable with the font: composed (NFC), controls and
// invisible format characters dropped, line breaks as spaces, and every
// character the font lacks replaced by the letters of its decomposition
// that it has, else by "?".
func (c *cert) clean(s string) string {
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteRune(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
		case c.has(r):
			b.WriteRune(r)
		default:
			kept := false
			for _, d := range norm.NFKD.String(string(r)) {
				if c.has(d) && !unicode.IsControl(d) {
					b.WriteRune(d)
					kept = true
				}
			}
			if !kept {
				b.WriteRune('?')
			}
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// fit is the largest font size from max down to min (in steps of half a
// point) at which s takes at most lines lines of width w, and those lines;
// at min it wraps into as many lines as it takes.
func (c *cert) fit(s string, w, max, min float64, lines int) (float64, []string) {
	for size := max; ; size -= 0.5 {
		if size < min {
			size = min
		}
		c.pdf.SetFont(family, "", size)
		out := c.pdf.SplitText(s, w)
		if len(out) <= lines || size == min {
			return size, out
		}
	}
}

// block draws s centred across the text width from y, shrunk to fit in
// lines lines if it can, and returns the y below it.
func (c *cert) block(s string, y, max, min float64, lines int) float64 {
	s = c.clean(s)
	if s == "" {
		return y
	}
	size, out := c.fit(s, textW, max, min, lines)
	h := size * 0.45 // line height in mm for a size in points
	for _, l := range out {
		c.pdf.SetXY(textX, y)
		c.pdf.CellFormat(textW, h, l, "", 0, "C", false, 0, "")
		y += h
	}
	return y + 1
}

// cell draws s centred in a box of width w at (x, y), shrunk to one line
// (or cut with "…" at min).
func (c *cert) cell(x, y, w float64, s string, max, min float64) {
	s = c.clean(s)
	size, out := c.fit(s, w, max, min, 1)
	if len(out) == 0 {
		return
	}
	line := out[0]
	if len(out) > 1 {
		line += "…"
	}
	c.pdf.SetXY(x, y)
	c.pdf.CellFormat(w, size*0.45, line, "", 0, "C", false, 0, "")
}

// sessions draws the titles of the sessions attended under their label:
// one paragraph, the titles separated by " · ", centred across the page
// when it fits above the QR code (at a size of at least sessionsWide),
// else in the box left of the QR code down to sessionsBottom, at the
// largest size down to sessionsMin at which it fits; what still does not
// fit at the smallest is cut with "…".
func (c *cert) sessions(label string, titles []string, y float64) {
	var clean []string
	for _, t := range titles {
		if t = c.clean(t); t != "" {
			clean = append(clean, t)
		}
	}
	if len(clean) == 0 || y >= sessionsBottom {
		return
	}
	text := strings.Join(clean, " · ")
	// fit is the largest size from sessionsMax down to least at which the
	// label and the lines take at most room in width w, and those lines.
	fit := func(w, room, least float64) (float64, []string, bool) {
		for size := sessionsMax; size >= least; size -= 0.5 {
			c.pdf.SetFont(family, "", size)
			lines := c.pdf.SplitText(text, w)
			if h := size * 0.45; h+0.5+float64(len(lines))*h <= room {
				return size, lines, true
			}
		}
		return least, nil, false
	}
	x, w := textX, textW
	size, lines, ok := fit(textW, qrTop-y, sessionsWide)
	if !ok {
		x, w = sessionsX, sessionsW
		if size, lines, ok = fit(sessionsW, sessionsBottom-y, sessionsMin); !ok {
			// Cut at the smallest size.
			size = sessionsMin
			c.pdf.SetFont(family, "", size)
			lines = c.pdf.SplitText(text, w)
			h := size * 0.45
			keep := max(0, int((sessionsBottom-y-h-0.5)/h))
			if keep < len(lines) {
				lines = lines[:keep]
				if keep > 0 {
					lines[keep-1] += " …"
				}
			}
		}
	}
	h := size * 0.45
	c.pdf.SetFont(family, "", size)
	c.pdf.SetTextColor(60, 60, 60)
	c.pdf.SetXY(x, y)
	c.pdf.CellFormat(w, h, c.clean(label), "", 0, "C", false, 0, "")
	y += h + 0.5
	c.pdf.SetTextColor(0, 0, 0)
	for _, l := range lines {
		c.pdf.SetXY(x, y)
		c.pdf.CellFormat(w, h, l, "", 0, "C", false, 0, "")
		y += h
	}
}
