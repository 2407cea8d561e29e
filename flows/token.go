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

// codeAlphabet has no look-alike characters (0/o, 1/l/i).
const CodeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// NewCode returns a random workshop code of six characters.
func NewCode() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = CodeAlphabet[int(b[i])%len(CodeAlphabet)]
	}
	return string(b[:])
}
