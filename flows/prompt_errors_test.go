package flows

import (
	"context"
	"errors"
	"testing"
	"time"
)

// errDown stands for Redis not answering.
var errDown = errors.New("redis down")

// downStore is the in-memory store with some reads failing.
type downStore struct {
	*memStore
	registrations, facilitated, allUsers, profiles bool
}

func (d *downStore) Registrations(ctx context.Context, code string) ([]*Registration, error) {
	if d.registrations {
		return nil, errDown
	}
	return d.memStore.Registrations(ctx, code)
}

func (d *downStore) Facilitated(ctx context.Context, uid int64) ([]*Workshop, error) {
	if d.facilitated {
		return nil, errDown
	}
	return d.memStore.Facilitated(ctx, uid)
}

func (d *downStore) AllUsers(ctx context.Context) ([]*User, error) {
	if d.allUsers {
		return nil, errDown
	}
	return d.memStore.AllUsers(ctx)
}

func (d *downStore) GetProfile(ctx context.Context, id int64) (*Profile, error) {
	if d.profiles {
		return nil, errDown
	}
	return d.memStore.GetProfile(ctx, id)
}

// A store failure while a question is built is the input's error (which
// the transport turns into "temporarily unavailable, nothing is lost" and
// a retry), never a question with a wrong menu: the owner question
// without the workshop's participants, the workshop segment without
// workshops ("no workshops"), a preview of "something went wrong".
func TestPromptStoreErrorsReturned(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		fail  func(d *downStore)
		sess  *Session
		input Input
	}{
		{"owner question without registrations", func(d *downStore) { d.registrations = true },
			&Session{Version: SessionVersion, Flow: "commit", Step: "what", Nonce: "n1", Data: map[string]string{"code": "abc123", "zone": "Asia/Jakarta"}},
			Input{Kind: KindText, Text: "Pemetaan keluarga rentan"}},
		{"owner question without names", func(d *downStore) { d.profiles = true },
			&Session{Version: SessionVersion, Flow: "commit", Step: "what", Nonce: "n1", Data: map[string]string{"code": "abc123", "zone": "Asia/Jakarta"}},
			Input{Kind: KindText, Text: "Pemetaan keluarga rentan"}},
		{"workshop segment without workshops", func(d *downStore) { d.facilitated = true },
			&Session{Version: SessionVersion, Flow: "broadcast", Step: "seg", Nonce: "n2", Data: map[string]string{"msg": "5", "en": ""}},
			Input{Kind: KindCallback, Callback: "s:n2:ws", MessageID: 6}},
		{"preview without recipients", func(d *downStore) { d.allUsers = true },
			&Session{Version: SessionVersion, Flow: "broadcast", Step: "seg", Nonce: "n3", Data: map[string]string{"msg": "5", "en": ""}},
			Input{Kind: KindCallback, Callback: "s:n3:all", MessageID: 6}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			ws := seedWorkshopWithRegistrant(t, h)
			if c.sess.Data["code"] != "" {
				c.sess.Data["code"] = ws
			}
			d := &downStore{memStore: h.store}
			h.e = New(h.e.cfg, d, h.texts, allModules()...)
			c.fail(d)
			u := &User{ID: adminID, Lang: "en", FirstName: "Admin", Created: h.now, Seen: h.now}
			in := c.input
			in.UpdateID, in.UserID, in.ChatID, in.Private, in.Now, in.FirstName = 1, adminID, adminID, true, h.now, "Admin"
			res, err := h.e.Handle(ctx, in, u, c.sess)
			if !errors.Is(err, errDown) {
				var got []string
				if res != nil {
					got = ids(res)
				}
				t.Fatalf("err %v, replies %v; want the store's error", err, got)
			}
		})
	}
}

// seedWorkshopWithRegistrant stores a workshop with one confirmed
// participant besides the admin, and returns its code.
func seedWorkshopWithRegistrant(t *testing.T, h *harness) string {
	t.Helper()
	ctx := context.Background()
	w := &Workshop{Code: "abc123", Title: "Lokakarya", Zone: "Asia/Jakarta", Start: h.now.Add(24 * time.Hour), End: h.now.Add(26 * time.Hour), Deadline: h.now.Add(24 * time.Hour),
		Facilitators: []int64{adminID}, CreatedBy: adminID, Created: h.now}
	if err := h.store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	if err := h.store.SaveProfile(ctx, &Profile{UserID: 901, FullName: "Ani Putri", Organisation: "Yayasan Ani"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.Register(ctx, &Registration{Workshop: w.Code, UserID: 901, Token: NewToken()}, h.now); err != nil {
		t.Fatal(err)
	}
	return w.Code
}
