package registration_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// The options of a choice question the team types: none at all (blank
// lines, separators only), more than flows.MaxOptions, an over-long one
// — each a clear message and the question again, nothing saved.
func TestRegistrationFormOptionsRefused(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "0")
	res := h.Press(flowstest.AdminID, "workshops.form_add:"+code)
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "form.kind_choice"))
	res = h.Text(flowstest.AdminID, "Sesi mana?")
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "form.skip")), "(clear buttons)", "form.ask_options")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, ";\n;"), "form.err_few_options", "form.ask_options")
	var many []string
	for i := range flows.MaxOptions + 1 {
		many = append(many, "Sesi "+strconv.Itoa(i+1))
	}
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, strings.Join(many, "\n")), "form.err_many_options", "form.ask_options")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "Pagi\n"+strings.Repeat("s", flows.MaxOptionText+1)), "form.err_option_long", "form.ask_options")
	h.Text(flowstest.AdminID, "/cancel")
	if f, _ := h.Store.Form(ctx, code); len(f) != 0 {
		t.Fatalf("a question saved: %+v", f)
	}
}
