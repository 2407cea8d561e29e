package flows

import (
	"crypto/rand"
	"encoding/base64"
)

// NewToken returns 128 random bits, URL-safe (22 characters): unguessable
// and short enough for a deep-link payload.
func NewToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
