package store_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
	"sinergi/flows/transport"
	"sinergi/store"
	"sinergi/store/redistest"
)

// commitScenario commits updates of many chats at once (so the group
// commit batches them), a group chat's update (user and chat in two
// slots), a forget and a flow's end, all from the polling inbox, and checks
// what Redis holds afterwards.
func commitScenario(t *testing.T, s *store.Store, rdb redis.UniversalClient, prefix string) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	const chats = 48
	var items []transport.InboxItem
	for i := range chats + 3 {
		id := int64(1000 + i)
		items = append(items, transport.InboxItem{ID: id, Raw: []byte(`{"update_id":` + strconv.FormatInt(id, 10) + `}`)})
	}
	if err := s.SaveInbox(ctx, items, 1000+chats+3); err != nil {
		t.Fatal(err)
	}
	if off, err := s.Offset(ctx); err != nil || off != 1000+chats+3 {
		t.Fatalf("offset %d, %v", off, err)
	}
	user := func(id int64) *flows.User {
		return &flows.User{ID: id, Lang: "id", Role: flows.RoleParticipant, FirstName: "U" + strconv.FormatInt(id, 10), Consent: "v1", Created: now, Seen: now}
	}
	sess := &flows.Session{Version: flows.SessionVersion, Flow: "profile", Step: "org", Started: now}

	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, chats+2)
	for i := range chats {
		chat, upd := int64(1+i), int64(1000+i)
		wg.Go(func() {
			<-start
			st, err := s.LoadState(ctx, chat, chat, upd)
			if err == nil && (st.Dup || st.User != nil) {
				err = fmt.Errorf("chat %d: fresh state %+v", chat, st)
			}
			if err == nil {
				err = s.Commit(ctx, transport.Commit{ChatID: chat, UpdateID: upd, User: user(chat), Session: sess, FromInbox: true})
			}
			errs <- err
		})
	}
	// A group chat: the user's record is in {c:77}, the chat's keys in {c:-1001}.
	wg.Go(func() {
		<-start
		errs <- s.Commit(ctx, transport.Commit{ChatID: -1001, UpdateID: 1000 + chats, User: user(77), Session: sess, FromInbox: true})
	})
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Chat 2 forgets its user; chat 3 leaves its flow.
	if err := s.Commit(ctx, transport.Commit{ChatID: 2, UpdateID: 1000 + chats + 1, Forget: true, FromInbox: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, transport.Commit{ChatID: 3, UpdateID: 1000 + chats + 2, Session: &flows.Session{}, FromInbox: true}); err != nil {
		t.Fatal(err)
	}

	for i := range chats {
		chat, upd := int64(1+i), int64(1000+i)
		st, err := s.LoadState(ctx, chat, chat, upd)
		if err != nil {
			t.Fatal(err)
		}
		switch chat {
		case 2:
			if st.User != nil || st.Session != nil {
				t.Errorf("forgotten chat 2: %+v", st)
			}
		case 3:
			if !st.Dup || st.User == nil || st.Session != nil {
				t.Errorf("chat 3 after leaving its flow: %+v", st)
			}
		default:
			if !st.Dup || st.User == nil || st.User.FirstName != "U"+strconv.FormatInt(chat, 10) || st.Session == nil || st.Session.Step != "org" {
				t.Errorf("chat %d: %+v", chat, st)
			}
		}
	}
	st, err := s.LoadState(ctx, -1001, 77, 1000+chats)
	if err != nil || !st.Dup || st.User == nil || st.User.ID != 77 || st.Session == nil {
		t.Errorf("group chat: %+v, %v", st, err)
	}
	if items, err := s.Inbox(ctx); err != nil || len(items) != 0 {
		t.Errorf("inbox holds %d (%v)", len(items), err)
	}
	members, err := rdb.SMembers(ctx, prefix+"users:all").Result()
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]bool{}
	for _, m := range members {
		in[m] = true
	}
	if len(members) != chats || in["2"] || !in["1"] || !in["77"] {
		t.Errorf("users:all %v", members)
	}
}

// The Cluster write path of commits, on one node under SlotGuard.
func TestSlotCommitsOnOneNode(t *testing.T) {
	r := redistest.New(t)
	s := store.New(r.Client, store.Options{Prefix: r.Prefix, SessionTTL: time.Hour})
	store.SlotCommits(s)
	commitScenario(t, s, r.Client, r.Prefix)
}

