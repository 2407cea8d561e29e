// Package dashboard is the /dashboard command: it opens the Mini App
// (bot/webapp) for facilitators and admins, with a web_app button and the
// chat's menu button, and refuses participants politely.
package dashboard

import (
	"context"

	"sinergi/flows"
)

// Module is the dashboard capability; it needs no storage.
func Module() flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		r.Namespace("dashboard")
		r.Command(&flows.Command{Name: "dashboard", Role: flows.RoleParticipant, ListedFrom: flows.RoleFacilitator,
			Describe: "cmd.dashboard", Run: show})
	})
}

// show answers /dashboard: a participant is told it is not for them; the
// others get the button that opens it (none when it is not served).
func show(_ context.Context, t *flows.Turn) error {
	url := t.WebAppURL()
	switch {
	case !t.SeesDashboard():
		t.Say(flows.T("dashboard.not_for_you"))
	case url == "":
		t.Say(flows.T("dashboard.not_served"))
	default:
		t.Say(flows.T("dashboard.open_text"), []flows.Button{{Label: flows.T("dashboard.open_button"), WebApp: url}})
		t.GiveDashboard()
	}
	return nil
}
