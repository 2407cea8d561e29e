package store_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"sinergi/flows"
)

// TestFormLimitUnderRace: 20 team members add a question at once to a form
// with 8: exactly 2 are added, the 18 others are refused as full, and the
// form holds the 10 of the limit (form_add.lua counts and adds in one step).
func TestFormLimitUnderRace(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	create(t, s, workshop("formrc", 0))
	for i := range 8 {
		if err := s.AddQuestion(ctx, "formrc", flows.FormQuestion{ID: "q" + strconv.Itoa(i), Kind: flows.QShort, Text: "Q"}, flows.MaxFormQuestions); err != nil {
			t.Fatal(err)
		}
	}
	var added, full atomic.Int64
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.AddQuestion(ctx, "formrc", flows.FormQuestion{ID: "r" + strconv.Itoa(i), Kind: flows.QYesNo, Text: "R"}, flows.MaxFormQuestions)
			switch {
			case err == nil:
				added.Add(1)
			case errors.Is(err, flows.ErrFormFull):
				full.Add(1)
			default:
				t.Errorf("add %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	form, err := s.Form(ctx, "formrc")
	if err != nil || len(form) != flows.MaxFormQuestions || added.Load() != 2 || full.Load() != 18 {
		t.Fatalf("form of %d (%v), %d added, %d refused; want 10, 2, 18", len(form), err, added.Load(), full.Load())
	}
}