// TestClusterSmoke runs the store on a real three-node Redis Cluster:
// commits, users, workshops, matchmaking, commitments, the audit trail and
// a user's export and forgetting.
func TestClusterSmoke(t *testing.T) {
	ctx := context.Background()
	c := redistest.NewCluster(t)
	s := store.New(c.Client, store.Options{Prefix: c.Prefix, SessionTTL: time.Hour})
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

	// REDIS_URL of a Cluster opens a Cluster client.
	opened, err := store.Open(ctx, c.URL, store.Options{Prefix: c.Prefix})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := opened.Client().(*redis.ClusterClient); !ok {
		t.Errorf("Open(%s): client %T", c.URL, opened.Client())
	}
	_ = opened.Close()

	t.Run("commits", func(t *testing.T) { commitScenario(t, s, c.Client, c.Prefix) })

	const uid, other, partnerOf = 502, 501, 601
	u := &flows.User{ID: uid, Lang: "en", Role: flows.RoleParticipant, FirstName: "Sari", Consent: "v1", Created: now, Seen: now}
	if err := s.SaveUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetUser(ctx, uid); err != nil || got.FirstName != "Sari" {
		t.Fatalf("user %+v, %v", got, err)
	}
	if err := s.SaveProfile(ctx, &flows.Profile{UserID: uid, FullName: "Sari W", Organisation: "Org", ConsentAt: now, ConsentVersion: "1", Updated: now}); err != nil {
		t.Fatal(err)
	}

	// Workshops: capacity 1, a waiting list, promotion, check-in.
	w := workshop("CLUSTER1", 1)
	create(t, s, w)
	register(t, s, w.Code, other)
	r2 := register(t, s, w.Code, uid)
	if r2.Status != flows.RegWaiting || r2.Position != 1 {
		t.Fatalf("second registration %+v", r2)
	}
	if promoted, err := s.CancelRegistration(ctx, w.Code, other, t0); err != nil || promoted != uid {
		t.Fatalf("cancel: promoted %d, %v", promoted, err)
	}
	if code, who, err := s.CheckinToken(ctx, r2.Token); err != nil || code != w.Code || who != uid {
		t.Fatalf("token: %s %d %v", code, who, err)
	}
	if first, err := s.CheckIn(ctx, w.Code, uid, now); err != nil || !first {
		t.Fatalf("check-in: %v %v", first, err)
	}
	w.Capacity = 5
	if _, err := s.UpdateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveFeedback(ctx, w.Code, &flows.Feedback{UserID: uid, Rating: 5, Comment: "mine", At: now}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Counts(ctx, w.Code); err != nil || n != (flows.Counts{Confirmed: 1, CheckedIn: 1}) {
		t.Fatalf("counts %+v, %v", n, err)
	}
	if regs, err := s.UserRegistrations(ctx, uid); err != nil || len(regs) != 1 || regs[0].Status != flows.RegConfirmed {
		t.Fatalf("user registrations %+v, %v", regs, err)
	}
	if ws, err := s.Facilitated(ctx, 1); err != nil || len(ws) != 1 {
		t.Fatalf("facilitated %v, %v", ws, err)
	}
	if ws, total, err := s.Upcoming(ctx, now, 0, 10); err != nil || total != 1 || len(ws) != 1 {
		t.Fatalf("upcoming %v %d, %v", ws, total, err)
	}

	// Matchmaking: two profiles that suit each other, an introduction.
	savePartner(t, s, partner(uid, "ngo", []string{"education"}, []string{"ID-JK"}, []string{"volunteers"}, []string{"funding"}))
	savePartner(t, s, partner(partnerOf, "business", []string{"education"}, []string{"ID-JK"}, []string{"funding"}, []string{"volunteers"}))
	sugg, err := s.SuggestPartners(ctx, flows.MatchQuery{Me: partner(partnerOf, "business", []string{"education"}, []string{"ID-JK"}, []string{"funding"}, []string{"volunteers"})})
	if err != nil || len(sugg) != 1 || sugg[0].UserID != uid {
		t.Fatalf("suggestions %v, %v", sugg, err)
	}
	in := &flows.Introduction{ID: "intro1", From: partnerOf, To: uid, FromOrg: "B", ToOrg: "A", Note: "hi", Created: now}
	if err := s.RequestIntro(ctx, in, time.Hour, 10); err != nil {
		t.Fatal(err)
	}
	if got, err := s.DecideIntro(ctx, "intro1", uid, flows.IntroAccepted, now); err != nil || got.Status != flows.IntroAccepted {
		t.Fatalf("decide %+v, %v", got, err)
	}
	if got, err := s.PairIntro(ctx, uid, partnerOf); err != nil || got.Status != flows.IntroAccepted {
		t.Fatalf("pair %+v, %v", got, err)
	}
	if n, err := s.PendingSent(ctx, partnerOf); err != nil || n != 0 {
		t.Fatalf("pending %d, %v", n, err)
	}

	// Commitments and the audit trail.
	cm := &flows.Commitment{ID: "cm1", Workshop: w.Code, What: "plant trees", Owner: uid, By: uid, Due: now.AddDate(0, 1, 0),
		Status: flows.CmOpen, Created: now, History: []flows.StatusEntry{{At: now, Status: flows.CmOpen, Note: "mine", By: uid}}}
	if err := s.SaveCommitment(ctx, cm); err != nil {
		t.Fatal(err)
	}
	if mine, err := s.UserCommitments(ctx, uid); err != nil || len(mine) != 1 {
		t.Fatalf("commitments %v, %v", mine, err)
	}
	if err := s.Audit(ctx, &flows.AuditEntry{At: now, Actor: 1, Action: flows.AuditGrant, Target: "facilitator", Subject: uid}); err != nil {
		t.Fatal(err)
	}
	if log, err := s.AuditLog(ctx, 10); err != nil || len(log) != 1 || log[0].Subject != uid {
		t.Fatalf("audit %+v, %v", log, err)
	}

	// Export, then forget.
	d, err := s.ExportUser(ctx, uid)
	if err != nil || d.User == nil || d.Profile == nil || len(d.Registrations) != 1 || len(d.Feedback) != 1 ||
		d.Partner == nil || len(d.Introductions) != 1 || len(d.Commitments) != 1 {
		t.Fatalf("export %+v, %v", d, err)
	}
	for range 2 { // forgetting twice is harmless
		if _, err := s.ForgetUser(ctx, uid, now); err != nil {
			t.Fatal(err)
		}
	}
	if keys, err := c.Keys(ctx, c.Prefix+"{c:"+strconv.Itoa(uid)+"}:*"); err != nil || len(keys) != 0 {
		t.Fatalf("keys of the forgotten user: %v, %v", keys, err)
	}
	if d, err := s.ExportUser(ctx, uid); err != nil || d.User != nil || d.Profile != nil || len(d.Registrations) != 0 ||
		len(d.Feedback) != 0 || d.Partner != nil || len(d.Introductions) != 0 || len(d.Commitments) != 0 {
		t.Fatalf("export after forgetting %+v, %v", d, err)
	}
	if n, err := s.Counts(ctx, w.Code); err != nil || n != (flows.Counts{Confirmed: 1, CheckedIn: 1}) {
		t.Fatalf("counts after forgetting %+v, %v", n, err)
	}
	if _, err := s.GetPartner(ctx, uid); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("partner after forgetting: %v", err)
	}
	if got, err := s.GetIntro(ctx, "intro1"); err != nil || got.To != 0 || got.ToOrg != "" || got.From != partnerOf {
		t.Fatalf("introduction after forgetting %+v, %v", got, err)
	}
	if got, err := s.GetCommitment(ctx, w.Code, "cm1"); err != nil || got.Owner != 0 || got.History[0].Note != "" {
		t.Fatalf("commitment after forgetting %+v, %v", got, err)
	}
	if log, err := s.AuditLog(ctx, 10); err != nil || len(log) != 1 || log[0].Subject != 0 || log[0].Actor != 1 {
		t.Fatalf("audit after forgetting %+v, %v", log, err)
	}
	if ok, err := c.Client.SIsMember(ctx, c.Prefix+"users:all", uid).Result(); err != nil || ok {
		t.Fatalf("users:all still holds the forgotten user: %v %v", ok, err)
	}
}
