package followup_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
	"sinergi/flows/followup"
)

const (
	factsChat   = -1002000000041 // the workshop's facilitators' chat (topic 4)
	peopleGroup = -1002000000042 // its participants' group
)

// chatsOf are the chats the replies go to, by message id.
func chatsOf(rs []flows.Reply) map[string][]int64 {
	out := map[string][]int64{}
	for _, r := range rs {
		out[r.Text.ID] = append(out[r.Text.ID], r.ChatID)
	}
	return out
}

// Reports where facilitators are: the management card switches the
// workshop's escalations, weekly digest and progress report between
// "privately and in the facilitators' chat" (the default) and "in the
// facilitators' chat only"; the report screen posts the report (text,
// chart, CSV) into the chat on request; with no active facilitators' chat
// everything goes privately all the same.
func TestReportsToFacilitatorsChat(t *testing.T) {
	h, code := flowstest.FollowUpSetup(t)
	ctx := context.Background()
	h.Store.SaveCommitment(ctx, &flows.Commitment{ID: "x1", Workshop: code, What: "Data desa", Owner: 2, Due: h.Now.AddDate(0, 0, -8), Status: flows.CmOpen, Created: h.Now.AddDate(0, 0, -20)})
	if _, err := h.Store.LinkChat(ctx, &flows.ChatLink{Chat: factsChat, Thread: 4, Title: "Fasilitator", Purpose: flows.PurposeReports,
		Workshop: code, By: flowstest.AdminID, At: h.Now}); err != nil {
		t.Fatal(err)
	}
	digest := func() map[string][]int64 {
		t.Helper()
		r, err := h.E.RunJob(ctx, flows.Job{ID: followup.JobDigest + "|" + code}, h.Now)
		if err != nil {
			t.Fatal(err)
		}
		return chatsOf(r)
	}
	escalation := func() map[string][]int64 {
		t.Helper()
		h.Store.SaveCommitment(ctx, &flows.Commitment{ID: "x1", Workshop: code, What: "Data desa", Owner: 2, Due: h.Now.AddDate(0, 0, -8), Status: flows.CmOpen, Created: h.Now.AddDate(0, 0, -20)})
		r, err := h.E.RunJob(ctx, flows.Job{ID: followup.JobCmEsc + "|" + code + "|x1"}, h.Now)
		if err != nil {
			t.Fatal(err)
		}
		return chatsOf(r)
	}
	both := []int64{flowstest.AdminID, factsChat}
	if got := digest()["rp.digest"]; !slices.Equal(got, both) {
		t.Fatalf("default digest to %v, want %v", got, both)
	}
	// The report privately, with a button into the chat.
	res := h.Press(flowstest.AdminID, "followup.report:"+code)
	flowstest.WantIDs(t, res, "rp.text", "rp.chart_caption", "rp.csv_caption")
	post := flowstest.ButtonData(t, res, "rp.btn_post_chat")
	res = h.Press(flowstest.AdminID, post)
	flowstest.WantIDs(t, res, "rp.text", "rp.chart_caption", "rp.csv_caption", "rp.posted_to_chats")
	for _, r := range res.Replies[:3] {
		if r.ChatID != factsChat || r.Thread != 4 || r.Lang != "id" {
			t.Fatalf("report posted as %+v", r)
		}
	}
	if res.Replies[1].Chart == nil || res.Replies[2].Table == nil || res.Replies[3].ChatID != 0 {
		t.Fatalf("the chart and CSV into the chat, the word to the presser: %+v", res.Replies)
	}

	// "Facilitators' chat only", from the card.
	if res := h.Press(2, "workshops.reports_to:"+code); res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
		t.Fatalf("a participant changed the setting: %+v", res.Answer)
	}
	res = h.Press(flowstest.AdminID, "workshops.reports_to:"+code)
	flowstest.ButtonData(t, res, "ws.btn_reports_chat_only")
	if w, _ := h.Store.GetWorkshop(ctx, code); !w.ReportsChatOnly {
		t.Fatal("setting not saved")
	}
	if got := digest()["rp.digest"]; !slices.Equal(got, []int64{factsChat}) {
		t.Fatalf("digest to %v, want the chat only", got)
	}
	if got := escalation()["cm.escalation_overdue"]; !slices.Equal(got, []int64{factsChat}) {
		t.Fatalf("escalation to %v, want the chat only", got)
	}
	res = h.Press(flowstest.AdminID, "followup.report:"+code)
	flowstest.WantIDs(t, res, "rp.text", "rp.chart_caption", "rp.csv_caption", "rp.posted_to_chats")
	if res.Replies[0].ChatID != factsChat {
		t.Fatalf("report to %d, want the chat", res.Replies[0].ChatID)
	}

	// The chat gone: privately again.
	if _, err := h.Store.DeactivateChat(ctx, factsChat); err != nil {
		t.Fatal(err)
	}
	if got := digest()["rp.digest"]; !slices.Equal(got, []int64{flowstest.AdminID}) {
		t.Fatalf("digest with no active chat to %v, want privately", got)
	}
	if got := escalation()["cm.escalation_overdue"]; !slices.Equal(got, []int64{flowstest.AdminID}) {
		t.Fatalf("escalation with no active chat to %v, want privately", got)
	}
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "followup.report:"+code), "rp.text", "rp.chart_caption", "rp.csv_caption")
	flowstest.Alert(t, h.Press(flowstest.AdminID, post), "rp.no_reports_chat")

	// Back to "as well as".
	res = h.Press(flowstest.AdminID, "workshops.reports_to:"+code)
	flowstest.ButtonData(t, res, "ws.btn_reports_both")
}

