package registration_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

func TestRegisterWaitlistPromoteCheckIn(t *testing.T) {
	h := newHarness(t)
	code := flowstest.CreateWorkshop(t, h, "2")
	ctx := context.Background()
	// Automatic promotion, the facilitator's choice (offers: offers_test.go).
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "workshops.promotion:"+code), "ws.manage_card")

	// First registration asks the profile, then registers.
	res := h.Text(1, "/start ws_"+code)
	flowstest.WantIDs(t, res, "ws.card")
	res = h.Press(1, flowstest.ButtonData(t, res, "ws.btn_register"))
	flowstest.WantIDs(t, res, "ws.profile_first", "profile.intro", "profile.ask_name")
	res = flowstest.FillProfile(t, h, 1, res)
	flowstest.WantIDs(t, res, "(clear buttons)", "profile.saved", "ws.confirmed", "ws.ics_caption", "ws.qr_caption")
	if inv, qr := res.Replies[3].Calendar, res.Replies[4].QR; inv == nil || inv.Workshop.Code != code || inv.Attendee != 1 ||
		qr == nil || !strings.Contains(qr.Content, "start=checkin_") {
		t.Fatalf("no calendar invitation or QR code: %+v %+v", inv, qr)
	}
	// The second has a profile already: one press.
	h.Store.SaveProfile(ctx, &flows.Profile{UserID: 2, FullName: "Dua", ConsentVersion: flows.ConsentVersion})
	h.Store.SaveProfile(ctx, &flows.Profile{UserID: 3, FullName: "Tiga", ConsentVersion: flows.ConsentVersion})
	flowstest.WantIDs(t, h.Press(2, "registration.join:"+code), "ws.confirmed", "ws.ics_caption", "ws.qr_caption")
	flowstest.WantIDs(t, h.Press(3, "registration.join:"+code), "ws.waitlisted")
	// Pressing again shows where one stands: the waiting place, or the
	// ticket again (and nothing changes in the store).
	flowstest.WantIDs(t, h.Press(3, "registration.join:"+code), "ws.waitlisted")
	flowstest.WantIDs(t, h.Press(2, "registration.join:"+code), "ws.confirmed", "ws.ics_caption", "ws.qr_caption")
	if c, _ := h.Store.Counts(ctx, code); c.Confirmed != 2 || c.Waiting != 1 {
		t.Fatalf("counts after pressing twice %+v", c)
	}

	// 1 cancels: 3 is promoted and told in their chat.
	res = h.Press(1, "registration.leave_yes:"+code)
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.unregistered", "ws.promoted", "ws.ics_caption", "ws.qr_caption")
	if res.Replies[2].ChatID != 3 || !res.Replies[2].Bulk {
		t.Fatalf("promotion sent to %d", res.Replies[2].ChatID)
	}
	if c, _ := h.Store.Counts(ctx, code); c.Confirmed != 2 || c.Waiting != 0 {
		t.Fatalf("counts %+v", c)
	}
	if h.Store.HasJob(flows.JobDayBefore + "|" + code + "|1") {
		t.Fatal("cancelled registrant's reminder still scheduled")
	}
	if !h.Store.HasJob(flows.JobDayBefore + "|" + code + "|3") {
		t.Fatal("promoted registrant has no reminder")
	}

	// Check-in: the facilitator (admin) opens 2's QR link; 3 opening it is refused.
	r2, _ := h.Store.GetRegistration(ctx, code, 2)
	flowstest.WantIDs(t, h.Text(3, "/start checkin_"+r2.Token), "checkin.not_facilitator")
	flowstest.WantIDs(t, h.Text(2, "/start checkin_"+r2.Token), "checkin.own_code")
	// Check-in opens two hours before the start, not days ahead; the
	// refusal says when.
	w, _ := h.Store.GetWorkshop(ctx, code)
	h.Now = w.Start.Add(-2*time.Hour - time.Minute)
	res = h.Text(flowstest.AdminID, "/start checkin_"+r2.Token)
	flowstest.WantIDs(t, res, "checkin.too_early")
	if opens := res.Replies[0].Text.Data["Opens"].(flows.When); !opens.At.Equal(w.Start.Add(-2*time.Hour)) || opens.Zone != w.Zone {
		t.Fatalf("check-in opens %+v", opens)
	}
	if c, _ := h.Store.Counts(ctx, code); c.CheckedIn != 0 {
		t.Fatalf("checked in too early: %+v", c)
	}
	h.Now = w.Start.Add(-2 * time.Hour)
	res = h.Text(flowstest.AdminID, "/start checkin_"+r2.Token)
	flowstest.WantIDs(t, res, "checkin.done", "checkin.welcome")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "/start checkin_"+r2.Token), "checkin.again")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "/start checkin_AAAAAAAAAAAAAAAAAAAAAA"), "checkin.invalid")
	// It closes two hours after the end, and says when (#23).
	h.Now = w.End.Add(2 * time.Hour)
	res = h.Text(flowstest.AdminID, "/start checkin_"+r2.Token)
	flowstest.WantIDs(t, res, "checkin.too_late")
	if closed := res.Replies[0].Text.Data["Closed"].(flows.When); !closed.At.Equal(w.End.Add(2 * time.Hour)) {
		t.Fatalf("check-in closed %+v", closed)
	}
	if c, _ := h.Store.Counts(ctx, code); c.CheckedIn != 1 {
		t.Fatalf("checked in after the close: %+v", c)
	}

	// A participant cannot use management buttons, even forged.
	for _, data := range []string{"workshops.manage:" + code, "workshops.export:" + code, "workshops.cancel_yes:" + code, "workshops.registrants:" + code + ":0"} {
		if res := h.Press(3, data); res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
			t.Errorf("%s by a participant: %+v", data, res.Answer)
		}
	}
	if w, _ := h.Store.GetWorkshop(ctx, code); w.Cancelled {
		t.Fatal("participant cancelled the workshop")
	}
}

