package flowstest

import (
	"context"
	"errors"
	"testing"
	"time"

	"sinergi/flows"
)

// Contract tests: one table of cases per store interface, run against the
// in-memory Store (flowstest's own tests) and against the Redis store
// (store/contract_test.go, a real redis-server), so the fake cannot drift
// from the Lua rules. To cover another interface, add a Run…Contract
// function with its table here and call it from both places.

// Introductions is the part of flows.Partners (and so of matchmaking.Store)
// that keeps the rules of introductions: one open request per pair, a
// cooldown after a decline, a cap on pending requests, who may decide.
type Introductions interface {
	RequestIntro(ctx context.Context, in *flows.Introduction, cooldown time.Duration, max int) error
	GetIntro(ctx context.Context, id string) (*flows.Introduction, error)
	PendingSent(ctx context.Context, uid int64) (int, error)
	PairIntro(ctx context.Context, a, b int64) (*flows.Introduction, error)
	DecideIntro(ctx context.Context, id string, actor int64, status flows.IntroStatus, now time.Time) (*flows.Introduction, error)
	UserIntros(ctx context.Context, uid int64, limit int) (sent, received []*flows.Introduction, err error)
}

// introClock is the cases' time: whole seconds, which both stores keep.
var introClock = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

const (
	introCooldown = 30 * 24 * time.Hour
	introMax      = 2
)

// introsCase is one case: steps against a fresh store, failing t on the
// first answer that differs from the rules.
type introsCase struct {
	name string
	run  func(t *testing.T, c *introsCheck)
}

type introsCheck struct {
	ctx context.Context
	s   Introductions
}

// req asks for an introduction id from → to at introClock+at and checks
// the refusal (nil: accepted).
func (c *introsCheck) req(t *testing.T, id string, from, to int64, at time.Duration, want error) {
	t.Helper()
	err := c.s.RequestIntro(c.ctx, &flows.Introduction{ID: id, From: from, To: to, FromOrg: "Org A", ToOrg: "Org B",
		Created: introClock.Add(at), Status: flows.IntroPending}, introCooldown, introMax)
	if !sameErr(err, want) {
		t.Fatalf("RequestIntro %s %d→%d at +%v: %v, want %v", id, from, to, at, err, want)
	}
}

// decide decides introduction id as actor and checks the refusal.
func (c *introsCheck) decide(t *testing.T, id string, actor int64, st flows.IntroStatus, at time.Duration, want error) {
	t.Helper()
	in, err := c.s.DecideIntro(c.ctx, id, actor, st, introClock.Add(at))
	if !sameErr(err, want) {
		t.Fatalf("DecideIntro %s by %d to %s: %v, want %v", id, actor, st, err, want)
	}
	if err == nil && (in.Status != st || !in.Decided.Equal(introClock.Add(at))) {
		t.Fatalf("DecideIntro %s returned %+v, want status %s decided at +%v", id, in, st, at)
	}
}

func (c *introsCheck) pending(t *testing.T, uid int64, want int) {
	t.Helper()
	if n, err := c.s.PendingSent(c.ctx, uid); err != nil || n != want {
		t.Fatalf("PendingSent(%d) = %d, %v; want %d", uid, n, err, want)
	}
}

func (c *introsCheck) status(t *testing.T, id string, want flows.IntroStatus) {
	t.Helper()
	in, err := c.s.GetIntro(c.ctx, id)
	if err != nil || in.Status != want || in.ID != id {
		t.Fatalf("GetIntro(%s) = %+v, %v; want status %s", id, in, err, want)
	}
}

func sameErr(got, want error) bool {
	if want == nil {
		return got == nil
	}
	return errors.Is(got, want)
}

