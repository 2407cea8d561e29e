package workshops_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// "Create a similar workshop" copies everything of a workshop — details,
// settings, team, registration form — but its dates and registrations,
// which it asks for.
func TestCloneWorkshop(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "30")
	src, _ := h.Store.GetWorkshop(ctx, code)
	src.Approval, src.OfferMinutes, src.CheckInDays, src.Description = true, 90, 3, "Diskusi"
	if _, err := h.Store.UpdateWorkshop(ctx, src); err != nil {
		t.Fatal(err)
	}
	q := flows.FormQuestion{ID: "qa", Kind: flows.QChoice, Text: "Sesi?", Options: []string{"Pagi", "Siang"}, Required: true}
	if err := h.Store.AddQuestion(ctx, code, q, flows.MaxFormQuestions); err != nil {
		t.Fatal(err)
	}
	h.Store.SaveProfile(ctx, &flows.Profile{UserID: 2, FullName: "Dua", ConsentVersion: flows.ConsentVersion})
	h.Press(2, "registration.join:"+code)
	res := h.Text(2, "1") // the form's one question, answered by the number of its option
	if r, err := h.Store.GetRegistration(ctx, code, 2); err != nil || r.Status != flows.RegPending {
		t.Fatalf("registration at the source: %+v, %v (%v)", r, err, flowstest.IDs(res))
	}

	res = h.Press(flowstest.AdminID, "workshops.manage:"+code)
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "clone.btn"))
	flowstest.WantIDs(t, res, "clone.intro", "ws.ask_start")
	h.Text(flowstest.AdminID, "17/12/2026 09:00")
	res = h.Text(flowstest.AdminID, "12.00")
	flowstest.WantIDs(t, res, "ws.ask_deadline")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.until_start"))
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.summary")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.save"))
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.created")
	clone := res.Replies[1].Text.Data["Code"].(string)

	w, err := h.Store.GetWorkshop(ctx, clone)
	if err != nil {
		t.Fatal(err)
	}
	loc := flows.LoadZone(src.Zone)
	if want := time.Date(2026, 12, 17, 9, 0, 0, 0, loc); !w.Start.Equal(want) || !w.End.Equal(want.Add(3*time.Hour)) || !w.Deadline.Equal(want) {
		t.Fatalf("dates %v %v %v", w.Start, w.End, w.Deadline)
	}
	if w.Title != src.Title || w.Description != "Diskusi" || w.Venue != src.Venue || w.OnlineURL != src.OnlineURL || w.Capacity != 30 ||
		!w.Approval || w.OfferMinutes != 90 || w.CheckInDays != 3 || w.Offers != src.Offers || w.Chapter != src.Chapter {
		t.Fatalf("clone %+v of %+v", w, src)
	}
	if !slices.Equal(w.Facilitators, src.Facilitators) || w.Code == code {
		t.Fatalf("team %v of %v", w.Facilitators, src.Facilitators)
	}
	if f, _ := h.Store.Form(ctx, clone); len(f) != 1 || f[0].Text != "Sesi?" || !slices.Equal(f[0].Options, q.Options) {
		t.Fatalf("form %+v", f)
	}
	if regs, _ := h.Store.Registrations(ctx, clone); len(regs) != 0 {
		t.Fatalf("registrations copied: %v", regs)
	}
	// Someone who does not manage the workshop cannot copy it.
	flowstest.Alert(t, h.Press(2, "workshops.clone:"+code), "errors.not_allowed")
}

// A series: weekly or monthly, 2 to 12 occurrences in all, created in one
// go at the same wall-clock time, each card saying it is part of a series
// with the others' dates; a workshop already in a series is not repeated
// again, and a count out of range is refused.
func TestSeries(t *testing.T) {
	for _, tc := range []struct {
		every string
		next  func(time.Time, int) time.Time
	}{
		{"series.weekly", func(t time.Time, k int) time.Time { return t.AddDate(0, 0, 7*k) }},
		{"series.monthly", func(t time.Time, k int) time.Time { return t.AddDate(0, k, 0) }},
	} {
		t.Run(tc.every, func(t *testing.T) {
			h := newHarness(t)
			ctx := context.Background()
			code := flowstest.CreateWorkshop(t, h, "10")
			res := h.Press(flowstest.AdminID, "workshops.manage:"+code)
			res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "series.btn"))
			flowstest.WantIDs(t, res, "series.ask_every")
			res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, tc.every))
			flowstest.WantIDs(t, res, "(clear buttons)", "series.ask_count")
			flowstest.WantIDs(t, h.Text(flowstest.AdminID, "13"), "series.bad_count", "series.ask_count")
			flowstest.WantIDs(t, h.Text(flowstest.AdminID, "1"), "series.bad_count", "series.ask_count")
			res = h.Text(flowstest.AdminID, "4")
			flowstest.WantIDs(t, res, "series.created", "ws.manage_card")
			if res.Replies[0].Text.Data["Count"] != 3 {
				t.Fatalf("created %v", res.Replies[0].Text.Data)
			}
			src, _ := h.Store.GetWorkshop(ctx, code)
			if len(src.Series) != 4 || src.Series[0] != code {
				t.Fatalf("series %v", src.Series)
			}
			loc := flows.LoadZone(src.Zone)
			for k, c := range src.Series {
				w, err := h.Store.GetWorkshop(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				if want := tc.next(src.Start.In(loc), k); !w.Start.Equal(want) || !w.End.Equal(tc.next(src.End.In(loc), k)) || w.Start.In(loc).Hour() != 9 {
					t.Fatalf("occurrence %d starts %v, want %v", k, w.Start.In(loc), want)
				}
				if !slices.Equal(w.Series, src.Series) || w.Title != src.Title || w.Capacity != 10 {
					t.Fatalf("occurrence %d: %+v", k, w)
				}
			}
			// Each card, the team's and the participant's, names the others.
			res = h.Press(flowstest.AdminID, "workshops.manage:"+src.Series[2])
			details := res.Replies[0].Text.Data["Details"].(flows.Text)
			if details.ID != "series.details" || details.Data["N"] != 3 || details.Data["Of"] != 4 || len(details.Data["Lines"].([]flows.Text)) != 3 {
				t.Fatalf("manage card details %+v", details)
			}
			flowstest.ButtonData(t, res, "clone.btn")
			for _, row := range res.Replies[0].Buttons {
				for _, b := range row {
					if b.Label.ID == "series.btn" {
						t.Fatal("an occurrence's card offers to repeat it as a series")
					}
				}
			}
			res = h.Press(2, "registration.show:"+src.Series[1])
			if d := res.Replies[0].Text.Data["Details"].(flows.Text); d.ID != "series.details" || d.Data["N"] != 2 {
				t.Fatalf("participant card details %+v", d)
			}
			flowstest.Alert(t, h.Press(flowstest.AdminID, "workshops.series:"+src.Series[1]), "series.already")
		})
	}
}
