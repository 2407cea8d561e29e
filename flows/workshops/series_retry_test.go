package workshops_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// errBroken stands for Redis failing in the middle of a series.
var errBroken = errors.New("redis went away")

// brokenStore is the in-memory store whose creates, form copies or
// updates fail from the n-th call on (0: never).
type brokenStore struct {
	*flowstest.Store
	creates, questions, updates int
}

func (b *brokenStore) CreateWorkshop(ctx context.Context, w *flows.Workshop) error {
	if b.creates--; b.creates == 0 {
		return errBroken
	}
	return b.Store.CreateWorkshop(ctx, w)
}

func (b *brokenStore) AddQuestion(ctx context.Context, code string, q flows.FormQuestion, max int) error {
	if b.questions--; b.questions == 0 {
		return errBroken
	}
	return b.Store.AddQuestion(ctx, code, q, max)
}

func (b *brokenStore) UpdateWorkshop(ctx context.Context, w *flows.Workshop) ([]int64, error) {
	if b.updates--; b.updates == 0 {
		return nil, errBroken
	}
	return b.Store.UpdateWorkshop(ctx, w)
}

// handleBroken handles the admin's input in by an engine over b, whose
// store breaks: the store's error comes back and, as the transport does,
// nothing of the attempt is committed (the session stays as it was).
func handleBroken(t *testing.T, h *flowstest.Harness, b *brokenStore, in flows.Input) {
	t.Helper()
	ctx := context.Background()
	e := flows.New(h.E.Config(), b, h.Texts, flowstest.AllModules(b)...)
	raw, err := json.Marshal(h.Sess[flowstest.AdminID])
	if err != nil {
		t.Fatal(err)
	}
	var sess flows.Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		t.Fatal(err)
	}
	u, err := h.Store.GetUser(ctx, flowstest.AdminID)
	if err != nil {
		t.Fatal(err)
	}
	in.UpdateID, in.UserID, in.ChatID, in.Private, in.Now, in.FirstName = 9999, flowstest.AdminID, flowstest.AdminID, true, h.Now, "Admin"
	if _, err := e.Handle(ctx, in, u, &sess); !errors.Is(err, errBroken) {
		t.Fatalf("the broken attempt: %v, want the store's error", err)
	}
}

// A similar workshop whose form copy failed midway is finished, not
// created twice, when the save is handled again.
func TestCloneFinishedAfterFailureMidway(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "10")
	for _, id := range []string{"qa", "qb"} {
		if err := h.Store.AddQuestion(ctx, code, flows.FormQuestion{ID: id, Kind: flows.QShort, Text: "Pertanyaan " + id}, flows.MaxFormQuestions); err != nil {
			t.Fatal(err)
		}
	}
	h.Press(flowstest.AdminID, "workshops.clone:"+code)
	h.Text(flowstest.AdminID, "17/12/2026 09:00")
	res := h.Text(flowstest.AdminID, "12.00")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.until_start"))
	save := flowstest.ButtonData(t, res, "ws.save")
	handleBroken(t, h, &brokenStore{Store: h.Store, questions: 2}, flows.Input{Kind: flows.KindCallback, Callback: save, MessageID: 42})
	h.Now = h.Now.Add(time.Minute)
	res = h.Press(flowstest.AdminID, save)
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.created")
	all, err := h.Store.Facilitated(ctx, 0)
	if err != nil || len(all) != 2 {
		t.Fatalf("%d workshops (%v), want the source and one copy", len(all), err)
	}
	clone := res.Replies[1].Text.Data["Code"].(string)
	if form, err := h.Store.Form(ctx, clone); err != nil || len(form) != 2 || form[0].ID != "qa" || form[1].ID != "qb" {
		t.Fatalf("form of the copy: %+v, %v", form, err)
	}
}

// A series cut short by a failure midway — a creation, a copy of the form
// or the linking — is finished, not duplicated, when the same update is
// handled again (as the transport does after an error): four occurrences
// in all, each with the form once, all linked.
func TestSeriesFinishedAfterFailureMidway(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(b *brokenStore)
	}{
		{"the third occurrence's creation", func(b *brokenStore) { b.creates = 3 }},
		{"the second occurrence's form", func(b *brokenStore) { b.questions = 3 }},
		{"the linking of the third", func(b *brokenStore) { b.updates = 3 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			ctx := context.Background()
			code := flowstest.CreateWorkshop(t, h, "10")
			for _, id := range []string{"qa", "qb"} {
				if err := h.Store.AddQuestion(ctx, code, flows.FormQuestion{ID: id, Kind: flows.QShort, Text: "Pertanyaan " + id}, flows.MaxFormQuestions); err != nil {
					t.Fatal(err)
				}
			}
			res := h.Press(flowstest.AdminID, "workshops.series:"+code)
			h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "series.weekly"))

			b := &brokenStore{Store: h.Store}
			tc.break_(b)
			handleBroken(t, h, b, flows.Input{Kind: flows.KindText, Text: "4"})
			// Handled again, a minute later, on a store that works.
			h.Now = h.Now.Add(time.Minute)
			flowstest.WantIDs(t, h.Text(flowstest.AdminID, "4"), "series.created", "ws.manage_card")

			all, err := h.Store.Facilitated(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 4 {
				t.Fatalf("%d workshops, want the source and 3 occurrences", len(all))
			}
			src, _ := h.Store.GetWorkshop(ctx, code)
			if len(src.Series) != 4 || src.Series[0] != code {
				t.Fatalf("series %v", src.Series)
			}
			for _, c := range src.Series {
				w, err := h.Store.GetWorkshop(ctx, c)
				if err != nil || !slices.Equal(w.Series, src.Series) {
					t.Fatalf("occurrence %s: %+v, %v", c, w, err)
				}
				form, err := h.Store.Form(ctx, c)
				if err != nil || len(form) != 2 || form[0].ID != "qa" || form[1].ID != "qb" {
					t.Fatalf("form of %s: %+v, %v", c, form, err)
				}
			}
		})
	}
}