var introsCases = []introsCase{
	{"one open request per pair, either direction", func(t *testing.T, c *introsCheck) {
		c.req(t, "i1", 1, 2, 0, nil)
		c.req(t, "i2", 1, 2, time.Minute, flows.ErrIntroPending)
		c.req(t, "i3", 2, 1, time.Minute, flows.ErrIntroPending)
		c.status(t, "i1", flows.IntroPending)
		c.pending(t, 1, 1)
		c.pending(t, 2, 0)
	}},
	{"an accepted pair is connected for good", func(t *testing.T, c *introsCheck) {
		c.req(t, "i1", 1, 2, 0, nil)
		c.decide(t, "i1", 2, flows.IntroAccepted, time.Hour, nil)
		c.pending(t, 1, 0)
		c.req(t, "i2", 2, 1, 400*24*time.Hour, flows.ErrIntroConnected)
		c.status(t, "i1", flows.IntroAccepted)
	}},
	{"a decline blocks the pair for the cooldown, then not", func(t *testing.T, c *introsCheck) {
		c.req(t, "i1", 1, 2, 0, nil)
		c.decide(t, "i1", 2, flows.IntroDeclined, time.Hour, nil)
		c.req(t, "i2", 1, 2, time.Hour+introCooldown-time.Second, flows.ErrIntroCooldown)
		c.req(t, "i3", 2, 1, time.Hour+introCooldown-time.Second, flows.ErrIntroCooldown)
		c.req(t, "i4", 1, 2, time.Hour+introCooldown, nil)
		in, err := c.s.PairIntro(c.ctx, 2, 1)
		if err != nil || in.ID != "i4" {
			t.Fatalf("PairIntro = %+v, %v; want the latest, i4", in, err)
		}
	}},
	{"pending requests are capped per requester", func(t *testing.T, c *introsCheck) {
		c.req(t, "i1", 1, 2, 0, nil)
		c.req(t, "i2", 1, 3, 0, nil)
		c.req(t, "i3", 1, 4, 0, flows.ErrTooManyIntros)
		c.req(t, "i4", 4, 1, 0, nil) // the cap is on what one sends
		c.pending(t, 1, 2)
		c.decide(t, "i1", 1, flows.IntroWithdrawn, time.Minute, nil)
		c.pending(t, 1, 1)
		c.req(t, "i5", 1, 5, time.Minute, nil)
	}},
	{"only the recipient accepts or declines, only the requester withdraws", func(t *testing.T, c *introsCheck) {
		c.req(t, "i1", 1, 2, 0, nil)
		c.decide(t, "i1", 1, flows.IntroAccepted, 0, flows.ErrIntroForbidden)
		c.decide(t, "i1", 3, flows.IntroDeclined, 0, flows.ErrIntroForbidden)
		c.decide(t, "i1", 2, flows.IntroWithdrawn, 0, flows.ErrIntroForbidden)
		c.status(t, "i1", flows.IntroPending)
		c.decide(t, "i1", 2, flows.IntroDeclined, time.Minute, nil)
		c.decide(t, "i1", 2, flows.IntroAccepted, 2*time.Minute, flows.ErrIntroDecided)
		c.decide(t, "i1", 1, flows.IntroWithdrawn, 2*time.Minute, flows.ErrIntroDecided)
		c.status(t, "i1", flows.IntroDeclined)
	}},
	{"unknown introductions are not found", func(t *testing.T, c *introsCheck) {
		if _, err := c.s.GetIntro(c.ctx, "nope"); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("GetIntro unknown: %v", err)
		}
		if _, err := c.s.PairIntro(c.ctx, 1, 2); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("PairIntro unknown: %v", err)
		}
		c.decide(t, "nope", 1, flows.IntroWithdrawn, 0, flows.ErrNotFound)
	}},
	{"each side lists its introductions, newest first", func(t *testing.T, c *introsCheck) {
		c.req(t, "i1", 1, 2, 0, nil)
		c.req(t, "i2", 3, 1, time.Minute, nil)
		c.req(t, "i3", 1, 4, 2*time.Minute, nil)
		sent, recv, err := c.s.UserIntros(c.ctx, 1, 10)
		if err != nil {
			t.Fatal(err)
		}
		var s, r []string
		for _, in := range sent {
			s = append(s, in.ID)
		}
		for _, in := range recv {
			r = append(r, in.ID)
		}
		if len(s) != 2 || s[0] != "i3" || s[1] != "i1" || len(r) != 1 || r[0] != "i2" {
			t.Fatalf("UserIntros(1) sent %v received %v; want [i3 i1] and [i2]", s, r)
		}
	}},
}

// RunIntroductionsContract runs the introductions contract against stores
// open makes, a fresh one per case.
func RunIntroductionsContract(t *testing.T, open func(t *testing.T) Introductions) {
	for _, tc := range introsCases {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, &introsCheck{ctx: context.Background(), s: open(t)})
		})
	}
}
