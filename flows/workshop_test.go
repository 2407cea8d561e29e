package flows

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// createWorkshop walks /newworkshop as the admin and returns the code.
func createWorkshop(t *testing.T, h *harness, capacity string) string {
	t.Helper()
	h.text(adminID, "/newworkshop")
	res := h.text(adminID, "Joint Action: air bersih di Flores")
	res = h.press(adminID, button(t, res, "ws.skip_desc"))
	res = h.press(adminID, button(t, res, "ws.zone.WITA"))
	wantIDs(t, res, "(clear buttons)", "ws.ask_start")
	h.text(adminID, "10/12/2026 09:00")
	res = h.text(adminID, "12.00")
	wantIDs(t, res, "ws.ask_venue")
	res = h.text(adminID, "Hotel Sahid, Jakarta")
	res = h.text(adminID, "https://zoom.us/j/123")
	wantIDs(t, res, "ws.ask_capacity")
	res = h.text(adminID, capacity)
	res = h.press(adminID, button(t, res, "ws.until_start"))
	res = h.press(adminID, button(t, res, "ws.skip_question"))
	wantIDs(t, res, "(clear buttons)", "ws.summary")
	res = h.press(adminID, button(t, res, "ws.save"))
	wantIDs(t, res, "(clear buttons)", "ws.created")
	code := res.Replies[1].Text.Data["Code"].(string)
	if link := res.Replies[1].Text.Data["Link"].(string); link != "https://t.me/sinergi_test_bot?start=ws_"+code {
		t.Fatalf("link %q", link)
	}
	return code
}

