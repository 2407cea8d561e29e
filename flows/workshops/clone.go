package workshops

import (
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"strconv"

	"sinergi/flows"
)

// "Create a similar workshop": a new workshop with everything of another
// (its details, settings, team and registration form) but its dates and
// registrations; flow wsclone asks the new dates.

const (
	routeClone = "workshops.clone" // <code>: creates a similar workshop (asks its dates)
	cloneFlow  = "wsclone"
	cloneOf    = "clone_of" // in the flow's answers: the code of the workshop copied
	// requestKey, in a clone or series flow's answers, is the request's
	// random id, from which the new workshops' codes are derived
	// (createOnce): a save handled again after a failure midway finishes
	// what it began instead of creating more.
	requestKey = "req"
	// codeAttempts is how many codes a request's workshop tries, one after
	// the other, when one is taken by another workshop.
	codeAttempts = 6
)

func (e *module) registerClone(r *flows.Registry) {
	r.Route(&flows.Route{Name: routeClone, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.startClone)})
	r.Flow(&flows.Flow{Name: cloneFlow, Done: e.saveClone, Steps: []*flows.Step{
		{Name: "start", Parse: e.startAnswer, Prompt: startPrompt},
		{Name: "end", Parse: endAnswer, Prompt: endPrompt},
		{Name: "deadline", Parse: e.deadlineAnswer, Prompt: flows.AskWithSkip("ws.ask_deadline", "ws.until_start")},
		{Name: "confirm", Parse: flows.Confirm(flows.T("ws.discarded"), "save"), Prompt: clonePrompt},
	}})
}

// showDeadline renders a deadline answer on its Keep button: "until the
// start", or the moment.
func showDeadline(t *flows.Turn, v string) any {
	if v == t.Session.Data["start"] {
		return flows.T("ws.until_start")
	}
	return showMoment(t, v)
}

func (e *module) startClone(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	d := workshopData(w)
	for _, k := range []string{"code", "start", "end", "deadline"} {
		delete(d, k)
	}
	d[cloneOf] = w.Code
	d[requestKey] = flows.NewToken()
	t.Say(flows.T("clone.intro", "Title", w.Title))
	return t.StartFlowAt(ctx, cloneFlow, "start", d)
}

func clonePrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	w := workshopFromData(t.Session.Data)
	return flows.Reply{Text: flows.T("ws.summary", "Details", flows.WorkshopDetails(w)), Buttons: [][]flows.Button{{
		t.Choice(flows.T("ws.save"), "save"), t.Choice(flows.T("ws.discard"), "discard"),
	}}}, nil
}

// saveClone creates the similar workshop: the copied one's details and
// settings as they are now, its team (the creator owning the copy) and
// its form.
func (e *module) saveClone(ctx context.Context, t *flows.Turn) error {
	src, err := e.store.GetWorkshop(ctx, t.Session.Data[cloneOf])
	if err != nil && !errors.Is(err, flows.ErrNotFound) {
		return flows.InternalError("clone source", err)
	}
	if src == nil || !t.CanManage(src) {
		t.Say(flows.T("errors.not_allowed"))
		return nil
	}
	w, err := e.similar(ctx, t, src, workshopFromData(t.Session.Data))
	if err != nil {
		return err
	}
	if err := e.createOnce(ctx, t, w, src, request(t), 0); err != nil {
		return err
	}
	e.tellCreated(t, w)
	return nil
}

// request is the flow's request id; a flow begun before there were any
// gets a new one (and is not finished by a second run).
func request(t *flows.Turn) string {
	if r := t.Session.Data[requestKey]; r != "" {
		return r
	}
	return flows.NewToken()
}

// requestCode is the code the k-th workshop of request req tries at its
// attempt-th try: derived from the request's random id, so a run again
// finds the workshop it created.
func requestCode(req string, k, attempt int) string {
	sum := sha256.Sum256([]byte(req + "|" + strconv.Itoa(k) + "|" + strconv.Itoa(attempt)))
	b := make([]byte, 6)
	for i := range b {
		b[i] = flows.CodeAlphabet[int(sum[i])%len(flows.CodeAlphabet)]
	}
	return string(b)
}

// ofRequest reports whether code is one request req's k-th workshop may
// have.
func ofRequest(req string, k int, code string) bool {
	for a := range codeAttempts {
		if requestCode(req, k, a) == code {
			return true
		}
	}
	return false
}

// createOnce creates w, the k-th workshop of request req, under a code
// derived from them, and gives it src's registration form. Run again for
// the same request (the update handled again after a failure midway), it
// finds the workshop created the first time — same creator, title and
// dates — and finishes its form (the questions copied already are kept)
// instead of creating a second.
func (e *module) createOnce(ctx context.Context, t *flows.Turn, w, src *flows.Workshop, req string, k int) error {
	form, err := e.store.Form(ctx, src.Code)
	if err != nil {
		return flows.InternalError("form", err)
	}
	for attempt := 0; ; attempt++ {
		w.Code = requestCode(req, k, attempt)
		err := e.store.CreateWorkshop(ctx, w)
		if err == nil {
			if err := t.Audit(ctx, flows.AuditWsCreate, w.Code, 0); err != nil {
				return err
			}
			break
		}
		if !errors.Is(err, flows.ErrCodeTaken) || attempt == codeAttempts-1 {
			return flows.InternalError("create workshop", err)
		}
		prev, err := e.store.GetWorkshop(ctx, w.Code)
		if err != nil {
			return flows.InternalError("created workshop", err)
		}
		if prev.CreatedBy == w.CreatedBy && prev.Title == w.Title && prev.Start.Equal(w.Start) && prev.End.Equal(w.End) {
			break // created by this request's first run
		}
	}
	have, err := e.store.Form(ctx, w.Code)
	if err != nil {
		return flows.InternalError("form", err)
	}
	for _, q := range form {
		if slices.ContainsFunc(have, func(h flows.FormQuestion) bool { return h.ID == q.ID }) {
			continue
		}
		if err := e.store.AddQuestion(ctx, w.Code, q, formLimit(w)); err != nil {
			return flows.InternalError("copy form", err)
		}
	}
	return nil
}

// similar is src with the dates of dated (and its code none), created by
// the current user, who owns it; src's other team members are on it.
func (e *module) similar(_ context.Context, t *flows.Turn, src, dated *flows.Workshop) (*flows.Workshop, error) {
	w := *src
	w.Code, w.Start, w.End, w.Deadline = "", dated.Start, dated.End, dated.Deadline
	w.Closed, w.Cancelled, w.Sequence = false, false, 0
	w.CreatedBy, w.Created, w.Owner = t.User.ID, t.In.Now, 0
	w.Facilitators = []int64{t.User.ID}
	for _, f := range src.Facilitators {
		if f != t.User.ID {
			w.Facilitators = append(w.Facilitators, f)
		}
	}
	w.Series = nil
	return &w, nil
}

// insert stores a new workshop under a fresh code, in the audit trail.
func (e *module) insert(ctx context.Context, t *flows.Turn, w *flows.Workshop) error {
	for attempt := 0; ; attempt++ {
		w.Code = flows.NewCode()
		err := e.store.CreateWorkshop(ctx, w)
		if err == nil {
			break
		}
		if !errors.Is(err, flows.ErrCodeTaken) || attempt == 5 {
			return flows.InternalError("create workshop", err)
		}
	}
	return t.Audit(ctx, flows.AuditWsCreate, w.Code, 0)
}
