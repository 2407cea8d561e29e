package ics_test

import (
	"testing"
	"time"

	ical "github.com/arran4/golang-ical"

	"sinergi/bot/ics"
	"sinergi/flows"
)

// A calendar file of partner meetings holds one event per meeting, not the
// workshop's: its own UID (stable, so a moved meeting updates it), the
// time in the workshop's zone, the other organisation, the table, and an
// alarm ten minutes before.
func TestICSMeetings(t *testing.T) {
	w := icsWorkshop()
	at := time.Date(2025, 11, 10, 3, 20, 0, 0, time.UTC) // 10:20 WIB
	inv := flows.Invitation{Now: at.Add(-time.Hour), Attendee: 7, Bot: "sinergi_bot", Meetings: []flows.CalendarMeeting{
		{ID: "m1", Start: at, End: at.Add(20 * time.Minute), Summary: "PT Dana · Lokakarya", Location: "Meja Melati"},
		{ID: "m2", Start: at.Add(time.Hour), End: at.Add(80 * time.Minute), Summary: "Yayasan, \"Air\"", Location: "https://meet.example.org/x"},
	}}
	inv.Workshop = *w
	if name := ics.Name(&inv); name != "meetings-ab12.ics" {
		t.Fatalf("name %q", name)
	}
	cal := parseICS(t, ics.File(&inv))
	evs := cal.Events()
	if len(evs) != 2 {
		t.Fatalf("%d events", len(evs))
	}
	want := []struct{ uid, start, end, summary, loc string }{
		{"ab12-m1@sinergi_bot.t.me", "20251110T102000", "20251110T104000", "PT Dana · Lokakarya", "Meja Melati"},
		{"ab12-m2@sinergi_bot.t.me", "20251110T112000", "20251110T114000", `Yayasan, "Air"`, "https://meet.example.org/x"},
	}
	for i, ev := range evs {
		if got := ev.Id(); got != want[i].uid {
			t.Errorf("event %d uid %q", i, got)
		}
		for p, v := range map[ical.ComponentProperty]string{ical.ComponentPropertyDtStart: want[i].start, ical.ComponentPropertyDtEnd: want[i].end,
			ical.ComponentPropertySummary: want[i].summary, ical.ComponentPropertyLocation: want[i].loc} {
			if got := icsProp(&ev.ComponentBase, p); got == nil || got.Value != v {
				t.Errorf("event %d %s = %+v, want %q", i, p, got, v)
			}
		}
		if tz := icsProp(&ev.ComponentBase, ical.ComponentPropertyDtStart).ICalParameters["TZID"]; len(tz) != 1 || tz[0] != "Asia/Jakarta" {
			t.Errorf("event %d TZID %v", i, tz)
		}
		alarms := ev.Alarms()
		if len(alarms) != 1 || icsProp(&alarms[0].ComponentBase, ical.ComponentPropertyTrigger).Value != "-PT10M" {
			t.Errorf("event %d alarms %+v", i, alarms)
		}
	}
}
