package registration_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// addQuestion walks the team's "add a question" flow from the form card;
// en and optsEN "" are skipped.
func addQuestion(t *testing.T, h *flowstest.Harness, code string, kind flows.QuestionKind, text, en, opts, optsEN string, required bool) {
	t.Helper()
	res := h.Press(flowstest.AdminID, "workshops.form_add:"+code)
	flowstest.WantIDs(t, res, "form.ask_kind")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "form.kind_"+string(kind)))
	flowstest.WantIDs(t, res, "(clear buttons)", "form.ask_text")
	res = h.Text(flowstest.AdminID, text)
	if en == "" {
		res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "form.skip"))
	} else {
		res = h.Text(flowstest.AdminID, en)
	}
	if kind.HasOptions() {
		res = h.Text(flowstest.AdminID, opts)
		if optsEN == "" {
			res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "form.skip"))
		} else {
			res = h.Text(flowstest.AdminID, optsEN)
		}
	}
	req := "form.optional"
	if required {
		req = "form.required"
	}
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, req))
	flowstest.WantIDs(t, res, "(clear buttons)", "form.added", "form.card")
}

// everyKindForm gives a new workshop a question of every kind, some with
// English, one without (its English readers see the Indonesian).
func everyKindForm(t *testing.T, h *flowstest.Harness) string {
	t.Helper()
	code := flowstest.CreateWorkshop(t, h, "0")
	addQuestion(t, h, code, flows.QShort, "Nama panggilan?", "Nickname?", "", "", true)
	addQuestion(t, h, code, flows.QLong, "Harapan Anda?", "", "", "", false)
	addQuestion(t, h, code, flows.QChoice, "Sesi mana?", "Which session?", "Pagi\nSiang", "Morning\nAfternoon", true)
	addQuestion(t, h, code, flows.QMulti, "Topik?", "Topics?", "Air\nTanah\nUdara", "Water\nLand\nAir", false)
	addQuestion(t, h, code, flows.QYesNo, "Perlu akses kursi roda?", "Need wheelchair access?", "", "", true)
	addQuestion(t, h, code, flows.QNumber, "Berapa orang?", "How many people?", "", "", true)
	return code
}

// asked checks the reply is question n of 6 in the registrant's language.
func asked(t *testing.T, res *flows.Result, n int, question string) {
	t.Helper()
	r := res.Replies[len(res.Replies)-1]
	if r.Text.ID != "form.ask" || r.Text.Data["N"] != n || r.Text.Data["Of"] != 6 || r.Text.Data["Question"] != question {
		t.Fatalf("asked %v %+v, want question %d %q", flowstest.IDs(res), r.Text.Data, n, question)
	}
}

