package flows

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestMyDataExport(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.text(7, "/start")
	p := &Profile{UserID: 7, FullName: "Siti <Rahmawati>", Organisation: "Yayasan Air", Sector: "ngo", Province: "JB",
		ConsentAt: h.now, ConsentVersion: ConsentVersion}
	if err := h.store.SaveProfile(ctx, p); err != nil {
		t.Fatal(err)
	}
	res := h.text(7, "/mydata")
	wantIDs(t, res, "privacy.mydata_caption", "privacy.mydata_summary")
	doc := res.Replies[0].Document
	if doc == nil || doc.Name != "sinergi-mydata-7.json" {
		t.Fatalf("document %+v", doc)
	}
	var d UserData
	if err := json.Unmarshal(doc.Data, &d); err != nil {
		t.Fatal(err)
	}
	if d.UserID != 7 || d.User == nil || d.Profile == nil || d.Profile.ConsentVersion != ConsentVersion {
		t.Errorf("export %+v", d)
	}
	body, _ := res.Replies[1].Text.Data["Body"].(string)
	if !strings.Contains(body, "Siti <Rahmawati>") || !strings.Contains(body, ConsentVersion) {
		t.Errorf("summary %q", body)
	}
}

func TestForgetMe(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.text(7, "/start")
	if err := h.store.SaveProfile(ctx, &Profile{UserID: 7, FullName: "Siti", Sector: "ngo", Province: "JB"}); err != nil {
		t.Fatal(err)
	}
	res := h.text(7, "/forgetme")
	wantIDs(t, res, "privacy.forget_confirm")
	res = h.press(7, button(t, res, "privacy.forget_no"))
	wantIDs(t, res, "privacy.forget_kept")
	if res.Forget {
		t.Fatal("kept data but Forget set")
	}
	if _, err := h.store.GetProfile(ctx, 7); err != nil {
		t.Fatal("profile gone after keep")
	}

	res = h.text(7, "/forgetme")
	res = h.press(7, button(t, res, "privacy.forget_yes"))
	wantIDs(t, res, "privacy.forgotten")
	if !res.Forget || res.Session.Active() {
		t.Fatalf("forget %v, session %+v", res.Forget, res.Session)
	}
	if _, err := h.store.GetProfile(ctx, 7); !errors.Is(err, ErrNotFound) {
		t.Errorf("profile kept: %v", err)
	}
}

// hasText reports whether id is used anywhere in v's nested data.
func hasText(v any, id string) bool {
	switch x := v.(type) {
	case Text:
		if x.ID == id {
			return true
		}
		for _, d := range x.Data {
			if hasText(d, id) {
				return true
			}
		}
	case []Text:
		for _, t := range x {
			if hasText(t, id) {
				return true
			}
		}
	case []any:
		for _, t := range x {
			if hasText(t, id) {
				return true
			}
		}
	}
	return false
}

func TestForgottenPartyIsADeletedOrganisation(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.text(7, "/start")
	in := &Introduction{ID: "i1", From: 7, To: 8, FromOrg: "Yayasan A", ToOrg: "Yayasan B", Status: IntroPending, Created: h.now}
	if err := h.store.RequestIntro(ctx, in, 0, 10); err != nil {
		t.Fatal(err)
	}
	if err := h.store.ForgetUser(ctx, 8, h.now); err != nil {
		t.Fatal(err)
	}
	res := h.text(7, "/introductions")
	found := false
	for _, r := range res.Replies {
		found = found || hasText(r.Text, "privacy.deleted_org")
	}
	if !found {
		t.Errorf("no deleted organisation in %+v", res.Replies)
	}
}
