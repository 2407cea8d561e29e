package flowstest

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"testing"
	"time"

	"sinergi/flows"
)

// The forms contract (flows.Forms): a workshop's questions read back whole
// and in order, never more than the limit given (the script counts, so two
// team members adding at once cannot pass it), removed by id; answers kept
// with the registration, replaced whole, refused without a registration,
// and gone with it — on a cancellation and when the person is forgotten.
// Redis (store/forms.go, store/form_add.lua) is the reference.

// FormsAndForgetting is what the forms contract reads and writes.
type FormsAndForgetting interface {
	flows.Workshops
	flows.Forms
	flows.Privacy
}

type formsCase struct {
	name string
	run  func(t *testing.T, c *formsCheck)
}

type formsCheck struct {
	regsCheck
	s FormsAndForgetting
}

func (c *formsCheck) form(t *testing.T, code string, wantIDs ...string) []flows.FormQuestion {
	t.Helper()
	f, err := c.s.Form(c.ctx, code)
	if err != nil {
		t.Fatalf("Form %s: %v", code, err)
	}
	var ids []string
	for _, q := range f {
		ids = append(ids, q.ID)
	}
	if !reflect.DeepEqual(ids, wantIDs) {
		t.Fatalf("Form %s = %v, want %v", code, ids, wantIDs)
	}
	return f
}

func (c *formsCheck) answers(t *testing.T, code string, uid int64, wantAnswer string, want map[string]string) {
	t.Helper()
	r, err := c.s.GetRegistration(c.ctx, code, uid)
	if err != nil || r.Answer != wantAnswer || !maps.Equal(r.Answers, want) {
		t.Fatalf("registration of %d in %s = %+v, %v; want answer %q, answers %v", uid, code, r, err, wantAnswer, want)
	}
}

func question(id string, kind flows.QuestionKind, opts ...string) flows.FormQuestion {
	return flows.FormQuestion{ID: id, Kind: kind, Text: "Pertanyaan " + id, TextEN: "Question " + id, Required: len(opts)%2 == 0, Options: opts}
}

