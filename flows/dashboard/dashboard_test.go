package dashboard_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

const appURL = "https://forum.example.org/app/"

func harness(t *testing.T, url string) *flowstest.Harness {
	return flowstest.NewWith(t, func(c *flows.Config) { c.WebAppURL = url }, flowstest.AllModules)
}

// menuApp is the Mini App menu button the result sets, or nil.
func menuApp(res *flows.Result) *flows.MenuApp {
	for _, r := range res.Replies {
		if r.MenuApp != nil {
			return r.MenuApp
		}
	}
	return nil
}

func webAppButton(res *flows.Result) string {
	for _, r := range res.Replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.WebApp != "" {
					return b.WebApp
				}
			}
		}
	}
	return ""
}

func TestDashboardCommand(t *testing.T) {
	h := harness(t, appURL)
	ctx := context.Background()
	if err := h.Store.SaveUser(ctx, &flows.User{ID: 13, Lang: "en", Role: flows.RoleFacilitator, FirstName: "Fasil"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{13, flowstest.AdminID} {
		res := h.Text(id, "/dashboard")
		if got := webAppButton(res); got != appURL {
			t.Fatalf("user %d: web_app button %q, want %q (replies %v)", id, got, appURL, flowstest.IDs(res))
		}
		if m := menuApp(res); m == nil || m.URL != appURL {
			t.Fatalf("user %d: menu button %+v", id, m)
		}
	}
	res := h.Text(2, "/dashboard")
	if got := flowstest.IDs(res); len(got) != 1 || got[0] != "dashboard.not_for_you" {
		t.Fatalf("participant: %v", got)
	}
	if webAppButton(res) != "" || menuApp(res) != nil {
		t.Fatal("a participant got the dashboard")
	}
	// Not served: said so, no button.
	h = harness(t, "")
	res = h.Text(flowstest.AdminID, "/dashboard")
	if got := flowstest.IDs(res); len(got) != 1 || got[0] != "dashboard.not_served" || menuApp(res) != nil {
		t.Fatalf("not served: %v", got)
	}
}

// Someone who becomes a facilitator by an invitation gets the menu button
// in the same turn.
func TestDashboardMenuOnRoleGained(t *testing.T) {
	h := harness(t, appURL)
	h.Text(flowstest.AdminID, "/start")
	res := h.Press(flowstest.AdminID, "roles.invite:facilitator")
	var link string
	for _, r := range res.Replies {
		if r.Text.ID == "grant.invite_link" {
			link, _ = r.Text.Data["Link"].(string)
		}
	}
	if link == "" {
		t.Fatalf("no invitation link: %v", flowstest.IDs(res))
	}
	payload := link[len("https://t.me/sinergi_test_bot?start="):]
	h.Text(7, "/start")
	if menuApp(h.Text(7, "/menu")) != nil {
		t.Fatal("a participant got the menu button")
	}
	res = h.Text(7, "/start "+payload)
	if m := menuApp(res); m == nil || m.URL != appURL {
		t.Fatalf("new facilitator: no menu button: %v", flowstest.IDs(res))
	}
}

// /help lists /dashboard for facilitators and admins, in each language,
// and not for participants; the commands published for participants do
// not carry it either.
func TestDashboardInHelp(t *testing.T) {
	h := harness(t, appURL)
	ctx := context.Background()
	for _, lang := range []string{"en", "id"} {
		if err := h.Store.SaveUser(ctx, &flows.User{ID: 13, Lang: lang, Role: flows.RoleFacilitator, FirstName: "Fasil"}); err != nil {
			t.Fatal(err)
		}
		if err := h.Store.SaveUser(ctx, &flows.User{ID: 2, Lang: lang, FirstName: "Peserta"}); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[int64]bool{13: true, flowstest.AdminID: true, 2: false} {
			res := h.Text(id, "/help")
			text := h.Render(lang, res.Replies[0].Text)
			if got := strings.Contains(text, "/dashboard"); got != want {
				t.Errorf("%s: user %d's /help lists /dashboard: %v, want %v:\n%s", lang, id, got, want, text)
			}
			if want && !strings.Contains(text, h.Render(lang, flows.T("cmd.dashboard"))) {
				t.Errorf("%s: /dashboard without its description:\n%s", lang, text)
			}
		}
	}
	for _, c := range h.E.Commands(flows.RoleParticipant) {
		if c.Name == "dashboard" {
			t.Fatal("/dashboard published for participants")
		}
	}
	if !slices.ContainsFunc(h.E.Commands(flows.RoleFacilitator), func(c flows.CommandInfo) bool { return c.Name == "dashboard" }) {
		t.Fatal("/dashboard not published for facilitators")
	}
}