// Every kind of question, in both languages: asked after the profile in
// the registrant's language (Indonesian when the question has no English),
// each wrong answer refused with its own message and the question asked
// again (a required one skipped, over the length limit, a choice not
// offered, not yes or no, not a number), answers stored with the
// registration, shown in /mine in words, changed from /mine until the
// deadline, and exported one column per question.
func TestRegistrationFormEveryKind(t *testing.T) {
	for _, lang := range []string{"id", "en"} {
		t.Run(lang, func(t *testing.T) {
			in := func(id, en string) string {
				if lang == "en" {
					return en
				}
				return id
			}
			h := newHarness(t)
			ctx := context.Background()
			code := everyKindForm(t, h)
			h.Store.SaveProfile(ctx, &flows.Profile{UserID: 2, FullName: "Dua", Organisation: "Org", ConsentVersion: flows.ConsentVersion})
			h.Send(2, flows.Input{Kind: flows.KindCommand, Command: "start", LangCode: lang})

			res := h.Press(2, "registration.join:"+code)
			asked(t, res, 1, in("Nama panggilan?", "Nickname?"))
			res = h.Text(2, "-")
			flowstest.WantIDs(t, res, "form.err_required", "form.ask")
			res = h.Text(2, strings.Repeat("a", flows.MaxShortAnswer+1))
			flowstest.WantIDs(t, res, "errors.too_long", "form.ask")
			asked(t, h.Text(2, "Budi"), 2, "Harapan Anda?") // no English: the Indonesian

			res = h.Text(2, strings.Repeat("b", flows.MaxLongAnswer+1))
			flowstest.WantIDs(t, res, "errors.too_long", "form.ask")
			res = h.Press(2, flowstest.ButtonData(t, res, "form.skip"))
			asked(t, res, 3, in("Sesi mana?", "Which session?"))

			res = h.Text(2, "Malam")
			flowstest.WantIDs(t, res, "form.err_choice", "form.ask")
			res = h.Press(2, flowstest.ButtonData(t, res, in("Siang", "Afternoon")))
			asked(t, res, 4, in("Topik?", "Topics?"))

			flowstest.WantIDs(t, h.Text(2, "1, 5"), "form.err_choice", "form.ask")
			asked(t, h.Text(2, in("3, air", "3, water")), 5, in("Perlu akses kursi roda?", "Need wheelchair access?"))

			res = h.Text(2, "mungkin")
			flowstest.WantIDs(t, res, "form.err_yesno", "form.ask")
			res = h.Press(2, flowstest.ButtonData(t, res, "form.answer_yes"))
			asked(t, res, 6, in("Berapa orang?", "How many people?"))

			flowstest.WantIDs(t, h.Text(2, "dua"), "form.err_number", "form.ask")
			flowstest.WantIDs(t, h.Text(2, in("2,5", "2.5")), "ws.confirmed", "ws.ics_caption", "ws.qr_caption")

			r, err := h.Store.GetRegistration(ctx, code, 2)
			if err != nil {
				t.Fatal(err)
			}
			form, err := h.Store.Form(ctx, code)
			if err != nil || len(form) != 6 {
				t.Fatalf("form %v, %v", form, err)
			}
			want := map[string]string{form[0].ID: "Budi", form[2].ID: "2", form[3].ID: "1,3", form[4].ID: "yes", form[5].ID: "2.5"}
			if !maps.Equal(r.Answers, want) {
				t.Fatalf("answers %v, want %v", r.Answers, want)
			}

			// /mine shows them in words, in the registrant's language.
			res = h.Text(2, "/mine")
			mine := h.Render(lang, res.Replies[0].Text)
			for _, s := range []string{"Budi", in("Siang", "Afternoon"), in("Air; Udara", "Water; Air"), in("Ya", "Yes"), "2.5"} {
				if !strings.Contains(mine, s) {
					t.Fatalf("/mine lacks %q:\n%s", s, mine)
				}
			}
			// Changed from /mine: every answer kept but the number.
			res = h.Press(2, flowstest.ButtonData(t, res, "form.btn_edit"))
			for n := 1; n <= 5; n++ {
				asked(t, res, n, res.Replies[len(res.Replies)-1].Text.Data["Question"].(string))
				keep := "flow.keep"
				if n == 2 { // skipped: nothing to keep
					keep = "form.skip"
				}
				res = h.Press(2, flowstest.ButtonData(t, res, keep))
			}
			flowstest.WantIDs(t, h.Text(2, "3"), "form.saved")
			r, _ = h.Store.GetRegistration(ctx, code, 2)
			want[form[5].ID] = "3"
			if !maps.Equal(r.Answers, want) || r.Status != flows.RegConfirmed {
				t.Fatalf("after the change: %v (%s), want %v", r.Answers, r.Status, want)
			}

			// Exported, one column per question, in the exporter's words.
			res = h.Press(flowstest.AdminID, "workshops.export:"+code)
			tbl := res.Replies[0].Table
			if len(tbl.Columns) != 8+6+1 || tbl.Columns[8].Header != "Nama panggilan?" || tbl.Columns[13].Header != "Berapa orang?" {
				t.Fatalf("columns %+v", tbl.Columns)
			}
			if got := tbl.Rows[0][8:14]; got[0] != "Budi" || got[1] != "" || got[2] != "Siang" || got[3] != "Air; Udara" || got[4] != "Ya" || got[5] != "3" {
				t.Fatalf("answer cells %v", got)
			}

			// From the deadline on the answers stay as they are.
			w, _ := h.Store.GetWorkshop(ctx, code)
			h.Now = w.Deadline
			res = h.Text(2, "/mine")
			for _, row := range res.Replies[0].Buttons {
				if row[0].Label.ID == "form.btn_edit" {
					t.Fatal("/mine offers to change the answers after the deadline")
				}
			}
			flowstest.Alert(t, h.Press(2, "registration.answers:"+code), "form.edit_closed")
		})
	}
}

