package registration_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// offerSetup is a new workshop (it offers freed seats) with capacity 1:
// user 2 confirmed, then waiting in order.
func offerSetup(t *testing.T, waiting ...int64) (*flowstest.Harness, string) {
	t.Helper()
	h := newHarness(t)
	code := flowstest.CreateWorkshop(t, h, "1")
	ctx := context.Background()
	for _, id := range append([]int64{2}, waiting...) {
		h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta", ConsentVersion: flows.ConsentVersion})
		h.Press(id, "registration.join:"+code)
	}
	return h, code
}

// offerTo checks that res offers a seat of code to uid, ending at until
// in the workshop's zone, with Accept and Decline.
func offerTo(t *testing.T, h *flowstest.Harness, replies []flows.Reply, code string, uid int64, until time.Time) {
	t.Helper()
	w, _ := h.Store.GetWorkshop(context.Background(), code)
	for _, r := range replies {
		if r.Text.ID != "ws.offer" || r.ChatID != uid {
			continue
		}
		if got := r.Text.Data["Until"].(flows.When); !got.At.Equal(until) || got.Zone != w.Zone {
			t.Fatalf("offer to %d until %+v, want %v in %s", uid, got, until, w.Zone)
		}
		var data []string
		for _, row := range r.Buttons {
			for _, b := range row {
				data = append(data, b.Data)
			}
		}
		if !slices.Equal(data, []string{"registration.accept:" + code, "registration.decline:" + code}) || !r.Bulk {
			t.Fatalf("offer buttons %v (bulk %v)", data, r.Bulk)
		}
		return
	}
	t.Fatalf("no offer to %d in %v", uid, replies)
}

func job(t *testing.T, h *flowstest.Harness, kind, code string, uid int64, at time.Time) []flows.Reply {
	t.Helper()
	replies, err := h.E.RunJob(context.Background(), flows.Job{ID: flows.OfferJobIDs(code, uid)[map[string]int{flows.JobOfferEnd: 0, flows.JobOfferReminder: 1}[kind]], Due: at}, at)
	if err != nil {
		t.Fatalf("job %s for %d: %v", kind, uid, err)
	}
	return replies
}

func textIDs(replies []flows.Reply) []string {
	var out []string
	for _, r := range replies {
		out = append(out, r.Text.ID)
	}
	return out
}

// A freed seat is offered to the first person waiting: held for them (24
// hours by default), shown in /mine and on the card with Accept and
// Decline, reminded once halfway; Accept gives the ticket, calendar file
// and QR code, the reminders, and ends the offer's jobs.
func TestWaitingListOfferAccepted(t *testing.T) {
	h, code := offerSetup(t, 3, 4)
	ctx := context.Background()
	now := h.Now
	res := h.Press(2, "registration.leave_yes:"+code)
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.unregistered", "ws.offer")
	offerTo(t, h, res.Replies, code, 3, now.Add(24*time.Hour))
	if c, _ := h.Store.Counts(ctx, code); c != (flows.Counts{Offered: 1, Waiting: 1}) {
		t.Fatalf("counts %+v: the seat is held", c)
	}
	ids := flows.OfferJobIDs(code, 3)
	if !h.Store.JobDue(ids[0]).Equal(now.Add(24*time.Hour)) || !h.Store.JobDue(ids[1]).Equal(now.Add(12*time.Hour)) {
		t.Fatalf("offer jobs due %v, %v", h.Store.JobDue(ids[0]), h.Store.JobDue(ids[1]))
	}
	res = h.Text(3, "/mine")
	flowstest.WantIDs(t, res, "ws.mine")
	if flowstest.ButtonData(t, res, "ws.btn_offer_accept") != "registration.accept:"+code {
		t.Fatal("no Accept in /mine")
	}
	if lines := res.Replies[0].Text.Data["Lines"].([]flows.Text); lines[0].Data["Status"].(flows.Text).ID != "ws.you_offered" {
		t.Fatalf("/mine line %+v", lines[0])
	}
	flowstest.Alert(t, h.Press(4, "registration.accept:"+code), "ws.offer_gone") // only the person offered

	rem := job(t, h, flows.JobOfferReminder, code, 3, now.Add(12*time.Hour))
	if !slices.Equal(textIDs(rem), []string{"ws.offer_reminder"}) || rem[0].ChatID != 3 || len(rem[0].Buttons) != 1 {
		t.Fatalf("reminder %v", rem)
	}
	h.Now = now.Add(13 * time.Hour)
	res = h.Press(3, "registration.accept:"+code)
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.confirmed", "ws.ics_caption", "ws.qr_caption")
	if res.Replies[2].Calendar == nil || res.Replies[3].QR == nil {
		t.Fatal("accepted without calendar file or QR code")
	}
	if r, _ := h.Store.GetRegistration(ctx, code, 3); r.Status != flows.RegConfirmed {
		t.Fatalf("after accepting: %+v", r)
	}
	if !h.Store.HasJob(flows.JobDayBefore+"|"+code+"|3") || h.Store.HasJob(ids[0]) || h.Store.HasJob(ids[1]) {
		t.Fatal("reminders not planned or offer jobs left")
	}
	flowstest.WantIDs(t, h.Press(3, "registration.accept:"+code), "ws.confirmed", "ws.ics_caption", "ws.qr_caption") // pressed again: the ticket again
	if got := job(t, h, flows.JobOfferEnd, code, 3, now.Add(24*time.Hour)); len(got) != 0 {
		t.Fatalf("the end of an accepted offer did %v", textIDs(got))
	}
	if c, _ := h.Store.Counts(ctx, code); c != (flows.Counts{Confirmed: 1, Waiting: 1}) {
		t.Fatalf("counts %+v", c)
	}
}