func TestCreateWorkshop(t *testing.T) {
	h := newHarness(t)
	code := createWorkshop(t, h, "2")
	w, err := h.store.GetWorkshop(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	wita := LoadZone("Asia/Makassar")
	if !w.Start.Equal(time.Date(2026, 12, 10, 9, 0, 0, 0, wita)) || !w.End.Equal(time.Date(2026, 12, 10, 12, 0, 0, 0, wita)) ||
		!w.Deadline.Equal(w.Start) || w.Capacity != 2 || w.Zone != "Asia/Makassar" || w.Facilitators[0] != adminID {
		t.Fatalf("workshop %+v", w)
	}
}

func TestWorkshopBadInput(t *testing.T) {
	h := newHarness(t)
	h.text(adminID, "/newworkshop")
	wantIDs(t, h.text(adminID, strings.Repeat("x", 300)), "errors.too_long", "ws.ask_title")
	wantIDs(t, h.text(adminID, "ab"), "errors.too_short", "ws.ask_title")
	res := h.text(adminID, "Lokakarya")
	res = h.text(adminID, "Deskripsi")
	res = h.press(adminID, button(t, res, "ws.zone.WIB"))
	wantIDs(t, h.text(adminID, "besok pagi"), "ws.date_format", "ws.ask_start")
	wantIDs(t, h.text(adminID, "31/02/2027 10:00"), "ws.date_invalid", "ws.ask_start")
	wantIDs(t, h.text(adminID, "01/01/2020 10:00"), "ws.date_past", "ws.ask_start")
	h.text(adminID, "10/12/2026 09:00")
	wantIDs(t, h.text(adminID, "08:00"), "ws.end_before_start", "ws.ask_end")
	res = h.text(adminID, "10/12/2026 17:00")
	res = h.press(adminID, button(t, res, "ws.skip_venue"))
	if res := h.press(adminID, button(t, res, "ws.skip_link")); res.Answer == nil || res.Answer.Text.ID != "ws.need_place" {
		t.Fatalf("neither venue nor link: %+v", res.Answer)
	}
	wantIDs(t, h.text(adminID, "zoom.us/j/1"), "ws.bad_link", "ws.ask_link")
	wantIDs(t, h.text(adminID, "javascript:alert(1)"), "ws.bad_link", "ws.ask_link")
	h.text(adminID, "https://meet.example.org/abc")
	wantIDs(t, h.text(adminID, "-3"), "ws.bad_capacity", "ws.ask_capacity")
	wantIDs(t, h.text(adminID, "abc"), "ws.bad_capacity", "ws.ask_capacity")
	h.text(adminID, "0")
	wantIDs(t, h.text(adminID, "11/12/2026 09:00"), "ws.deadline_after_start", "ws.ask_deadline")
	h.text(adminID, "09/12/2026 17:00")
	res = h.text(adminID, "Kebutuhan makanan?")
	wantIDs(t, res, "ws.summary")
	// Edit one field from the summary and come back to it.
	res = h.press(adminID, button(t, res, "ws.edit"))
	res = h.press(adminID, button(t, res, "ws.field.capacity"))
	wantIDs(t, res, "(clear buttons)", "ws.ask_capacity")
	res = h.text(adminID, "40")
	wantIDs(t, res, "ws.summary")
	res = h.press(adminID, button(t, res, "ws.discard"))
	wantIDs(t, res, "(clear buttons)", "ws.discarded")
	if all, _ := h.store.Facilitated(context.Background(), 0); len(all) != 0 {
		t.Fatalf("stored %d workshops", len(all))
	}
	// A participant cannot start the flow at all.
	wantIDs(t, h.text(3, "/newworkshop"), "errors.not_allowed")
}

// fillProfile answers the profile questions (when asked) for user id.
func fillProfile(t *testing.T, h *harness, id int64, res *Result) *Result {
	t.Helper()
	res = h.text(id, "Peserta "+string(rune('A'+id%26)))
	res = h.text(id, "Yayasan Contoh")
	res = h.press(id, button(t, res, "sector.ngo"))
	res = h.text(id, "Bali")
	return h.press(id, button(t, res, "privacy.agree"))
}

func TestRegisterWaitlistPromoteCheckIn(t *testing.T) {
	h := newHarness(t)
	code := createWorkshop(t, h, "2")
	ctx := context.Background()

	// First registration asks the profile, then registers.
	res := h.text(1, "/start ws_"+code)
	wantIDs(t, res, "ws.card")
	res = h.press(1, button(t, res, "ws.btn_register"))
	wantIDs(t, res, "ws.profile_first", "profile.intro", "profile.ask_name")
	res = fillProfile(t, h, 1, res)
	wantIDs(t, res, "(clear buttons)", "profile.saved", "ws.confirmed", "ws.ics_caption", "ws.qr_caption")
	if res.Replies[3].Document == nil || res.Replies[4].Photo == nil {
		t.Fatal("no calendar file or QR code")
	}
	// The second has a profile already: one press.
	h.store.SaveProfile(ctx, &Profile{UserID: 2, FullName: "Dua", ConsentVersion: ConsentVersion})
	h.store.SaveProfile(ctx, &Profile{UserID: 3, FullName: "Tiga", ConsentVersion: ConsentVersion})
	wantIDs(t, h.press(2, "reg:"+code), "ws.confirmed", "ws.ics_caption", "ws.qr_caption")
	wantIDs(t, h.press(3, "reg:"+code), "ws.waitlisted")
	// Pressing again shows where one stands: the waiting place, or the
	// ticket again (and nothing changes in the store).
	wantIDs(t, h.press(3, "reg:"+code), "ws.waitlisted")
	wantIDs(t, h.press(2, "reg:"+code), "ws.confirmed", "ws.ics_caption", "ws.qr_caption")
	if c, _ := h.store.Counts(ctx, code); c.Confirmed != 2 || c.Waiting != 1 {
		t.Fatalf("counts after pressing twice %+v", c)
	}

	// 1 cancels: 3 is promoted and told in their chat.
	res = h.press(1, "unregy:"+code)
	wantIDs(t, res, "(clear buttons)", "ws.unregistered", "ws.promoted", "ws.ics_caption", "ws.qr_caption")
	if res.Replies[2].ChatID != 3 || !res.Replies[2].Bulk {
		t.Fatalf("promotion sent to %d", res.Replies[2].ChatID)
	}
	if c, _ := h.store.Counts(ctx, code); c.Confirmed != 2 || c.Waiting != 0 {
		t.Fatalf("counts %+v", c)
	}
	if _, ok := h.store.ws.jobs[jobDayBefore+"|"+code+"|1"]; ok {
		t.Fatal("cancelled registrant's reminder still scheduled")
	}
	if _, ok := h.store.ws.jobs[jobDayBefore+"|"+code+"|3"]; !ok {
		t.Fatal("promoted registrant has no reminder")
	}

	// Check-in: the facilitator (admin) opens 2's QR link; 3 opening it is refused.
	r2, _ := h.store.GetRegistration(ctx, code, 2)
	wantIDs(t, h.text(3, "/start checkin_"+r2.Token), "checkin.not_facilitator")
	wantIDs(t, h.text(2, "/start checkin_"+r2.Token), "checkin.own_code")
	// Check-in opens two hours before the start, not days ahead; the
	// refusal says when.
	w, _ := h.store.GetWorkshop(ctx, code)
	h.now = w.Start.Add(-2*time.Hour - time.Minute)
	res = h.text(adminID, "/start checkin_"+r2.Token)
	wantIDs(t, res, "checkin.too_early")
	if opens := res.Replies[0].Text.Data["Opens"].(When); !opens.At.Equal(w.Start.Add(-2*time.Hour)) || opens.Zone != w.Zone {
		t.Fatalf("check-in opens %+v", opens)
	}
	if c, _ := h.store.Counts(ctx, code); c.CheckedIn != 0 {
		t.Fatalf("checked in too early: %+v", c)
	}
	h.now = w.Start.Add(-2 * time.Hour)
	res = h.text(adminID, "/start checkin_"+r2.Token)
	wantIDs(t, res, "checkin.done", "checkin.welcome")
	wantIDs(t, h.text(adminID, "/start checkin_"+r2.Token), "checkin.again")
	wantIDs(t, h.text(adminID, "/start checkin_AAAAAAAAAAAAAAAAAAAAAA"), "checkin.invalid")

	// A participant cannot use management buttons, even forged.
	for _, data := range []string{"wm:" + code, "wmx:" + code, "wmky:" + code, "wmr:" + code + ":0"} {
		if res := h.press(3, data); res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
			t.Errorf("%s by a participant: %+v", data, res.Answer)
		}
	}
	if w, _ := h.store.GetWorkshop(ctx, code); w.Cancelled {
		t.Fatal("participant cancelled the workshop")
	}
}

