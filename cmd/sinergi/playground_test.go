package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startPlayground runs the README's first command in-process — the
// playground with its in-process Redis — on free ports, and returns the
// page's base URL ("http://127.0.0.1:port").
func startPlayground(t *testing.T, args ...string) string {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan int, 1)
	args = append([]string{"-playground-addr", addr, "-http-addr", freeAddr(t)}, args...)
	go func() { done <- run(ctx, args, env(nil), &logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(12 * time.Second):
			t.Error("playground did not stop")
		}
		if t.Failed() {
			t.Logf("playground log:\n%s", logs.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(base + "/api/state")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("playground not up at %s:\n%s", base, logs.String())
		}
		time.Sleep(25 * time.Millisecond)
	}
	// The first line is information, not a warning (#15).
	if first, _, _ := strings.Cut(logs.String(), "\n"); !strings.Contains(first, "level=INFO") || !strings.Contains(first, "its data lives only as long as this process") {
		t.Errorf("the first line is not the INFO notice about the in-process Redis:\n%s", logs.String())
	}
	return base
}

type pgUser struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
	Demo bool   `json:"demo"`
}

type pgMessage struct {
	ID       int    `json:"id"`
	Chat     int64  `json:"chat"`
	FromBot  bool   `json:"from_bot"`
	HTML     string `json:"html"`
	Text     string `json:"text"`
	Media    string `json:"media"`
	FileURL  string `json:"file_url"`
	FileName string `json:"file_name"`
	Buttons  [][]struct {
		Text, Data, URL string
	} `json:"buttons"`
}

