package workshops_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

func TestCreateWorkshop(t *testing.T) {
	h := newHarness(t)
	code := flowstest.CreateWorkshop(t, h, "2")
	w, err := h.Store.GetWorkshop(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	wita := flows.LoadZone("Asia/Makassar")
	if !w.Start.Equal(time.Date(2026, 12, 10, 9, 0, 0, 0, wita)) || !w.End.Equal(time.Date(2026, 12, 10, 12, 0, 0, 0, wita)) ||
		!w.Deadline.Equal(w.Start) || w.Capacity != 2 || w.Zone != "Asia/Makassar" || w.Facilitators[0] != flowstest.AdminID {
		t.Fatalf("workshop %+v", w)
	}
}

func TestWorkshopBadInput(t *testing.T) {
	h := newHarness(t)
	h.Text(flowstest.AdminID, "/newworkshop")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, strings.Repeat("x", 300)), "errors.too_long", "ws.ask_title")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "ab"), "errors.too_short", "ws.ask_title")
	h.Text(flowstest.AdminID, "Lokakarya")
	res := h.Text(flowstest.AdminID, "Deskripsi")
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.zone.WIB"))
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "besok pagi"), "ws.date_format", "ws.ask_start")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "31/02/2027 10:00"), "ws.date_invalid", "ws.ask_start")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "01/01/2020 10:00"), "ws.date_past", "ws.ask_start")
	h.Text(flowstest.AdminID, "10/12/2026 09:00")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "08:00"), "ws.end_before_start", "ws.ask_end")
	res = h.Text(flowstest.AdminID, "10/12/2026 17:00")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.skip_venue"))
	if res := h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.skip_link")); res.Answer == nil || res.Answer.Text.ID != "ws.need_place" {
		t.Fatalf("neither venue nor link: %+v", res.Answer)
	}
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "zoom.us/j/1"), "ws.bad_link", "ws.ask_link")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "javascript:alert(1)"), "ws.bad_link", "ws.ask_link")
	h.Text(flowstest.AdminID, "https://meet.example.org/abc")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "-3"), "ws.bad_capacity", "ws.ask_capacity")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "abc"), "ws.bad_capacity", "ws.ask_capacity")
	h.Text(flowstest.AdminID, "0")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "11/12/2026 09:00"), "ws.deadline_after_start", "ws.ask_deadline")
	h.Text(flowstest.AdminID, "09/12/2026 17:00")
	res = h.Text(flowstest.AdminID, "Kebutuhan makanan?")
	flowstest.WantIDs(t, res, "ws.summary")
	// Edit one field from the summary and come back to it.
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.edit"))
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.field.capacity"))
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.ask_capacity")
	res = h.Text(flowstest.AdminID, "40")
	flowstest.WantIDs(t, res, "ws.summary")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.discard"))
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.discarded")
	if all, _ := h.Store.Facilitated(context.Background(), 0); len(all) != 0 {
		t.Fatalf("stored %d workshops", len(all))
	}
	// A participant cannot start the flow at all.
	flowstest.WantIDs(t, h.Text(3, "/newworkshop"), "errors.not_allowed")
}

func TestEditMovesRemindersAndTellsRegistrants(t *testing.T) {
	h := newHarness(t)
	code := flowstest.CreateWorkshop(t, h, "0")
	ctx := context.Background()
	h.Store.SaveProfile(ctx, &flows.Profile{UserID: 2, FullName: "Dua", ConsentVersion: flows.ConsentVersion})
	h.Press(2, "registration.join:"+code)
	before := h.Store.JobDue(flows.JobSoon + "|" + code + "|2")
	res := h.Press(flowstest.AdminID, "workshops.edit:"+code)
	flowstest.WantIDs(t, res, "ws.summary")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.edit"))
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.field.start"))
	res = h.Text(flowstest.AdminID, "11/12/2026 10:00")
	flowstest.WantIDs(t, res, "ws.summary")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.save"))
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.changed", "ws.updated")
	if inv := res.Replies[1].Calendar; res.Replies[1].ChatID != 2 || inv == nil || inv.Attendee != 2 || inv.Workshop.Sequence != 1 {
		t.Fatalf("change notice %+v", res.Replies[1])
	}
	after := h.Store.JobDue(flows.JobSoon + "|" + code + "|2")
	if want := before.Add(25 * time.Hour); !after.Equal(want) {
		t.Fatalf("2h reminder at %v, want %v", after, want)
	}
	w, _ := h.Store.GetWorkshop(ctx, code)
	if got := w.End.Sub(w.Start); got != 3*time.Hour {
		t.Fatalf("moving the start kept a %v span", got)
	}
}