// The participants' group's weekly summary: off by default, turned on from
// the card; counts and who completed, no notes, never the facilitators'
// chat's details; a forgotten owner counted but not named.
func TestParticipantsGroupSummary(t *testing.T) {
	h, code := flowstest.FollowUpSetup(t)
	ctx := context.Background()
	for _, c := range []*flows.Commitment{
		{ID: "x1", Workshop: code, What: "Data desa", Owner: 2, Due: h.Now.AddDate(0, 1, 0), Status: flows.CmOpen, Created: h.Now},
		{ID: "x2", Workshop: code, What: "Peta air", Owner: 3, Due: h.Now.AddDate(0, 1, 0), Status: flows.CmDone, Created: h.Now,
			History: []flows.StatusEntry{{At: h.Now, Status: flows.CmDone, Note: "catatan pribadi"}}},
		{ID: "x3", Workshop: code, What: "Rapat", Owner: 999, Due: h.Now.AddDate(0, 1, 0), Status: flows.CmDone, Created: h.Now},
		{ID: "x4", Workshop: code, What: "Laporan", Owner: 2, Due: h.Now.AddDate(0, 1, 0), Status: flows.CmBlocked, Created: h.Now,
			History: []flows.StatusEntry{{At: h.Now, Status: flows.CmBlocked, Note: "dana belum cair"}}},
	} {
		if err := h.Store.SaveCommitment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.Store.LinkChat(ctx, &flows.ChatLink{Chat: peopleGroup, Title: "Peserta", Purpose: flows.PurposeWorkshop,
		Workshop: code, By: flowstest.AdminID, At: h.Now}); err != nil {
		t.Fatal(err)
	}
	run := func() []flows.Reply {
		t.Helper()
		r, err := h.E.RunJob(ctx, flows.Job{ID: followup.JobDigest + "|" + code}, h.Now)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if got := chatsOf(run()); len(got["rp.group_summary"]) != 0 {
		t.Fatalf("a summary while off: %v", got)
	}
	if res := h.Press(3, "workshops.group_summary:"+code); res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
		t.Fatalf("a participant turned it on: %+v", res.Answer)
	}
	res := h.Press(flowstest.AdminID, "workshops.group_summary:"+code)
	flowstest.ButtonData(t, res, "ws.btn_group_summary_on")
	r := run()
	var s *flows.Reply
	for i := range r {
		if r[i].Text.ID == "rp.group_summary" {
			s = &r[i]
		}
	}
	if s == nil || s.ChatID != peopleGroup || s.Lang != "id" || len(s.Buttons) != 0 {
		t.Fatalf("summary %+v in %v", s, chatsOf(r))
	}
	d := s.Text.Data
	if d["Count"] != 4 || d["Done"] != 2 || d["Blocked"] != 1 || d["OnTrack"] != 0 {
		t.Fatalf("summary counts %v", d)
	}
	who := d["Who"].(flows.Text)
	if names := who.Data["Names"].(string); names != "Peserta 3" {
		t.Fatalf("completed by %q, want Peserta 3 only (999 is nobody's name)", names)
	}
	for _, v := range d {
		if s, ok := v.(string); ok && (strings.Contains(s, "catatan") || strings.Contains(s, "dana") || strings.Contains(s, "Data desa")) {
			t.Fatalf("a note or an item in the group: %v", d)
		}
	}
	res = h.Press(flowstest.AdminID, "workshops.group_summary:"+code)
	flowstest.ButtonData(t, res, "ws.btn_group_summary_off")
	if got := chatsOf(run()); len(got["rp.group_summary"]) != 0 {
		t.Fatalf("a summary once off: %v", got)
	}
}
