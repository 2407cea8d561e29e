package bot_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
	"sinergi/flows/matchmaking"
)

// mmAlerts counts the alerts (answerCallbackQuery with show_alert) whose
// text contains want.
func (e *env) mmAlerts(want string) int {
	n := 0
	for _, c := range e.fake.CallsOf("answerCallbackQuery") {
		if c.Params["show_alert"] == "true" && strings.Contains(c.Params["text"], want) {
			n++
		}
	}
	return n
}

// mmPressAlert presses data and waits for an alert containing want.
func (e *env) mmPressAlert(u telegramtest.User, messageID int, data, want string) {
	e.t.Helper()
	before := e.mmAlerts(want)
	e.fake.Press(u, messageID, data)
	e.waitFor("alert "+want, func() bool { return e.mmAlerts(want) > before })
}

// mmEdited waits until the bot's message id in chat has a button labelled label.
func (e *env) mmEdited(chat int64, id int, label string) telegramtest.Message {
	e.t.Helper()
	var m telegramtest.Message
	e.waitFor("button "+label, func() bool {
		for _, msg := range e.fake.BotMessages(chat) {
			if msg.ID == id {
				for _, row := range msg.Buttons {
					for _, b := range row {
						if b.Text == label {
							m = msg
							return true
						}
					}
				}
			}
		}
		return false
	})
	return m
}

// mmCards pages through /matches and returns the text of every card.
func (e *env) mmCards(u telegramtest.User) []string {
	e.t.Helper()
	e.fake.SendText(u, "/matches")
	m := e.next(u.ID)
	if !strings.Contains(m.Plain, "💡") {
		return nil // no suggestions (or no profile)
	}
	cards := []string{m.Plain}
	for {
		var next string
		for _, row := range m.Buttons {
			for _, b := range row {
				if strings.Contains(b.Text, "▶") {
					next = b.CallbackData
				}
			}
		}
		if next == "" {
			return cards
		}
		before := m.Plain
		e.fake.Press(u, m.ID, next)
		e.waitFor("next card", func() bool {
			for _, msg := range e.fake.BotMessages(u.ID) {
				if msg.ID == m.ID && msg.Plain != before {
					m = msg
					return true
				}
			}
			return false
		})
		cards = append(cards, m.Plain)
	}
}

func mmHas(cards []string, org string) bool {
	return slices.ContainsFunc(cards, func(c string) bool { return strings.Contains(c, org) })
}

// mmSeed stores a user (as if they had opened the bot) with a visible profile.
func (e *env) mmSeed(uid int64, org, sector string, themes, provs, offers, needs []string) {
	e.t.Helper()
	ctx := context.Background()
	if err := e.store.SaveUser(ctx, &flows.User{ID: uid, Lang: "en", FirstName: org, Username: fmt.Sprintf("user%d", uid), Consent: flows.ConsentVersion}); err != nil {
		e.t.Fatal(err)
	}
	err := e.store.SavePartner(ctx, &flows.PartnerProfile{UserID: uid, Org: org, Sector: sector, Themes: themes,
		Provinces: provs, Offers: offers, Needs: needs, Visible: true})
	if err != nil {
		e.t.Fatal(err)
	}
}