func TestForgedWorkshopCodes(t *testing.T) {
	h := newHarness(t)
	for _, p := range []string{"ws_zzzzzz", "ws_../../", "ws_" + strings.Repeat("a", 40)} {
		res := h.Text(5, "/start "+p)
		if got := flowstest.IDs(res); got[0] != "ws.not_found" && got[0] != "start.bad_link" {
			t.Errorf("%s: %v", p, got)
		}
	}
	flowstest.WantIDs(t, h.Press(5, "registration.join:abcdef"), "ws.not_found")
}

func TestReminderJobs(t *testing.T) {
	h := newHarness(t)
	code := flowstest.CreateWorkshop(t, h, "0")
	ctx := context.Background()
	h.Store.SaveProfile(ctx, &flows.Profile{UserID: 2, FullName: "Dua", ConsentVersion: flows.ConsentVersion})
	h.Send(2, flows.Input{Kind: flows.KindCommand, Command: "start", LangCode: "en"})
	h.Press(2, "registration.join:"+code)
	w, _ := h.Store.GetWorkshop(ctx, code)
	dayBefore, soon := flows.ReminderTimes(w)
	if want := time.Date(2026, 12, 9, 9, 0, 0, 0, flows.LoadZone("Asia/Makassar")); !dayBefore.Equal(want) || !soon.Equal(w.Start.Add(-2*time.Hour)) {
		t.Fatalf("reminders at %v and %v", dayBefore, soon)
	}
	for _, c := range []struct {
		id   string
		at   time.Time
		want string
	}{
		{flows.JobDayBefore + "|" + code + "|2", dayBefore, "remind.day_before"},
		{flows.JobSoon + "|" + code + "|2", soon, "remind.soon"},
		{flows.JobSoon + "|" + code + "|2", w.Start.Add(time.Minute), ""}, // too late: dropped
		{flows.JobFeedback + "|" + code + "|2", w.End, "fb.ask_online"},   // not checked in, hybrid: did you join online?
	} {
		replies, err := h.E.RunJob(ctx, flows.Job{ID: c.id, Due: c.at}, c.at)
		if late := errors.Is(err, flows.ErrJobLate); err != nil && !late || late != strings.HasPrefix(c.id, flows.JobSoon) && c.at.After(w.Start) {
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
	r, _ := h.Store.GetRegistration(ctx, code, 2)
	h.Now = w.Start
	h.Text(flowstest.AdminID, "/start checkin_"+r.Token)
	replies, _ := h.E.RunJob(ctx, flows.Job{ID: flows.JobFeedback + "|" + code + "|2"}, w.End)
	if len(replies) != 1 || replies[0].Text.ID != "sv.invite" {
		t.Fatalf("survey request %+v", replies)
	}
	// The 1–5 rating's buttons sent before surveys still work.
	res := h.Press(2, "registration.feedback:"+code+":5")
	flowstest.WantIDs(t, res, "(clear buttons)", "fb.ask_comment")
	flowstest.WantIDs(t, h.Text(2, "Sangat bermanfaat <3"), "fb.thanks")
	res = h.Press(flowstest.AdminID, "workshops.feedback:"+code)
	flowstest.WantIDs(t, res, "ws.feedback_summary")
	if avg := res.Replies[0].Text.Data["Avg"]; avg != "5.0" {
		t.Fatalf("average %v", avg)
	}
}

// A facilitator of one workshop cannot check in someone of another.
func TestCheckInTokenOfAnotherWorkshop(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	codeA := flowstest.CreateWorkshop(t, h, "0")
	h.Store.SaveUser(ctx, &flows.User{ID: 50, Lang: "id", Role: flows.RoleFacilitator})
	h.Store.CreateWorkshop(ctx, &flows.Workshop{Code: "bbbbbb", Title: "B", Zone: "Asia/Jakarta", Facilitators: []int64{50},
		Start: h.Now.Add(48 * time.Hour), End: h.Now.Add(50 * time.Hour), Deadline: h.Now.Add(48 * time.Hour), Venue: "x"})
	h.Store.SaveProfile(ctx, &flows.Profile{UserID: 2, FullName: "Dua", ConsentVersion: flows.ConsentVersion})
	h.Press(2, "registration.join:"+codeA)
	r, _ := h.Store.GetRegistration(ctx, codeA, 2)
	flowstest.WantIDs(t, h.Text(50, "/start checkin_"+r.Token), "checkin.not_facilitator")
	if first, _ := h.Store.CheckIn(ctx, codeA, 2, h.Now); !first {
		t.Fatal("the refused check-in was recorded")
	}
}

// A check-in link pasted into the facilitator's chat works like opening it.
func TestPastedCheckInLink(t *testing.T) {
	h := newHarness(t)
	code := flowstest.CreateWorkshop(t, h, "0")
	ctx := context.Background()
	h.Store.SaveProfile(ctx, &flows.Profile{UserID: 2, FullName: "Dua", ConsentVersion: flows.ConsentVersion})
	res := h.Press(2, "registration.join:"+code)
	link := res.Replies[2].Text.Data["Link"].(string)
	w, _ := h.Store.GetWorkshop(ctx, code)
	h.Now = w.Start.Add(-time.Hour)
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "  "+link+" "), "checkin.done", "checkin.welcome")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "https://t.me/another_bot?start=checkin_x"), "errors.not_understood")
}

