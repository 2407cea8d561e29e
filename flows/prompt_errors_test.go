package flows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// errDown stands for Redis not answering.
var errDown = errors.New("redis down")

// downStore is the in-memory store with some reads failing.
type downStore struct {
	*flowstest.Store
	registrations, facilitated, allUsers, profiles bool
}

func (d *downStore) Registrations(ctx context.Context, code string) ([]*flows.Registration, error) {
	if d.registrations {
		return nil, errDown
	}
	return d.Store.Registrations(ctx, code)
}

func (d *downStore) Facilitated(ctx context.Context, uid int64) ([]*flows.Workshop, error) {
	if d.facilitated {
		return nil, errDown
	}
	return d.Store.Facilitated(ctx, uid)
}

func (d *downStore) AllUsers(ctx context.Context) ([]*flows.User, error) {
	if d.allUsers {
		return nil, errDown
	}
	return d.Store.AllUsers(ctx)
}

// Receivers fails with AllUsers: either is how the segment everyone is read.
func (d *downStore) Receivers(ctx context.Context, lang string, after int64, n int) ([]flows.Receiver, error) {
	if d.allUsers {
		return nil, errDown
	}
	return d.Store.Receivers(ctx, lang, after, n)
}

func (d *downStore) GetProfile(ctx context.Context, id int64) (*flows.Profile, error) {
	if d.profiles {
		return nil, errDown
	}
	return d.Store.GetProfile(ctx, id)
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
		sess  *flows.Session
		input flows.Input
	}{
		{"owner question without registrations", func(d *downStore) { d.registrations = true },
			&flows.Session{Version: flows.SessionVersion, Flow: "commit", Step: "what", Nonce: "n1", Data: map[string]string{"code": "abc123", "zone": "Asia/Jakarta"}},
			flows.Input{Kind: flows.KindText, Text: "Pemetaan keluarga rentan"}},
		{"owner question without names", func(d *downStore) { d.profiles = true },
			&flows.Session{Version: flows.SessionVersion, Flow: "commit", Step: "what", Nonce: "n1", Data: map[string]string{"code": "abc123", "zone": "Asia/Jakarta"}},
			flows.Input{Kind: flows.KindText, Text: "Pemetaan keluarga rentan"}},
		{"workshop segment without workshops", func(d *downStore) { d.facilitated = true },
			&flows.Session{Version: flows.SessionVersion, Flow: "broadcast", Step: "seg", Nonce: "n2", Data: map[string]string{"msg": "5", "en": ""}},
			flows.Input{Kind: flows.KindCallback, Callback: "core.step:n2:ws", MessageID: 6}},
		{"preview without recipients", func(d *downStore) { d.allUsers = true },
			&flows.Session{Version: flows.SessionVersion, Flow: "broadcast", Step: "seg", Nonce: "n3", Data: map[string]string{"msg": "5", "en": ""}},
			flows.Input{Kind: flows.KindCallback, Callback: "core.step:n3:all", MessageID: 6}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			ws := seedWorkshopWithRegistrant(t, h)
			if c.sess.Data["code"] != "" {
				c.sess.Data["code"] = ws
			}
			d := &downStore{Store: h.Store}
			h.E = flows.New(h.E.Config(), d, h.Texts, flowstest.AllModules(d)...)
			c.fail(d)
			u := &flows.User{ID: flowstest.AdminID, Lang: "en", FirstName: "Admin", Created: h.Now, Seen: h.Now}
			in := c.input
			in.UpdateID, in.UserID, in.ChatID, in.Private, in.Now, in.FirstName = 1, flowstest.AdminID, flowstest.AdminID, true, h.Now, "Admin"
			res, err := h.E.Handle(ctx, in, u, c.sess)
			if !errors.Is(err, errDown) {
				var got []string
				if res != nil {
					got = flowstest.IDs(res)
				}
				t.Fatalf("err %v, replies %v; want the store's error", err, got)
			}
		})
	}
}

// seedWorkshopWithRegistrant stores a workshop with one confirmed
// participant besides the admin, and returns its code.
func seedWorkshopWithRegistrant(t *testing.T, h *flowstest.Harness) string {
	t.Helper()
	ctx := context.Background()
	w := &flows.Workshop{Code: "abc123", Title: "Lokakarya", Zone: "Asia/Jakarta", Start: h.Now.Add(24 * time.Hour), End: h.Now.Add(26 * time.Hour), Deadline: h.Now.Add(24 * time.Hour),
		Facilitators: []int64{flowstest.AdminID}, CreatedBy: flowstest.AdminID, Created: h.Now}
	if err := h.Store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	if err := h.Store.SaveProfile(ctx, &flows.Profile{UserID: 901, FullName: "Ani Putri", Organisation: "Yayasan Ani"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Store.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: 901, Token: flows.NewToken()}, h.Now); err != nil {
		t.Fatal(err)
	}
	return w.Code
}
