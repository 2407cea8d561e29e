package keyslot

import (
	"context"
	"testing"
)

func TestCRC16(t *testing.T) {
	// The check value of CRC-16/XMODEM, also the one in the Redis Cluster
	// specification.
	if got := CRC16("123456789"); got != 0x31C3 {
		t.Fatalf("CRC16(123456789) = %#04x, want 0x31c3", got)
	}
	if got := CRC16(""); got != 0 {
		t.Fatalf("CRC16('') = %#04x", got)
	}
}

func TestKeySlots(t *testing.T) {
	// Values as CLUSTER KEYSLOT answers them.
	for key, want := range map[string]int{
		"foo":                  12182,
		"bar":                  5061,
		"a":                    15495,
		"b":                    3300,
		"123456789":            0x31C3 % Slots,
		"{user1000}.following": 3443,
		"{user1000}.followers": 3443,
		"user1000":             3443,
		"foo{}{bar}":           8363, // empty first tag: the whole key is hashed
		"foo{{bar}}zap":        4015, // the tag is "{bar"
		"foo{bar}{zap}":        5061, // only the first tag counts: "bar"
		"":                     0,
	} {
		if got := Slot(key); got != want {
			t.Errorf("Slot(%q) = %d, want %d", key, got, want)
		}
	}
	if Slot("{user1000}.following") != Slot("{user1000}.followers") {
		t.Error("keys of one hash tag in different slots")
	}
	if Slot("sinergi:{c:42}:user") != Slot("sinergi:{c:42}:sess") || Slot("sinergi:{c:42}:user") == Slot("sinergi:{c:43}:user") {
		t.Error("chat keys not slotted by their tag")
	}
}

func TestSingleNodeOnly(t *testing.T) {
	ctx := context.Background()
	if IsSingleNodeOnly(ctx) || !IsSingleNodeOnly(SingleNodeOnly(ctx)) {
		t.Fatal("marker")
	}
}
