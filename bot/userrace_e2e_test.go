package bot_test

import (
	"context"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
	"sinergi/store"
)

// stallProfile is the Redis store with the profile read for one user waiting until
// released: the user's update is then in flight (its state loaded, its
// commit not yet made) for as long as the test wants.
type stallProfile struct {
	*store.Store
	user    int64
	entered chan struct{}
	release chan struct{}
}

func (s stallProfile) GetProfile(ctx context.Context, id int64) (*flows.Profile, error) {
	if id == s.user {
		close(s.entered)
		<-s.release
	}
	return s.Store.GetProfile(ctx, id)
}

// An admin revokes a facilitator while the facilitator's own update is in
// flight (loaded before the revocation, committed after it). The
// revocation sticks: the user's commit writes only what their update
// changed (#13.1).
func TestRevocationSurvivesUsersUpdateInFlight(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const rina, admin = 3101, 3102
	long := time.Now().Add(-48 * time.Hour)
	for _, u := range []*flows.User{
		{ID: rina, Lang: "en", Role: flows.RoleFacilitator, Consent: flows.ConsentVersion, Created: long, Seen: long},
		{ID: admin, Lang: "en", Role: flows.RoleAdmin, Consent: flows.ConsentVersion, Created: long, Seen: long},
	} {
		if err := e.store.SaveUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	st := stallProfile{Store: e.store, user: rina, entered: make(chan struct{}), release: make(chan struct{})}
	done := e.pollWithFlowStore(ctx, st)

	// Rina's /profile loads her record (a facilitator, last seen two days
	// ago, so her update writes the record) and stalls.
	e.fake.SendText(telegramtest.User{ID: rina, FirstName: "Rina", LanguageCode: "en"}, "/profile")
	select {
	case <-st.entered:
	case <-time.After(5 * time.Second):
		t.Fatal("Rina's update did not reach the flow")
	}
	// Meanwhile the admin takes her role away.
	e.fake.SendText(telegramtest.User{ID: admin, FirstName: "Admin", LanguageCode: "en"}, "/grant 3101 participant")
	contains(t, e.nth(admin, 1), "3101")
	if u, err := e.store.GetUser(ctx, rina); err != nil || u.Role != flows.RoleParticipant {
		t.Fatalf("after /grant: %+v, %v", u, err)
	}
	contains(t, e.nth(rina, 1), "participant") // the notice of the change
	// Rina's update finishes and commits.
	close(st.release)
	contains(t, e.nth(rina, 2), "profile")
	// A fence: once /cancel is answered, her first update is committed.
	e.fake.SendText(telegramtest.User{ID: rina, FirstName: "Rina", LanguageCode: "en"}, "/cancel")
	e.nth(rina, 3)
	u, err := e.store.GetUser(ctx, rina)
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != flows.RoleParticipant {
		t.Fatalf("Rina's own commit undid the revocation: role %v", u.Role)
	}
	if !u.Seen.After(long) {
		t.Errorf("Rina's update did not write what it changed (seen %v)", u.Seen)
	}
	cancel()
	<-done
}
