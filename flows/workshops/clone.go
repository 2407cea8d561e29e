package workshops

import (
	"context"
	"errors"

	"sinergi/flows"
)

// "Create a similar workshop": a new workshop with everything of another
// (its details, settings, team and registration form) but its dates and
// registrations; flow wsclone asks the new dates.

const (
	routeClone = "workshops.clone" // <code>: creates a similar workshop (asks its dates)
	cloneFlow  = "wsclone"
	cloneOf    = "clone_of" // in the flow's answers: the code of the workshop copied
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
	return e.createWithForm(ctx, t, w, src, true)
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

// createWithForm creates w and gives it src's registration form; tell
// says "created" with its link.
func (e *module) createWithForm(ctx context.Context, t *flows.Turn, w, src *flows.Workshop, tell bool) error {
	form, err := e.store.Form(ctx, src.Code)
	if err != nil {
		return flows.InternalError("form", err)
	}
	if err := e.insert(ctx, t, w); err != nil {
		return err
	}
	for _, q := range form {
		if err := e.store.AddQuestion(ctx, w.Code, q, formLimit(w)); err != nil {
			return flows.InternalError("copy form", err)
		}
	}
	if tell {
		e.tellCreated(t, w)
	}
	return nil
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
