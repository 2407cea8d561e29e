package privacy_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

func TestMyDataExport(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.Text(7, "/start")
	p := &flows.Profile{UserID: 7, FullName: "Siti <Rahmawati>", Organisation: "Yayasan Air", Sector: "ngo", Province: "JB",
		ConsentAt: h.Now, ConsentVersion: flows.ConsentVersion}
	if err := h.Store.SaveProfile(ctx, p); err != nil {
		t.Fatal(err)
	}
	res := h.Text(7, "/mydata")
	flowstest.WantIDs(t, res, "privacy.mydata_caption", "privacy.mydata_summary")
	doc := res.Replies[0].Document
	if doc == nil || doc.Name != "sinergi-mydata-7.json" {
		t.Fatalf("document %+v", doc)
	}
	var d flows.UserData
	if err := json.Unmarshal(doc.Data, &d); err != nil {
		t.Fatal(err)
	}
	if d.UserID != 7 || d.User == nil || d.Profile == nil || d.Profile.ConsentVersion != flows.ConsentVersion {
		t.Errorf("export %+v", d)
	}
	body, _ := res.Replies[1].Text.Data["Body"].(string)
	if !strings.Contains(body, "Siti <Rahmawati>") || !strings.Contains(body, flows.ConsentVersion) {
		t.Errorf("summary %q", body)
	}
}

func TestForgetMe(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.Text(7, "/start")
	if err := h.Store.SaveProfile(ctx, &flows.Profile{UserID: 7, FullName: "Siti", Sector: "ngo", Province: "JB"}); err != nil {
		t.Fatal(err)
	}
	res := h.Text(7, "/forgetme")
	flowstest.WantIDs(t, res, "privacy.forget_confirm")
	res = h.Press(7, flowstest.ButtonData(t, res, "privacy.forget_no"))
	flowstest.WantIDs(t, res, "privacy.forget_kept")
	if res.Forget {
		t.Fatal("kept data but Forget set")
	}
	if _, err := h.Store.GetProfile(ctx, 7); err != nil {
		t.Fatal("profile gone after keep")
	}

	res = h.Text(7, "/forgetme")
	res = h.Press(7, flowstest.ButtonData(t, res, "privacy.forget_yes"))
	flowstest.WantIDs(t, res, "privacy.forgotten")
	if !res.Forget || res.Session.Active() {
		t.Fatalf("forget %v, session %+v", res.Forget, res.Session)
	}
	if _, err := h.Store.GetProfile(ctx, 7); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("profile kept: %v", err)
	}
}

