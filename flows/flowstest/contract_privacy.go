package flowstest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/groups"
)

// The forgetting contract (flows.Privacy.ForgetUser, seen through the
// workshop and commitment stores): a place in a workshop ahead goes as on a
// cancellation, a begun or attended one stays as an anonymous count that
// names nobody, commitments keep their content without the person, and
// forgetting twice changes nothing more. Redis (store/privacy.go,
// store/privacy_forget.lua) is the reference.

// Forgetting is what the forgetting contract reads and writes.
type Forgetting interface {
	flows.Workshops
	flows.Commitments
	flows.Privacy
	groups.Links
	flows.Broadcasts
	flows.Chapters
	flows.Teams
	SaveUser(ctx context.Context, u *flows.User) error
}

type forgetCase struct {
	name string
	run  func(t *testing.T, c *forgetCheck)
}

type forgetCheck struct {
	regsCheck
	s Forgetting
}

// The workshops of regsCheck start at regClock+7d; before is a moment ahead
// of them, after one when they have begun.
var (
	forgetBefore = regClock.Add(24 * time.Hour)
	forgetAfter  = regClock.Add(8 * 24 * time.Hour)
)

func (c *forgetCheck) forget(t *testing.T, uid int64, now time.Time, want ...flows.Promotion) {
	t.Helper()
	p, err := c.s.ForgetUser(c.ctx, uid, now)
	if err != nil || !slices.Equal(p, want) {
		t.Fatalf("ForgetUser(%d) = %v, %v; want promoted %v", uid, p, err, want)
	}
}

func (c *forgetCheck) checkIn(t *testing.T, code string, uid int64) {
	t.Helper()
	if first, err := c.s.CheckIn(c.ctx, code, uid, regClock.Add(7*24*time.Hour)); err != nil || !first {
		t.Fatalf("CheckIn %d at %s = %v, %v", uid, code, first, err)
	}
}

