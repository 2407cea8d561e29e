package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Flood control holds in the playground: 40 messages sent as fast as the
// page can post them get a "please wait" after the first few, although the
// replies go out at the real per-chat pace (one a second after a short
// burst). Before, every message waited for its turn, the bucket refilled
// meanwhile, and all 40 were answered "I did not understand", one a second.
func TestPlaygroundFloodControl(t *testing.T) {
	// The bucket holds more than the replies' burst (3) and refills faster
	// (3 a second) than replies are paced: only counting by the time of
	// sending can empty it.
	base := startPlayground(t, "-flood", "6/2s")
	code, body := postJSON(t, base+"/api/users", map[string]string{"name": "Cepat", "lang": "en", "role": "participant"})
	var u pgUser
	json.Unmarshal(body, &u)
	if code != http.StatusCreated {
		t.Fatalf("add user: %d %s", code, body)
	}
	for i := range 40 {
		if code, body := postJSON(t, fmt.Sprintf("%s/api/chats/%d/send", base, u.ID), map[string]string{"text": fmt.Sprint("halo ", i)}); code != http.StatusAccepted {
			t.Fatalf("send: %d %s", code, body)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(fmt.Sprintf("%s/api/chats/%d", base, u.ID))
		if err != nil {
			t.Fatal(err)
		}
		var msgs []pgMessage
		json.NewDecoder(resp.Body).Decode(&msgs)
		resp.Body.Close()
		answered := 0
		for _, m := range msgs {
			switch {
			case !m.FromBot:
			case strings.Contains(m.HTML, "did not understand"):
				answered++
			case strings.Contains(m.HTML, "please wait"):
				if answered > 12 {
					t.Fatalf("%d messages answered before the slow-down note", answered)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no slow-down note after 40 messages; %d answered", answered)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
