package registration_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// errCrash stands for the process stopping between the offer's script and
// the scheduling of its jobs.
var errCrash = errors.New("crashed before the offer's jobs were scheduled")

// crashingStore is the in-memory store on which scheduling an offer's end
// fails: the offer is made (its script ran), its jobs never are.
type crashingStore struct{ *flowstest.Store }

func (c *crashingStore) Schedule(ctx context.Context, jobs ...flows.Job) error {
	for _, j := range jobs {
		if strings.HasPrefix(j.ID, flows.JobOfferEnd+"|") {
			return errCrash
		}
	}
	return c.Store.Schedule(ctx, jobs...)
}

// An offer whose jobs were never scheduled (the process stopped right
// after the offer was made) is found by the workshop's offer sweep, planned
// before the offer was made: its end and reminder are scheduled as they
// would have been, and the person offered the seat, never told, is told.
func TestOfferWithoutJobsFoundBySweep(t *testing.T) {
	h, code := offerSetup(t, 3)
	ctx := context.Background()
	now := h.Now
	c := &crashingStore{Store: h.Store}
	e := flows.New(h.E.Config(), c, h.Texts, flowstest.AllModules(c)...)
	u, err := h.Store.GetUser(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	in := flows.Input{UpdateID: 9999, UserID: 2, ChatID: 2, Private: true, Now: now, FirstName: "User",
		Kind: flows.KindCallback, Callback: "registration.leave_yes:" + code, MessageID: 42}
	if _, err := e.Handle(ctx, in, u, h.Sess[2]); !errors.Is(err, errCrash) {
		t.Fatalf("the crashing attempt: %v", err)
	}
	r, err := h.Store.GetRegistration(ctx, code, 3)
	if err != nil || r.Status != flows.RegOffered {
		t.Fatalf("3's registration %+v, %v: the offer was made", r, err)
	}
	ids := flows.OfferJobIDs(code, 3)
	if h.Store.HasJob(ids[0]) {
		t.Fatal("the offer's end is scheduled: no crash simulated")
	}
	sweep := "wos|" + code
	due := h.Store.JobDue(sweep)
	if due.IsZero() || due.Before(now) || due.After(now.Add(10*time.Minute)) {
		t.Fatalf("offer sweep due %v, want within minutes of %v", due, now)
	}
	replies, err := h.E.RunJob(ctx, flows.Job{ID: sweep, Due: due}, due)
	if err != nil {
		t.Fatal(err)
	}
	offerTo(t, h, replies, code, 3, now.Add(24*time.Hour))
	if !h.Store.JobDue(ids[0]).Equal(now.Add(24 * time.Hour)) {
		t.Fatalf("offer end due %v, want %v", h.Store.JobDue(ids[0]), now.Add(24*time.Hour))
	}
	if !h.Store.HasJob(ids[1]) {
		t.Fatal("no reminder of the offer")
	}
	// Run again (the offer's jobs are there now): nothing more.
	if replies, err := h.E.RunJob(ctx, flows.Job{ID: sweep, Due: due}, due.Add(time.Minute)); err != nil || len(replies) != 0 {
		t.Fatalf("the sweep again: %v, %v", textIDs(replies), err)
	}
}