// An online-only workshop: registrants confirm attendance with a button
// (at the start, or after the end), it counts as attendance in the
// facilitator's view, and they are surveyed (the bug: nobody was).
func TestOnlineAttendanceIsSurveyed(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	start := h.Now.Add(72 * time.Hour)
	w := &flows.Workshop{Code: "mnp234", Title: "Webinar MEL", Zone: "Asia/Jakarta", Start: start, End: start.Add(2 * time.Hour),
		Deadline: start, OnlineURL: "https://meet.example.org/mel", Facilitators: []int64{flowstest.AdminID}, CreatedBy: flowstest.AdminID, Created: h.Now}
	if err := h.Store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{2, 3} {
		h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta", ConsentVersion: flows.ConsentVersion})
		h.Press(id, "registration.join:"+w.Code)
		if !h.Store.HasJob(flows.JobOnline + "|" + w.Code + "|" + strconv.FormatInt(id, 10)) {
			t.Fatalf("no start message planned for %d", id)
		}
	}
	run := func(kind string, uid int64, at time.Time) []flows.Reply {
		t.Helper()
		r, err := h.E.RunJob(ctx, flows.Job{ID: kind + "|" + w.Code + "|" + strconv.FormatInt(uid, 10)}, at)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// At the start: the link and the button.
	r := run(flows.JobOnline, 2, start)
	if len(r) != 1 || r[0].Text.ID != "ws.online_start" || r[0].ChatID != 2 {
		t.Fatalf("start message %+v", r)
	}
	att := r[0].Buttons[0][0].Data
	// Too early (before check-in opens) is refused and records nothing.
	h.Now = start.Add(-3 * time.Hour)
	if res := h.Press(2, att); res.Answer == nil || res.Answer.Text.ID != "att.too_early" {
		t.Fatalf("early press %+v", res.Answer)
	}
	// Someone not registered cannot use it.
	if res := h.Press(4, att); res.Answer == nil || res.Answer.Text.ID != "ws.not_registered" {
		t.Fatalf("stranger's press %+v", res.Answer)
	}
	h.Now = start.Add(10 * time.Minute)
	flowstest.WantIDs(t, h.Press(2, att), "(clear buttons)", "att.done")
	if c, _ := h.Store.Counts(ctx, w.Code); c.CheckedIn != 1 {
		t.Fatalf("counts %+v", c)
	}
	list := h.Press(flowstest.AdminID, "workshops.registrants:"+w.Code+":0")
	lines := list.Replies[0].Text.Data["Lines"].([]flows.Text)
	if len(lines) != 2 || lines[0].ID != "ws.reg_line_checked" || lines[1].ID != "ws.reg_line_confirmed" {
		t.Fatalf("attendance view %+v", lines)
	}
	// At the end: 2 is surveyed; 3 is asked whether they joined online.
	if r := run(flows.JobFeedback, 2, w.End); len(r) != 1 || r[0].Text.ID != "sv.invite" {
		t.Fatalf("survey of the online attendee %+v", r)
	}
	r = run(flows.JobFeedback, 3, w.End)
	if len(r) != 1 || r[0].Text.ID != "fb.ask_online" || r[0].ChatID != 3 {
		t.Fatalf("question to the other registrant %+v", r)
	}
	h.Now = w.End.Add(flows.DefaultOnlineCloses - time.Minute)
	res := h.Press(3, r[0].Buttons[0][0].Data)
	flowstest.WantIDs(t, res, "(clear buttons)", "att.done", "sv.invite")
	flowstest.WantIDs(t, h.Press(3, res.Replies[2].Buttons[0][0].Data), "(clear buttons)", "sv.intro", "sv.question_rating")
	// From SINERGI_ONLINE_CLOSES after the end it is too late to confirm.
	h.Now = w.End.Add(flows.DefaultOnlineCloses)
	if res := h.Press(2, att); res.Answer == nil || res.Answer.Text.ID != "att.closed_at" {
		t.Fatalf("late press %+v", res.Answer)
	}
}
