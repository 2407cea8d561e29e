package flows_test

import (
	"context"
	"slices"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// deployed builds an engine with a test flow "survey" of the given steps
// (each a required text answer); done receives the answers Done saw.
func deployed(t *testing.T, h *flowstest.Harness, done *[]map[string]string, steps ...string) *flows.Engine {
	t.Helper()
	f := &flows.Flow{Name: "survey", Done: func(_ context.Context, t *flows.Turn) error {
		*done = append(*done, maps(t.Session.Data))
		return nil
	}}
	for _, s := range steps {
		f.Steps = append(f.Steps, &flows.Step{Name: s, Prompt: flows.Ask("profile.ask_name"), Parse: flows.TextAnswer(50)})
	}
	survey := flows.ModuleFunc(func(r *flows.Registry) { r.Flow(f) })
	return flows.New(h.E.Config(), h.Store, h.Texts, append(flowstest.AllModules(h.Store), survey)...)
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// A deploy inserts step "b" before the step a user is at: their session
// resumes at "b" (with a note), their pending input is not taken as b's
// answer, and Done runs only with every answer.
func TestSessionResumesAtInsertedStep(t *testing.T) {
	h := newHarness(t)
	var done []map[string]string
	const uid = 4242
	h.E = deployed(t, h, &done, "a", "c")
	// Before the deploy: the user answered a, and is asked c.
	res := h.Send(uid, flows.Input{Kind: flows.KindText, Text: "unused"})
	h.Sess[uid] = nil
	tt := h.E.TurnFor(flows.Input{Now: h.Now}, res.User)
	if err := tt.StartFlow(context.Background(), "survey"); err != nil {
		t.Fatal(err)
	}
	h.Sess[uid] = tt.Session
	h.Text(uid, "jawaban a")
	if got := h.Sess[uid].Step; got != "c" {
		t.Fatalf("at %q, want c", got)
	}

	// The deploy: b is inserted before c.
	h.E = deployed(t, h, &done, "a", "b", "c")
	res = h.Text(uid, "jawaban c")
	if got := flowstest.IDs(res); !slices.Equal(got, []string{"flow.resumed", "profile.ask_name"}) {
		t.Fatalf("replies %v, want the note and b's question", got)
	}
	if s := h.Sess[uid]; s.Step != "b" || s.Data["c"] != "" {
		t.Fatalf("session at %q with %v, want at b, c not answered", s.Step, s.Data)
	}
	h.Text(uid, "jawaban b")
	if got := h.Sess[uid].Step; got != "c" {
		t.Fatalf("after b at %q, want c", got)
	}
	h.Text(uid, "jawaban c")
	if len(done) != 1 || done[0]["a"] != "jawaban a" || done[0]["b"] != "jawaban b" || done[0]["c"] != "jawaban c" {
		t.Fatalf("Done saw %v", done)
	}
	// The session is saved under the new data version: nothing moves again.
	if h.Sess[uid].Active() {
		t.Fatalf("still in the flow: %+v", h.Sess[uid])
	}
}

// A step inserted after the user's step is simply asked in turn; a session
// of the current version is not checked again.
func TestSessionStepInsertedLaterAskedInTurn(t *testing.T) {
	h := newHarness(t)
	var done []map[string]string
	const uid = 4243
	h.E = deployed(t, h, &done, "a", "c")
	res := h.Send(uid, flows.Input{Kind: flows.KindText, Text: "unused"})
	tt := h.E.TurnFor(flows.Input{Now: h.Now}, res.User)
	if err := tt.StartFlow(context.Background(), "survey"); err != nil {
		t.Fatal(err)
	}
	h.Sess[uid] = tt.Session // asked a
	h.E = deployed(t, h, &done, "a", "c", "d")
	res = h.Text(uid, "jawaban a")
	if got := flowstest.IDs(res); !slices.Equal(got, []string{"profile.ask_name"}) || h.Sess[uid].Step != "c" {
		t.Fatalf("replies %v at %q, want c asked without a note", got, h.Sess[uid].Step)
	}
	h.Text(uid, "jawaban c")
	h.Text(uid, "jawaban d")
	if len(done) != 1 || done[0]["d"] != "jawaban d" {
		t.Fatalf("Done saw %v", done)
	}
}

// Done never runs with a required answer missing, whatever the session
// says its version is.
func TestDoneWaitsForRequiredAnswers(t *testing.T) {
	h := newHarness(t)
	var done []map[string]string
	const uid = 4244
	h.E = deployed(t, h, &done, "a", "b", "c")
	h.Send(uid, flows.Input{Kind: flows.KindText, Text: "unused"})
	h.Sess[uid] = &flows.Session{Version: flows.SessionVersion, Flow: "survey", Step: "c", Nonce: "x",
		Data: map[string]string{"a": "1"}, FlowVersion: h.E.FlowNamed("survey").DataVersion()}
	res := h.Text(uid, "3")
	if len(done) != 0 || h.Sess[uid].Step != "b" || !slices.Contains(flowstest.IDs(res), "flow.resumed") {
		t.Fatalf("Done %v, at %q, replies %v; want b asked", done, h.Sess[uid].Step, flowstest.IDs(res))
	}
	h.Text(uid, "2")
	if len(done) != 1 || done[0]["b"] != "2" || done[0]["c"] != "3" {
		t.Fatalf("Done saw %v", done)
	}
}
