package flowstest

import (
	"context"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
)

// The teams contract: a workshop's team is owned by its creator; an
// invitation works once, for its workshop, until it expires; a member can
// be removed (and loses the workshop at once), never the owner, who hands
// the workshop over to a member instead; an edit of the workshop never
// changes its team; forgetting a member takes them off every team and
// never leaves a team with members but no owner. Redis (store/team_*.lua)
// is the reference the in-memory Store is held to.

// Teams is what the contract drives: workshops, their teams, and forgetting.
type Teams interface {
	flows.Workshops
	flows.Teams
	CreateBroadcast(ctx context.Context, b *flows.Broadcast) error
	GetBroadcast(ctx context.Context, id string) (*flows.Broadcast, *flows.BroadcastState, error)
	ForgetUser(ctx context.Context, uid int64, now time.Time) ([]flows.Promotion, error)
}

type teamsCase struct {
	name string
	run  func(t *testing.T, c *teamsCheck)
}

type teamsCheck struct {
	ctx context.Context
	s   Teams
}

// The cases' people: 1 creates the workshops; 2, 3 and 4 are invited.
const teamLife = 7 * 24 * time.Hour

func (c *teamsCheck) workshop(t *testing.T, code string) {
	t.Helper()
	w := &flows.Workshop{Code: code, Title: "Workshop " + code, Zone: "Asia/Jakarta",
		Start: regClock.Add(7 * 24 * time.Hour), End: regClock.Add(7*24*time.Hour + 2*time.Hour),
		Deadline: regClock.Add(6 * 24 * time.Hour), Facilitators: []int64{1}, CreatedBy: 1, Created: regClock}
	if err := c.s.CreateWorkshop(c.ctx, w); err != nil {
		t.Fatalf("CreateWorkshop %s: %v", code, err)
	}
}

// invite stores invitation token to code's team by by, made at regClock+at.
func (c *teamsCheck) invite(t *testing.T, code, token string, by int64, at time.Duration) {
	t.Helper()
	inv := &flows.TeamInvite{Token: token, Workshop: code, By: by, Created: regClock.Add(at), Expires: regClock.Add(at + teamLife)}
	if err := c.s.CreateTeamInvite(c.ctx, inv); err != nil {
		t.Fatalf("CreateTeamInvite %s: %v", token, err)
	}
}

// join has uid open invitation token of code at regClock+at and checks the
// refusal (nil: joined).
func (c *teamsCheck) join(t *testing.T, code, token string, uid int64, at time.Duration, want error) {
	t.Helper()
	inv, err := c.s.JoinTeam(c.ctx, code, token, uid, regClock.Add(at))
	if !sameErr(err, want) {
		t.Fatalf("JoinTeam %s/%s by %d at +%v: %v, want %v", code, token, uid, at, err, want)
	}
	if err == nil && (inv.Workshop != code || inv.Token != token || inv.By == 0 || !inv.Expires.After(regClock.Add(at))) {
		t.Fatalf("JoinTeam %s/%s returned %+v", code, token, inv)
	}
}

// team checks code's owner and members (the owner first).
func (c *teamsCheck) team(t *testing.T, code string, owner int64, members ...int64) {
	t.Helper()
	w, err := c.s.GetWorkshop(c.ctx, code)
	if err != nil || w.Owner != owner || !slices.Equal(w.Facilitators, members) {
		t.Fatalf("team of %s = owner %d members %v (%v); want owner %d members %v", code, w.Owner, w.Facilitators, err, owner, members)
	}
}

// lists checks the workshops uid is on the team of.
func (c *teamsCheck) lists(t *testing.T, uid int64, codes ...string) {
	t.Helper()
	ws, err := c.s.Facilitated(c.ctx, uid)
	var got []string
	for _, w := range ws {
		got = append(got, w.Code)
	}
	slices.Sort(got)
	if err != nil || !slices.Equal(got, codes) {
		t.Fatalf("Facilitated(%d) = %v, %v; want %v", uid, got, err, codes)
	}
}