func postJSON(t *testing.T, url string, body any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// The playground's HTTP API and event stream drive the real bot.
func TestPlaygroundAPI(t *testing.T) {
	base := startPlayground(t, "-demo")

	var state struct {
		Bot   string    `json:"bot"`
		Users []pgUser  `json:"users"`
		Now   time.Time `json:"now"`
	}
	resp, _ := http.Get(base + "/api/state")
	json.NewDecoder(resp.Body).Decode(&state)
	resp.Body.Close()
	demo := 0
	for _, u := range state.Users {
		if u.Demo && strings.Contains(u.Name, "(demo)") {
			demo++
		}
	}
	if state.Bot == "" || demo != 5 || state.Users[0].Role != "admin" {
		t.Fatalf("state %+v", state)
	}

	// Events: subscribe before acting.
	req, _ := http.NewRequest(http.MethodGet, base+"/api/events", nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	if ct := stream.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	events := make(chan pgMessage, 100)
	go func() {
		sc := bufio.NewScanner(stream.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var ev struct {
					Kind    string     `json:"kind"`
					Message *pgMessage `json:"message"`
				}
				if json.Unmarshal([]byte(data), &ev) == nil && ev.Message != nil && ev.Kind == "message" {
					events <- *ev.Message
				}
			}
		}
	}()

	code, body := postJSON(t, base+"/api/users", map[string]string{"name": "Tester <b>", "lang": "en", "role": "participant"})
	var u pgUser
	json.Unmarshal(body, &u)
	if code != http.StatusCreated || u.ID == 0 {
		t.Fatalf("add user: %d %s", code, body)
	}
	botMsg := func(what string) pgMessage {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case m := <-events:
				if m.FromBot && m.Chat == u.ID {
					return m
				}
			case <-timeout:
				t.Fatalf("no bot message (%s)", what)
			}
		}
	}
	if code, body := postJSON(t, fmt.Sprintf("%s/api/chats/%d/send", base, u.ID), map[string]string{"text": "/workshops"}); code != http.StatusAccepted {
		t.Fatalf("send: %d %s", code, body)
	}
	list := botMsg("workshop list")
	if !strings.Contains(list.HTML, "Upcoming workshops") || len(list.Buttons) == 0 || !strings.Contains(list.Buttons[0][0].Text, "[DEMO]") {
		t.Fatalf("list %+v", list)
	}
	postJSON(t, fmt.Sprintf("%s/api/chats/%d/press", base, u.ID), map[string]any{"message_id": list.ID, "data": list.Buttons[0][0].Data})
	card := botMsg("workshop card")
	if !strings.Contains(card.HTML, "2 of 4 seats left") {
		t.Fatalf("card %q", card.HTML)
	}

	// The transcript has both sides, the user's text as sent.
	resp, _ = http.Get(fmt.Sprintf("%s/api/chats/%d", base, u.ID))
	var transcript []pgMessage
	json.NewDecoder(resp.Body).Decode(&transcript)
	resp.Body.Close()
	if len(transcript) < 3 || transcript[0].FromBot || transcript[0].Text != "/workshops" {
		t.Fatalf("transcript %+v", transcript)
	}

	// The README's step 4: "+3 days". The demo workshop starts after that
	// (09:00 WIB on the first day past three days from now) and its
	// day-before reminder is due by then: the two registrants get it.
	code, body = postJSON(t, base+"/api/clock", map[string]float64{"hours": 72})
	var adv struct {
		Jobs int       `json:"jobs"`
		Now  time.Time `json:"now"`
	}
	json.Unmarshal(body, &adv)
	if code != 200 || adv.Jobs < 2 {
		t.Fatalf("clock: %d %s", code, body)
	}
	// The reminders carry the playground's time, not the real one, and say
	// the time left from then.
	for _, du := range state.Users {
		if !strings.HasPrefix(du.Name, "Dewi") {
			continue
		}
		resp, _ := http.Get(fmt.Sprintf("%s/api/chats/%d", base, du.ID))
		var msgs []struct {
			Time time.Time `json:"time"`
			HTML string    `json:"html"`
		}
		json.NewDecoder(resp.Body).Decode(&msgs)
		resp.Body.Close()
		found := false
		for _, m := range msgs {
			found = found || strings.Contains(m.HTML, "Pengingat: <b>[DEMO] Joint Action") && strings.Contains(m.HTML, " dimulai ") && !m.Time.Before(adv.Now.Add(-time.Minute))
		}
		if !found {
			t.Fatalf("no day-before reminder dated %v in %+v", adv.Now, msgs)
		}
	}

	// Bad requests are refused clearly.
	for _, c := range []struct {
		path string
		body any
		want int
	}{
		{"/api/users", map[string]string{"name": "X", "lang": "fr", "role": "participant"}, 400},
		{"/api/users", map[string]string{"name": "X", "lang": "id", "role": "wizard"}, 400},
		{"/api/users", map[string]string{"name": "", "lang": "id", "role": "admin"}, 400},
		{"/api/chats/999/send", map[string]string{"text": "hi"}, 404},
		{fmt.Sprintf("/api/chats/%d/send", u.ID), map[string]string{"text": ""}, 400},
		{"/api/clock", map[string]float64{"hours": -1}, 400},
		{"/api/clock", map[string]float64{"hours": 100000}, 400},
	} {
		if code, body := postJSON(t, base+c.path, c.body); code != c.want {
			t.Errorf("%s %v: %d %s", c.path, c.body, code, body)
		}
	}
	if resp, _ := http.Get(fmt.Sprintf("%s/api/chats/%d/files/1", base, u.ID)); resp.StatusCode != 404 {
		t.Errorf("file of a text message: %d", resp.StatusCode)
	}
}

