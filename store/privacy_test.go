package store_test

import (
	"context"
	"testing"
	"time"

	"sinergi/flows"
)

// A forgotten user stays counted: an anonymous waiting member can be
// promoted without naming anybody, and forgetting twice is harmless.
func TestForgetUserAnonymousMembers(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	w := &flows.Workshop{Code: "ANON1", Title: "T", Start: now.Add(48 * time.Hour), End: now.Add(50 * time.Hour),
		Zone: "Asia/Jakarta", Capacity: 1, Facilitators: []int64{1}, CreatedBy: 1, Created: now}
	if err := s.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	for _, uid := range []int64{11, 12, 13} {
		if _, err := s.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: uid, RegisteredAt: now, Token: "tok" + string(rune('a'+uid))}, now); err != nil {
			t.Fatal(err)
		}
	}
	// 11 confirmed; 12 and 13 waiting. 12 is forgotten (twice).
	for range 2 {
		if err := s.ForgetUser(ctx, 12, now); err != nil {
			t.Fatal(err)
		}
	}
	if c, _ := s.Counts(ctx, w.Code); c != (flows.Counts{Confirmed: 1, Waiting: 2}) {
		t.Fatalf("counts %+v", c)
	}
	// 11 cancels: the anonymous head of the list takes the seat, nobody is told.
	promoted, err := s.CancelRegistration(ctx, w.Code, 11)
	if err != nil || promoted != 0 {
		t.Fatalf("promoted %d, %v", promoted, err)
	}
	w.Capacity = 3
	got, err := s.UpdateWorkshop(ctx, w)
	if err != nil || len(got) != 1 || got[0] != 13 {
		t.Fatalf("promoted %v, %v", got, err)
	}
	regs, err := s.Registrations(ctx, w.Code)
	if err != nil || len(regs) != 1 || regs[0].UserID != 13 {
		t.Fatalf("registrations %v, %v", regs, err)
	}
	if c, _ := s.Counts(ctx, w.Code); c != (flows.Counts{Confirmed: 2}) {
		t.Fatalf("counts %+v", c)
	}
	if d, err := s.ExportUser(ctx, 12); err != nil || d.User != nil || len(d.Registrations) != 0 {
		t.Fatalf("export after forget %+v, %v", d, err)
	}
}