// The team's bad input: a choice question with one option, a duplicate
// option, English options not matching in number, an over-long question,
// an 11th question (refused from the card and, when the form filled up
// meanwhile, at the save): each a clear message, nothing half-saved.
func TestRegistrationFormTeamBadInput(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "0")
	res := h.Press(flowstest.AdminID, "workshops.form_add:"+code)
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "form.kind_multi"))
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, strings.Repeat("x", flows.MaxQuestionText+1)), "errors.too_long", "form.ask_text")
	res = h.Text(flowstest.AdminID, "Topik?")
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "form.skip"))
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "Air"), "form.err_few_options", "form.ask_options")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "Air\nTanah\nair"), "form.err_duplicate", "form.ask_options")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "Air\n\nTanah"), "form.ask_options_en") // blank lines are no options
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "Water"), "form.err_options_en", "form.ask_options_en")
	h.Text(flowstest.AdminID, "/cancel")
	if f, _ := h.Store.Form(ctx, code); len(f) != 0 {
		t.Fatalf("a question saved from an abandoned flow: %+v", f)
	}

	for i := range flows.MaxFormQuestions - 1 {
		addQuestion(t, h, code, flows.QYesNo, "Pertanyaan "+string(rune('A'+i)), "", "", "", false)
	}
	// The last place, taken meanwhile by another team member: refused at the save.
	res = h.Press(flowstest.AdminID, "workshops.form_add:"+code)
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "form.kind_number"))
	res = h.Text(flowstest.AdminID, "Berapa?")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "form.skip"))
	if err := h.Store.AddQuestion(ctx, code, flows.FormQuestion{ID: "qother", Kind: flows.QShort, Text: "Lain"}, flows.MaxFormQuestions); err != nil {
		t.Fatal(err)
	}
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "form.required")), "(clear buttons)", "form.err_full", "form.card")
	flowstest.Alert(t, h.Press(flowstest.AdminID, "workshops.form_add:"+code), "form.err_full")
	if f, _ := h.Store.Form(ctx, code); len(f) != flows.MaxFormQuestions || f[9].ID != "qother" {
		t.Fatalf("form of %d questions, last %+v", len(f), f[len(f)-1])
	}
	// Removing one from the card makes room again.
	res = h.Press(flowstest.AdminID, "workshops.form:"+code)
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "form.btn_delete")), "form.card")
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "workshops.form_add:"+code), "form.ask_kind")
}

// A workshop with the single free-text question of before forms keeps it
// as a one-question form: asked, answered into Registration.Answer as
// before, exported under the question, and counted among the ten.
func TestRegistrationFormLegacyQuestion(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "0")
	w, _ := h.Store.GetWorkshop(ctx, code)
	w.Question = "Alergi makanan?"
	if _, err := h.Store.UpdateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	h.Store.SaveProfile(ctx, &flows.Profile{UserID: 2, FullName: "Dua", ConsentVersion: flows.ConsentVersion})
	res := h.Press(2, "registration.join:"+code)
	if q := res.Replies[0].Text; q.ID != "form.ask" || q.Data["Question"] != "Alergi makanan?" || q.Data["Of"] != 1 {
		t.Fatalf("asked %+v", q)
	}
	flowstest.WantIDs(t, h.Text(2, "kacang"), "ws.confirmed", "ws.ics_caption", "ws.qr_caption")
	if r, _ := h.Store.GetRegistration(ctx, code, 2); r.Answer != "kacang" || len(r.Answers) != 0 {
		t.Fatalf("registration %+v", r)
	}
	tbl := h.Press(flowstest.AdminID, "workshops.export:"+code).Replies[0].Table
	if tbl.Columns[8].Header != "Alergi makanan?" || tbl.Rows[0][8] != "kacang" {
		t.Fatalf("export %+v %v", tbl.Columns, tbl.Rows)
	}
	for i := range flows.MaxFormQuestions - 1 {
		addQuestion(t, h, code, flows.QShort, "Pertanyaan "+string(rune('A'+i)), "", "", "", false)
	}
	flowstest.Alert(t, h.Press(flowstest.AdminID, "workshops.form_add:"+code), "form.err_full")
}
