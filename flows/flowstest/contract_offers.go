package flowstest

import (
	"slices"
	"testing"
	"time"

	"sinergi/flows"
)

// The registrations contract, continued: waiting-list offers. In a workshop
// that offers, a freed seat is held for the head of the waiting list until
// the offer's end (never past flows.OfferCutoff before the start); it is
// accepted in time, declined, or runs out, and then goes on; within the
// cutoff the seat is confirmed at once, and from the start nobody moves up.
// Redis (store/ws_promote.lua, ws_offer.lua) is the reference.

// offering makes a workshop offer freed seats, for minutes (0: the default).
func offering(minutes int) func(*flows.Workshop) {
	return func(w *flows.Workshop) { w.Offers, w.OfferMinutes = true, minutes }
}

// offer runs one of the offer methods at now and checks who moved up and
// the refusal.
func (c *regsCheck) offer(t *testing.T, action, code string, uid int64, now time.Time, want error, wantNext ...int64) {
	t.Helper()
	var next []int64
	var err error
	switch action {
	case "accept":
		next, err = c.s.AcceptOffer(c.ctx, code, uid, now)
	case "decline":
		next, err = c.s.DeclineOffer(c.ctx, code, uid, now)
	case "expire":
		next, err = c.s.ExpireOffer(c.ctx, code, uid, now)
	case "fill":
		next, err = c.s.OfferSeats(c.ctx, code, now)
	}
	if !sameErr(err, want) || !slices.Equal(next, wantNext) {
		t.Fatalf("%s offer of %d in %s at %v = %v, %v; want %v, %v", action, uid, code, now, next, err, wantNext, want)
	}
}

// offeredUntil checks that uid holds an offer in code ending at want.
func (c *regsCheck) offeredUntil(t *testing.T, code string, uid int64, want time.Time) {
	t.Helper()
	if r := c.get(t, code, uid, nil, flows.RegOffered, 0); !r.OfferExpires.Equal(want) {
		t.Fatalf("offer of %d in %s ends %v, want %v", uid, code, r.OfferExpires, want)
	}
}

