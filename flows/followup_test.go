package flows

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// followUpSetup: a workshop (the admin facilitates) with participants 2 and 3
// registered and checked in.
func followUpSetup(t *testing.T) (*harness, string) {
	t.Helper()
	h := newHarness(t)
	code := createWorkshop(t, h, "0")
	ctx := context.Background()
	for _, id := range []int64{2, 3} {
		h.store.SaveProfile(ctx, &Profile{UserID: id, FullName: "Peserta " + string(rune('0'+id)), Organisation: "Org " + string(rune('0'+id)), ConsentVersion: ConsentVersion})
		h.press(id, "reg:"+code)
	}
	// At the door an hour before the start, then on with the clock as it was.
	w, _ := h.store.GetWorkshop(ctx, code)
	was := h.now
	h.now = w.Start.Add(-time.Hour)
	for _, id := range []int64{2, 3} {
		r, _ := h.store.GetRegistration(ctx, code, id)
		h.text(adminID, "/start checkin_"+r.Token)
	}
	h.now = was
	return h, code
}

func TestCommitmentsFollowUp(t *testing.T) {
	h, code := followUpSetup(t)
	ctx := context.Background()

	res := h.press(adminID, "wmo:"+code)
	// Collected before the workshop: nobody is thanked for joining yet.
	wantIDs(t, res, "cm.invitation_ahead", "cm.invitation_ahead", "cm.collection_opened")

	// Participant 2 commits, with bad input on the way.
	res = h.press(2, "cmn:"+code)
	wantIDs(t, res, "cm.intro", "cm.ask_what")
	wantIDs(t, h.text(2, "   "), "errors.too_short", "cm.ask_what")
	res = h.text(2, "Bangun 10 tandon air hujan di Sikka")
	res = h.press(2, button(t, res, "cm.owner_me"))
	wantIDs(t, res, "(clear buttons)", "cm.ask_due")
	wantIDs(t, h.text(2, "31/02/2027"), "ws.date_invalid", "cm.ask_due")
	wantIDs(t, h.text(2, "01/01/2026"), "cm.due_past", "cm.ask_due")
	res = h.text(2, "15/01/2027")
	res = h.press(2, button(t, res, "cm.skip"))
	res = h.text(2, "PT Hijau Lestari")
	wantIDs(t, res, "cm.summary")
	res = h.press(2, button(t, res, "ws.save"))
	wantIDs(t, res, "(clear buttons)", "cm.saved")
	mine, _ := h.store.UserCommitments(ctx, 2)
	if len(mine) != 1 || mine[0].Status != CmOpen || mine[0].Partners != "PT Hijau Lestari" {
		t.Fatalf("commitments %+v", mine)
	}
	c := mine[0]
	wita := LoadZone("Asia/Makassar")
	if !c.Due.Equal(time.Date(2027, 1, 15, 9, 0, 0, 0, wita)) {
		t.Fatalf("due %v", c.Due)
	}
	for _, id := range followUpIDs(c) {
		if _, ok := h.store.ws.jobs[id]; !ok {
			t.Errorf("job %s not scheduled", id)
		}
	}

	// 2 writes one down for 3; only 3 can accept it.
	res = h.press(2, "cmn:"+code)
	h.text(2, "Data baseline desa")
	res = h.press(2, "s:"+h.sess[2].Nonce+":3")
	res = h.text(2, "20/01/2027")
	res = h.press(2, button(t, res, "cm.skip"))
	res = h.press(2, button(t, res, "cm.skip"))
	res = h.press(2, button(t, res, "ws.save"))
	wantIDs(t, res, "(clear buttons)", "cm.proposed_to_you", "cm.sent_for_confirmation")
	accept := res.Replies[1].Buttons[0][0].Data
	if res.Replies[1].ChatID != 3 {
		t.Fatalf("proposal sent to %d", res.Replies[1].ChatID)
	}
	if res := h.press(2, accept); res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
		t.Fatalf("someone else accepted: %+v", res.Answer)
	}
	wantIDs(t, h.press(3, accept), "(clear buttons)", "cm.accepted", "cm.accepted_notice")

	// Reminders at their moments; escalation once.
	run := func(kind string, at time.Time) []Reply {
		t.Helper()
		r, err := h.e.RunJob(ctx, Job{ID: kind + "|" + code + "|" + c.ID}, at)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := run(jobCm3, c.Due.AddDate(0, 0, -3)); len(r) != 1 || r[0].Text.ID != "cm.remind_3days" || r[0].ChatID != 2 {
		t.Fatalf("3-day reminder %+v", r)
	}
	if r := run(jobCmDue, c.Due); len(r) != 1 || r[0].Text.ID != "cm.remind_due" {
		t.Fatalf("due-day reminder %+v", r)
	}
	if r := run(jobCmEsc, c.Due.AddDate(0, 0, 7)); len(r) != 1 || r[0].Text.ID != "cm.escalation_overdue" || r[0].ChatID != adminID {
		t.Fatalf("escalation %+v", r)
	}
	if r := run(jobCmEsc, c.Due.AddDate(0, 0, 8)); len(r) != 0 {
		t.Fatalf("escalated twice: %+v", r)
	}

	// Status: only the owner; blocked escalates; the note is kept.
	if res := h.press(3, "cms:"+code+":"+c.ID+":done"); res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
		t.Fatalf("someone else set the status: %+v", res.Answer)
	}
	res = h.press(2, "cms:"+code+":"+c.ID+":blocked")
	wantIDs(t, res, "(clear buttons)", "cm.escalation_blocked", "cm.status_saved", "cm.ask_note")
	wantIDs(t, h.text(2, "Dana CSR belum cair"), "cm.thanks")
	got, _ := h.store.GetCommitment(ctx, code, c.ID)
	if n := len(got.History); n != 1 || got.History[0].Note != "Dana CSR belum cair" || got.Status != CmBlocked {
		t.Fatalf("history %+v", got.History)
	}

	// The report: text, chart, CSV; refused to participants.
	if res := h.press(2, "rp:"+code); res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
		t.Fatalf("participant read the report: %+v", res.Answer)
	}
	h.now = c.Due.AddDate(0, 0, 2)
	res = h.press(adminID, "rp:"+code)
	wantIDs(t, res, "rp.text", "rp.chart_caption", "rp.csv_caption")
	d := res.Replies[0].Text.Data
	if d["Count"] != 2 || d["Overdue"] != 1 || d["NoAnswer"] != 1 || d["Rate"] != 0 {
		t.Fatalf("report %v", d)
	}
	if png := res.Replies[1].Photo.Data; !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatal("chart is not a PNG")
	}
	csv := string(res.Replies[2].Document.Data)
	if !strings.Contains(csv, "Bangun 10 tandon air hujan di Sikka") || !strings.Contains(csv, "Dana CSR belum cair") {
		t.Fatalf("csv %q", csv)
	}

	// Done cancels the pending reminders.
	h.press(2, "cms:"+code+":"+c.ID+":done")
	for _, id := range followUpIDs(c) {
		if _, ok := h.store.ws.jobs[id]; ok {
			t.Errorf("job %s still scheduled after done", id)
		}
	}
}