// hasText reports whether id is used anywhere in v's nested data.
func hasText(v any, id string) bool {
	switch x := v.(type) {
	case flows.Text:
		if x.ID == id {
			return true
		}
		for _, d := range x.Data {
			if hasText(d, id) {
				return true
			}
		}
	case []flows.Text:
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
	h.Text(7, "/start")
	in := &flows.Introduction{ID: "i1", From: 7, To: 8, FromOrg: "Yayasan A", ToOrg: "Yayasan B", Status: flows.IntroPending, Created: h.Now}
	if err := h.Store.RequestIntro(ctx, in, 0, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Store.ForgetUser(ctx, 8, h.Now); err != nil {
		t.Fatal(err)
	}
	res := h.Text(7, "/introductions")
	found := false
	for _, r := range res.Replies {
		found = found || hasText(r.Text, "privacy.deleted_org")
	}
	if !found {
		t.Errorf("no deleted organisation in %+v", res.Replies)
	}
}

// Forgetting a confirmed registrant of a workshop ahead frees the seat
// exactly like a cancellation: the first person waiting is confirmed and
// told (with calendar file and QR code) and reminded, and the counts no
// longer hold the deleted person.
func TestForgetFreesSeatLikeACancellation(t *testing.T) {
	h := newHarness(t)
	code := flowstest.CreateWorkshop(t, h, "1")
	ctx := context.Background()
	h.Press(flowstest.AdminID, "workshops.promotion:"+code) // automatic promotion (offers: TestForgetPassesTheSeatOnAsAnOffer)
	for _, id := range []int64{2, 3} {
		h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta", ConsentVersion: flows.ConsentVersion})
		h.Press(id, "registration.join:"+code)
	}
	if c, _ := h.Store.Counts(ctx, code); c != (flows.Counts{Confirmed: 1, Waiting: 1}) {
		t.Fatalf("counts before %+v", c)
	}
	h.Text(2, "/forgetme")
	res := h.Press(2, "privacy.forget:yes")
	var told []string
	for _, r := range res.Replies {
		if r.ChatID == 3 {
			told = append(told, r.Text.ID)
		}
	}
	if len(told) != 3 || told[0] != "ws.promoted" {
		t.Fatalf("the person waiting was told %v (replies %v)", told, flowstest.IDs(res))
	}
	if c, _ := h.Store.Counts(ctx, code); c != (flows.Counts{Confirmed: 1}) {
		t.Fatalf("counts after forgetting %+v, want the promoted person alone", c)
	}
	if r, err := h.Store.GetRegistration(ctx, code, 3); err != nil || r.Status != flows.RegConfirmed {
		t.Fatalf("waiting person %+v, %v", r, err)
	}
	for _, kind := range []string{flows.JobDayBefore, flows.JobSoon} {
		if !h.Store.HasJob(kind + "|" + code + "|3") {
			t.Errorf("promoted person has no %s reminder", kind)
		}
		if h.Store.HasJob(kind + "|" + code + "|2") {
			t.Errorf("forgotten person keeps a %s reminder", kind)
		}
	}
	// The card a newcomer sees: full again, nobody waiting.
	card := h.Press(4, "registration.show:"+code)
	if got := card.Replies[0].Text.Data["Seats"].(flows.Text); got.ID != "ws.seats_full" || got.Data["Waiting"] != 0 {
		t.Fatalf("card seats %+v", got)
	}
}

// In a workshop that offers (the default), the seat a forgotten person
// frees is offered to the first person waiting, as on a cancellation; the
// card shows the workshop full while the seat is held.
func TestForgetPassesTheSeatOnAsAnOffer(t *testing.T) {
	h := newHarness(t)
	code := flowstest.CreateWorkshop(t, h, "1")
	ctx := context.Background()
	for _, id := range []int64{2, 3} {
		h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta", ConsentVersion: flows.ConsentVersion})
		h.Press(id, "registration.join:"+code)
	}
	h.Text(2, "/forgetme")
	res := h.Press(2, "priv:yes")
	flowstest.WantIDs(t, res, "privacy.forgotten", "ws.offer")
	if res.Replies[1].ChatID != 3 || !h.Store.HasJob(flows.OfferJobIDs(code, 3)[0]) {
		t.Fatalf("offer sent to %d, its end scheduled: %v", res.Replies[1].ChatID, h.Store.HasJob(flows.OfferJobIDs(code, 3)[0]))
	}
	if c, _ := h.Store.Counts(ctx, code); c != (flows.Counts{Offered: 1}) {
		t.Fatalf("counts after forgetting %+v", c)
	}
	card := h.Press(4, "registration.show:"+code)
	if got := card.Replies[0].Text.Data["Seats"].(flows.Text); got.ID != "ws.seats_full" {
		t.Fatalf("card seats %+v while the seat is offered", got)
	}
	flowstest.ButtonData(t, card, "ws.btn_waitlist")
}

// After the proposer of a commitment forgot themselves, the owner's Accept
// does not send "X accepted" to the owner himself (a notice to chat 0 is a
// reply in the current chat).
func TestAcceptAfterProposerForgotten(t *testing.T) {
	h, code := flowstest.FollowUpSetup(t)
	h.Press(flowstest.AdminID, "followup.collect:"+code)
	h.Press(2, "followup.commit:"+code)
	h.Text(2, "Data baseline desa")
	h.Press(2, "core.step:"+h.Sess[2].Nonce+":3")
	res := h.Text(2, "20/01/2027")
	res = h.Press(2, flowstest.ButtonData(t, res, "cm.skip"))
	res = h.Press(2, flowstest.ButtonData(t, res, "cm.skip"))
	res = h.Press(2, flowstest.ButtonData(t, res, "ws.save"))
	accept := flowstest.ButtonData(t, res, "cm.accept")
	h.Text(2, "/forgetme")
	h.Press(2, "privacy.forget:yes")
	for _, r := range h.Press(3, accept).Replies {
		if r.Text.ID == "cm.accepted_notice" {
			t.Fatalf("accept notice sent to chat %d after the proposer was forgotten", r.ChatID)
		}
	}
}

// /mydata names every registration status in words: a seat offered and a
// registration awaiting approval too.
func TestMyDataNamesOfferedAndPending(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	offered := flowstest.CreateWorkshop(t, h, "1")
	approval := flowstest.CreateWorkshop(t, h, "0")
	h.Press(flowstest.AdminID, "workshops.approval:"+approval)
	for _, id := range []int64{2, 3} {
		h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta", ConsentVersion: flows.ConsentVersion, ConsentAt: h.Now})
		h.Press(id, "registration.join:"+offered)
	}
	h.Press(3, "registration.join:"+approval)
	h.Press(2, "registration.leave_yes:"+offered) // 3 is offered the seat
	body, _ := h.Text(3, "/mydata").Replies[1].Text.Data["Body"].(string)
	for _, id := range []string{"privacy.sum.reg_offered", "privacy.sum.reg_pending"} {
		want, err := h.Texts.Text("id", id, nil, nil)
		if err != nil || want == "" || !strings.Contains(body, want) {
			t.Errorf("summary lacks %s (%q, %v): %q", id, want, err, body)
		}
	}
}

// /mydata names the workshop teams the user is on, the chapter they
// administer and how many messages they wrote to registrants, in the file
// and in the summary.
func TestMyDataNamesTeamsChapterAndMessages(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	ch := &flows.Chapter{ID: "jabar2", Name: "Jawa Barat", Kind: flows.ChapterProvince, Provinces: []string{"JB"}, By: flowstest.AdminID, Created: h.Now}
	if err := h.Store.CreateChapter(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if err := h.Store.SaveUser(ctx, &flows.User{ID: 7, Lang: "en", Role: flows.RoleFacilitator, FirstName: "Siti", Chapter: ch.ID, Consent: flows.ConsentVersion}); err != nil {
		t.Fatal(err)
	}
	w := &flows.Workshop{Code: "tim234", Title: "Lokakarya tim", Zone: "Asia/Jakarta", Start: h.Now.Add(48 * time.Hour), End: h.Now.Add(50 * time.Hour),
		Venue: "Balai", Deadline: h.Now.Add(48 * time.Hour), Facilitators: []int64{7}, CreatedBy: 7, Created: h.Now}
	if err := h.Store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	for i, seg := range []string{"wsr:tim234:c", "wsr:tim234:p"} {
		if err := h.Store.CreateBroadcast(ctx, &flows.Broadcast{ID: flows.NewCode(), By: 7, FromChat: 7, MessageID: 10 + i, Segment: seg, Created: h.Now, StartAt: h.Now}); err != nil {
			t.Fatal(err)
		}
	}
	res := h.Text(7, "/mydata")
	var d flows.UserData
	if err := json.Unmarshal(res.Replies[0].Document.Data, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Teams) != 1 || d.Teams[0] != (flows.TeamData{Workshop: "tim234", Title: "Lokakarya tim", Owner: true}) ||
		d.Administers == nil || d.Administers.Name != "Jawa Barat" || len(d.Messages) != 2 {
		t.Fatalf("export teams %+v, administers %+v, messages %+v", d.Teams, d.Administers, d.Messages)
	}
	body, _ := res.Replies[1].Text.Data["Body"].(string)
	for _, want := range []string{"Workshop team (owner): Lokakarya tim (tim234).", "Chapter you administer: Jawa Barat.", "You wrote 2 messages to workshops' registrants."} {
		if !strings.Contains(body, want) {
			t.Errorf("summary lacks %q: %q", want, body)
		}
	}
}

// /mydata holds the answers to a workshop's registration form: in the file
// by question id and with the question's wording, and in the summary.
func TestMyDataHoldsFormAnswers(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "0")
	for _, q := range []flows.FormQuestion{
		{ID: "qnick", Kind: flows.QShort, Text: "Nama panggilan?", TextEN: "Nickname?"},
		{ID: "qsess", Kind: flows.QChoice, Text: "Sesi mana?", Options: []string{"Pagi", "Siang"}},
	} {
		if err := h.Store.AddQuestion(ctx, code, q, flows.MaxFormQuestions); err != nil {
			t.Fatal(err)
		}
	}
	h.Text(7, "/start")
	r := &flows.Registration{Workshop: code, UserID: 7, RegisteredAt: h.Now, Token: "tok-form-7", Lang: "id",
		Answers: map[string]string{"qnick": "Ucok <b>", "qsess": "2"}}
	if _, err := h.Store.Register(ctx, r, h.Now); err != nil {
		t.Fatal(err)
	}
	res := h.Text(7, "/mydata")
	var d flows.UserData
	if err := json.Unmarshal(res.Replies[0].Document.Data, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Registrations) != 1 {
		t.Fatalf("registrations %+v", d.Registrations)
	}
	g := d.Registrations[0]
	if g.Answers["qnick"] != "Ucok <b>" || g.Answers["qsess"] != "2" {
		t.Errorf("answers %+v", g.Answers)
	}
	want := []flows.FormAnswerData{{ID: "qnick", Question: "Nama panggilan?", Answer: "Ucok <b>"}, {ID: "qsess", Question: "Sesi mana?", Answer: "Siang"}}
	if len(g.Form) != len(want) || g.Form[0] != want[0] || g.Form[1] != want[1] {
		t.Errorf("form %+v, want %+v", g.Form, want)
	}
	body, _ := res.Replies[1].Text.Data["Body"].(string)
	if !strings.Contains(body, "Nama panggilan?") || !strings.Contains(body, "Ucok <b>") || !strings.Contains(body, "Siang") {
		t.Errorf("summary lacks the answers: %q", body)
	}
}

// /mydata lists the agenda's sessions the person signed up for: in the file
// with their times and room, in the order chosen, and in the summary; not
// the sessions others chose.
func TestMyDataListsSessionSignUps(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "0")
	w, err := h.Store.GetWorkshop(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	fgd := func(id, title string, from time.Duration) flows.AgendaSession {
		return flows.AgendaSession{ID: id, Title: title, Room: "Ruang " + id, Start: w.Start.Add(from), End: w.Start.Add(from + time.Hour), Capacity: 10}
	}
	for _, s := range []flows.AgendaSession{fgd("s1", "FGD Air", 0), fgd("s2", "FGD Tanah", time.Hour), fgd("s3", "FGD Hutan", 2*time.Hour)} {
		if _, err := h.Store.SaveSession(ctx, code, s, flows.MaxSessions); err != nil {
			t.Fatal(err)
		}
	}
	h.Text(7, "/start")
	for _, uid := range []int64{7, 8} {
		if _, err := h.Store.Register(ctx, &flows.Registration{Workshop: code, UserID: uid, RegisteredAt: h.Now, Token: "tok-s-" + string(rune('0'+uid)), Lang: "id"}, h.Now); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []struct {
		uid int64
		id  string
	}{{7, "s2"}, {7, "s1"}, {8, "s3"}} {
		if err := h.Store.SignUp(ctx, code, p.id, p.uid); err != nil {
			t.Fatal(err)
		}
	}
	res := h.Text(7, "/mydata")
	var d flows.UserData
	if err := json.Unmarshal(res.Replies[0].Document.Data, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Registrations) != 1 {
		t.Fatalf("registrations %+v", d.Registrations)
	}
	got := d.Registrations[0].Sessions
	if len(got) != 2 || got[0].ID != "s2" || got[0].Title != "FGD Tanah" || got[0].Room != "Ruang s2" || !got[0].Start.Equal(w.Start.Add(time.Hour)) ||
		!got[0].End.Equal(w.Start.Add(2*time.Hour)) || got[1].ID != "s1" {
		t.Fatalf("sessions in the file %+v, want FGD Tanah then FGD Air", got)
	}
	body, _ := res.Replies[1].Text.Data["Body"].(string)
	if !strings.Contains(body, "FGD Tanah") || !strings.Contains(body, "FGD Air") || strings.Contains(body, "FGD Hutan") {
		t.Errorf("summary %q: want FGD Tanah and FGD Air, not FGD Hutan", body)
	}
}