func (c *teamsCheck) remove(t *testing.T, code string, uid int64, want error) {
	t.Helper()
	if err := c.s.RemoveFromTeam(c.ctx, code, uid); !sameErr(err, want) {
		t.Fatalf("RemoveFromTeam %s %d: %v, want %v", code, uid, err, want)
	}
}

func (c *teamsCheck) handOver(t *testing.T, code string, from, to int64, want error) {
	t.Helper()
	if err := c.s.HandOver(c.ctx, code, from, to); !sameErr(err, want) {
		t.Fatalf("HandOver %s %d→%d: %v, want %v", code, from, to, err, want)
	}
}

func (c *teamsCheck) forget(t *testing.T, uid int64) {
	t.Helper()
	if _, err := c.s.ForgetUser(c.ctx, uid, regClock.Add(time.Hour)); err != nil {
		t.Fatalf("ForgetUser %d: %v", uid, err)
	}
}

var teamsCases = []teamsCase{
	{"open invitations are listed oldest first, until used, revoked or expired; a revoked link no longer works", func(t *testing.T, c *teamsCheck) {
		c.workshop(t, "w1")
		c.workshop(t, "w2")
		c.invite(t, "w1", "tokB", 1, time.Minute)
		c.invite(t, "w1", "tokA", 1, time.Minute) // same time: by token
		c.invite(t, "w1", "tokC", 1, 0)
		c.invite(t, "w1", "tokD", 1, 2*time.Minute)
		c.invite(t, "w2", "tokE", 1, 0)
		list := func(at time.Duration, want ...string) {
			t.Helper()
			invs, err := c.s.TeamInvites(c.ctx, "w1", regClock.Add(at))
			var got []string
			for _, inv := range invs {
				got = append(got, inv.Token)
				if inv.Workshop != "w1" || inv.By != 1 || !inv.Expires.Equal(inv.Created.Add(teamLife)) {
					t.Fatalf("invitation %+v", inv)
				}
			}
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("TeamInvites at +%v = %v, %v; want %v", at, got, err, want)
			}
		}
		list(time.Hour, "tokC", "tokA", "tokB", "tokD")
		c.join(t, "w1", "tokA", 2, time.Hour, nil)
		if err := c.s.RevokeTeamInvite(c.ctx, "w1", "tokB", regClock.Add(time.Hour)); err != nil {
			t.Fatalf("RevokeTeamInvite: %v", err)
		}
		for _, tok := range []string{"tokB", "tokA", "tokE", "nope"} { // revoked, used, another workshop's, unknown
			if err := c.s.RevokeTeamInvite(c.ctx, "w1", tok, regClock.Add(time.Hour)); !sameErr(err, flows.ErrNotFound) {
				t.Fatalf("RevokeTeamInvite %s again: %v, want not found", tok, err)
			}
		}
		c.join(t, "w1", "tokB", 3, time.Hour, flows.ErrNotFound)
		list(time.Hour, "tokC", "tokD")
		// tokC ends at +teamLife; tokD two minutes later.
		list(teamLife, "tokD")
		if err := c.s.RevokeTeamInvite(c.ctx, "w1", "tokD", regClock.Add(teamLife+2*time.Minute)); !sameErr(err, flows.ErrNotFound) {
			t.Fatalf("RevokeTeamInvite of an expired invitation: %v", err)
		}
		list(teamLife) // tokD went with its refused revocation
		if invs, err := c.s.TeamInvites(c.ctx, "w2", regClock); err != nil || len(invs) != 1 || invs[0].Token != "tokE" {
			t.Fatalf("TeamInvites w2 = %v, %v", invs, err)
		}
	}},
	{"the creator owns a new workshop's team", func(t *testing.T, c *teamsCheck) {
		c.workshop(t, "w1")
		c.team(t, "w1", 1, 1)
		c.lists(t, 1, "w1")
		c.lists(t, 2)
	}},
	{"an invitation works once, for its workshop only", func(t *testing.T, c *teamsCheck) {
		c.workshop(t, "w1")
		c.workshop(t, "w2")
		c.invite(t, "w1", "tokA", 1, 0)
		c.join(t, "w2", "tokA", 2, time.Minute, flows.ErrNotFound) // another workshop's code
		c.join(t, "w1", "nope", 2, time.Minute, flows.ErrNotFound)
		c.join(t, "w1", "tokA", 2, time.Minute, nil)
		c.join(t, "w1", "tokA", 3, 2*time.Minute, flows.ErrNotFound)
		c.team(t, "w1", 1, 1, 2)
		c.team(t, "w2", 1, 1)
		c.lists(t, 2, "w1")
		c.lists(t, 3)
	}},
	{"an invitation expires", func(t *testing.T, c *teamsCheck) {
		c.workshop(t, "w1")
		c.invite(t, "w1", "tokA", 1, 0)
		c.invite(t, "w1", "tokB", 1, 0)
		c.join(t, "w1", "tokA", 2, teamLife-time.Second, nil)
		c.join(t, "w1", "tokB", 3, teamLife, flows.ErrNotFound)
		c.join(t, "w1", "tokB", 3, time.Minute, flows.ErrNotFound) // gone for good
		c.team(t, "w1", 1, 1, 2)
	}},
	{"a member's invitation is left for someone else", func(t *testing.T, c *teamsCheck) {
		c.workshop(t, "w1")
		c.invite(t, "w1", "tokA", 1, 0)
		c.join(t, "w1", "tokA", 1, time.Minute, flows.ErrOnTeam)
		c.join(t, "w1", "tokA", 2, 2*time.Minute, nil)
		c.team(t, "w1", 1, 1, 2)
	}},
	{"members are listed in the order they joined, the owner first", func(t *testing.T, c *teamsCheck) {
		c.workshop(t, "w1")
		c.invite(t, "w1", "tokA", 1, 0)
		c.invite(t, "w1", "tokB", 1, 0)
		c.join(t, "w1", "tokB", 4, time.Minute, nil)
		c.join(t, "w1", "tokA", 2, 2*time.Minute, nil)
		c.team(t, "w1", 1, 1, 4, 2)
		c.handOver(t, "w1", 1, 2, nil)
		c.team(t, "w1", 2, 2, 1, 4)
	}},
	{"a removed member loses the workshop at once; the owner is not removed", func(t *testing.T, c *teamsCheck) {
		c.workshop(t, "w1")
		c.invite(t, "w1", "tokA", 1, 0)
		c.join(t, "w1", "tokA", 2, time.Minute, nil)
		c.remove(t, "w1", 2, nil)
		c.team(t, "w1", 1, 1)
		c.lists(t, 2)
		c.remove(t, "w1", 2, flows.ErrNotOnTeam)
		c.remove(t, "w1", 3, flows.ErrNotOnTeam)
		c.remove(t, "w1", 1, flows.ErrTeamOwner)
		c.team(t, "w1", 1, 1)
	}},
	{"a hand-over makes a member the owner; the old owner stays", func(t *testing.T, c *teamsCheck) {
		c.workshop(t, "w1")
		c.invite(t, "w1", "tokA", 1, 0)
		c.join(t, "w1", "tokA", 2, time.Minute, nil)
		c.handOver(t, "w1", 1, 3, flows.ErrNotOnTeam)
		c.handOver(t, "w1", 2, 1, flows.ErrNotOwner)
		c.handOver(t, "w1", 1, 2, nil)
		c.team(t, "w1", 2, 2, 1)
		c.handOver(t, "w1", 1, 2, flows.ErrNotOwner) // a second press of the old owner's button
		c.lists(t, 1, "w1")
		c.remove(t, "w1", 2, flows.ErrTeamOwner)
		c.remove(t, "w1", 1, nil) // the old owner leaves
		c.team(t, "w1", 2, 2)
		c.lists(t, 1)
	}},
	{"an edit of the workshop never changes its team", func(t *testing.T, c *teamsCheck) {
		c.workshop(t, "w1")
		w, err := c.s.GetWorkshop(c.ctx, "w1") // read before the team changes
		if err != nil {
			t.Fatal(err)
		}
		c.invite(t, "w1", "tokA", 1, 0)
		c.join(t, "w1", "tokA", 2, time.Minute, nil)
		w.Title, w.Facilitators, w.Owner = "Edited", []int64{3}, 3
		if _, err := c.s.UpdateWorkshop(c.ctx, w); err != nil {
			t.Fatal(err)
		}
		c.team(t, "w1", 1, 1, 2)
		c.lists(t, 3)
		if got, err := c.s.GetWorkshop(c.ctx, "w1"); err != nil || got.Title != "Edited" {
			t.Fatalf("edited workshop = %+v, %v", got, err)
		}
	}},
	{"forgetting the owner passes the team to the member who joined first", func(t *testing.T, c *teamsCheck) {
		c.workshop(t, "w1")
		c.workshop(t, "w2")
		c.invite(t, "w1", "tokA", 1, 0)
		c.invite(t, "w1", "tokB", 1, 0)
		c.join(t, "w1", "tokA", 3, time.Minute, nil)
		c.join(t, "w1", "tokB", 2, 2*time.Minute, nil)
		c.forget(t, 1)
		c.team(t, "w1", 3, 3, 2)
		c.lists(t, 1)
		c.lists(t, 3, "w1")
		// w2 had nobody else: no team, no owner; the next to join owns it.
		c.team(t, "w2", 0)
		c.invite(t, "w2", "tokC", 99, time.Hour)
		c.join(t, "w2", "tokC", 4, 2*time.Hour, nil)
		c.team(t, "w2", 4, 4)
	}},
	{"forgetting a member takes them off the team and drops their invitations", func(t *testing.T, c *teamsCheck) {
		c.workshop(t, "w1")
		c.invite(t, "w1", "tokA", 1, 0)
		c.join(t, "w1", "tokA", 2, time.Minute, nil)
		c.invite(t, "w1", "tokB", 2, time.Minute)
		c.invite(t, "w1", "tokC", 1, time.Minute)
		c.forget(t, 2)
		c.team(t, "w1", 1, 1)
		c.lists(t, 2)
		c.join(t, "w1", "tokB", 3, time.Hour, flows.ErrNotFound)
		c.join(t, "w1", "tokC", 3, time.Hour, nil)
	}},
	{"forgetting the author of a team's message takes them off it", func(t *testing.T, c *teamsCheck) {
		c.workshop(t, "w1")
		c.invite(t, "w1", "tokA", 1, 0)
		c.join(t, "w1", "tokA", 2, time.Minute, nil)
		for _, b := range []*flows.Broadcast{
			{ID: "bcA", By: 2, FromChat: 2, MessageID: 5, Segment: "wsr:w1:c", Created: regClock, StartAt: regClock.Add(time.Hour)},
			{ID: "bcB", By: 1, FromChat: 1, MessageID: 6, Segment: "wsr:w1:w", Created: regClock, StartAt: regClock.Add(time.Hour)},
		} {
			if err := c.s.CreateBroadcast(c.ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		c.forget(t, 2)
		if b, _, err := c.s.GetBroadcast(c.ctx, "bcA"); err != nil || b.By != 0 || b.FromChat != 0 || b.Segment != "wsr:w1:c" || b.MessageID != 5 {
			t.Fatalf("the forgotten author's message = %+v, %v", b, err)
		}
		if b, _, err := c.s.GetBroadcast(c.ctx, "bcB"); err != nil || b.By != 1 || b.FromChat != 1 {
			t.Fatalf("another author's message = %+v, %v", b, err)
		}
	}},
}

// RunTeamsContract runs the teams contract against stores open makes, a
// fresh one per case.
func RunTeamsContract(t *testing.T, open func(t *testing.T) Teams) {
	for _, tc := range teamsCases {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, &teamsCheck{ctx: context.Background(), s: open(t)})
		})
	}
}
