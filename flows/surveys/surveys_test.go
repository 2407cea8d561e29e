package surveys_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"sinergi/flows"
	"sinergi/flows/flowstest"
	"sinergi/flows/surveys"
)

// seed is a workshop with confirmed registrants 2 (English) and 3, 4
// (Indonesian), each with a profile; 2 and 3 checked in.
func seed(t *testing.T) (*flowstest.Harness, *flows.Workshop) {
	t.Helper()
	h := flowstest.New(t, flowstest.AllModules)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "0")
	for _, p := range []flows.Profile{
		{UserID: 2, FullName: "Ani", Organisation: "Yayasan Air"},
		{UserID: 3, FullName: "Budi", Organisation: "Koperasi Maju"},
		{UserID: 4, FullName: "Citra", Organisation: "Koperasi Maju"},
	} {
		p.ConsentVersion = flows.ConsentVersion
		if err := h.Store.SaveProfile(ctx, &p); err != nil {
			t.Fatal(err)
		}
		lang := "id"
		if p.UserID == 2 {
			lang = "en"
		}
		h.Send(p.UserID, flows.Input{Kind: flows.KindCommand, Command: "start", LangCode: lang})
		flowstest.WantIDs(t, h.Press(p.UserID, "registration.join:"+code), "ws.confirmed", "ws.ics_caption", "ws.qr_caption")
	}
	w, err := h.Store.GetWorkshop(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	for _, uid := range []int64{2, 3} {
		if _, err := h.Store.CheckIn(ctx, code, uid, w.Start); err != nil {
			t.Fatal(err)
		}
	}
	return h, w
}

const teamSurvey = "rating: Bagaimana materinya? | How was the content?\n" +
	"pilihan: Ikut lagi? | Come again? ; Ya | Yes ; Tidak | No ; Mungkin\n" +
	"text: Saran | Suggestions"

// writeSurvey has the admin write teamSurvey for w.
func writeSurvey(t *testing.T, h *flowstest.Harness, w *flows.Workshop) {
	t.Helper()
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "surveys.edit:"+w.Code), "sv.edit_ask")
	res := h.Text(flowstest.AdminID, teamSurvey)
	flowstest.WantIDs(t, res, "sv.saved")
	if res.Replies[0].Text.Data["Count"] != 3 || res.Replies[0].Text.Data["Version"] != 1 {
		t.Fatalf("saved %+v", res.Replies[0].Text.Data)
	}
}