func TestForgedWorkshopCodes(t *testing.T) {
	h := newHarness(t)
	for _, p := range []string{"ws_zzzzzz", "ws_../../", "ws_" + strings.Repeat("a", 40)} {
		res := h.text(5, "/start "+p)
		if got := ids(res); got[0] != "ws.not_found" && got[0] != "start.bad_link" {
			t.Errorf("%s: %v", p, got)
		}
	}
	wantIDs(t, h.press(5, "reg:abcdef"), "ws.not_found")
}

func TestEditMovesRemindersAndTellsRegistrants(t *testing.T) {
	h := newHarness(t)
	code := createWorkshop(t, h, "0")
	ctx := context.Background()
	h.store.SaveProfile(ctx, &Profile{UserID: 2, FullName: "Dua", ConsentVersion: ConsentVersion})
	h.press(2, "reg:"+code)
	before := h.store.ws.jobs[jobSoon+"|"+code+"|2"]
	res := h.press(adminID, "wme:"+code)
	wantIDs(t, res, "ws.summary")
	res = h.press(adminID, button(t, res, "ws.edit"))
	h.press(adminID, button(t, res, "ws.field.start"))
	res = h.text(adminID, "11/12/2026 10:00")
	wantIDs(t, res, "ws.summary")
	res = h.press(adminID, button(t, res, "ws.save"))
	wantIDs(t, res, "(clear buttons)", "ws.changed", "ws.updated")
	if res.Replies[1].ChatID != 2 || res.Replies[1].Document == nil {
		t.Fatalf("change notice %+v", res.Replies[1])
	}
	after := h.store.ws.jobs[jobSoon+"|"+code+"|2"]
	if want := before.Add(25 * time.Hour); !after.Equal(want) {
		t.Fatalf("2h reminder at %v, want %v", after, want)
	}
	w, _ := h.store.GetWorkshop(ctx, code)
	if got := w.End.Sub(w.Start); got != 3*time.Hour {
		t.Fatalf("moving the start kept a %v span", got)
	}
}

