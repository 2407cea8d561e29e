package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/store"
)

// ProfilesOf reads each profile once however often its id is listed (a
// report lists an owner per commitment, #22), and answers for every
// distinct id that has a profile.
func TestProfilesOfReadsEachOnce(t *testing.T) {
	ctx := context.Background()
	_, r := newStore(t)
	log := &cmdLog{}
	r.Client.AddHook(log)
	s := store.New(r.Client, store.Options{Prefix: r.Prefix, SessionTTL: time.Hour})
	for _, id := range []int64{1, 2, 3} {
		if err := s.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta", Organisation: "Org"}); err != nil {
			t.Fatal(err)
		}
	}
	log.mu.Lock()
	log.on = true
	log.mu.Unlock()
	got, err := s.ProfilesOf(ctx, []int64{1, 2, 1, 3, 2, 1, 99, 99})
	if err != nil {
		t.Fatal(err)
	}
	log.mu.Lock()
	log.on = false
	gets := slices.DeleteFunc(slices.Clone(log.seen), func(c string) bool { return c != "get" })
	log.mu.Unlock()
	if len(gets) != 4 {
		t.Errorf("%d GETs for 4 distinct ids: %v", len(gets), log.seen)
	}
	if len(got) != 3 || got[1] == nil || got[2] == nil || got[3] == nil {
		t.Errorf("profiles %v, want 1, 2 and 3", got)
	}
}