func TestTally(t *testing.T) {
	now := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	past, future := now.AddDate(0, 0, -5), now.AddDate(0, 0, 5)
	y := TallyOf([]*Commitment{
		{Status: CmDone, Due: past}, {Status: CmOpen, Due: past}, {Status: CmBlocked, Due: future},
		{Status: CmOnTrack, Due: future}, {Status: CmOpen, Due: future}, {Status: CmProposed, Due: future},
		{Status: CmBlocked, Due: past}, {Status: CmProposed, Due: past}, {Status: CmDone, Due: future},
	}, now)
	// Statuses add up to the total; overdue counts across them.
	if (y != Tally{Total: 9, Done: 2, OnTrack: 1, Blocked: 2, Overdue: 2, NoAnswer: 2, Proposed: 2}) || y.Completion() != 28 {
		t.Fatalf("%+v %d", y, y.Completion())
	}
}

func TestWeeklyDigest(t *testing.T) {
	w := &Workshop{Zone: "Asia/Jakarta"}
	jkt := LoadZone("Asia/Jakarta")
	for _, c := range []struct{ now, want time.Time }{
		{time.Date(2026, 11, 23, 7, 0, 0, 0, jkt), time.Date(2026, 11, 23, 8, 0, 0, 0, jkt)}, // Monday before 08:00
		{time.Date(2026, 11, 23, 8, 0, 0, 0, jkt), time.Date(2026, 11, 30, 8, 0, 0, 0, jkt)}, // Monday 08:00: next week
		{time.Date(2026, 11, 26, 15, 0, 0, 0, jkt), time.Date(2026, 11, 30, 8, 0, 0, 0, jkt)},
	} {
		if got := NextDigest(w, c.now); !got.Equal(c.want) {
			t.Errorf("NextDigest(%v) = %v, want %v", c.now, got, c.want)
		}
	}
	h, code := followUpSetup(t)
	ctx := context.Background()
	h.store.SaveCommitment(ctx, &Commitment{ID: "x1", Workshop: code, What: "X", Owner: 2, Due: h.now.AddDate(0, 1, 0), Status: CmOpen, Created: h.now})
	r, err := h.e.RunJob(ctx, Job{ID: jobDigest + "|" + code}, h.now)
	if err != nil || len(r) != 1 || r[0].ChatID != adminID || r[0].Text.ID != "rp.digest" {
		t.Fatalf("digest %+v %v", r, err)
	}
	if _, ok := h.store.ws.jobs[jobDigest+"|"+code]; !ok {
		t.Fatal("next digest not planned")
	}
	h.store.SaveCommitment(ctx, &Commitment{ID: "x1", Workshop: code, What: "X", Owner: 2, Due: h.now.AddDate(0, 1, 0), Status: CmDone, Created: h.now})
	if r, _ := h.e.RunJob(ctx, Job{ID: jobDigest + "|" + code}, h.now); len(r) != 0 {
		t.Fatalf("digest with nothing open: %+v", r)
	}
}