// The demo forum has partner profiles that find each other.
func TestDemoMatches(t *testing.T) {
	base := startPlayground(t, "-demo")
	code, body := postJSON(t, base+"/api/users", map[string]string{"name": "Penguji", "lang": "en", "role": "participant"})
	var u pgUser
	json.Unmarshal(body, &u)
	if code != http.StatusCreated {
		t.Fatal(code, string(body))
	}
	// Rina (the first demo user) asks for matches.
	resp, _ := http.Get(base + "/api/state")
	var state struct {
		Users []pgUser `json:"users"`
	}
	json.NewDecoder(resp.Body).Decode(&state)
	resp.Body.Close()
	var rina pgUser
	for _, x := range state.Users {
		if strings.HasPrefix(x.Name, "Rina") {
			rina = x
		}
	}
	postJSON(t, fmt.Sprintf("%s/api/chats/%d/send", base, rina.ID), map[string]string{"text": "/matches"})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, _ := http.Get(fmt.Sprintf("%s/api/chats/%d", base, rina.ID))
		var msgs []pgMessage
		json.NewDecoder(resp.Body).Decode(&msgs)
		resp.Body.Close()
		for _, m := range msgs {
			if m.FromBot && strings.Contains(m.HTML, "PT Hijau Lestari") {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("Rina got no suggestion of PT Hijau Lestari")
}

// pgChat is a helper over one playground's API.
type pgChat struct {
	t    *testing.T
	base string
}

func (c pgChat) transcript(chat int64) []pgMessage {
	c.t.Helper()
	resp, err := http.Get(fmt.Sprintf("%s/api/chats/%d", c.base, chat))
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var msgs []pgMessage
	if err := json.NewDecoder(resp.Body).Decode(&msgs); err != nil {
		c.t.Fatal(err)
	}
	return msgs
}

// wait returns the newest message of chat that matches, waiting for it.
func (c pgChat) wait(chat int64, what string, match func(pgMessage) bool) pgMessage {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs := c.transcript(chat)
		for i := len(msgs) - 1; i >= 0; i-- {
			if match(msgs[i]) {
				return msgs[i]
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("no %s in chat %d: %+v", what, chat, msgs)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func (c pgChat) botSays(chat int64, text string) pgMessage {
	c.t.Helper()
	return c.wait(chat, fmt.Sprintf("bot message with %q", text), func(m pgMessage) bool {
		return m.FromBot && (strings.Contains(m.HTML, text) || strings.Contains(m.Text, text))
	})
}

// press presses the button labelled label on the newest bot message that has one.
func (c pgChat) press(chat int64, label string) {
	c.t.Helper()
	var id int
	var data string
	c.wait(chat, fmt.Sprintf("button %q", label), func(m pgMessage) bool {
		for _, row := range m.Buttons {
			for _, b := range row {
				if m.FromBot && strings.Contains(b.Text, label) && b.Data != "" {
					id, data = m.ID, b.Data
					return true
				}
			}
		}
		return false
	})
	if code, body := postJSON(c.t, fmt.Sprintf("%s/api/chats/%d/press", c.base, chat), map[string]any{"message_id": id, "data": data}); code != http.StatusAccepted {
		c.t.Fatalf("press %q: %d %s", label, code, body)
	}
}

func (c pgChat) send(chat int64, body any) {
	c.t.Helper()
	if code, out := postJSON(c.t, fmt.Sprintf("%s/api/chats/%d/send", c.base, chat), body); code != http.StatusAccepted {
		c.t.Fatalf("send %v: %d %s", body, code, out)
	}
}

func (c pgChat) role(id int64) string {
	c.t.Helper()
	resp, err := http.Get(c.base + "/api/state")
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Users []pgUser `json:"users"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		c.t.Fatal(err)
	}
	for _, u := range st.Users {
		if u.ID == id {
			return u.Role
		}
	}
	return ""
}

// The sidebar's roles follow the bot: a participant who uses an invitation
// link is listed as a facilitator (#15).
func TestPlaygroundRoleFollowsInvitation(t *testing.T) {
	c := pgChat{t, startPlayground(t)}
	code, body := postJSON(t, c.base+"/api/users", map[string]string{"name": "Ani", "lang": "id", "role": "participant"})
	var ani pgUser
	if err := json.Unmarshal(body, &ani); err != nil || code != http.StatusCreated {
		t.Fatalf("add user: %d %s", code, body)
	}
	if r := c.role(ani.ID); r != "participant" {
		t.Fatalf("role before: %q", r)
	}
	c.send(playgroundAdmin, map[string]string{"text": "/grant"})
	c.press(playgroundAdmin, "Undang fasilitator")
	link := c.botSays(playgroundAdmin, "start=invite")
	payload := regexp.MustCompile(`start=(invite[A-Za-z0-9_-]+)`).FindStringSubmatch(link.HTML)
	if payload == nil {
		t.Fatalf("no invitation link in %q", link.HTML)
	}
	c.send(ani.ID, map[string]string{"text": "/start " + payload[1]})
	c.botSays(ani.ID, "Anda sekarang")
	if r := c.role(ani.ID); r != "facilitator" {
		t.Fatalf("role after the invitation: %q", r)
	}
	if r := c.role(playgroundAdmin); r != "admin" {
		t.Fatalf("the configured admin: %q", r)
	}
}

// A user can send formatted text and a picture; the page gets them as
// formatted HTML, and the bot's copy (the broadcast preview) keeps the
// formatting (#15). Uploads are bounded and must be pictures.
func TestPlaygroundFormattedTextAndPhoto(t *testing.T) {
	c := pgChat{t, startPlayground(t)}
	admin := int64(playgroundAdmin)
	c.send(admin, map[string]string{"text": "/broadcast"})
	c.botSays(admin, "teks berformat")
	c.send(admin, map[string]any{"text": "Halo semua, rapat Senin", "entities": []map[string]any{
		{"type": "bold", "offset": 0, "length": 4}, {"type": "italic", "offset": 18, "length": 5}}})
	c.wait(admin, "the admin's formatted message", func(m pgMessage) bool {
		return !m.FromBot && m.HTML == "<b>Halo</b> semua, rapat <i>Senin</i>"
	})
	c.press(admin, "Tanpa versi bahasa Inggris")
	c.press(admin, "Semua anggota")
	c.botSays(admin, "Pratinjau")
	c.wait(admin, "the preview copy, formatted", func(m pgMessage) bool {
		return m.FromBot && m.HTML == "<b>Halo</b> semua, rapat <i>Senin</i>"
	})

	// A picture with a formatted caption.
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	var pic bytes.Buffer
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	upload := func(name string, data []byte, caption, entities string) (int, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("photo", name)
		fw.Write(data)
		mw.WriteField("caption", caption)
		if entities != "" {
			mw.WriteField("entities", entities)
		}
		mw.Close()
		resp, err := http.Post(fmt.Sprintf("%s/api/chats/%d/photo", c.base, admin), mw.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}
	if code, out := upload("kebun.png", pic.Bytes(), "Kebun kami", `[{"type":"bold","offset":6,"length":4}]`); code != http.StatusAccepted {
		t.Fatalf("upload: %d %s", code, out)
	}
	m := c.wait(admin, "the photo", func(m pgMessage) bool { return !m.FromBot && m.Media == "photo" })
	if m.HTML != "Kebun <b>kami</b>" || m.FileURL == "" {
		t.Fatalf("photo message %+v", m)
	}
	resp, err := http.Get(c.base + m.FileURL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || resp.Header.Get("X-Content-Type-Options") != "nosniff" || !bytes.Equal(got, pic.Bytes()) {
		t.Fatalf("photo file: %d %v %d bytes", resp.StatusCode, resp.Header, len(got))
	}

	for _, bad := range []struct {
		name     string
		data     []byte
		entities string
		want     int
	}{
		{"script.png", []byte("<script>alert(1)</script>"), "", http.StatusBadRequest},
		{"big.png", append(pic.Bytes(), make([]byte, 6<<20)...), "", http.StatusRequestEntityTooLarge},
		{"ok.png", pic.Bytes(), `[{"type":"text_link","offset":0,"length":2}]`, http.StatusBadRequest},
		{"ok.png", pic.Bytes(), `[{"type":"bold","offset":0,"length":99}]`, http.StatusBadRequest},
	} {
		if code, out := upload(bad.name, bad.data, "ab", bad.entities); code != bad.want {
			t.Errorf("%s %s: %d %s", bad.name, bad.entities, code, out)
		}
	}
	if code, out := postJSON(t, fmt.Sprintf("%s/api/chats/%d/send", c.base, admin), map[string]any{"text": "ab", "entities": []map[string]any{{"type": "bold", "offset": 1, "length": 5}}}); code != http.StatusBadRequest {
		t.Errorf("entity past the text: %d %s", code, out)
	}
}