func TestReminderJobs(t *testing.T) {
	h := newHarness(t)
	code := createWorkshop(t, h, "0")
	ctx := context.Background()
	h.store.SaveProfile(ctx, &Profile{UserID: 2, FullName: "Dua", ConsentVersion: ConsentVersion})
	h.send(2, Input{Kind: KindCommand, Command: "start", LangCode: "en"})
	h.press(2, "reg:"+code)
	w, _ := h.store.GetWorkshop(ctx, code)
	dayBefore, soon := ReminderTimes(w)
	if want := time.Date(2026, 12, 9, 9, 0, 0, 0, LoadZone("Asia/Makassar")); !dayBefore.Equal(want) || !soon.Equal(w.Start.Add(-2*time.Hour)) {
		t.Fatalf("reminders at %v and %v", dayBefore, soon)
	}
	for _, c := range []struct {
		id   string
		at   time.Time
		want string
	}{
		{jobDayBefore + "|" + code + "|2", dayBefore, "remind.day_before"},
		{jobSoon + "|" + code + "|2", soon, "remind.soon"},
		{jobSoon + "|" + code + "|2", w.Start.Add(time.Minute), ""}, // too late: dropped
		{jobFeedback + "|" + code + "|2", w.End, "fb.ask_online"},   // not checked in, hybrid: did you join online?
	} {
		replies, err := h.e.RunJob(ctx, Job{ID: c.id, Due: c.at}, c.at)
		if late := errors.Is(err, ErrJobLate); err != nil && !late || late != strings.HasPrefix(c.id, jobSoon) && c.at.After(w.Start) {
			t.Fatalf("%s at %v: %v", c.id, c.at, err)
		}
		if c.want == "" {
			if len(replies) != 0 {
				t.Errorf("%s at %v: %v", c.id, c.at, replies)
			}
			continue
		}
		if len(replies) != 1 || replies[0].Text.ID != c.want || replies[0].ChatID != 2 || replies[0].Lang != "en" {
			t.Errorf("%s: %+v", c.id, replies)
		}
	}
	r, _ := h.store.GetRegistration(ctx, code, 2)
	h.now = w.Start
	h.text(adminID, "/start checkin_"+r.Token)
	replies, _ := h.e.RunJob(ctx, Job{ID: jobFeedback + "|" + code + "|2"}, w.End)
	if len(replies) != 1 || replies[0].Text.ID != "fb.ask" {
		t.Fatalf("feedback request %+v", replies)
	}
	res := h.press(2, replies[0].Buttons[0][4].Data)
	wantIDs(t, res, "(clear buttons)", "fb.ask_comment")
	wantIDs(t, h.text(2, "Sangat bermanfaat <3"), "fb.thanks")
	res = h.press(adminID, "wmf:"+code)
	wantIDs(t, res, "ws.feedback_summary")
	if avg := res.Replies[0].Text.Data["Avg"]; avg != "5.0" {
		t.Fatalf("average %v", avg)
	}
}

// A facilitator of one workshop cannot check in someone of another.
func TestCheckInTokenOfAnotherWorkshop(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	codeA := createWorkshop(t, h, "0")
	h.store.SaveUser(ctx, &User{ID: 50, Lang: "id", Role: RoleFacilitator})
	h.store.CreateWorkshop(ctx, &Workshop{Code: "bbbbbb", Title: "B", Zone: "Asia/Jakarta", Facilitators: []int64{50},
		Start: h.now.Add(48 * time.Hour), End: h.now.Add(50 * time.Hour), Deadline: h.now.Add(48 * time.Hour), Venue: "x"})
	h.store.SaveProfile(ctx, &Profile{UserID: 2, FullName: "Dua", ConsentVersion: ConsentVersion})
	h.press(2, "reg:"+codeA)
	r, _ := h.store.GetRegistration(ctx, codeA, 2)
	wantIDs(t, h.text(50, "/start checkin_"+r.Token), "checkin.not_facilitator")
	if first, _ := h.store.CheckIn(ctx, codeA, 2, h.now); !first {
		t.Fatal("the refused check-in was recorded")
	}
}

