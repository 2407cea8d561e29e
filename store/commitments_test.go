package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"sinergi/flows"
)

func TestCommitments(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	a := &flows.Commitment{ID: "aaa", Workshop: "wscode", What: "A", Owner: 1, Due: now.AddDate(0, 1, 0), Status: flows.CmOpen, Created: now}
	b := &flows.Commitment{ID: "bbb", Workshop: "wscode", What: "B", Owner: 1, Due: now.AddDate(0, 0, 7), Status: flows.CmProposed, Created: now.Add(time.Minute),
		History: []flows.StatusEntry{{At: now, Status: flows.CmOpen, Note: "catatan", By: 1}}}
	for _, c := range []*flows.Commitment{a, b} {
		if err := s.SaveCommitment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.GetCommitment(ctx, "wscode", "bbb")
	if err != nil || got.History[0].Note != "catatan" {
		t.Fatalf("%+v %v", got, err)
	}
	all, _ := s.WorkshopCommitments(ctx, "wscode")
	if len(all) != 2 || all[0].ID != "aaa" {
		t.Fatalf("workshop list %+v", all)
	}
	mine, _ := s.UserCommitments(ctx, 1)
	if len(mine) != 2 || mine[0].ID != "bbb" { // by due date
		t.Fatalf("user list %+v", mine)
	}
	// Changing the owner moves it out of the old owner's list.
	b.Owner = 2
	_ = s.SaveCommitment(ctx, b)
	if mine, _ := s.UserCommitments(ctx, 1); len(mine) != 1 {
		t.Fatalf("stale index: %+v", mine)
	}
	if err := s.DeleteCommitment(ctx, "wscode", "aaa"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetCommitment(ctx, "wscode", "aaa"); !errors.Is(err, flows.ErrNotFound) {
		t.Fatal(err)
	}
	if mine, _ := s.UserCommitments(ctx, 1); len(mine) != 0 {
		t.Fatalf("deleted still listed: %+v", mine)
	}
}
