package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// pgGroupMessage is a group message as the playground serves it.
type pgGroupMessage struct {
	pgMessage
	Thread   int    `json:"thread"`
	FromName string `json:"from_name"`
}

// The -demo playground seeds the forum group Forum Sinergi: the secretariat
// and two demo members in it, its topic Pengumuman linked for forum
// announcements (/workshops lists the workshop there) and FGD Air Bersih
// linked as the demo workshop's group (/commit answers with the deep link
// into that workshop's commitments). Only members speak, only in its topics.
func TestPlaygroundDemoForumGroup(t *testing.T) {
	base := startPlayground(t, "-demo")
	resp, err := http.Get(base + "/api/state")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Users  []pgUser `json:"users"`
		Groups []struct {
			ID     int64  `json:"id"`
			Title  string `json:"title"`
			Topics []struct {
				ID   int    `json:"id"`
				Name string `json:"name"`
			} `json:"topics"`
			Members []int64 `json:"members"`
		} `json:"groups"`
	}
	err = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Groups) != 1 || st.Groups[0].Title != "Forum Sinergi" {
		t.Fatalf("groups %+v, want Forum Sinergi", st.Groups)
	}
	g := st.Groups[0]
	topic := map[string]int{}
	for _, tp := range g.Topics {
		topic[tp.Name] = tp.ID
	}
	news, okNews := topic["Pengumuman"]
	fgd, okFGD := topic["FGD Air Bersih"]
	if !okNews || !okFGD || news == 0 || fgd == 0 || news == fgd {
		t.Fatalf("topics %+v, want Pengumuman and FGD Air Bersih", g.Topics)
	}
	name := func(id int64) string {
		for _, u := range st.Users {
			if u.ID == id {
				return u.Name
			}
		}
		return ""
	}
	var maria, outsider int64
	for _, u := range st.Users {
		switch {
		case strings.HasPrefix(u.Name, "Maria Ulfa"):
			maria = u.ID
		case strings.HasPrefix(u.Name, "Rina"):
			outsider = u.ID
		}
	}
	if len(g.Members) != 3 || name(g.Members[0]) != "Sekretariat" || !slices.Contains(g.Members, maria) || slices.Contains(g.Members, outsider) {
		t.Fatalf("members %v, want the secretariat, Maria and one more demo member (not Rina)", g.Members)
	}

	send := func(user int64, thread int, text string) int {
		code, _ := postJSON(t, fmt.Sprintf("%s/api/groups/%d/send", base, g.ID), map[string]any{"user": user, "thread": thread, "text": text})
		return code
	}
	wait := func(what string, match func(pgGroupMessage) bool) pgGroupMessage {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			resp, err := http.Get(fmt.Sprintf("%s/api/groups/%d", base, g.ID))
			if err != nil {
				t.Fatal(err)
			}
			var msgs []pgGroupMessage
			err = json.NewDecoder(resp.Body).Decode(&msgs)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				if match(m) {
					return m
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s in the group: %+v", what, msgs)
			}
			time.Sleep(30 * time.Millisecond)
		}
	}
	buttonURL := func(m pgGroupMessage, prefix string) bool {
		for _, row := range m.Buttons {
			for _, b := range row {
				if strings.Contains(b.URL, prefix) {
					return true
				}
			}
		}
		return false
	}

	if code := send(outsider, news, "/workshops"); code != http.StatusBadRequest {
		t.Errorf("a non-member's message: %d, want 400", code)
	}
	if code := send(maria, 999, "/workshops"); code != http.StatusBadRequest {
		t.Errorf("a message into no topic: %d, want 400", code)
	}
	if code := send(maria, news, "/workshops"); code != http.StatusAccepted {
		t.Fatalf("Maria's /workshops: %d", code)
	}
	wait("Maria's /workshops in Pengumuman", func(m pgGroupMessage) bool {
		return !m.FromBot && m.Thread == news && m.Text == "/workshops" && strings.HasPrefix(m.FromName, "Maria Ulfa")
	})
	wait("workshop list in Pengumuman", func(m pgGroupMessage) bool {
		return m.FromBot && m.Thread == news && strings.Contains(m.HTML, "[DEMO] Joint Action") && buttonURL(m, "?start=ws_")
	})
	if code := send(maria, fgd, "/commit"); code != http.StatusAccepted {
		t.Fatalf("Maria's /commit: %d", code)
	}
	wait("the commitment deep link in FGD Air Bersih", func(m pgGroupMessage) bool {
		return m.FromBot && m.Thread == fgd && buttonURL(m, "?start=cm_")
	})
}
