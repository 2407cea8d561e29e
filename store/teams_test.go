package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// Workshops stored before teams (the facilitators in the JSON) get their
// team at start: the creator owns it, the other facilitators are members,
// the JSON loses the list; running it again changes nothing, and a team
// changed since is never reset.
func TestMigrateTeams(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	legacy := func(code string, created int64, facs ...int64) {
		w := workshop(code, 0)
		w.CreatedBy, w.Facilitators = created, facs
		b, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Client.Set(ctx, r.Prefix+"{w:"+code+"}:ws", b, 0).Err(); err != nil {
			t.Fatal(err)
		}
		if err := r.Client.ZAdd(ctx, r.Prefix+"ws:all", redis.Z{Score: float64(w.Start.UnixMilli()), Member: code}).Err(); err != nil {
			t.Fatal(err)
		}
		if err := r.Client.HSet(ctx, r.Prefix+"{w:"+code+"}:meta", "capacity", 0, "closed", 0, "cancelled", 0, "deadline", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	legacy("a1", 7, 7, 8)           // the creator and a co-facilitator
	legacy("a2", 0, 9)              // the creator was forgotten: the one left owns it
	legacy("a3", 0)                 // nobody left
	create(t, s, workshop("b1", 0)) // made by this build
	team := func(code string, owner int64, members ...int64) {
		t.Helper()
		w, err := s.GetWorkshop(ctx, code)
		if err != nil || w.Owner != owner || !slices.Equal(w.Facilitators, members) {
			t.Fatalf("%s: owner %d members %v (%v); want %d %v", code, w.Owner, w.Facilitators, err, owner, members)
		}
	}
	n, err := s.MigrateTeams(ctx)
	if err != nil || n != 3 {
		t.Fatalf("MigrateTeams = %d, %v; want 3", n, err)
	}
	team("a1", 7, 7, 8)
	team("a2", 9, 9)
	team("a3", 0)
	raw, err := r.Client.Get(ctx, r.Prefix+"{w:a1}:ws").Result()
	if err != nil || strings.Contains(raw, "facilitators") {
		t.Fatalf("a1's JSON after the migration: %s, %v", raw, err)
	}
	if ws, err := s.Facilitated(ctx, 8); err != nil || len(ws) != 1 || ws[0].Code != "a1" {
		t.Fatalf("Facilitated(8) = %v, %v", ws, err)
	}
	// The team changes; migrating again leaves it as it is.
	if err := s.RemoveFromTeam(ctx, "a1", 8); err != nil {
		t.Fatal(err)
	}
	if n, err := s.MigrateTeams(ctx); err != nil || n != 0 {
		t.Fatalf("MigrateTeams again = %d, %v; want 0", n, err)
	}
	team("a1", 7, 7)
}

// Twenty people open the same invitation at once: exactly one joins.
func TestTeamInviteRace(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	create(t, s, workshop("race1", 0))
	if err := s.CreateTeamInvite(ctx, &flows.TeamInvite{Token: "tok-race", Workshop: "race1", By: 1, Created: t0, Expires: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var joined atomic.Int32
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.JoinTeam(ctx, "race1", "tok-race", int64(100+i), t0)
			switch {
			case err == nil:
				joined.Add(1)
			case !errors.Is(err, flows.ErrNotFound):
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	w, err := s.GetWorkshop(ctx, "race1")
	if err != nil || joined.Load() != 1 || len(w.Facilitators) != 2 || w.Owner != 1 {
		t.Fatalf("%d joined; team %v owned by %d (%v)", joined.Load(), w.Facilitators, w.Owner, err)
	}
}

// A workshop an older replica saved after this build's migration ran (a
// rolling deploy) is read with its JSON's team, and the first team
// operation or edit gives it its team before changing anything.
func TestUnmigratedWorkshopKeepsItsTeam(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	legacy := func(code string, facs ...int64) {
		w := workshop(code, 0)
		w.CreatedBy, w.Facilitators = facs[0], facs
		b, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Client.Set(ctx, r.Prefix+"{w:"+code+"}:ws", b, 0).Err(); err != nil {
			t.Fatal(err)
		}
		if err := r.Client.HSet(ctx, r.Prefix+"{w:"+code+"}:meta", "capacity", 0, "closed", 0, "cancelled", 0, "deadline", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	team := func(code string, owner int64, members ...int64) {
		t.Helper()
		w, err := s.GetWorkshop(ctx, code)
		if err != nil || w.Owner != owner || !slices.Equal(w.Facilitators, members) {
			t.Fatalf("%s: owner %d members %v (%v); want %d %v", code, w.Owner, w.Facilitators, err, owner, members)
		}
	}
	legacy("u1", 7, 8)
	team("u1", 7, 7, 8)
	if err := s.CreateTeamInvite(ctx, &flows.TeamInvite{Token: "tok", Workshop: "u1", By: 7, Created: t0, Expires: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.JoinTeam(ctx, "u1", "tok", 9, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	team("u1", 7, 7, 8, 9)

	legacy("u2", 7, 8)
	w, err := s.GetWorkshop(ctx, "u2")
	if err != nil {
		t.Fatal(err)
	}
	w.Title = "Edited"
	if _, err := s.UpdateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	team("u2", 7, 7, 8)

	legacy("u3", 7, 8)
	if err := s.RemoveFromTeam(ctx, "u3", 8); err != nil {
		t.Fatal(err)
	}
	team("u3", 7, 7)
	legacy("u4", 7, 8)
	if err := s.HandOver(ctx, "u4", 7, 8); err != nil {
		t.Fatal(err)
	}
	team("u4", 8, 8, 7)
}
