package workshops

import (
	"context"

	"sinergi/flows"
)

// Visibility: an unlisted workshop is found by its link only, never in
// /workshops or a group's cards (flows.Workshop.Unlisted).

const routeVisibility = "workshops.visibility" // <code>: listed or unlisted

func (e *module) registerVisibility(r *flows.Registry) {
	r.Route(&flows.Route{Name: routeVisibility, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.toggleUnlisted)})
}

func (e *module) toggleUnlisted(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if w.Cancelled {
		t.Answer(flows.T("ws.cancelled_note"), true)
		return nil
	}
	w.Unlisted = !w.Unlisted
	if _, err := e.store.UpdateWorkshop(ctx, w); err != nil {
		return flows.InternalError("visibility", err)
	}
	if err := t.Audit(ctx, flows.AuditWsEdit, w.Code, 0); err != nil {
		return err
	}
	t.Answer(visibilityText(w), false)
	return e.manageCard(ctx, t, w, "")
}

// visibilityText says who finds w.
func visibilityText(w *flows.Workshop) flows.Text {
	if w.Unlisted {
		return flows.T("visibility.unlisted")
	}
	return flows.T("visibility.listed")
}

// visibilityButton switches it: the label says what it is now.
func visibilityButton(w *flows.Workshop) []flows.Button {
	label := flows.T("visibility.btn_listed")
	if w.Unlisted {
		label = flows.T("visibility.btn_unlisted")
	}
	return []flows.Button{{Label: label, Data: flows.MustData(routeVisibility, w.Code)}}
}
