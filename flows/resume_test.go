package flows

import (
	"context"
	"slices"
	"testing"
)

// deployed builds an engine with a test flow "survey" of the given steps
// (each a required text answer); done receives the answers Done saw.
func deployed(t *testing.T, h *harness, done *[]map[string]string, steps ...string) *Engine {
	t.Helper()
	e := New(h.e.cfg, h.store, h.texts, allModules()...)
	f := &Flow{Name: "survey", Done: func(_ context.Context, t *Turn) error {
		*done = append(*done, maps(t.Session.Data))
		return nil
	}}
	for _, s := range steps {
		f.Steps = append(f.Steps, &Step{Name: s, Prompt: ask("profile.ask_name"), Parse: TextAnswer(50)})
	}
	e.addFlow(f)
	return e
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
	h.e = deployed(t, h, &done, "a", "c")
	// Before the deploy: the user answered a, and is asked c.
	res := h.send(uid, Input{Kind: KindText, Text: "unused"})
	h.sess[uid] = nil
	tt := &Turn{In: Input{Now: h.now}, e: h.e, User: res.User}
	if err := tt.StartFlow(context.Background(), "survey"); err != nil {
		t.Fatal(err)
	}
	h.sess[uid] = tt.Session
	h.text(uid, "jawaban a")
	if got := h.sess[uid].Step; got != "c" {
		t.Fatalf("at %q, want c", got)
	}

	// The deploy: b is inserted before c.
	h.e = deployed(t, h, &done, "a", "b", "c")
	res = h.text(uid, "jawaban c")
	if got := ids(res); !slices.Equal(got, []string{"flow.resumed", "profile.ask_name"}) {
		t.Fatalf("replies %v, want the note and b's question", got)
	}
	if s := h.sess[uid]; s.Step != "b" || s.Data["c"] != "" {
		t.Fatalf("session at %q with %v, want at b, c not answered", s.Step, s.Data)
	}
	h.text(uid, "jawaban b")
	if got := h.sess[uid].Step; got != "c" {
		t.Fatalf("after b at %q, want c", got)
	}
	h.text(uid, "jawaban c")
	if len(done) != 1 || done[0]["a"] != "jawaban a" || done[0]["b"] != "jawaban b" || done[0]["c"] != "jawaban c" {
		t.Fatalf("Done saw %v", done)
	}
	// The session is saved under the new data version: nothing moves again.
	if h.sess[uid].Active() {
		t.Fatalf("still in the flow: %+v", h.sess[uid])
	}
}

// A step inserted after the user's step is simply asked in turn; a session
// of the current version is not checked again.
func TestSessionStepInsertedLaterAskedInTurn(t *testing.T) {
	h := newHarness(t)
	var done []map[string]string
	const uid = 4243
	h.e = deployed(t, h, &done, "a", "c")
	res := h.send(uid, Input{Kind: KindText, Text: "unused"})
	tt := &Turn{In: Input{Now: h.now}, e: h.e, User: res.User}
	if err := tt.StartFlow(context.Background(), "survey"); err != nil {
		t.Fatal(err)
	}
	h.sess[uid] = tt.Session // asked a
	h.e = deployed(t, h, &done, "a", "c", "d")
	res = h.text(uid, "jawaban a")
	if got := ids(res); !slices.Equal(got, []string{"profile.ask_name"}) || h.sess[uid].Step != "c" {
		t.Fatalf("replies %v at %q, want c asked without a note", got, h.sess[uid].Step)
	}
	h.text(uid, "jawaban c")
	h.text(uid, "jawaban d")
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
	h.e = deployed(t, h, &done, "a", "b", "c")
	h.send(uid, Input{Kind: KindText, Text: "unused"})
	h.sess[uid] = &Session{Version: SessionVersion, Flow: "survey", Step: "c", Nonce: "x",
		Data: map[string]string{"a": "1"}, FlowVersion: h.e.flows["survey"].DataVersion()}
	res := h.text(uid, "3")
	if len(done) != 0 || h.sess[uid].Step != "b" || !slices.Contains(ids(res), "flow.resumed") {
		t.Fatalf("Done %v, at %q, replies %v; want b asked", done, h.sess[uid].Step, ids(res))
	}
	h.text(uid, "2")
	if len(done) != 1 || done[0]["b"] != "2" || done[0]["c"] != "3" {
		t.Fatalf("Done saw %v", done)
	}
}