var forgetCases = []forgetCase{
	{"the export holds the answers to the registration form", func(t *testing.T, c *forgetCheck) {
		c.workshop(t, "w1", 0)
		r := &flows.Registration{Workshop: "w1", UserID: 1, RegisteredAt: regClock, Token: "tok-answers-1", Lang: "id",
			Answer: "lama", Answers: map[string]string{"a": "teks", "b": "1,3"}}
		if _, err := c.s.Register(c.ctx, r, regClock); err != nil {
			t.Fatal(err)
		}
		d, err := c.s.ExportUser(c.ctx, 1)
		if err != nil || len(d.Registrations) != 1 {
			t.Fatalf("export %+v, %v", d, err)
		}
		if g := d.Registrations[0]; g.Answer != "lama" || !maps.Equal(g.Answers, map[string]string{"a": "teks", "b": "1,3"}) {
			t.Fatalf("exported registration %+v, want the answer and the answers to the form", g)
		}
	}},
	{"the export names the teams, the chapter administered and the messages written to registrants", func(t *testing.T, c *forgetCheck) {
		c.workshop(t, "w2", 0, func(w *flows.Workshop) { w.Facilitators, w.CreatedBy = []int64{1}, 1 })
		c.workshop(t, "w1", 0, func(w *flows.Workshop) { w.Facilitators, w.CreatedBy = []int64{100}, 100 })
		c.workshop(t, "w3", 0)
		if err := c.s.CreateTeamInvite(c.ctx, &flows.TeamInvite{Token: "tok1", Workshop: "w1", By: 100, Created: regClock, Expires: forgetBefore}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.s.JoinTeam(c.ctx, "w1", "tok1", 1, regClock); err != nil {
			t.Fatal(err)
		}
		ch := &flows.Chapter{ID: "jabar2", Name: "Jawa Barat", Kind: flows.ChapterProvince, Provinces: []string{"JB"}, By: 100, Created: regClock}
		if err := c.s.CreateChapter(c.ctx, ch); err != nil {
			t.Fatal(err)
		}
		if err := c.s.SaveUser(c.ctx, &flows.User{ID: 1, Lang: "id", Chapter: ch.ID}); err != nil {
			t.Fatal(err)
		}
		for i, b := range []flows.Broadcast{
			{ID: "bcaaaa", By: 1, FromChat: 1, MessageID: 5, Segment: "wsr:w1:c", Created: regClock},
			{ID: "bcbbbb", By: 1, FromChat: 1, MessageID: 6, Segment: "wsr:w2:p", Created: regClock.Add(time.Hour)},
			{ID: "bccccc", By: 1, FromChat: 1, MessageID: 7, Segment: "all", Created: regClock.Add(2 * time.Hour)}, // a secretariat broadcast, not a message to registrants
			{ID: "bcdddd", By: 100, FromChat: 100, MessageID: 8, Segment: "wsr:w1:w", Created: regClock.Add(3 * time.Hour)},
		} {
			b.StartAt = b.Created.Add(time.Duration(i) * time.Minute)
			if err := c.s.CreateBroadcast(c.ctx, &b); err != nil {
				t.Fatal(err)
			}
		}
		d, err := c.s.ExportUser(c.ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(d.Teams, []flows.TeamData{{Workshop: "w1", Title: "Workshop w1"}, {Workshop: "w2", Title: "Workshop w2", Owner: true}}) {
			t.Fatalf("teams %+v", d.Teams)
		}
		if d.Administers == nil || *d.Administers != (flows.ChapterData{ID: "jabar2", Name: "Jawa Barat"}) {
			t.Fatalf("administers %+v", d.Administers)
		}
		want := []flows.MessageData{{ID: "bcbbbb", Segment: "wsr:w2:p", MessageID: 6, Created: regClock.Add(time.Hour)},
			{ID: "bcaaaa", Segment: "wsr:w1:c", MessageID: 5, Created: regClock}}
		if len(d.Messages) != len(want) {
			t.Fatalf("messages %+v", d.Messages)
		}
		for i := range want {
			if g := d.Messages[i]; g.ID != want[i].ID || g.Segment != want[i].Segment || g.MessageID != want[i].MessageID || !g.Created.Equal(want[i].Created) {
				t.Fatalf("messages %+v, want %+v", d.Messages, want)
			}
		}
		// Someone else's export names none of it.
		if d, err := c.s.ExportUser(c.ctx, 2); err != nil || d.Teams != nil || d.Administers != nil || d.Messages != nil {
			t.Fatalf("export of 2: %+v, %v", d, err)
		}
	}},
	{"the chats someone linked no longer name them", func(t *testing.T, c *forgetCheck) {
		for _, l := range []flows.ChatLink{{Chat: -4001, Title: "Bab Jabar", Purpose: flows.PurposeChapter, By: 1, At: regClock},
			{Chat: -4002, Thread: 3, Title: "Forum", Purpose: flows.PurposeForum, By: 2, At: regClock},
			{Chat: -4003, Title: "Besar", Purpose: flows.PurposeForum, By: 12, At: regClock}} {
			if _, err := c.s.LinkChat(c.ctx, &l); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.s.DeactivateChat(c.ctx, -4001); err != nil {
			t.Fatal(err)
		}
		c.forget(t, 1, forgetBefore)
		ls, err := c.s.ChatLinks(c.ctx)
		if err != nil || len(ls) != 3 {
			t.Fatalf("ChatLinks: %+v, %v", ls, err)
		}
		// In chat order: -4003 (by 12), -4002 (by 2), -4001 (by the forgotten 1).
		if ls[0].By != 12 || ls[1].By != 2 {
			t.Fatalf("other people's links: %+v %+v", ls[0], ls[1])
		}
		if ls[2].Chat != -4001 || ls[2].By != 0 || !ls[2].Inactive || ls[2].Title != "Bab Jabar" || !ls[2].At.Equal(regClock) {
			t.Fatalf("the forgotten user's link: %+v", ls[2])
		}
	}},
	{"a confirmed seat ahead passes to the head of the waiting list, once", func(t *testing.T, c *forgetCheck) {
		c.workshop(t, "w1", 1)
		c.reg(t, "w1", 1, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegWaiting, 1)
		c.reg(t, "w1", 3, 2*time.Minute, nil, flows.RegWaiting, 2)
		c.forget(t, 1, forgetBefore, flows.Promotion{Workshop: "w1", UserID: 2})
		c.get(t, "w1", 1, flows.ErrNotFound, "", 0)
		c.list(t, "w1", "2:confirmed:0", "3:waiting:1")
		if _, _, err := c.s.CheckinToken(c.ctx, "w1-tok-b"); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("the forgotten registrant's check-in token: %v, want not found", err)
		}
		c.forget(t, 1, forgetBefore) // idempotent
		c.counts(t, "w1", flows.Counts{Confirmed: 1, Waiting: 1})
	}},
	{"in a workshop that offers, a seat ahead (confirmed or offered) is offered on; after the start an offer is just gone", func(t *testing.T, c *forgetCheck) {
		c.workshop(t, "w1", 1, offering(0))
		for uid := int64(1); uid <= 4; uid++ {
			c.reg(t, "w1", uid, time.Duration(uid)*time.Minute, nil, map[bool]flows.RegStatus{true: flows.RegConfirmed, false: flows.RegWaiting}[uid == 1], int(max(uid-1, 0)))
		}
		c.forget(t, 1, forgetBefore, flows.Promotion{Workshop: "w1", UserID: 2})
		c.offeredUntil(t, "w1", 2, forgetBefore.Add(flows.DefaultOfferFor))
		c.forget(t, 2, forgetBefore, flows.Promotion{Workshop: "w1", UserID: 3})
		c.list(t, "w1", "3:offered:0", "4:waiting:1")
		c.forget(t, 3, forgetAfter)
		c.list(t, "w1", "4:waiting:1")
		c.counts(t, "w1", flows.Counts{Waiting: 1})
	}},
	{"a pending registration is gone, ahead or not", func(t *testing.T, c *forgetCheck) {
		c.workshop(t, "w1", 1, approving)
		c.reg(t, "w1", 1, 0, nil, flows.RegPending, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegPending, 0)
		c.forget(t, 1, forgetBefore)
		c.forget(t, 2, forgetAfter)
		c.counts(t, "w1", flows.Counts{})
		c.list(t, "w1")
	}},
	{"a waiting place ahead is gone, nobody is promoted", func(t *testing.T, c *forgetCheck) {
		c.workshop(t, "w1", 1)
		c.reg(t, "w1", 1, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegWaiting, 1)
		c.reg(t, "w1", 3, 2*time.Minute, nil, flows.RegWaiting, 2)
		c.forget(t, 2, forgetBefore)
		c.list(t, "w1", "1:confirmed:0", "3:waiting:1")
	}},
	{"a cancelled workshop promotes nobody when someone is forgotten", func(t *testing.T, c *forgetCheck) {
		w := c.workshop(t, "w1", 1)
		c.reg(t, "w1", 1, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegWaiting, 1)
		w.Cancelled = true
		c.update(t, w)
		c.forget(t, 1, forgetBefore)
		c.list(t, "w1", "2:waiting:1")
	}},
	{"a begun workshop keeps an anonymous count that is not listed", func(t *testing.T, c *forgetCheck) {
		c.workshop(t, "w1", 2)
		c.reg(t, "w1", 1, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 3, 2*time.Minute, nil, flows.RegWaiting, 1)
		c.forget(t, 1, forgetAfter)
		c.forget(t, 3, forgetAfter)
		c.counts(t, "w1", flows.Counts{Confirmed: 2, Waiting: 1})
		c.list(t, "w1", "2:confirmed:0")
		c.get(t, "w1", 1, flows.ErrNotFound, "", 0)
		c.forget(t, 1, forgetAfter) // idempotent
		c.counts(t, "w1", flows.Counts{Confirmed: 2, Waiting: 1})
	}},
	{"who attended stays counted, each of them, even ahead of the start", func(t *testing.T, c *forgetCheck) {
		c.workshop(t, "w1", 0)
		for uid := int64(1); uid <= 3; uid++ {
			c.reg(t, "w1", uid, time.Duration(uid)*time.Minute, nil, flows.RegConfirmed, 0)
		}
		c.checkIn(t, "w1", 1)
		c.checkIn(t, "w1", 2)
		c.forget(t, 1, forgetBefore)
		c.forget(t, 2, forgetBefore)
		c.counts(t, "w1", flows.Counts{Confirmed: 3, CheckedIn: 2})
		c.list(t, "w1", "3:confirmed:0")
	}},
	{"feedback keeps its rating and time, not the comment or the person", func(t *testing.T, c *forgetCheck) {
		c.workshop(t, "w1", 0)
		for uid := int64(1); uid <= 3; uid++ {
			c.reg(t, "w1", uid, time.Duration(uid)*time.Minute, nil, flows.RegConfirmed, 0)
			if err := c.s.SaveFeedback(c.ctx, "w1", &flows.Feedback{UserID: uid, Rating: int(uid), Comment: "from " + string(rune('0'+uid)),
				At: regClock.Add(8*24*time.Hour + time.Duration(uid)*time.Minute)}); err != nil {
				t.Fatal(err)
			}
		}
		c.forget(t, 1, forgetAfter)
		c.forget(t, 2, forgetAfter)
		fs, err := c.s.Feedback(c.ctx, "w1")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fs {
			got = append(got, string(rune('0'+f.UserID))+":"+string(rune('0'+f.Rating))+":"+f.Comment+"@"+f.At.Sub(regClock).String())
		}
		if want := []string{"0:1:@192h1m0s", "0:2:@192h2m0s", "3:3:from 3@192h3m0s"}; !slices.Equal(got, want) {
			t.Fatalf("Feedback = %v, want %v", got, want)
		}
	}},
	{"commitments keep their content, not the person", func(t *testing.T, c *forgetCheck) {
		c.workshop(t, "w1", 0)
		cm := &flows.Commitment{ID: "c1", Workshop: "w1", What: "plant trees", Owner: 1, By: 1, Due: regClock.Add(30 * 24 * time.Hour),
			Status: flows.CmOnTrack, Created: regClock, Indicator: "100 trees",
			History: []flows.StatusEntry{{At: regClock, Status: flows.CmOnTrack, Note: "called Pak Budi", By: 1},
				{At: regClock.Add(time.Hour), Status: flows.CmOnTrack, Note: "checked", By: 2}}}
		other := &flows.Commitment{ID: "c2", Workshop: "w1", What: "train staff", Owner: 2, By: 1, Due: regClock, Status: flows.CmProposed, Created: regClock}
		for _, x := range []*flows.Commitment{cm, other} {
			if err := c.s.SaveCommitment(c.ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		c.forget(t, 1, forgetAfter)
		got, err := c.s.GetCommitment(c.ctx, "w1", "c1")
		if err != nil || got.Owner != 0 || got.By != 0 || got.What != cm.What || got.Indicator != cm.Indicator || got.Status != flows.CmOnTrack ||
			len(got.History) != 2 || got.History[0].By != 0 || got.History[0].Note != "" || got.History[1].By != 2 || got.History[1].Note != "checked" {
			t.Fatalf("forgotten owner's commitment = %+v, %v", got, err)
		}
		if got, err := c.s.GetCommitment(c.ctx, "w1", "c2"); err != nil || got.Owner != 2 || got.By != 0 {
			t.Fatalf("commitment written by the forgotten = %+v, %v", got, err)
		}
		if cs, err := c.s.UserCommitments(c.ctx, 1); err != nil || len(cs) != 0 {
			t.Fatalf("UserCommitments of the forgotten = %v, %v", cmIDs(cs), err)
		}
		cs, err := c.s.WorkshopCommitments(c.ctx, "w1")
		if err != nil || !slices.Equal(cmIDs(cs), []string{"w1/c1", "w1/c2"}) {
			t.Fatalf("WorkshopCommitments = %v, %v", cmIDs(cs), err)
		}
	}},
	{"a forgotten facilitator leaves the workshops they ran", func(t *testing.T, c *forgetCheck) {
		c.workshop(t, "w1", 0, func(w *flows.Workshop) { w.Facilitators, w.CreatedBy = []int64{1, 2}, 1 })
		c.forget(t, 1, forgetAfter)
		w, err := c.s.GetWorkshop(c.ctx, "w1")
		if err != nil || !slices.Equal(w.Facilitators, []int64{2}) || w.CreatedBy != 0 {
			t.Fatalf("workshop of the forgotten facilitator = %+v, %v", w, err)
		}
		if ws, err := c.s.Facilitated(c.ctx, 1); err != nil || len(ws) != 0 {
			t.Fatalf("Facilitated by the forgotten = %d workshops, %v", len(ws), err)
		}
		if ws, err := c.s.Facilitated(c.ctx, 2); err != nil || len(ws) != 1 {
			t.Fatalf("Facilitated by the other = %d workshops, %v", len(ws), err)
		}
	}},
}

// RunForgettingContract runs the forgetting contract against stores open
// makes, a fresh one per case.
func RunForgettingContract(t *testing.T, open func(t *testing.T) Forgetting) {
	for _, tc := range forgetCases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			tc.run(t, &forgetCheck{regsCheck: regsCheck{ctx: context.Background(), s: s}, s: s})
		})
	}
}
