package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// hybridLink is the online link of the hybrid workshops below: it must
// reach nobody but the confirmed online participants.
const hybridLink = "https://meet.example.org/rahasia-7Kq2"

// sentTo is every Bot API call the bot made to chat: each parameter (text,
// caption, reply_markup with its buttons …) and each file's content, with
// iCalendar line folding undone.
func sentTo(fake *telegramtest.Server, chat int64) []string {
	id := strconv.FormatInt(chat, 10)
	var out []string
	for _, c := range fake.Calls() {
		if c.Params["chat_id"] != id {
			continue
		}
		for k, v := range c.Params {
			out = append(out, c.Method+" "+k+": "+v)
		}
		for k, f := range c.Files {
			out = append(out, c.Method+" "+k+" "+f.Name+": "+strings.ReplaceAll(string(f.Data), "\r\n ", ""))
		}
	}
	return out
}

// The link privacy of a hybrid workshop, end to end on real Redis and the
// fake Bot API: a key walk of every call the bot made to on-site, waiting,
// offered and pending registrants, and to someone who only looked at the
// card, holds no online link — through registration, a switch given up, an
// offer accepted, a change of date with its calendar files, the reminders
// and the start — while the confirmed online participant did get it (in
// the confirmation, its calendar file, the date change, the reminders and
// the start message).
func TestHybridLinkPrivacyEndToEnd(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	e.clock.Set(now)
	ctx := context.Background()
	newWorkshop := func(title string, approval bool) *flows.Workshop {
		w := &flows.Workshop{Code: flows.NewCode(), Title: title, Zone: "Asia/Jakarta", Start: now.Add(7 * 24 * time.Hour),
			End: now.Add(7*24*time.Hour + 2*time.Hour), Deadline: now.Add(6 * 24 * time.Hour), Venue: "Balai Desa Sukamaju",
			OnlineURL: hybridLink, Format: flows.FormatHybrid, Capacity: 1, OnlineCapacity: 1, Offers: true, Approval: approval,
			Facilitators: []int64{adminID}, CreatedBy: adminID, Created: now}
		if err := e.store.CreateWorkshop(ctx, w); err != nil {
			t.Fatal(err)
		}
		return w
	}
	a := newWorkshop("Lokakarya Air Bersih", false)
	b := newWorkshop("Musrenbang Desa", true)
	names := []string{"Ani", "Budi", "Citra", "Dewi", "Eka", "Fajar", "Gita"}
	users := map[string]telegramtest.User{}
	for i, n := range names {
		u := telegramtest.User{ID: int64(5001 + i), FirstName: n, LanguageCode: "en"}
		users[n] = u
		if err := e.store.SaveUser(ctx, &flows.User{ID: u.ID, Lang: "en", FirstName: n, Consent: flows.ConsentVersion, Created: now, Seen: now}); err != nil {
			t.Fatal(err)
		}
		if err := e.store.SaveProfile(ctx, &flows.Profile{UserID: u.ID, FullName: n + " Lestari", Organisation: "Yayasan " + n, ConsentVersion: flows.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
	}
	bt, _ := e.startBot()
	press := func(u telegramtest.User, m telegramtest.Message, label string) {
		t.Helper()
		e.fake.Press(u, m.ID, buttonData(t, m, label))
	}
	register := func(name string, w *flows.Workshop, label, want string) {
		t.Helper()
		u := users[name]
		e.fake.SendText(u, "/start ws_"+w.Code)
		card := e.waitMsg(u.ID, w.Title)
		press(u, card, label)
		e.waitMsg(u.ID, want)
	}
	register("Ani", a, "Register on site", "You are registered")
	register("Budi", a, "Register online", "You are registered")
	register("Citra", a, "Online waiting list", "number 1 on the waiting list")
	register("Dewi", a, "On-site waiting list", "number 1 on the waiting list")
	register("Eka", b, "Register online", "waits for the organisers' approval")
	register("Fajar", b, "Register on site", "waits for the organisers' approval")
	e.fake.SendText(users["Gita"], "/start ws_"+a.Code)
	e.waitMsg(users["Gita"].ID, "sent to confirmed online participants")
	e.fake.SendText(users["Gita"], "/workshops")
	e.waitMsg(users["Gita"].ID, "Upcoming workshops")

	// Ani wants to attend online: full, so she gives her seat up for the
	// online waiting list; her on-site seat is offered to Dewi, who accepts.
	e.fake.SendText(users["Ani"], "/mine")
	press(users["Ani"], e.waitMsg(users["Ani"].ID, "(on site)"), "Switch to online")
	press(users["Ani"], e.waitMsg(users["Ani"].ID, "You keep your current place"), "giving up my place")
	e.waitMsg(users["Ani"].ID, "number 2 on the online waiting list")
	press(users["Dewi"], e.waitMsg(users["Dewi"].ID, "held for you"), "Accept")
	e.waitMsg(users["Dewi"].ID, "You are registered")

	// The facilitator moves the workshop a day later: everyone is told.
	admin := telegramtest.User{ID: adminID, FirstName: "Fasilitator", LanguageCode: "en"}
	e.fake.SendText(admin, "/start ws_"+a.Code)
	press(admin, e.waitMsg(admin.ID, a.Title), "Manage")
	press(admin, e.waitMsg(admin.ID, "Registered:"), "Edit")
	press(admin, e.waitMsg(admin.ID, "Please check the workshop"), "Edit")
	press(admin, e.waitMsg(admin.ID, "Which field"), "Start")
	e.waitMsg(admin.ID, "When does it")
	e.fake.SendText(admin, "01/12/2026 09:00")
	press(admin, e.waitMsg(admin.ID, "Please check the workshop"), "Save")
	e.waitMsg(admin.ID, "is updated")
	for _, n := range []string{"Ani", "Budi", "Citra", "Dewi"} {
		e.waitMsg(users[n].ID, "has changed")
	}

	// The reminders and the start.
	moved, err := e.store.GetWorkshop(ctx, a.Code)
	if err != nil {
		t.Fatal(err)
	}
	dayBefore, soon := flows.ReminderTimes(moved)
	for _, at := range []time.Time{dayBefore, soon, moved.Start} {
		e.clock.Set(at)
		if _, err := bt.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	e.waitMsg(users["Budi"].ID, "is starting now")
	e.waitMsg(users["Dewi"].ID, "starts in 2 hours")

	// The key walk.
	for _, n := range []string{"Ani", "Citra", "Dewi", "Eka", "Fajar", "Gita"} {
		calls := sentTo(e.fake, users[n].ID)
		if len(calls) == 0 {
			t.Fatalf("nothing sent to %s", n)
		}
		for _, c := range calls {
			if strings.Contains(c, hybridLink) || strings.Contains(c, "rahasia-7Kq2") {
				t.Errorf("%s received the online link: %s", n, c)
			}
		}
	}
	for _, c := range e.fake.CallsOf("answerCallbackQuery") {
		for _, v := range c.Params {
			if strings.Contains(v, "rahasia-7Kq2") {
				t.Errorf("a callback answer holds the link: %v", c.Params)
			}
		}
	}
	// Budi, confirmed online, got it: in the confirmation, a calendar file,
	// the date change, both reminders and the start message.
	var got []string
	for _, c := range sentTo(e.fake, users["Budi"].ID) {
		if strings.Contains(c, hybridLink) {
			got = append(got, c)
		}
	}
	want := map[string]bool{"You are registered": false, "BEGIN:VCALENDAR": false, "has changed": false, "Reminder:": false, "starts in 2 hours": false, "is starting now": false}
	for _, c := range got {
		for k := range want {
			if strings.Contains(c, k) {
				want[k] = true
			}
		}
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("Budi got no link in a message with %q; with the link: %q", k, got)
		}
	}
}
