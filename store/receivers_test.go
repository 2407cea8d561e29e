package store_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/transport"
	"sinergi/store"
)

// linearReceivers is the index of receivers worked out the slow way: every
// user record, filtered as flows.Recipients filters them.
func linearReceivers(t *testing.T, s *store.Store, lang string) []flows.Receiver {
	t.Helper()
	users, err := s.AllUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []flows.Receiver
	for _, u := range users {
		if flows.Receives(u) && (lang == "" || u.Lang == lang) {
			l := u.Lang
			if l != "id" && l != "en" {
				l = ""
			}
			out = append(out, flows.Receiver{ID: u.ID, Lang: l})
		}
	}
	slices.SortFunc(out, func(a, b flows.Receiver) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// pagedReceivers reads the whole index a page of n at a time.
func pagedReceivers(t *testing.T, s *store.Store, lang string, n int) []flows.Receiver {
	t.Helper()
	var out []flows.Receiver
	after := int64(math.MinInt64)
	for {
		page, err := s.Receivers(context.Background(), lang, after, n)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > n {
			t.Fatalf("page of %d, asked for %d", len(page), n)
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].ID
	}
}

// noIndex hides the store's index of receivers: Recipients reads every
// record, as before the index.
type noIndex struct{ *store.Store }

func (noIndex) Receivers(context.Context, string, int64, int) ([]flows.Receiver, error) {
	return nil, flows.ErrNoIndex
}

// checkReceivers compares the index with the linear scan, read in pages of
// random sizes, and the segments everyone and each language resolved with
// the index and without.
func checkReceivers(t *testing.T, rng *rand.Rand, s *store.Store, round string) {
	t.Helper()
	for _, lang := range []string{"", "id", "en"} {
		want := linearReceivers(t, s, lang)
		n := 1 + rng.IntN(40)
		if got := pagedReceivers(t, s, lang, n); !slices.Equal(got, want) {
			t.Fatalf("%s: receivers of %q in pages of %d:\n got %v\nwant %v", round, lang, n, got, want)
		}
	}
	ctx := context.Background()
	for _, seg := range []string{"all", "lang:id", "lang:en"} {
		b := &flows.Broadcast{ID: "b", By: 1000 + rng.Int64N(60), MessageID: 1, EnglishID: 2, Segment: seg}
		got, err := flows.Recipients(ctx, s, b)
		if err != nil {
			t.Fatal(err)
		}
		want, err := flows.Recipients(ctx, noIndex{s}, b)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: segment %s by %d:\n with the index %v\n linear scan    %v", round, seg, b.By, got, want)
		}
	}
}

// TestReceiversIndexAgreesWithLinearScan: on random members changed by
// every writer of a user record — SaveUser, the user's own commit (from a
// record read before another writer's change, too), MarkInactive, SetRole,
// a forget commit and ForgetUser —, the index of receivers holds exactly
// the members a scan of every record finds, and the segments everyone and
// lang:<code> resolve to the same recipients with it as without it. The
// index built by MigrateReceivers from the records agrees too.
func TestReceiversIndexAgreesWithLinearScan(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	rng := rand.New(rand.NewPCG(22, 7))
	then := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	langs := []string{"id", "en", "", "fr"}
	randomUser := func(id int64) *flows.User {
		u := &flows.User{ID: id, Lang: langs[rng.IntN(len(langs))], FirstName: "M", Created: then}
		if rng.IntN(5) > 0 {
			u.Consent = flows.ConsentVersion
		}
		u.Inactive = rng.IntN(6) == 0
		u.NoUpdates = rng.IntN(6) == 0
		return u
	}
	const members = 60
	for id := int64(1000); id < 1000+members; id++ {
		if err := s.SaveUser(ctx, randomUser(id)); err != nil {
			t.Fatal(err)
		}
	}
	checkReceivers(t, rng, s, "seeded")
	upd := int64(1)
	for round := range 300 {
		id := 1000 + rng.Int64N(members+10) // some never existed, or were forgotten
		name := fmt.Sprintf("round %d", round)
		switch op := rng.IntN(10); {
		case op < 4: // the user's own update, sometimes from a stale record
			st, err := s.LoadState(ctx, id, id, upd)
			if err != nil {
				t.Fatal(err)
			}
			before := st.User
			if rng.IntN(3) == 0 {
				if err := s.MarkInactive(ctx, id); err != nil { // meanwhile, another chat
					t.Fatal(err)
				}
			}
			after := randomUser(id)
			if before != nil {
				a := *before
				switch rng.IntN(5) {
				case 0:
					a.Lang = after.Lang
				case 1:
					a.Consent = after.Consent
				case 2:
					a.NoUpdates = !a.NoUpdates
				case 3:
					a.Inactive = false // writing again
				case 4:
					a.FirstName, a.Seen = "N", then.Add(time.Duration(round)*time.Minute) // no receiver field
				}
				after = &a
			}
			if err := s.Commit(ctx, transport.Commit{ChatID: id, UpdateID: upd, User: after, UserBefore: before}); err != nil {
				t.Fatal(err)
			}
			upd++
			name += " commit"
		case op < 6:
			if err := s.SaveUser(ctx, randomUser(id)); err != nil {
				t.Fatal(err)
			}
			name += " SaveUser"
		case op < 7:
			if err := s.MarkInactive(ctx, id); err != nil {
				t.Fatal(err)
			}
			name += " MarkInactive"
		case op < 8:
			if err := s.SetRole(ctx, id, flows.RoleFacilitator); err != nil && !errors.Is(err, flows.ErrNotFound) {
				t.Fatal(err)
			}
			name += " SetRole"
		case op < 9:
			if err := s.Commit(ctx, transport.Commit{ChatID: id, UpdateID: upd, Forget: true}); err != nil {
				t.Fatal(err)
			}
			upd++
			name += " forget commit"
		default:
			if _, err := s.ForgetUser(ctx, id, then); err != nil {
				t.Fatal(err)
			}
			name += " ForgetUser"
		}
		checkReceivers(t, rng, s, name)
	}
	// Built from the records by the migration (a database of a build
	// before the index), it agrees as well.
	keys, err := r.Client.Keys(ctx, r.Prefix+"users:recv:*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("index keys %v: %v", keys, err)
	}
	for _, k := range keys {
		if err := r.Client.Del(ctx, k).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if got := pagedReceivers(t, s, "", 10); len(got) != 0 {
		t.Fatalf("index not deleted: %v", got)
	}
	if n, err := s.MigrateReceivers(ctx); err != nil || n == 0 {
		t.Fatalf("migrate: %d, %v", n, err)
	}
	checkReceivers(t, rng, s, "migrated")
	if n, err := s.MigrateReceivers(ctx); err != nil || n != 0 {
		t.Fatalf("second migration: %d, %v", n, err)
	}
}