var offerCases = []regsCase{
	{"a freed seat is offered to the head of the list and held for them until accepted", func(t *testing.T, c *regsCheck) {
		c.workshop(t, "w1", 2, offering(0))
		c.reg(t, "w1", 1, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 3, 2*time.Minute, nil, flows.RegWaiting, 1)
		c.reg(t, "w1", 4, 3*time.Minute, nil, flows.RegWaiting, 2)
		c.cancel(t, "w1", 1, 3, nil)
		c.offeredUntil(t, "w1", 3, regClock.Add(flows.DefaultOfferFor))
		c.list(t, "w1", "2:confirmed:0", "3:offered:0", "4:waiting:1")
		c.counts(t, "w1", flows.Counts{Confirmed: 1, Offered: 1, Waiting: 1})
		c.reg(t, "w1", 5, 4*time.Minute, nil, flows.RegWaiting, 2) // the held seat is not free
		c.reg(t, "w1", 3, 5*time.Minute, flows.ErrAlreadyRegistered, "", 0)
		c.offer(t, "accept", "w1", 4, regClock.Add(time.Hour), flows.ErrNoOffer)
		c.offer(t, "expire", "w1", 3, regClock.Add(time.Hour), flows.ErrNoOffer) // still stands
		c.offer(t, "accept", "w1", 3, regClock.Add(time.Hour), nil)
		c.offer(t, "accept", "w1", 3, regClock.Add(time.Hour), flows.ErrAlreadyRegistered)
		c.list(t, "w1", "2:confirmed:0", "3:confirmed:0", "4:waiting:1", "5:waiting:2")
		c.offer(t, "expire", "w1", 3, regClock.Add(48*time.Hour), flows.ErrNoOffer) // its end job, late: nothing
		c.counts(t, "w1", flows.Counts{Confirmed: 2, Waiting: 2})
	}},
	{"two seats freed make two offers to two people; a decline moves on, nobody twice", func(t *testing.T, c *regsCheck) {
		c.workshop(t, "w1", 2, offering(120))
		for uid := int64(1); uid <= 5; uid++ {
			c.reg(t, "w1", uid, time.Duration(uid)*time.Minute, nil, map[bool]flows.RegStatus{true: flows.RegConfirmed, false: flows.RegWaiting}[uid <= 2], int(max(uid-2, 0)))
		}
		c.cancel(t, "w1", 1, 3, nil)
		c.cancel(t, "w1", 2, 4, nil)
		c.list(t, "w1", "3:offered:0", "4:offered:0", "5:waiting:1")
		c.offer(t, "decline", "w1", 3, regClock.Add(time.Minute), nil, 5)
		c.offer(t, "decline", "w1", 3, regClock.Add(time.Minute), flows.ErrNoOffer)
		c.get(t, "w1", 3, flows.ErrNotFound, "", 0)
		c.offeredUntil(t, "w1", 5, regClock.Add(time.Minute+2*time.Hour))
		c.list(t, "w1", "4:offered:0", "5:offered:0")
		c.offer(t, "decline", "w1", 4, regClock.Add(2*time.Minute), nil) // nobody left waiting
		c.counts(t, "w1", flows.Counts{Offered: 1})
		c.reg(t, "w1", 6, 3*time.Minute, nil, flows.RegConfirmed, 0) // the seat is free, nobody waits
	}},
	{"an offer accepted after its end is refused and the seat goes on; the end is idempotent", func(t *testing.T, c *regsCheck) {
		c.workshop(t, "w1", 1, offering(60))
		c.reg(t, "w1", 1, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegWaiting, 1)
		c.reg(t, "w1", 3, 2*time.Minute, nil, flows.RegWaiting, 2)
		c.cancel(t, "w1", 1, 2, nil)
		c.offeredUntil(t, "w1", 2, regClock.Add(time.Hour))
		c.offer(t, "expire", "w1", 2, regClock.Add(59*time.Minute), flows.ErrNoOffer)
		c.offer(t, "accept", "w1", 2, regClock.Add(time.Hour), flows.ErrOfferExpired, 3)
		c.get(t, "w1", 2, flows.ErrNotFound, "", 0)
		c.offer(t, "expire", "w1", 2, regClock.Add(2*time.Hour), flows.ErrNoOffer)
		c.offeredUntil(t, "w1", 3, regClock.Add(2*time.Hour))
		c.offer(t, "expire", "w1", 3, regClock.Add(2*time.Hour), nil)
		c.offer(t, "expire", "w1", 3, regClock.Add(2*time.Hour), flows.ErrNoOffer)
		c.counts(t, "w1", flows.Counts{})
		c.reg(t, "w1", 4, 3*time.Hour, nil, flows.RegConfirmed, 0)
	}},
	{"offers end two hours before the start; then seats are confirmed at once; from the start nobody moves", func(t *testing.T, c *regsCheck) {
		w := c.workshop(t, "w1", 3, offering(0))
		for uid := int64(1); uid <= 7; uid++ {
			c.reg(t, "w1", uid, time.Duration(uid)*time.Minute, nil, map[bool]flows.RegStatus{true: flows.RegConfirmed, false: flows.RegWaiting}[uid <= 3], int(max(uid-3, 0)))
		}
		c.cancelAt(t, w.Start.Add(-3*time.Hour), "w1", 1, 4, nil)
		c.offeredUntil(t, "w1", 4, w.Start.Add(-flows.OfferCutoff))
		c.cancelAt(t, w.Start.Add(-time.Hour), "w1", 2, 5, nil)
		c.get(t, "w1", 5, nil, flows.RegConfirmed, 0)
		c.offer(t, "accept", "w1", 4, w.Start.Add(-90*time.Minute), flows.ErrOfferExpired, 6)
		c.get(t, "w1", 6, nil, flows.RegConfirmed, 0)
		c.cancelAt(t, w.Start.Add(time.Minute), "w1", 3, 0, nil)
		c.offer(t, "fill", "w1", 0, w.Start.Add(2*time.Minute), nil)
		c.list(t, "w1", "5:confirmed:0", "6:confirmed:0", "7:waiting:1")
	}},
	{"a workshop moved earlier: OfferSeats ends offers at the new cutoff", func(t *testing.T, c *regsCheck) {
		w := c.workshop(t, "w1", 1, offering(0))
		c.reg(t, "w1", 1, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegWaiting, 1)
		c.cancel(t, "w1", 1, 2, nil)
		c.offeredUntil(t, "w1", 2, regClock.Add(flows.DefaultOfferFor))
		w.Start, w.Deadline = regClock.Add(20*time.Hour), regClock.Add(10*time.Hour)
		c.update(t, w)
		c.offer(t, "fill", "w1", 0, regClock.Add(time.Hour), nil)
		c.offeredUntil(t, "w1", 2, regClock.Add(18*time.Hour))
	}},
	{"UpdateWorkshopAt: more seats are offered (or confirmed) as at now, and nobody moves up from the start", func(t *testing.T, c *regsCheck) {
		w := c.workshop(t, "w1", 1, offering(60))
		for uid := int64(1); uid <= 4; uid++ {
			c.reg(t, "w1", uid, time.Duration(uid)*time.Minute, nil, map[bool]flows.RegStatus{true: flows.RegConfirmed, false: flows.RegWaiting}[uid == 1], int(max(uid-1, 0)))
		}
		w.Capacity = 2
		if p, err := c.s.UpdateWorkshopAt(c.ctx, w, regClock); err != nil || !slices.Equal(p, []int64{2}) {
			t.Fatalf("UpdateWorkshopAt = %v, %v; want 2 offered", p, err)
		}
		c.offeredUntil(t, "w1", 2, regClock.Add(time.Hour))
		w.Offers, w.Capacity = false, 3
		if p, err := c.s.UpdateWorkshopAt(c.ctx, w, regClock); err != nil || !slices.Equal(p, []int64{3}) {
			t.Fatalf("UpdateWorkshopAt = %v, %v; want 3 confirmed", p, err)
		}
		c.get(t, "w1", 3, nil, flows.RegConfirmed, 0)
		w.Capacity = 4
		if p, err := c.s.UpdateWorkshopAt(c.ctx, w, w.Start); err != nil || len(p) != 0 {
			t.Fatalf("UpdateWorkshopAt at the start = %v, %v; want nobody", p, err)
		}
		c.list(t, "w1", "1:confirmed:0", "3:confirmed:0", "2:offered:0", "4:waiting:1")
	}},
	{"automatic promotion stops at the start too", func(t *testing.T, c *regsCheck) {
		w := c.workshop(t, "w1", 1)
		c.reg(t, "w1", 1, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegWaiting, 1)
		c.cancelAt(t, w.Start, "w1", 1, 0, nil)
		c.list(t, "w1", "2:waiting:1")
	}},
	{"more seats in a workshop that offers: nobody is confirmed, OfferSeats offers them", func(t *testing.T, c *regsCheck) {
		w := c.workshop(t, "w1", 1, offering(0))
		for uid := int64(1); uid <= 4; uid++ {
			c.reg(t, "w1", uid, time.Duration(uid)*time.Minute, nil, map[bool]flows.RegStatus{true: flows.RegConfirmed, false: flows.RegWaiting}[uid == 1], int(max(uid-1, 0)))
		}
		w.Capacity = 3
		c.update(t, w)
		c.offer(t, "fill", "w1", 0, regClock, nil, 2, 3)
		c.offer(t, "fill", "w1", 0, regClock, nil)
		c.list(t, "w1", "1:confirmed:0", "2:offered:0", "3:offered:0", "4:waiting:1")
		c.cancel(t, "w1", 2, 4, nil) // an offered seat cancelled goes on
		c.offeredUntil(t, "w1", 4, regClock.Add(flows.DefaultOfferFor))
		w.Offers = false // automatic again: the offers made stand, the next seat is confirmed
		c.update(t, w)
		c.cancel(t, "w1", 1, 0, nil)
		c.counts(t, "w1", flows.Counts{Offered: 2})
		w.Cancelled = true
		c.update(t, w)
		c.offer(t, "decline", "w1", 3, regClock, nil) // a cancelled workshop offers nobody
	}},
}