var formsCases = []formsCase{
	{"questions read back whole, in order, up to the limit, removed by id", func(t *testing.T, c *formsCheck) {
		c.workshop(t, "w1", 0)
		c.form(t, "w1")
		multi := question("b", flows.QMulti, "Satu", "Dua", "Tiga")
		multi.OptionsEN = []string{"One", "Two", "Three"}
		for _, q := range []flows.FormQuestion{question("a", flows.QShort), multi, question("c", flows.QNumber)} {
			if err := c.s.AddQuestion(c.ctx, "w1", q, 3); err != nil {
				t.Fatalf("AddQuestion %s: %v", q.ID, err)
			}
		}
		if err := c.s.AddQuestion(c.ctx, "w1", question("d", flows.QYesNo), 3); !errors.Is(err, flows.ErrFormFull) {
			t.Fatalf("a 4th question with a limit of 3: %v, want ErrFormFull", err)
		}
		f := c.form(t, "w1", "a", "b", "c")
		if !reflect.DeepEqual(f[1], multi) {
			t.Fatalf("question b = %+v, want %+v", f[1], multi)
		}
		if err := c.s.DeleteQuestion(c.ctx, "w1", "b"); err != nil {
			t.Fatalf("DeleteQuestion b: %v", err)
		}
		if err := c.s.DeleteQuestion(c.ctx, "w1", "b"); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("DeleteQuestion b again: %v, want ErrNotFound", err)
		}
		c.form(t, "w1", "a", "c")
		if err := c.s.AddQuestion(c.ctx, "w1", question("d", flows.QYesNo), 3); err != nil {
			t.Fatalf("a 3rd question after a removal: %v", err)
		}
		c.form(t, "w1", "a", "c", "d")
	}},
	{"a form only for a workshop that exists, and each workshop its own", func(t *testing.T, c *formsCheck) {
		if err := c.s.AddQuestion(c.ctx, "nope", question("a", flows.QShort), 10); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("AddQuestion to no workshop: %v, want ErrNotFound", err)
		}
		c.form(t, "nope")
		c.workshop(t, "w1", 0)
		c.workshop(t, "w2", 0)
		if err := c.s.AddQuestion(c.ctx, "w1", question("a", flows.QShort), 10); err != nil {
			t.Fatal(err)
		}
		c.form(t, "w2")
		c.form(t, "w1", "a")
	}},
	{"answers kept with the registration, replaced whole, refused without one", func(t *testing.T, c *formsCheck) {
		c.workshop(t, "w1", 1)
		r := &flows.Registration{Workshop: "w1", UserID: 1, RegisteredAt: regClock, Token: "w1-tok-1", Lang: "en",
			Answer: "lama", Answers: map[string]string{"a": "teks", "b": "1,3"}}
		if _, err := c.s.Register(c.ctx, r, regClock); err != nil {
			t.Fatal(err)
		}
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegWaiting, 1)
		c.answers(t, "w1", 1, "lama", map[string]string{"a": "teks", "b": "1,3"})
		if err := c.s.SaveAnswers(c.ctx, "w1", 1, "", map[string]string{"c": "42"}); err != nil {
			t.Fatal(err)
		}
		c.answers(t, "w1", 1, "", map[string]string{"c": "42"})
		if err := c.s.SaveAnswers(c.ctx, "w1", 2, "baru", nil); err != nil {
			t.Fatal(err)
		}
		c.answers(t, "w1", 2, "baru", nil)
		got, err := c.s.GetRegistration(c.ctx, "w1", 1)
		if err != nil || got.Token != "w1-tok-1" || got.Lang != "en" || !got.RegisteredAt.Equal(regClock) || got.Status != flows.RegConfirmed {
			t.Fatalf("the rest of the registration after SaveAnswers: %+v, %v", got, err)
		}
		if err := c.s.SaveAnswers(c.ctx, "w1", 3, "", map[string]string{"c": "1"}); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("SaveAnswers of someone not registered: %v, want ErrNotFound", err)
		}
		c.cancel(t, "w1", 1, 2, nil)
		if err := c.s.SaveAnswers(c.ctx, "w1", 1, "", map[string]string{"c": "1"}); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("SaveAnswers after cancelling: %v, want ErrNotFound", err)
		}
		c.reg(t, "w1", 1, 2*time.Minute, nil, flows.RegWaiting, 1)
		c.answers(t, "w1", 1, "", nil) // registering again starts without the old answers
	}},
	{"forgetting a person removes their answers, ahead or after the start", func(t *testing.T, c *formsCheck) {
		c.workshop(t, "w1", 0)
		for uid := int64(1); uid <= 2; uid++ {
			r := &flows.Registration{Workshop: "w1", UserID: uid, RegisteredAt: regClock, Token: "w1-tok-" + string(rune('a'+uid)), Lang: "id",
				Answer: "rahasia", Answers: map[string]string{"a": "rahasia"}}
			if _, err := c.s.Register(c.ctx, r, regClock); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.s.CheckIn(c.ctx, "w1", 2, regClock.Add(7*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.s.ForgetUser(c.ctx, 1, regClock.Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.s.ForgetUser(c.ctx, 2, regClock.Add(8*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		for uid := int64(1); uid <= 2; uid++ {
			if _, err := c.s.GetRegistration(c.ctx, "w1", uid); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("registration of forgotten %d: %v", uid, err)
			}
			if err := c.s.SaveAnswers(c.ctx, "w1", uid, "x", nil); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("SaveAnswers of forgotten %d: %v, want ErrNotFound", uid, err)
			}
		}
		regs, err := c.s.Registrations(c.ctx, "w1")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range regs {
			if r.Answer != "" || len(r.Answers) > 0 {
				t.Fatalf("a registration listed after forgetting keeps answers: %+v", r)
			}
		}
	}},
}

// RunFormsContract runs the forms contract against stores open makes, a
// fresh one per case.
func RunFormsContract(t *testing.T, open func(t *testing.T) FormsAndForgetting) {
	for _, tc := range formsCases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			tc.run(t, &formsCheck{regsCheck: regsCheck{ctx: context.Background(), s: s}, s: s})
		})
	}
}