// Decline passes the seat on at once; an offer that runs out passes it on
// when its job runs (once: again, nothing), and telling the person whose
// offer ended; Accept pressed too late is refused politely and the seat
// goes on.
func TestWaitingListOfferDeclinedAndExpired(t *testing.T) {
	h, code := offerSetup(t, 3, 4, 5, 6)
	ctx := context.Background()
	now := h.Now
	h.Press(2, "registration.leave_yes:"+code)
	res := h.Press(3, "registration.decline:"+code)
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.offer_declined", "ws.offer")
	offerTo(t, h, res.Replies, code, 4, now.Add(24*time.Hour))
	if _, err := h.Store.GetRegistration(ctx, code, 3); err == nil {
		t.Fatal("declined, still registered")
	}
	flowstest.Alert(t, h.Press(3, "registration.decline:"+code), "ws.offer_gone")

	end := now.Add(24 * time.Hour)
	got := job(t, h, flows.JobOfferEnd, code, 4, end.Add(-time.Second))
	if len(got) != 0 {
		t.Fatalf("an offer ended early: %v", textIDs(got))
	}
	got = job(t, h, flows.JobOfferEnd, code, 4, end)
	if !slices.Equal(textIDs(got), []string{"ws.offer_expired", "ws.offer"}) || got[0].ChatID != 4 {
		t.Fatalf("offer end %v", textIDs(got))
	}
	offerTo(t, h, got, code, 5, end.Add(24*time.Hour))
	if again := job(t, h, flows.JobOfferEnd, code, 4, end); len(again) != 0 {
		t.Fatalf("the end ran twice: %v", textIDs(again))
	}
	h.Now = end.Add(time.Minute)
	flowstest.Alert(t, h.Press(4, "registration.accept:"+code), "ws.offer_gone")

	// 5 answers after their offer ran out, before its job did.
	h.Now = end.Add(24*time.Hour + time.Minute)
	res = h.Press(5, "registration.accept:"+code)
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.offer_too_late", "ws.offer")
	offerTo(t, h, res.Replies, code, 6, h.Now.Add(24*time.Hour))
	if c, _ := h.Store.Counts(ctx, code); c != (flows.Counts{Offered: 1}) {
		t.Fatalf("counts %+v", c)
	}
}

// Offers end two hours before the start, however long they would stand;
// a seat freed after the start stays free.
func TestOfferNeverPastTheCutoff(t *testing.T) {
	h, code := offerSetup(t, 3, 4)
	w, _ := h.Store.GetWorkshop(context.Background(), code)
	h.Now = w.Start.Add(-10 * time.Hour)
	res := h.Press(2, "registration.leave_yes:"+code)
	offerTo(t, h, res.Replies, code, 3, w.Start.Add(-2*time.Hour))
	h.Now = w.Start.Add(time.Minute)
	flowstest.WantIDs(t, h.Press(3, "registration.accept:"+code), "(clear buttons)", "ws.offer_too_late")
	if c, _ := h.Store.Counts(context.Background(), code); c != (flows.Counts{Waiting: 1}) {
		t.Fatalf("counts after the start %+v: nobody moves up", c)
	}
}