// Partner matchmaking end to end: two organisations create profiles in the
// chat, one finds the other with the right reasons, asks for an
// introduction, and both receive each other's contact only on acceptance.
func TestMatchmakingEndToEnd(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	e.clock.Set(now)
	e.start()
	ctx := context.Background()
	a := telegramtest.User{ID: 3001, FirstName: "Ayu", Username: "ayu_air", LanguageCode: "en"}
	b := telegramtest.User{ID: 3002, FirstName: "Budi", LanguageCode: "id"} // no username
	c := telegramtest.User{ID: 3003, FirstName: "Citra", LanguageCode: "en"}
	press := func(u telegramtest.User, m telegramtest.Message, label string) {
		t.Helper()
		e.fake.Press(u, m.ID, buttonData(t, m, label))
	}

	// A creates a profile, with the bad input on the way.
	e.fake.SendText(a, "/partner")
	contains(t, e.next(a.ID), "partner profile")
	contains(t, e.next(a.ID), "organisation's name")
	e.fake.SendText(a, "Yayasan Air Bersih")
	press(a, e.next(a.ID), "NGO")
	themes := e.next(a.ID)
	contains(t, themes, "Which themes")
	e.mmPressAlert(a, themes.ID, buttonData(t, themes, "Done"), "Choose at least one theme")
	press(a, themes, "water & sanitation")
	e.mmEdited(a.ID, themes.ID, "✅ water & sanitation")
	press(a, themes, "Done")
	contains(t, e.next(a.ID), "provinces")
	e.fake.SendText(a, "nusa tenggara timur")
	provs := e.next(a.ID)
	contains(t, provs, "Selected: Nusa Tenggara Timur")
	press(a, provs, "Done")
	offers := e.next(a.ID)
	contains(t, offers, "offer")
	press(a, offers, "volunteers")
	press(a, offers, "Done")
	needs := e.next(a.ID)
	press(a, needs, "funding")
	press(a, needs, "expertise/training")
	press(a, needs, "Done")
	contains(t, e.next(a.ID), "short description")
	e.fake.SendText(a, strings.Repeat("x", 2000))
	contains(t, e.next(a.ID), "too long: please keep it to 500 characters (you wrote 2000)")
	contains(t, e.next(a.ID), "short description")
	e.fake.SendText(a, "Rainwater harvesting with villages in Flores.")
	press(a, e.next(a.ID), "Yes, visible")
	summary := e.next(a.ID)
	contains(t, summary, "Needs: funding, expertise/training")
	press(a, summary, "Save")
	press(a, e.next(a.ID), "I agree") // the privacy notice: a profile names its contact
	contains(t, e.next(a.ID), "Yayasan Air Bersih is saved")

	// B, in Indonesian, offers what A needs and needs what A offers.
	e.fake.SendText(b, "/partner")
	e.skip(b.ID, 2)
	e.fake.SendText(b, "PT Sumber Dana")
	press(b, e.next(b.ID), "Perusahaan / CSR")
	themes = e.next(b.ID)
	press(b, themes, "air & sanitasi")
	press(b, themes, "Selesai")
	e.next(b.ID)
	e.fake.SendText(b, "Nusa Tenggara Timur")
	press(b, e.next(b.ID), "Selesai")
	offers = e.next(b.ID)
	press(b, offers, "pendanaan")
	press(b, offers, "keahlian/pelatihan")
	press(b, offers, "Selesai")
	needs = e.next(b.ID)
	press(b, needs, "relawan")
	press(b, needs, "Selesai")
	press(b, e.next(b.ID), "Tanpa deskripsi")
	press(b, e.next(b.ID), "Ya, tampilkan")
	press(b, e.next(b.ID), "Simpan")
	press(b, e.next(b.ID), "Saya setuju")
	contains(t, e.next(b.ID), "PT Sumber Dana tersimpan")

	// A sees B, with the reasons in plain words.
	e.fake.SendText(a, "/matches")
	card := e.next(a.ID)
	contains(t, card, "Suggestion 1 of 1")
	contains(t, card, "PT Sumber Dana")
	contains(t, card, "Why: they offer funding and expertise/training, which you need · both work on water & sanitation in Nusa Tenggara Timur (East Nusa Tenggara) · you offer volunteers, which they need · a partner from another sector (Company / CSR)")

	// A tampered button naming a profile that does not exist is refused.
	e.mmPressAlert(a, card.ID, "matchmaking.request:999999", "not available")

	// A asks for an introduction with a note.
	press(a, card, "Request introduction")
	contains(t, e.next(a.ID), "short note for PT Sumber Dana")
	e.fake.SendText(a, "Kami punya 40 relawan di Flores & butuh dana.")
	contains(t, e.next(a.ID), "Your request is sent to PT Sumber Dana")
	req := e.next(b.ID)
	contains(t, req, "Yayasan Air Bersih ingin berkenalan dengan Anda")
	contains(t, req, "Mengapa: mereka menawarkan relawan, yang Anda butuhkan · sama-sama bergerak di air & sanitasi di Nusa Tenggara Timur · Anda menawarkan pendanaan dan keahlian/pelatihan, yang mereka butuhkan")
	contains(t, req, "Catatan mereka: Kami punya 40 relawan di Flores & butuh dana.")
	if strings.Contains(req.Plain, "ayu_air") {
		t.Fatal("contact revealed before consent")
	}

	// Someone else pressing B's Accept is refused, and nothing happens.
	e.fake.SendText(c, "/start")
	e.next(c.ID)
	e.mmPressAlert(c, e.fake.BotMessages(c.ID)[0].ID, buttonData(t, req, "Terima"), "not allowed")
	e.mmPressAlert(a, card.ID, buttonData(t, req, "Terima"), "not allowed")
	if n := len(e.fake.BotMessages(c.ID)); n != 1 {
		t.Fatalf("bystander got %d messages", n)
	}

	// B accepts: both receive the other's contact.
	press(b, req, "Terima")
	got := e.next(b.ID)
	contains(t, got, "Anda menerima perkenalan dengan Yayasan Air Bersih. Kontak: Ayu, @ayu_air — https://t.me/ayu_air")
	if got.Buttons[0][0].URL != "https://t.me/ayu_air" {
		t.Fatalf("B's contact button %+v", got.Buttons)
	}
	got = e.next(a.ID)
	contains(t, got, "PT Sumber Dana accepted your introduction request. Contact: Budi has no Telegram username")
	if got.Buttons[0][0].URL != "tg://user?id=3002" || got.Buttons[0][0].Text != "💬 Open chat" {
		t.Fatalf("A's contact button %+v", got.Buttons)
	}
	e.mmPressAlert(b, req.ID, buttonData(t, req, "Terima"), "tidak menunggu jawaban")

	// D declines: A is told politely, and learns nothing of D.
	d := telegramtest.User{ID: 3004, FirstName: "Dewi", Username: "dewi_d", LanguageCode: "en"}
	e.fake.SendText(d, "/start")
	e.next(d.ID)
	e.mmSeed(d.ID, "Dinas Sosial NTT", "gov", []string{"child"}, []string{"NT"}, []string{"data"}, []string{"volunteers"})
	_ = e.store.SaveUser(ctx, &flows.User{ID: d.ID, Lang: "en", FirstName: "Dewi", Username: "dewi_d", Consent: flows.ConsentVersion})
	e.fake.Press(a, card.ID, "matchmaking.request:"+strconv.FormatInt(d.ID, 10))
	press(a, e.next(a.ID), "Send without a note")
	e.next(a.ID)
	req = e.next(d.ID)
	press(d, req, "Decline")
	contains(t, e.next(d.ID), "You declined the request from Yayasan Air Bersih")
	declined := e.next(a.ID)
	contains(t, declined, "Your introduction request to Dinas Sosial NTT was not taken up this time")
	if strings.Contains(declined.Plain, "dewi") || strings.Contains(declined.Plain, "t.me") || len(declined.Buttons) != 0 {
		t.Fatalf("decline revealed something: %+v", declined)
	}
	// The pair cannot be asked again for 30 days.
	e.mmPressAlert(a, card.ID, "matchmaking.request:"+strconv.FormatInt(d.ID, 10), "You can ask again from")
	e.clock.Set(now.Add(29 * 24 * time.Hour))
	e.mmPressAlert(a, card.ID, "matchmaking.request:"+strconv.FormatInt(d.ID, 10), "You can ask again from")
	e.clock.Set(now.Add(31 * 24 * time.Hour))
	e.fake.Press(a, card.ID, "matchmaking.request:"+strconv.FormatInt(d.ID, 10))
	contains(t, e.next(a.ID), "short note for Dinas Sosial NTT")
	e.fake.SendText(a, "/cancel")
	e.next(a.ID)

	// A user who blocked the bot: delivering the request fails with 403,
	// the user is marked inactive and leaves A's suggestions.
	f := int64(3006)
	e.mmSeed(f, "Komunitas Diblokir", "community", []string{"wash"}, []string{"NT"}, []string{"funding"}, nil)
	if !mmHas(e.mmCards(a), "Komunitas Diblokir") {
		t.Fatal("seeded profile not suggested")
	}
	e.fake.Block(f)
	e.fake.Press(a, card.ID, "matchmaking.request:"+strconv.FormatInt(f, 10))
	press(a, e.next(a.ID), "Send without a note")
	e.next(a.ID)
	e.waitFor("blocked user marked inactive", func() bool {
		u, err := e.store.GetUser(ctx, f)
		return err == nil && u.Inactive
	})
	if mmHas(e.mmCards(a), "Komunitas Diblokir") {
		t.Fatal("inactive user still suggested")
	}

	// The cap: at most 10 requests waiting for an answer.
	for i := range 12 {
		e.mmSeed(int64(3100+i), fmt.Sprintf("Mitra %02d", i), "csr", []string{"wash"}, []string{"NT"}, []string{"funding"}, nil)
	}
	pending, _ := e.store.PendingSent(ctx, a.ID) // the request to the blocked user waits too
	for i := pending; i < matchmaking.IntroCap; i++ {
		e.fake.Press(a, card.ID, "matchmaking.request:"+strconv.Itoa(3100+i))
		press(a, e.next(a.ID), "Send without a note")
		contains(t, e.next(a.ID), "Your request is sent")
	}
	e.mmPressAlert(a, card.ID, "matchmaking.request:3111", "You already have 10 requests waiting")
	if n, _ := e.store.PendingSent(ctx, a.ID); n != matchmaking.IntroCap {
		t.Fatalf("%d pending, want %d", n, matchmaking.IntroCap)
	}
	e.fake.SendText(a, "/introductions")
	list := e.next(a.ID)
	contains(t, list, "Connected:\n• PT Sumber Dana — ")
	contains(t, list, "Not taken up:\n• Dinas Sosial NTT — not taken up")

	// Editing a profile updates the indexes: E shared only a theme with B;
	// when B changes theme, E no longer sees B.
	u := telegramtest.User{ID: 3005, FirstName: "Eka", LanguageCode: "en"}
	e.fake.SendText(u, "/start")
	e.next(u.ID)
	e.mmSeed(u.ID, "Forum Papua", "philanthropy", []string{"wash"}, []string{"PA"}, []string{"tech"}, []string{"data"})
	if !mmHas(e.mmCards(u), "PT Sumber Dana") {
		t.Fatal("E does not see B before the edit")
	}
	e.fake.SendText(b, "/partner")
	press(b, e.next(b.ID), "Ubah")
	press(b, e.next(b.ID), "Ubah") // the summary's Edit
	e.waitFor("edit menu", func() bool {
		m := e.fake.BotMessages(b.ID)
		return strings.Contains(m[len(m)-1].Plain, "Bagian mana")
	})
	press(b, e.lastEdited(b.ID), "Tema")
	themes = e.next(b.ID)
	press(b, themes, "✅ air & sanitasi")
	press(b, themes, "kesehatan")
	press(b, themes, "Selesai")
	press(b, e.next(b.ID), "Simpan")
	contains(t, e.next(b.ID), "tersimpan")
	if mmHas(e.mmCards(u), "PT Sumber Dana") {
		t.Fatal("stale suggestion after B's edit")
	}
	if !mmHas(e.mmCards(a), "PT Sumber Dana") {
		t.Fatal("A lost B, who still offers what A needs")
	}

	// A deleted profile disappears from every suggestion list.
	e.fake.SendText(a, "/partner")
	press(a, e.next(a.ID), "Delete")
	e.waitFor("delete confirmation", func() bool {
		m := e.fake.BotMessages(a.ID)
		return strings.Contains(m[len(m)-1].Plain, "Delete the profile")
	})
	press(a, e.lastEdited(a.ID), "Yes, delete")
	e.waitFor("deleted", func() bool {
		m := e.fake.BotMessages(a.ID)
		return strings.Contains(m[len(m)-1].Plain, "is deleted")
	})
	for _, viewer := range []telegramtest.User{b, u} {
		if mmHas(e.mmCards(viewer), "Yayasan Air Bersih") {
			t.Fatalf("deleted profile suggested to %d", viewer.ID)
		}
	}
	keys, _ := e.redis.Client.Keys(ctx, e.redis.Prefix+"{pp}:*").Result()
	for _, k := range keys {
		if e.redis.Client.Type(ctx, k).Val() != "set" || strings.Contains(k, ":pending:") {
			continue // pending sets hold introduction ids
		}
		if ok, _ := e.redis.Client.SIsMember(ctx, k, a.ID).Result(); ok {
			t.Fatalf("deleted profile still in %s", k)
		}
	}
	if n := e.fake.Stats().Errors[400]; n != 0 {
		t.Fatalf("%d bad requests", n)
	}
}