func TestAuditTrail(t *testing.T) {
	h := newHarness(t)
	code := flowstest.CreateWorkshop(t, h, "0")
	h.Press(flowstest.AdminID, "workshops.export:"+code)
	h.Press(flowstest.AdminID, "workshops.toggle_closed:"+code)
	var actions []string
	for _, a := range h.Store.AuditTrail() {
		actions = append(actions, a.Action+":"+a.Target)
	}
	want := []string{flows.AuditWsCreate + ":" + code, flows.AuditExport + ":" + code, flows.AuditWsClose + ":" + code}
	if strings.Join(actions, " ") != strings.Join(want, " ") {
		t.Fatalf("audit %v, want %v", actions, want)
	}
	flowstest.WantIDs(t, h.Text(5, "/audit"), "errors.not_allowed")
	res := h.Text(flowstest.AdminID, "/audit")
	flowstest.WantIDs(t, res, "audit.list")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "audit.export"))
	flowstest.WantIDs(t, res, "audit.csv_caption")
	if !strings.Contains(string(res.Replies[0].Table.CSV()), code) {
		t.Fatal("audit CSV lacks the workshop")
	}
}

// keepLabel is the value shown on the Keep button of res.
func keepLabel(t *testing.T, res *flows.Result) any {
	t.Helper()
	for _, r := range res.Replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Label.ID == "flow.keep" {
					return b.Label.Data["Value"]
				}
			}
		}
	}
	t.Fatalf("no Keep button in %v", flowstest.IDs(res))
	return nil
}

// Editing a workshop: the Keep buttons show the stored date, zone and
// capacity as people read them, and a deadline "until the start" moves
// with the start.
func TestEditKeepButtonsAndDeadline(t *testing.T) {
	h := newHarness(t)
	code := flowstest.CreateWorkshop(t, h, "0")
	ctx := context.Background()
	w, _ := h.Store.GetWorkshop(ctx, code)
	field := func(name string) *flows.Result {
		t.Helper()
		res := h.Press(flowstest.AdminID, "workshops.edit:"+code)
		res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.edit"))
		return h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.field."+name))
	}
	res := field("start")
	if got, ok := keepLabel(t, res).(flows.When); !ok || !got.At.Equal(w.Start) || got.Zone != w.Zone {
		t.Fatalf("start Keep shows %#v", keepLabel(t, res))
	}
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "flow.keep"))
	res = field("capacity")
	if got, ok := keepLabel(t, res).(flows.Text); !ok || got.ID != "ws.capacity_unlimited" {
		t.Fatalf("capacity Keep shows %#v", keepLabel(t, res))
	}
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "flow.keep"))
	res = field("deadline")
	if got, ok := keepLabel(t, res).(flows.Text); !ok || got.ID != "ws.until_start" {
		t.Fatalf("deadline Keep shows %#v", keepLabel(t, res))
	}
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "flow.keep"))
	res = field("zone")
	if got, ok := keepLabel(t, res).(flows.Text); !ok || got.ID != "ws.zone.WITA" {
		t.Fatalf("zone Keep shows %#v", keepLabel(t, res))
	}
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "flow.keep"))

	// Move the start two days later: the deadline "until the start" follows.
	field("start")
	res = h.Text(flowstest.AdminID, "12/12/2026 09:00")
	flowstest.WantIDs(t, res, "ws.summary")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.save"))
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.updated")
	w, _ = h.Store.GetWorkshop(ctx, code)
	if want := time.Date(2026, 12, 12, 9, 0, 0, 0, flows.LoadZone("Asia/Makassar")); !w.Start.Equal(want) || !w.Deadline.Equal(want) {
		t.Fatalf("start %v, deadline %v; want both %v", w.Start, w.Deadline, want)
	}
	// Move it earlier than a set deadline: the deadline closes at the start.
	field("deadline")
	h.Text(flowstest.AdminID, "11/12/2026 17:00")
	field("start")
	res = h.Text(flowstest.AdminID, "11/12/2026 09:00")
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.save"))
	w, _ = h.Store.GetWorkshop(ctx, code)
	if !w.Deadline.Equal(w.Start) {
		t.Fatalf("deadline %v after the start %v", w.Deadline, w.Start)
	}
}