// A check-in link pasted into the facilitator's chat works like opening it.
func TestPastedCheckInLink(t *testing.T) {
	h := newHarness(t)
	code := createWorkshop(t, h, "0")
	ctx := context.Background()
	h.store.SaveProfile(ctx, &Profile{UserID: 2, FullName: "Dua", ConsentVersion: ConsentVersion})
	res := h.press(2, "reg:"+code)
	link := res.Replies[2].Text.Data["Link"].(string)
	w, _ := h.store.GetWorkshop(ctx, code)
	h.now = w.Start.Add(-time.Hour)
	wantIDs(t, h.text(adminID, "  "+link+" "), "checkin.done", "checkin.welcome")
	wantIDs(t, h.text(adminID, "https://t.me/another_bot?start=checkin_x"), "errors.not_understood")
}

func TestAuditTrail(t *testing.T) {
	h := newHarness(t)
	code := createWorkshop(t, h, "0")
	h.press(adminID, "wmx:"+code)
	h.press(adminID, "wmc:"+code)
	var actions []string
	for _, a := range h.store.audit {
		actions = append(actions, a.Action+":"+a.Target)
	}
	want := []string{AuditWsCreate + ":" + code, AuditExport + ":" + code, AuditWsClose + ":" + code}
	if strings.Join(actions, " ") != strings.Join(want, " ") {
		t.Fatalf("audit %v, want %v", actions, want)
	}
	wantIDs(t, h.text(5, "/audit"), "errors.not_allowed")
	res := h.text(adminID, "/audit")
	wantIDs(t, res, "audit.list")
	res = h.press(adminID, button(t, res, "audit.export"))
	wantIDs(t, res, "audit.csv_caption")
	if !strings.Contains(string(res.Replies[0].Document.Data), code) {
		t.Fatal("audit CSV lacks the workshop")
	}
}

// keepLabel is the value shown on the Keep button of res.
func keepLabel(t *testing.T, res *Result) any {
	t.Helper()
	for _, r := range res.Replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Label.ID == "flow.keep" {
					return b.Label.Data["Value"]
				}
			}
		}
	}
	t.Fatalf("no Keep button in %v", ids(res))
	return nil
}

// Editing a workshop: the Keep buttons show the stored date, zone and
// capacity as people read them, and a deadline "until the start" moves
// with the start.
func TestEditKeepButtonsAndDeadline(t *testing.T) {
	h := newHarness(t)
	code := createWorkshop(t, h, "0")
	ctx := context.Background()
	w, _ := h.store.GetWorkshop(ctx, code)
	field := func(name string) *Result {
		t.Helper()
		res := h.press(adminID, "wme:"+code)
		res = h.press(adminID, button(t, res, "ws.edit"))
		return h.press(adminID, button(t, res, "ws.field."+name))
	}
	res := field("start")
	if got, ok := keepLabel(t, res).(When); !ok || !got.At.Equal(w.Start) || got.Zone != w.Zone {
		t.Fatalf("start Keep shows %#v", keepLabel(t, res))
	}
	h.press(adminID, button(t, res, "flow.keep"))
	res = field("capacity")
	if got, ok := keepLabel(t, res).(Text); !ok || got.ID != "ws.capacity_unlimited" {
		t.Fatalf("capacity Keep shows %#v", keepLabel(t, res))
	}
	h.press(adminID, button(t, res, "flow.keep"))
	res = field("deadline")
	if got, ok := keepLabel(t, res).(Text); !ok || got.ID != "ws.until_start" {
		t.Fatalf("deadline Keep shows %#v", keepLabel(t, res))
	}
	h.press(adminID, button(t, res, "flow.keep"))
	res = field("zone")
	if got, ok := keepLabel(t, res).(Text); !ok || got.ID != "ws.zone.WITA" {
		t.Fatalf("zone Keep shows %#v", keepLabel(t, res))
	}
	h.press(adminID, button(t, res, "flow.keep"))

	// Move the start two days later: the deadline "until the start" follows.
	field("start")
	res = h.text(adminID, "12/12/2026 09:00")
	wantIDs(t, res, "ws.summary")
	res = h.press(adminID, button(t, res, "ws.save"))
	wantIDs(t, res, "(clear buttons)", "ws.updated")
	w, _ = h.store.GetWorkshop(ctx, code)
	if want := time.Date(2026, 12, 12, 9, 0, 0, 0, LoadZone("Asia/Makassar")); !w.Start.Equal(want) || !w.Deadline.Equal(want) {
		t.Fatalf("start %v, deadline %v; want both %v", w.Start, w.Deadline, want)
	}
	// Move it earlier than a set deadline: the deadline closes at the start.
	field("deadline")
	h.text(adminID, "11/12/2026 17:00")
	field("start")
	res = h.text(adminID, "11/12/2026 09:00")
	h.press(adminID, button(t, res, "ws.save"))
	w, _ = h.store.GetWorkshop(ctx, code)
	if !w.Deadline.Equal(w.Start) {
		t.Fatalf("deadline %v after the start %v", w.Deadline, w.Start)
	}
}

