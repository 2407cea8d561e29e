package store_test

import (
	"context"
	"testing"
	"time"

	"sinergi/flows"
)

// A forgotten user's place in a workshop ahead goes as on a cancellation:
// a waiting place is gone, a confirmed seat passes to the head of the
// waiting list in the same step (returned, to be told). Forgetting twice is
// harmless.
func TestForgetUserFreesPlacesAhead(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	w := &flows.Workshop{Code: "ANON1", Title: "T", Start: now.Add(48 * time.Hour), End: now.Add(50 * time.Hour),
		Zone: "Asia/Jakarta", Capacity: 1, Facilitators: []int64{1}, CreatedBy: 1, Created: now}
	if err := s.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	for _, uid := range []int64{11, 12, 13, 14} {
		if _, err := s.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: uid, RegisteredAt: now, Token: "tok" + string(rune('a'+uid))}, now); err != nil {
			t.Fatal(err)
		}
	}
	// 11 confirmed; 12, 13 and 14 waiting. 12 is forgotten (twice): gone from the list.
	for range 2 {
		if p, err := s.ForgetUser(ctx, 12, now); err != nil || len(p) != 0 {
			t.Fatalf("promoted %v, %v", p, err)
		}
	}
	if c, _ := s.Counts(ctx, w.Code); c != (flows.Counts{Confirmed: 1, Waiting: 2}) {
		t.Fatalf("counts %+v", c)
	}
	// 11 (confirmed) is forgotten: 13, now first in line, takes the seat.
	p, err := s.ForgetUser(ctx, 11, now)
	if err != nil || len(p) != 1 || p[0] != (flows.Promotion{Workshop: w.Code, UserID: 13}) {
		t.Fatalf("promoted %v, %v", p, err)
	}
	if c, _ := s.Counts(ctx, w.Code); c != (flows.Counts{Confirmed: 1, Waiting: 1}) {
		t.Fatalf("counts %+v", c)
	}
	regs, err := s.Registrations(ctx, w.Code)
	if err != nil || len(regs) != 2 || regs[0].UserID != 13 || regs[0].Status != flows.RegConfirmed || regs[1].UserID != 14 || regs[1].Position != 1 {
		t.Fatalf("registrations %+v, %v", regs, err)
	}
	if _, _, err := s.CheckinToken(ctx, "tok"+string(rune('a'+11))); err == nil {
		t.Fatal("the forgotten registrant's check-in token still resolves")
	}
	if d, err := s.ExportUser(ctx, 11); err != nil || d.User != nil || len(d.Registrations) != 0 {
		t.Fatalf("export after forget %+v, %v", d, err)
	}
}

// A registrant of a workshop that has begun, or who checked in, stays
// counted as an anonymous member: attendance statistics keep them, nobody
// is promoted, nobody is named.
func TestForgetUserKeepsAttendanceAnonymous(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	w := &flows.Workshop{Code: "ANON2", Title: "T", Start: now.Add(time.Hour), End: now.Add(3 * time.Hour),
		Zone: "Asia/Jakarta", Capacity: 2, Facilitators: []int64{1}, CreatedBy: 1, Created: now}
	if err := s.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	for _, uid := range []int64{21, 22, 23} {
		if _, err := s.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: uid, RegisteredAt: now, Token: "t2" + string(rune('a'+uid))}, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CheckIn(ctx, w.Code, 21, now); err != nil {
		t.Fatal(err)
	}
	// 21 checked in before the start: kept as an anonymous attendee.
	if p, err := s.ForgetUser(ctx, 21, now); err != nil || len(p) != 0 {
		t.Fatalf("promoted %v, %v", p, err)
	}
	// 22 is forgotten after the start: kept as an anonymous registrant.
	if p, err := s.ForgetUser(ctx, 22, w.Start.Add(time.Minute)); err != nil || len(p) != 0 {
		t.Fatalf("promoted %v, %v", p, err)
	}
	if c, _ := s.Counts(ctx, w.Code); c != (flows.Counts{Confirmed: 2, Waiting: 1, CheckedIn: 1}) {
		t.Fatalf("counts %+v", c)
	}
	regs, err := s.Registrations(ctx, w.Code)
	if err != nil || len(regs) != 1 || regs[0].UserID != 23 {
		t.Fatalf("named registrations %+v, %v", regs, err)
	}
}