// invite runs uid's request at the end (the reminders' JobFeedback).
func invite(t *testing.T, h *flowstest.Harness, w *flows.Workshop, uid int64, at time.Time) []flows.Reply {
	t.Helper()
	out, err := h.E.RunJob(context.Background(), flows.Job{ID: fmt.Sprintf("%s|%s|%d", flows.JobFeedback, w.Code, uid), Due: w.End}, at)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The survey in both languages, every kind of question: the attendee is
// asked after the end, answers a rating (a wrong one refused), a choice
// and a text, and chooses to stay anonymous (2, English) or share their
// name (3, Indonesian); the questions and options are in their language.
func TestSurveyFlowBothLanguages(t *testing.T) {
	h, w := seed(t)
	ctx := context.Background()
	writeSurvey(t, h, w)
	h.Now = w.End.Add(time.Minute)
	for _, c := range []struct {
		uid                  int64
		lang, question, opt0 string
		share, thanks        string
		rating, choice, text string
	}{
		{2, "en", "How was the content?", "Yes", "no", "sv.thanks_anonymous", "4", "2", "More practice <please>"},
		{3, "id", "Bagaimana materinya?", "Ya", "yes", "sv.thanks_shared", "5", "0", "Lebih banyak contoh"},
	} {
		out := invite(t, h, w, c.uid, h.Now)
		if len(out) != 1 || out[0].Text.ID != "sv.invite" || out[0].ChatID != c.uid || out[0].Lang != c.lang || out[0].Text.Data["Count"] != 3 {
			t.Fatalf("%d: invitation %+v", c.uid, out)
		}
		res := h.Press(c.uid, out[0].Buttons[0][0].Data)
		flowstest.WantIDs(t, res, "(clear buttons)", "sv.intro", "sv.question_rating")
		if q := res.Replies[2].Text.Data["Question"]; q != c.question {
			t.Fatalf("%d: question %q, want %q", c.uid, q, c.question)
		}
		// A rating outside 1–5 is refused and asked again.
		res = h.Text(c.uid, "7")
		if ids := flowstest.IDs(res); len(ids) == 0 || ids[0] != "sv.bad_rating" {
			t.Fatalf("%d: rating 7: %v", c.uid, ids)
		}
		res = h.Text(c.uid, c.rating)
		flowstest.WantIDs(t, res, "sv.question_choice")
		if got := res.Replies[0].Buttons[0][0].Literal; got != c.opt0 {
			t.Fatalf("%d: first option %q, want %q", c.uid, got, c.opt0)
		}
		res = h.Press(c.uid, res.Replies[0].Buttons[mustAtoi(t, c.choice)][0].Data)
		flowstest.WantIDs(t, res, "(clear buttons)", "sv.question_text")
		res = h.Text(c.uid, c.text)
		flowstest.WantIDs(t, res, "sv.ask_share")
		res = h.Press(c.uid, flowstest.ButtonData(t, res, "sv.share_"+c.share))
		if ids := flowstest.IDs(res); ids[len(ids)-1] != c.thanks {
			t.Fatalf("%d: end %v", c.uid, ids)
		}
	}
	as, err := h.Store.SurveyAnswers(ctx, w.Code)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 2 || as[0].UserID != 0 || strings.Join(as[0].Answers, "|") != "4|2|More practice <please>" ||
		as[1].UserID != 3 || strings.Join(as[1].Answers, "|") != "5|0|Lebih banyak contoh" {
		t.Fatalf("stored %+v %+v", as[0], as[1])
	}
	// Answering again is refused.
	flowstest.WantIDs(t, h.Press(2, "surveys.start:"+w.Code), "sv.already")
	// Someone who did not attend cannot answer.
	flowstest.WantIDs(t, h.Press(4, "surveys.start:"+w.Code), "sv.not_attended")
	// (The workshop has an online link: they are asked whether they joined
	// online, which would make them an attendee, instead.)
	if out := invite(t, h, w, 4, h.Now); len(out) != 1 || out[0].Text.ID != "fb.ask_online" {
		t.Fatalf("absentee invited: %+v", out)
	}

	// The results: the counts, the average, the options, the comments
	// (named only for 3, who shared), the chart and the table.
	res := h.Press(flowstest.AdminID, "surveys.results:"+w.Code)
	flowstest.WantIDs(t, res, "sv.results", "sv.chart_caption", "sv.csv_caption")
	d := res.Replies[0].Text.Data
	if d["Count"] != 2 || d["Attended"] != 2 {
		t.Fatalf("results %+v", d)
	}
	lines := d["Lines"].([]flows.Text)
	if lines[0].ID != "sv.res_rating" || lines[0].Data["Avg"] != "4.5" || lines[0].Data["R4"] != 1 || lines[0].Data["R5"] != 1 {
		t.Fatalf("rating line %+v", lines[0])
	}
	opts := lines[1].Data["Options"].([]flows.Text)
	if len(opts) != 3 || opts[0].Data["Votes"] != 1 || opts[1].Data["Votes"] != 0 || opts[2].Data["Votes"] != 1 {
		t.Fatalf("options %+v", opts)
	}
	cs := lines[2].Data["Comments"].([]flows.Text)
	if len(cs) != 2 || cs[0].ID != "sv.res_comment" || cs[1].ID != "sv.res_comment_named" || cs[1].Data["Name"] != "Budi" {
		t.Fatalf("comments %+v", cs)
	}
	ch := res.Replies[1].Chart
	if ch == nil || len(ch.Bars) != 1 || ch.Bars[0].Value != 4.5 {
		t.Fatalf("chart %+v", ch)
	}
	tb := res.Replies[2].Table
	if tb == nil || len(tb.Rows) != 2 || tb.Rows[0][0] != "(anonim)" || tb.Rows[0][1] != nil || tb.Rows[1][0] != "Budi" || tb.Rows[1][2] != 5 || tb.Rows[1][3] != "Ya" {
		t.Fatalf("table %+v", tb)
	}
	// The team may not change a survey that has answers.
	if res := h.Press(flowstest.AdminID, "surveys.edit:"+w.Code); res.Answer == nil || res.Answer.Text.ID != "sv.edit_answered" {
		t.Fatalf("edit after answers: %+v", res.Answer)
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The default survey goes out when the team wrote none, once: the job run
// again sends nothing, and one reminder follows a day later only to those
// who have not answered, once.
func TestSurveyReminderOnce(t *testing.T) {
	h, w := seed(t)
	ctx := context.Background()
	at := w.End
	for _, uid := range []int64{2, 3} {
		out := invite(t, h, w, uid, at)
		if len(out) != 1 || out[0].Text.ID != "sv.invite" || out[0].Text.Data["Count"] != 4 {
			t.Fatalf("%d: invitation %+v", uid, out)
		}
		if out := invite(t, h, w, uid, at); len(out) != 0 {
			t.Fatalf("%d: invited twice: %+v", uid, out)
		}
		id := fmt.Sprintf("%s|%s|%d", flows.JobSurveyReminder, w.Code, uid)
		if !h.Store.HasJob(id) || !h.Store.JobDue(id).Equal(at.Add(flows.SurveyReminderAfter)) {
			t.Fatalf("%d: reminder job %v at %v", uid, h.Store.HasJob(id), h.Store.JobDue(id))
		}
	}
	// 3 answers the default survey (2 ratings, a choice, a comment skipped).
	h.Now = at.Add(time.Hour)
	h.Press(3, "surveys.start:"+w.Code)
	h.Text(3, "5")
	res := h.Text(3, "4")
	res = h.Press(3, res.Replies[0].Buttons[0][0].Data)
	res = h.Press(3, flowstest.ButtonData(t, res, "sv.skip"))
	res = h.Press(3, flowstest.ButtonData(t, res, "sv.share_no"))
	flowstest.WantIDs(t, res, "(clear buttons)", "sv.thanks_anonymous")
	if h.Store.HasJob(fmt.Sprintf("%s|%s|3", flows.JobSurveyReminder, w.Code)) {
		t.Fatal("the reminder of someone who answered stays scheduled")
	}
	remind := func(uid int64) []flows.Reply {
		out, err := h.E.RunJob(ctx, flows.Job{ID: fmt.Sprintf("%s|%s|%d", flows.JobSurveyReminder, w.Code, uid)}, at.Add(flows.SurveyReminderAfter))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := remind(2); len(out) != 1 || out[0].Text.ID != "sv.reminder" || out[0].ChatID != 2 || out[0].Lang != "en" {
		t.Fatalf("reminder %+v", out)
	}
	if out := remind(2); len(out) != 0 {
		t.Fatalf("second reminder %+v", out)
	}
	if out := remind(3); len(out) != 0 {
		t.Fatalf("reminder to someone who answered %+v", out)
	}
	as, _ := h.Store.SurveyAnswers(ctx, w.Code)
	if len(as) != 1 || strings.Join(as[0].Answers, "|") != "5|4|0|" {
		t.Fatalf("answers %+v", as)
	}
}

// After the survey closed (SurveyOpenFor after the end), the button and
// an answer in progress get a clear message, and nothing is stored or
// reminded.
func TestSurveyClosed(t *testing.T) {
	h, w := seed(t)
	ctx := context.Background()
	closed := w.End.Add(flows.SurveyOpenFor)
	h.Now = closed.Add(-time.Minute)
	invite(t, h, w, 2, w.End)
	h.Press(2, "surveys.start:"+w.Code)
	h.Text(2, "5")
	res := h.Text(2, "4")
	flowstest.WantIDs(t, h.Press(2, res.Replies[0].Buttons[0][0].Data), "(clear buttons)", "sv.question_text")
	res = h.Text(2, "Good")
	h.Now = closed
	res = h.Press(2, flowstest.ButtonData(t, res, "sv.share_no"))
	if ids := flowstest.IDs(res); ids[len(ids)-1] != "sv.closed" {
		t.Fatalf("answer after closing: %v", ids)
	}
	flowstest.WantIDs(t, h.Press(3, "surveys.start:"+w.Code), "sv.closed")
	if out := invite(t, h, w, 3, closed); len(out) != 0 {
		t.Fatalf("invited after closing: %+v", out)
	}
	out, err := h.E.RunJob(ctx, flows.Job{ID: fmt.Sprintf("%s|%s|2", flows.JobSurveyReminder, w.Code)}, closed)
	if err != nil || len(out) != 0 {
		t.Fatalf("reminder after closing: %+v, %v", out, err)
	}
	if as, _ := h.Store.SurveyAnswers(ctx, w.Code); len(as) != 0 {
		t.Fatalf("stored after closing: %+v", as)
	}
}

// Bad surveys are refused with the line and the reason.
func TestParseSurveyRefusals(t *testing.T) {
	many := strings.Repeat("rating: Q\n", flows.MaxSurveyQuestions+1)
	for _, c := range []struct{ text, want string }{
		{"", "sv.err_none"},
		{"\n  \n", "sv.err_none"},
		{many, "sv.err_too_many"},
		{"question: what?", "sv.err_kind"},
		{"no kind at all", "sv.err_kind"},
		{"rating: ", "sv.err_empty_text"},
		{"rating: | only English", "sv.err_empty_text"},
		{"choice: Pilih ; Satu", "sv.err_options"},
		{"choice: Pilih ; 1 ; 2 ; 3 ; 4 ; 5 ; 6 ; 7", "sv.err_options"},
		{"choice: Pilih ; A ; ", "sv.err_empty_option"},
		{"rating: Q ; A ; B", "sv.err_options_kind"},
		{"text: " + strings.Repeat("x", flows.MaxSurveyText+1), "sv.err_long"},
		{strings.Repeat("x", 4001), "sv.err_message_long"},
	} {
		_, err := surveys.ParseSurvey(c.text)
		ue, ok := flows.AsUserError(err)
		if !ok || ue.Msg.ID != c.want {
			t.Errorf("%.40q: %v, want %s", c.text, err, c.want)
		}
	}
	qs, err := surveys.ParseSurvey(teamSurvey)
	if err != nil || len(qs) != 3 || qs[1].Kind != flows.SvChoice || strings.Join(qs[1].OptionsEN, ",") != "Yes,No," || qs[1].Option("en", 2) != "Mungkin" || qs[2].In("en") != "Suggestions" {
		t.Fatalf("%+v, %v", qs, err)
	}
}

// Through the bot: the team's survey with no questions is refused and
// asked again.
func TestSurveyEditRefusesEmpty(t *testing.T) {
	h, w := seed(t)
	h.Press(flowstest.AdminID, "surveys.edit:"+w.Code)
	res := h.Text(flowstest.AdminID, "  ")
	if ids := flowstest.IDs(res); len(ids) == 0 || ids[0] != "sv.err_none" {
		t.Fatalf("empty survey: %v", ids)
	}
	if _, err := h.Store.GetSurvey(context.Background(), w.Code); err == nil {
		t.Fatal("an empty survey was saved")
	}
}

// The funnel numbers on a seeded workshop are exact: 7 register for 6
// seats (one waits: not counted), 4 check in, one is excused, one does not
// show; 3 answer the survey; 4 commitments of which one only proposed
// (not made) and 2 done.
func TestFunnelNumbersExact(t *testing.T) {
	h := flowstest.New(t, flowstest.AllModules)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "6")
	for uid := int64(2); uid <= 8; uid++ {
		org := "Koperasi Maju"
		if uid <= 3 {
			org = "Yayasan Air"
		}
		p := flows.Profile{UserID: uid, FullName: fmt.Sprintf("P%d", uid), Organisation: org, ConsentVersion: flows.ConsentVersion}
		if err := h.Store.SaveProfile(ctx, &p); err != nil {
			t.Fatal(err)
		}
		h.Press(uid, "registration.join:"+code)
	}
	w, err := h.Store.GetWorkshop(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	for uid := int64(2); uid <= 5; uid++ {
		if _, err := h.Store.CheckIn(ctx, code, uid, w.Start); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Store.SetAttendance(ctx, code, 6, flows.AttAbsent, w.Start); err != nil {
		t.Fatal(err)
	}
	for uid := int64(2); uid <= 4; uid++ {
		if err := h.Store.SubmitSurvey(ctx, code, uid, &flows.SurveyAnswer{Answers: []string{"5"}, At: w.End}); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range []struct {
		owner  int64
		status string
	}{{2, flows.CmOpen}, {3, flows.CmDone}, {4, flows.CmDone}, {5, flows.CmProposed}} {
		cm := &flows.Commitment{ID: fmt.Sprintf("c%d", i), Workshop: code, What: "x", Owner: c.owner, By: c.owner, Due: w.End.Add(24 * time.Hour), Status: c.status, Created: w.End}
		if err := h.Store.SaveCommitment(ctx, cm); err != nil {
			t.Fatal(err)
		}
	}
	h.Now = w.End.Add(3 * time.Hour) // check-in closed (2 hours after the end)

	res := h.Press(flowstest.AdminID, "surveys.funnel:"+code)
	flowstest.WantIDs(t, res, "in.workshop")
	want := map[string]any{"Registered": 6, "Attended": 4, "Answered": 3, "Made": 3, "Done": 2, "NoShow": 1, "Rate": 16}
	for k, v := range want {
		if got := res.Replies[0].Text.Data[k]; got != v {
			t.Errorf("%s = %v, want %v", k, got, v)
		}
	}
	var bars []float64
	for _, b := range res.Replies[0].Chart.Bars {
		bars = append(bars, b.Value)
	}
	if fmt.Sprint(bars) != "[6 4 3 3 2]" {
		t.Errorf("chart bars %v", bars)
	}

	// /insights sums the same for the admin (the whole forum), with the
	// no-show rate per organisation, highest first.
	res = h.Text(flowstest.AdminID, "/insights")
	flowstest.WantIDs(t, res, "in.summary", "in.chart_caption", "in.csv_caption")
	d := res.Replies[0].Text.Data
	if d["Scope"].(flows.Text).ID != "in.scope_forum" || d["Count"] != 1 || d["Registered"] != 6 || d["NoShow"] != 1 || d["Done"] != 2 {
		t.Fatalf("summary %+v", d)
	}
	orgs := d["Orgs"].([]flows.Text)
	if len(orgs) != 2 || orgs[0].Data["Org"] != "Koperasi Maju" || orgs[0].Data["Registered"] != 4 || orgs[0].Data["NoShow"] != 1 || orgs[0].Data["Rate"] != 25 ||
		orgs[1].Data["Org"] != "Yayasan Air" || orgs[1].Data["Rate"] != 0 {
		t.Fatalf("organisations %+v", orgs)
	}
	if row := res.Replies[2].Table.Rows[0]; fmt.Sprint(row[2:]) != "[6 4 3 3 2 1 16]" {
		t.Fatalf("table row %v", row)
	}
	// A facilitator of no workshop sees none; a year later, nothing is
	// in the window.
	h.Send(9, flows.Input{Kind: flows.KindCommand, Command: "start"})
	if err := h.Store.SetRole(ctx, 9, flows.RoleFacilitator); err != nil {
		t.Fatal(err)
	}
	flowstest.WantIDs(t, h.Text(9, "/insights"), "in.none")
	h.Now = w.Start.Add(366 * 24 * time.Hour)
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "/insights"), "in.none")
}

// /insights follows the authorisation matrix's scopes: a chapter admin
// sums their chapter's workshops only; a national admin the whole forum,
// with a line per chapter (the national workshops first).
func TestInsightsScopes(t *testing.T) {
	h := flowstest.New(t, flowstest.AllModules)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	national := flowstest.CreateWorkshop(t, h, "0")
	nw, err := h.Store.GetWorkshop(ctx, national)
	must(err)
	must(h.Store.CreateChapter(ctx, &flows.Chapter{ID: "chapaa", Name: "Jawa Barat", Kind: flows.ChapterProvince, Provinces: []string{"JB"}, Created: nw.Created}))
	must(h.Store.SaveUser(ctx, &flows.User{ID: 14, Lang: "id", Role: flows.RoleFacilitator, FirstName: "Chapter", Chapter: "chapaa"}))
	cw := &flows.Workshop{Code: "chw234", Title: "Bandung", Zone: "Asia/Jakarta", Start: nw.Start, End: nw.End, Deadline: nw.Start,
		Facilitators: []int64{flowstest.AdminID}, Owner: flowstest.AdminID, CreatedBy: flowstest.AdminID, Created: nw.Created, Chapter: "chapaa"}
	must(h.Store.CreateWorkshop(ctx, cw))
	for _, c := range []struct {
		code string
		uid  int64
		in   bool
	}{{national, 2, true}, {"chw234", 3, true}, {"chw234", 4, false}} {
		_, err := h.Store.Register(ctx, &flows.Registration{Workshop: c.code, UserID: c.uid, RegisteredAt: nw.Created, Token: flows.NewToken()}, nw.Created)
		must(err)
		if c.in {
			_, err := h.Store.CheckIn(ctx, c.code, c.uid, nw.Start)
			must(err)
		}
	}
	h.Now = nw.End.Add(3 * time.Hour)

	res := h.Text(14, "/insights")
	flowstest.WantIDs(t, res, "in.summary", "in.chart_caption", "in.csv_caption")
	d := res.Replies[0].Text.Data
	if d["Scope"].(flows.Text).ID != "in.scope_chapter" || d["Count"] != 1 || d["Registered"] != 2 || d["Attended"] != 1 || d["NoShow"] != 1 || d["Chapters"] != nil && len(d["Chapters"].([]flows.Text)) != 0 {
		t.Fatalf("chapter admin's summary %+v", d)
	}
	res = h.Text(flowstest.AdminID, "/insights")
	d = res.Replies[0].Text.Data
	chs := d["Chapters"].([]flows.Text)
	if d["Count"] != 2 || d["Registered"] != 3 || len(chs) != 2 ||
		chs[0].Data["Chapter"].(flows.Text).ID != "in.national" || chs[0].Data["Registered"] != 1 ||
		chs[1].Data["Chapter"].(flows.Text).Data["Name"] != "Jawa Barat" || chs[1].Data["Workshops"] != 1 || chs[1].Data["Rate"] != 50 {
		t.Fatalf("admin's summary %+v, chapters %+v", d, chs)
	}
}

// The team changes the survey (nobody had answered) while someone is
// answering: their next answer is not taken for the new questions; they
// are told, with a button that starts the new survey.
func TestSurveyChangedWhileAnswering(t *testing.T) {
	h, w := seed(t)
	h.Now = w.End.Add(time.Minute)
	flowstest.WantIDs(t, h.Press(3, "surveys.start:"+w.Code), "(clear buttons)", "sv.intro", "sv.question_rating")
	writeSurvey(t, h, w)
	res := h.Text(3, "5")
	flowstest.WantIDs(t, res, "sv.changed")
	res = h.Press(3, res.Replies[0].Buttons[0][0].Data)
	flowstest.WantIDs(t, res, "(clear buttons)", "sv.intro", "sv.question_rating")
	if q := res.Replies[2].Text.Data["Question"]; q != "Bagaimana materinya?" || res.Replies[1].Text.Data["Count"] != 3 {
		t.Fatalf("the new survey's first question %q", q)
	}
}

// The results message fits Telegram's 4096 characters for the largest
// survey (10 questions and options of 200 characters) and many long
// comments; what does not fit is said to be in the table, which has all.
func TestResultsFitOneMessage(t *testing.T) {
	h, w := seed(t)
	ctx := context.Background()
	long := func(c rune) string { return strings.Repeat(string(c), flows.MaxSurveyText) }
	sv := &flows.Survey{Workshop: w.Code}
	for i := range flows.MaxSurveyQuestions {
		q := flows.SurveyQuestion{Kind: []string{flows.SvRating, flows.SvChoice, flows.SvText}[i%3], Text: long('q'), TextEN: long('Q')}
		if q.Kind == flows.SvChoice {
			for range flows.MaxSurveyOptions {
				q.Options = append(q.Options, long('o'))
			}
		}
		sv.Questions = append(sv.Questions, q)
	}
	if err := h.Store.SaveSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	for uid := int64(100); uid < 140; uid++ {
		a := &flows.SurveyAnswer{At: w.End}
		for i := range flows.MaxSurveyQuestions {
			a.Answers = append(a.Answers, []string{"3", "1", strings.Repeat("ж", flows.MaxSurveyAnswer)}[i%3])
		}
		if err := h.Store.SubmitSurvey(ctx, w.Code, uid, a); err != nil {
			t.Fatal(err)
		}
	}
	h.Now = w.End.Add(time.Hour)
	res := h.Press(flowstest.AdminID, "surveys.results:"+w.Code)
	flowstest.WantIDs(t, res, "sv.results", "sv.chart_caption", "sv.csv_caption")
	for _, lang := range []string{"en", "id"} {
		text := h.Render(lang, res.Replies[0].Text)
		if n := len(utf16.Encode([]rune(text))); n > 4096 {
			t.Errorf("%s: %d characters", lang, n)
		}
		if !strings.Contains(text, h.Render(lang, flows.T("sv.res_more"))) {
			t.Errorf("%s: the message does not say the rest is in the table", lang)
		}
	}
	if rows := res.Replies[2].Table.Rows; len(rows) != 40 || rows[0][4] != strings.Repeat("ж", flows.MaxSurveyAnswer) {
		t.Fatalf("the table has %d rows", len(rows))
	}
	if bars := res.Replies[1].Chart.Bars; len(bars) != 4 {
		t.Fatalf("%d bars", len(bars))
	}
}

// /insights fits one message too: many workshops with the longest titles,
// organisations with 200-character names, many chapters with long names.
func TestInsightsFitOneMessage(t *testing.T) {
	h := flowstest.New(t, flowstest.AllModules)
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	for i := range 20 {
		ch := fmt.Sprintf("ch%04d", i)
		if err := h.Store.CreateChapter(ctx, &flows.Chapter{ID: ch, Name: strings.Repeat("C", 100) + ch, Kind: flows.ChapterNetwork, Created: start}); err != nil {
			t.Fatal(err)
		}
		w := &flows.Workshop{Code: fmt.Sprintf("ws%04d", i), Title: strings.Repeat("T", 114) + ch, Zone: "Asia/Jakarta", Start: start, End: start.Add(time.Hour),
			Deadline: start, Facilitators: []int64{flowstest.AdminID}, Owner: flowstest.AdminID, CreatedBy: flowstest.AdminID, Created: start, Chapter: ch}
		if err := h.Store.CreateWorkshop(ctx, w); err != nil {
			t.Fatal(err)
		}
		uid := int64(1000 + i)
		if err := h.Store.SaveProfile(ctx, &flows.Profile{UserID: uid, FullName: "P", Organisation: strings.Repeat("O", 195) + ch, ConsentVersion: flows.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Store.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: uid, RegisteredAt: start.Add(-time.Hour), Token: flows.NewToken()}, start.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	h.Now = start.Add(30 * 24 * time.Hour)
	res := h.Text(flowstest.AdminID, "/insights")
	flowstest.WantIDs(t, res, "in.summary", "in.chart_caption", "in.csv_caption")
	if d := res.Replies[0].Text.Data; d["Count"] != 20 || d["NoShow"] != 20 {
		t.Fatalf("summary %+v", d)
	}
	for _, lang := range []string{"en", "id"} {
		if n := len(utf16.Encode([]rune(h.Render(lang, res.Replies[0].Text)))); n > 4096 {
			t.Errorf("%s: %d characters", lang, n)
		}
	}
	if len(res.Replies[2].Table.Rows) != 20 {
		t.Fatalf("table rows %d", len(res.Replies[2].Table.Rows))
	}
}