// An online-only workshop: registrants confirm attendance with a button
// (at the start, or after the end), it counts as attendance in the
// facilitator's view, and they are surveyed (the bug: nobody was).
func TestOnlineAttendanceIsSurveyed(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	start := h.now.Add(72 * time.Hour)
	w := &Workshop{Code: "mnp234", Title: "Webinar MEL", Zone: "Asia/Jakarta", Start: start, End: start.Add(2 * time.Hour),
		Deadline: start, OnlineURL: "https://meet.example.org/mel", Facilitators: []int64{adminID}, CreatedBy: adminID, Created: h.now}
	if err := h.store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{2, 3} {
		h.store.SaveProfile(ctx, &Profile{UserID: id, FullName: "Peserta", ConsentVersion: ConsentVersion})
		h.press(id, "reg:"+w.Code)
		if _, ok := h.store.ws.jobs[jobOnline+"|"+w.Code+"|"+strconv.FormatInt(id, 10)]; !ok {
			t.Fatalf("no start message planned for %d", id)
		}
	}
	run := func(kind string, uid int64, at time.Time) []Reply {
		t.Helper()
		r, err := h.e.RunJob(ctx, Job{ID: kind + "|" + w.Code + "|" + strconv.FormatInt(uid, 10)}, at)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// At the start: the link and the button.
	r := run(jobOnline, 2, start)
	if len(r) != 1 || r[0].Text.ID != "ws.online_start" || r[0].ChatID != 2 {
		t.Fatalf("start message %+v", r)
	}
	att := r[0].Buttons[0][0].Data
	// Too early (before check-in opens) is refused and records nothing.
	h.now = start.Add(-3 * time.Hour)
	if res := h.press(2, att); res.Answer == nil || res.Answer.Text.ID != "att.too_early" {
		t.Fatalf("early press %+v", res.Answer)
	}
	// Someone not registered cannot use it.
	if res := h.press(4, att); res.Answer == nil || res.Answer.Text.ID != "ws.not_registered" {
		t.Fatalf("stranger's press %+v", res.Answer)
	}
	h.now = start.Add(10 * time.Minute)
	wantIDs(t, h.press(2, att), "(clear buttons)", "att.done")
	if c, _ := h.store.Counts(ctx, w.Code); c.CheckedIn != 1 {
		t.Fatalf("counts %+v", c)
	}
	list := h.press(adminID, "wmr:"+w.Code+":0")
	lines := list.Replies[0].Text.Data["Lines"].([]Text)
	if len(lines) != 2 || lines[0].ID != "ws.reg_line_checked" || lines[1].ID != "ws.reg_line_confirmed" {
		t.Fatalf("attendance view %+v", lines)
	}
	// At the end: 2 is surveyed; 3 is asked whether they joined online.
	if r := run(jobFeedback, 2, w.End); len(r) != 1 || r[0].Text.ID != "fb.ask" {
		t.Fatalf("survey of the online attendee %+v", r)
	}
	r = run(jobFeedback, 3, w.End)
	if len(r) != 1 || r[0].Text.ID != "fb.ask_online" || r[0].ChatID != 3 {
		t.Fatalf("question to the other registrant %+v", r)
	}
	h.now = w.End.Add(time.Hour)
	res := h.press(3, r[0].Buttons[0][0].Data)
	wantIDs(t, res, "(clear buttons)", "att.done", "fb.ask")
	wantIDs(t, h.press(3, res.Replies[2].Buttons[0][4].Data), "(clear buttons)", "fb.ask_comment")
	// A week after the end it is too late to confirm.
	h.now = w.End.Add(8 * 24 * time.Hour)
	if res := h.press(2, att); res.Answer == nil || res.Answer.Text.ID != "att.closed" {
		t.Fatalf("late press %+v", res.Answer)
	}
}
