// Package keyslot computes the Redis Cluster hash slot of a key, so the
// store can group a batch by slot and tests can check that what must run in
// one slot does.
package keyslot

import (
	"context"
	"strings"
)

// Slots is the number of Redis Cluster hash slots.
const Slots = 16384

// Slot is the Cluster slot of key: CRC16 (XMODEM) of the key, or of its
// hash tag — the text between the first "{" and the first "}" after it,
// when that text is not empty — modulo 16384.
func Slot(key string) int {
	return int(CRC16(Tag(key)) % Slots)
}

// Tag is the part of key that Slot hashes: its hash tag, or the whole key
// when it has none.
func Tag(key string) string {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			return key[i+1 : i+1+j]
		}
	}
	return key
}

// CRC16 is the CRC-16/XMODEM checksum of s (polynomial 0x1021, initial value
// 0), the one Redis Cluster uses.
func CRC16(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

type singleNodeKey struct{}

// SingleNodeOnly marks ctx for a transaction that deliberately spans Cluster
// slots because it is sent only to a single Redis server, never to a
// Cluster (the store's group commit on one node). A slot check on a
// single-node client (redistest.SlotGuard) lets such a transaction through;
// on a Cluster client nothing does.
func SingleNodeOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, singleNodeKey{}, true)
}

// IsSingleNodeOnly reports whether ctx was marked by SingleNodeOnly.
func IsSingleNodeOnly(ctx context.Context) bool {
	v, _ := ctx.Value(singleNodeKey{}).(bool)
	return v
}