func TestCheckInInterval(t *testing.T) {
	h, code := followUpSetup(t)
	ctx := context.Background()
	for _, want := range []int{14, 30, 7} {
		res := h.press(adminID, "wmci:"+code)
		if res.Answer == nil || res.Answer.Text.Data["Count"] != want {
			t.Fatalf("answer %+v, want %d days", res.Answer, want)
		}
	}
	if res := h.press(2, "wmci:"+code); res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
		t.Fatalf("participant changed the interval: %+v", res.Answer)
	}
	h.press(adminID, "wmci:"+code) // 14 days
	c := &Commitment{ID: "c1", Workshop: code, What: "X", Owner: 2, Due: h.now.AddDate(0, 1, 0), Status: CmOpen, Created: h.now}
	h.store.SaveCommitment(ctx, c)
	if _, err := h.e.RunJob(ctx, Job{ID: jobCmCheck + "|" + code + "|c1"}, h.now); err != nil {
		t.Fatal(err)
	}
	if next := h.store.ws.jobs[jobCmCheck+"|"+code+"|c1"]; !next.Equal(h.now.Add(14 * 24 * time.Hour)) {
		t.Fatalf("next check-in %v", next)
	}
}

// A commitment reminder says the time left when it is sent: one found a day
// late says "tomorrow" (not "in three days"), and one that would now say
// something untrue (the 3-day reminder on the due day, the due-day one a
// day after) is dropped as late.
func TestCommitmentReminderWordingAtSendTime(t *testing.T) {
	h, code := followUpSetup(t)
	ctx := context.Background()
	h.press(adminID, "wmo:"+code)
	h.press(2, "cmn:"+code)
	h.text(2, "Bangun tandon")
	h.press(2, "s:"+h.sess[2].Nonce+":2")
	res := h.text(2, "15/01/2027")
	res = h.press(2, button(t, res, "cm.skip"))
	res = h.press(2, button(t, res, "cm.skip"))
	h.press(2, button(t, res, "ws.save"))
	mine, _ := h.store.UserCommitments(ctx, 2)
	c := mine[0]
	run := func(kind string, at time.Time) ([]Reply, error) {
		return h.e.RunJob(ctx, Job{ID: kind + "|" + code + "|" + c.ID}, at)
	}
	for _, tc := range []struct {
		kind string
		at   time.Time
		left string
		n    any
	}{
		{jobCm3, c.Due.AddDate(0, 0, -3), "when.in_days", 3},
		{jobCm3, c.Due.AddDate(0, 0, -1).Add(5 * time.Hour), "when.tomorrow", nil},
		{jobCmDue, c.Due.Add(3 * time.Hour), "when.today", nil},
	} {
		r, err := run(tc.kind, tc.at)
		if err != nil || len(r) != 1 {
			t.Fatalf("%s at %v: %+v, %v", tc.kind, tc.at, r, err)
		}
		left, _ := r[0].Text.Data["Left"].(Text)
		if left.ID != tc.left || (tc.n != nil && left.Data["Count"] != tc.n) {
			t.Errorf("%s at %v says %+v, want %s %v", tc.kind, tc.at, left, tc.left, tc.n)
		}
	}
	for _, tc := range []struct {
		kind string
		at   time.Time
	}{{jobCm3, c.Due.Add(time.Hour)}, {jobCmDue, c.Due.AddDate(0, 0, 1)}} {
		if r, err := run(tc.kind, tc.at); !errors.Is(err, ErrJobLate) || len(r) != 0 {
			t.Errorf("%s at %v: %+v, %v; want dropped as late", tc.kind, tc.at, r, err)
		}
	}
}

func TestTimeLeft(t *testing.T) {
	jkt := "Asia/Jakarta"
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, LoadZone(jkt))
	for _, c := range []struct {
		before time.Duration
		id     string
		n      any
	}{
		{72 * time.Hour, "when.in_days", 3},
		{20 * time.Hour, "when.tomorrow", nil}, // 13:00 the day before
		{8 * time.Hour, "when.in_hours", 8},    // 01:00 the same day
		{2 * time.Hour, "when.in_hours", 2},
		{90 * time.Minute, "when.in_minutes", 90},
		{30 * time.Second, "when.in_minutes", 1},
	} {
		got := TimeLeft(start.Add(-c.before), start, jkt)
		if got.ID != c.id || (c.n != nil && (got.Data["Count"] != c.n || got.Count != c.n)) {
			t.Errorf("%v before: %+v, want %s %v", c.before, got, c.id, c.n)
		}
	}
}

// Collected after the workshop, the invitation thanks people for joining.
func TestCollectionAfterWorkshopThanks(t *testing.T) {
	h, code := followUpSetup(t)
	w, _ := h.store.GetWorkshop(context.Background(), code)
	h.now = w.End.Add(time.Hour)
	wantIDs(t, h.press(adminID, "wmo:"+code), "cm.invitation", "cm.invitation", "cm.collection_opened")
}
