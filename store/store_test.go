package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/transport"
	"sinergi/store"
	"sinergi/store/redistest"
)

func newStore(t *testing.T) (*store.Store, *redistest.Redis) {
	t.Helper()
	r := redistest.New(t)
	return store.New(r.Client, store.Options{Prefix: r.Prefix, SessionTTL: time.Hour}), r
}

func TestStateRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	st, err := s.LoadState(ctx, 1, 1, 100)
	if err != nil || st.Dup || st.User != nil || st.Session != nil {
		t.Fatalf("empty state: %+v, %v", st, err)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	u := &flows.User{ID: 1, Lang: "en", Role: flows.RoleFacilitator, FirstName: "Sari", Created: now, Seen: now}
	sess := &flows.Session{Version: flows.SessionVersion, Flow: "profile", Step: "org", Nonce: "ab1", Data: map[string]string{"name": "<b>Tom & Jerry</b>"}, Started: now}
	if err := s.SaveInbox(ctx, []transport.InboxItem{{ID: 100, Raw: []byte(`{"update_id":100}`)}}, 101); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, transport.Commit{ChatID: 1, UpdateID: 100, User: u, Session: sess, FromInbox: true}); err != nil {
		t.Fatal(err)
	}
	st, err = s.LoadState(ctx, 1, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Dup {
		t.Error("update 100 not marked handled")
	}
	if *st.User != *u {
		t.Errorf("user %+v, want %+v", st.User, u)
	}
	if st.Session.Flow != "profile" || st.Session.Data["name"] != "<b>Tom & Jerry</b>" || !st.Session.Started.Equal(now) {
		t.Errorf("session %+v", st.Session)
	}
	if items, _ := s.Inbox(ctx); len(items) != 0 {
		t.Errorf("inbox still holds %d", len(items))
	}
	// TTLs: the session expires, the dedupe mark outlives Telegram's 24 h.
	keys, _ := r.Client.Keys(ctx, r.Prefix+"*").Result()
	for _, k := range keys {
		ttl := r.Client.TTL(ctx, k).Val()
		switch {
		case strings.HasSuffix(k, ":sess"):
			if ttl <= 0 || ttl > time.Hour {
				t.Errorf("%s ttl %v", k, ttl)
			}
		case strings.Contains(k, ":upd:"):
			if ttl < 24*time.Hour {
				t.Errorf("%s ttl %v", k, ttl)
			}
		case strings.HasSuffix(k, ":user"):
			if ttl != -1 {
				t.Errorf("%s ttl %v", k, ttl)
			}
		}
	}
	// Leaving the flow deletes the session.
	if err := s.Commit(ctx, transport.Commit{ChatID: 1, UpdateID: 101, Session: &flows.Session{}}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.LoadState(ctx, 1, 1, 102); st.Session != nil || st.User == nil {
		t.Errorf("after leaving: %+v", st)
	}
}

func TestUnreadableSessionResets(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	r.Client.Set(ctx, r.Prefix+"{c:5}:sess", "{not json", 0)
	st, err := s.LoadState(ctx, 5, 5, 1)
	if err != nil || st.Session == nil || st.Session.Version == flows.SessionVersion {
		t.Fatalf("%+v %v", st, err)
	}
}

func TestInboxAndOffset(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if off, err := s.Offset(ctx); off != 0 || err != nil {
		t.Fatalf("offset %d %v", off, err)
	}
	items := []transport.InboxItem{{ID: 12, Raw: []byte("b")}, {ID: 3, Raw: []byte("a")}, {ID: 40, Raw: []byte("c")}}
	if err := s.SaveInbox(ctx, items, 41); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Inbox(ctx)
	if len(got) != 3 || got[0].ID != 3 || got[2].ID != 40 || string(got[1].Raw) != "b" {
		t.Fatalf("inbox %+v", got)
	}
	if off, _ := s.Offset(ctx); off != 41 {
		t.Fatalf("offset %d", off)
	}
	_ = s.AckInbox(ctx, 3, 40)
	if got, _ := s.Inbox(ctx); len(got) != 1 || got[0].ID != 12 {
		t.Fatalf("after ack %+v", got)
	}
}

func TestInviteWorksOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	inv := &flows.Invite{Token: flows.NewToken(), Role: flows.RoleAdmin, By: 9}
	if err := s.CreateInvite(ctx, inv, time.Minute); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := s.TakeInvite(ctx, inv.Token); err == nil && got.Role == flows.RoleAdmin {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("invite taken %d times", wins)
	}
	if _, err := s.TakeInvite(ctx, "nope"); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("unknown invite: %v", err)
	}
}

func TestProfiles(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if _, err := s.GetProfile(ctx, 1); !errors.Is(err, flows.ErrNotFound) {
		t.Fatal(err)
	}
	p := &flows.Profile{UserID: 1, FullName: "Sari", Organisation: "Yayasan", Sector: "ngo", Province: "NT", ConsentVersion: flows.ConsentVersion}
	if err := s.SaveProfile(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetProfile(ctx, 1); err != nil || *got != *p {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		url     string
		addrs   int
		master  string
		cluster bool
		db      int
		bad     bool
	}{
		{url: "redis://127.0.0.1:6379/2", addrs: 1, db: 2},
		{url: "rediss://u:p@redis.example:6380/0", addrs: 1},
		{url: "redis-sentinel://:pw@s1:26379,s2:26379/mymaster/1", addrs: 2, master: "mymaster", db: 1},
		{url: "redis-cluster://n1:7000,n2:7001,n3:7002", addrs: 3, cluster: true},
		{url: "redis-sentinel://s1:26379", bad: true},
		{url: "http://x", bad: true},
	} {
		o, err := store.ParseURL(c.url)
		if c.bad {
			if err == nil {
				t.Errorf("%s: accepted", c.url)
			}
			continue
		}
		if err != nil || len(o.Addrs) != c.addrs || o.MasterName != c.master || o.IsClusterMode != c.cluster || o.DB != c.db {
			t.Errorf("%s: %+v %v", c.url, o, err)
		}
	}
}
