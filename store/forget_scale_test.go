package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"sinergi/flows"
)

// Forgetting someone reaches every commitment naming them — as who wrote
// it down for another, or who answered in its history — without reading
// every commitment: through the named index, also for commitments stored
// before that index existed (MigrateCommitmentNames).
func TestForgetFindsNamedCommitments(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	w := &flows.Workshop{Code: "named1", Title: "T", Start: t0.Add(-48 * time.Hour), End: t0.Add(-47 * time.Hour), Zone: "Asia/Jakarta", Facilitators: []int64{9}}
	if err := s.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	hist := []flows.StatusEntry{{At: t0, Status: flows.CmOnTrack, By: 3, Note: "dari 3"}}
	if err := s.SaveCommitment(ctx, &flows.Commitment{ID: "c1", Workshop: w.Code, What: "x", Owner: 1, By: 2,
		Status: flows.CmOnTrack, Created: t0, History: hist}); err != nil {
		t.Fatal(err)
	}
	// As a build before the named index stored it: only the hash and the
	// owner's index.
	old, err := json.Marshal(&flows.Commitment{ID: "c2", Workshop: w.Code, What: "y", Owner: 1, By: 4, Status: flows.CmOpen, Created: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Client().HSet(ctx, r.Prefix+"{w:named1}:commits", "c2", old).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := s.MigrateCommitmentNames(ctx); n != 2 || err != nil {
		t.Fatalf("migrated %d, %v", n, err)
	}
	if n, err := s.MigrateCommitmentNames(ctx); n != 0 || err != nil {
		t.Fatalf("second run: %d, %v", n, err)
	}
	for _, uid := range []int64{2, 3, 4} {
		if _, err := s.ForgetUser(ctx, uid, t0); err != nil {
			t.Fatal(err)
		}
	}
	c1, err := s.GetCommitment(ctx, w.Code, "c1")
	if err != nil || c1.By != 0 || c1.History[0].By != 0 || c1.History[0].Note != "" || c1.Owner != 1 {
		t.Fatalf("c1 after forgetting 2 and 3: %+v %v", c1, err)
	}
	c2, err := s.GetCommitment(ctx, w.Code, "c2")
	if err != nil || c2.By != 0 || c2.Owner != 1 {
		t.Fatalf("c2 after forgetting 4: %+v %v", c2, err)
	}
}

// Forgetting someone removes the "not interested" marks others made of
// them and the invitations they created through indexes kept with both,
// also for marks and invitations stored before those indexes
// (MigrateForgetIndexes).
func TestForgetMarksAndInvitesByIndex(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	c := s.Client()
	// Stored by the store, and as a build before the indexes stored them.
	if err := s.NotInterested(ctx, 10, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.SAdd(ctx, r.Prefix+"{pp}:skip:11", 1, 2).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateInvite(ctx, &flows.Invite{Token: "new1", By: 1, Created: t0}, time.Hour); err != nil {
		t.Fatal(err)
	}
	old, err := json.Marshal(&flows.Invite{Token: "old1", By: 1, Created: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, r.Prefix+"invite:old1", old, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateInvite(ctx, &flows.Invite{Token: "other", By: 2, Created: t0}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if n, err := s.MigrateForgetIndexes(ctx); n != 6 || err != nil {
		t.Fatalf("indexed %d, %v; want the 3 marks and 3 invitations", n, err)
	}
	if n, err := s.MigrateForgetIndexes(ctx); n != 0 || err != nil {
		t.Fatalf("second run: %d, %v", n, err)
	}
	if _, err := s.ForgetUser(ctx, 1, t0); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"{pp}:skip:10", "{pp}:skip:11"} {
		if ok, err := c.SIsMember(ctx, r.Prefix+k, 1).Result(); ok || err != nil {
			t.Fatalf("%s still holds the forgotten user (%v)", k, err)
		}
	}
	if ok, _ := c.SIsMember(ctx, r.Prefix+"{pp}:skip:11", 2).Result(); !ok {
		t.Fatal("another member's mark was removed")
	}
	if n, _ := c.Exists(ctx, r.Prefix+"invite:new1", r.Prefix+"invite:old1").Result(); n != 0 {
		t.Fatalf("%d of the forgotten user's invitations left", n)
	}
	if _, err := s.TakeInvite(ctx, "other"); err != nil {
		t.Fatalf("another's invitation: %v", err)
	}
}
