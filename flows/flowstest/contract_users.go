package flowstest

import (
	"context"
	"errors"
	"testing"
	"time"

	"sinergi/flows"
)

// UsersAndInvites is flows.Users and flows.Invites (what roles.Store asks
// for), with SaveUser to seed a record as the transport's commit would.
type UsersAndInvites interface {
	flows.Users
	flows.Invites
	SaveUser(ctx context.Context, u *flows.User) error
}

// RunUsersContract runs the rules of user records and invitations against
// a fresh store per case: a role is written alone and only to a user who
// exists, and an invitation works once.
func RunUsersContract(t *testing.T, open func(t *testing.T) UsersAndInvites) {
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	seeded := flows.User{ID: 7, Lang: "en", LangSet: true, Role: flows.RoleFacilitator, FirstName: "Sari", Username: "sari_w",
		NoUpdates: true, Consent: flows.ConsentVersion, Created: at, Seen: at.Add(time.Hour)}
	cases := []struct {
		name string
		run  func(t *testing.T, s UsersAndInvites)
	}{
		{"a saved user reads back whole", func(t *testing.T, s UsersAndInvites) {
			u := seeded
			if err := s.SaveUser(ctx, &u); err != nil {
				t.Fatal(err)
			}
			got, err := s.GetUser(ctx, 7)
			if err != nil || *got != seeded {
				t.Fatalf("GetUser: %+v, %v; want %+v", got, err, seeded)
			}
		}},
		{"an unknown user is not found", func(t *testing.T, s UsersAndInvites) {
			if _, err := s.GetUser(ctx, 99); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("GetUser of nobody: %v", err)
			}
		}},
		{"a role is written alone", func(t *testing.T, s UsersAndInvites) {
			u := seeded
			if err := s.SaveUser(ctx, &u); err != nil {
				t.Fatal(err)
			}
			if err := s.SetRole(ctx, 7, flows.RoleParticipant); err != nil {
				t.Fatal(err)
			}
			want := seeded
			want.Role = flows.RoleParticipant
			if got, err := s.GetUser(ctx, 7); err != nil || *got != want {
				t.Fatalf("after SetRole: %+v, %v; want %+v", got, err, want)
			}
		}},
		{"a role is not given to nobody", func(t *testing.T, s UsersAndInvites) {
			if err := s.SetRole(ctx, 99, flows.RoleAdmin); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("SetRole of nobody: %v", err)
			}
			if _, err := s.GetUser(ctx, 99); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("SetRole made a record: %v", err)
			}
		}},
		{"an invitation works once", func(t *testing.T, s UsersAndInvites) {
			inv := flows.Invite{Token: "tok-abcdefghijklmnop", Role: flows.RoleFacilitator, By: 7, Created: at}
			if err := s.CreateInvite(ctx, &inv, time.Hour); err != nil {
				t.Fatal(err)
			}
			got, err := s.TakeInvite(ctx, inv.Token)
			if err != nil || *got != inv {
				t.Fatalf("TakeInvite: %+v, %v; want %+v", got, err, inv)
			}
			if _, err := s.TakeInvite(ctx, inv.Token); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("second TakeInvite: %v", err)
			}
		}},
		{"a member import's invitation keeps whom it invites", func(t *testing.T, s UsersAndInvites) {
			m := flows.InvitedMember{Name: "Siti Rahma", Organisation: "Yayasan Air", Sector: "ngo", Province: "BA", Contact: "@siti_rahma"}
			inv := flows.Invite{Token: "tok-member-abcdefghij", Role: flows.RoleParticipant, By: 7, Created: at, Member: &m}
			if err := s.CreateInvite(ctx, &inv, time.Hour); err != nil {
				t.Fatal(err)
			}
			got, err := s.TakeInvite(ctx, inv.Token)
			if err != nil || got.Member == nil || *got.Member != m || got.Role != flows.RoleParticipant || got.By != 7 {
				t.Fatalf("TakeInvite: %+v, %v; want %+v", got, err, inv)
			}
		}},
		{"an unknown invitation is not found", func(t *testing.T, s UsersAndInvites) {
			if _, err := s.TakeInvite(ctx, "tok-nothing-here-at-all"); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("TakeInvite of nothing: %v", err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, open(t)) })
	}
}
