// Package qr draws the QR code of a link ([flows.QRCode]) as a PNG with
// github.com/skip2/go-qrcode.
package qr

import (
	"fmt"

	qrcode "github.com/skip2/go-qrcode"
)

// PNG encodes content (a URL) as a 512×512 PNG QR code with medium error
// correction. It fails when content is empty or too long for a QR code.
func PNG(content string) ([]byte, error) {
	if content == "" {
		return nil, fmt.Errorf("qr code: empty content")
	}
	png, err := qrcode.Encode(content, qrcode.Medium, 512)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	return png, nil
}
