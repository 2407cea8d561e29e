package qr_test

import (
	"bytes"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"sinergi/bot/qr"
)

func TestPNG(t *testing.T) {
	data, err := qr.PNG("https://t.me/SinergiBot?start=checkin_0123456789abcdef0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	if ct := http.DetectContentType(data); ct != "image/png" {
		t.Errorf("content type %q", ct)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Errorf("size %v", b)
	}
	// Decoding the payload would need a QR reader library; not done here.

	if _, err := qr.PNG(""); err == nil {
		t.Error("empty content accepted")
	}
	if _, err := qr.PNG(strings.Repeat("x", 5000)); err == nil {
		t.Error("oversized content accepted")
	}
}
