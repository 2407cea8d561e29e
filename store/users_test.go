package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/transport"
)

// A user's own commit writes only the fields its update changed: a role
// change and an inactive mark made by other chats after the update loaded
// the record survive its commit (#13.1).
func TestCommitKeepsOtherWritersFields(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	then := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	u := &flows.User{ID: 7, Lang: "id", Role: flows.RoleFacilitator, Consent: "v1", Created: then, Seen: then}
	if err := s.SaveUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	st, err := s.LoadState(ctx, 7, 7, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Meanwhile, in other chats: an admin revokes the role, a broadcast
	// finds the user blocked.
	if err := s.SetRole(ctx, 7, flows.RoleParticipant); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkInactive(ctx, 7); err != nil {
		t.Fatal(err)
	}
	// The user's own update commits what it changed: the language and the
	// last-seen time, from the record it loaded.
	after := *st.User
	after.Lang, after.LangSet, after.Seen = "en", true, then.Add(2*time.Hour)
	if err := s.Commit(ctx, storeCommit(7, 1, &after, st.User)); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetUser(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	want := flows.User{ID: 7, Lang: "en", LangSet: true, Role: flows.RoleParticipant, Inactive: true, Consent: "v1", Created: then, Seen: then.Add(2 * time.Hour)}
	if *got != want {
		t.Fatalf("user after commit\n got %+v\nwant %+v", *got, want)
	}
	// A field the update cleared is deleted; one it did not touch stays.
	before := *got
	after = *got
	after.Inactive, after.LangSet = false, false
	if err := s.Commit(ctx, storeCommit(7, 2, &after, &before)); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.GetUser(ctx, 7); got.Inactive || got.LangSet || got.Role != flows.RoleParticipant || got.Lang != "en" {
		t.Fatalf("after clearing: %+v", *got)
	}
}

// SetRole and MarkInactive never create a record for a user who is not
// there (forgotten, or never seen).
func TestFieldWritesNeedARecord(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	if err := s.SetRole(ctx, 99, flows.RoleAdmin); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("SetRole of a missing user: %v", err)
	}
	if err := s.MarkInactive(ctx, 99); err != nil {
		t.Fatal(err)
	}
	if n, _ := r.Client.Exists(ctx, r.Prefix+"{c:99}:user").Result(); n != 0 {
		t.Fatal("a field write created a user record")
	}
	if _, err := s.GetUser(ctx, 99); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("GetUser of a missing user: %v", err)
	}
}

// Records of earlier builds (a JSON string) are converted in place, once.
func TestMigrateUsers(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	then := time.Date(2026, 10, 1, 8, 30, 0, 0, time.UTC)
	old := flows.User{ID: 5123456789012, Lang: "en", LangSet: true, Role: flows.RoleAdmin, FirstName: "Sari", Username: "sari",
		NoUpdates: true, Consent: "2025-11", Created: then, Seen: then.Add(time.Minute)}
	b, _ := json.Marshal(old)
	key := r.Prefix + "{c:5123456789012}:user"
	if err := r.Client.Set(ctx, key, b, 0).Err(); err != nil {
		t.Fatal(err)
	}
	r.Client.SAdd(ctx, r.Prefix+"users:all", old.ID)
	if err := s.SaveUser(ctx, &flows.User{ID: 8, Lang: "id", Created: then}); err != nil {
		t.Fatal(err)
	}
	n, err := s.MigrateUsers(ctx)
	if err != nil || n != 1 {
		t.Fatalf("migrated %d, %v", n, err)
	}
	got, err := s.GetUser(ctx, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *got != old {
		t.Fatalf("migrated\n got %+v\nwant %+v", *got, old)
	}
	if n, err := s.MigrateUsers(ctx); err != nil || n != 0 {
		t.Fatalf("second run migrated %d, %v", n, err)
	}
}

func storeCommit(chat, upd int64, u, before *flows.User) transport.Commit {
	return transport.Commit{ChatID: chat, UpdateID: upd, User: u, UserBefore: before}
}
