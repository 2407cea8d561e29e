package ics_test

import (
	"slices"
	"testing"
	"time"

	ical "github.com/arran4/golang-ical"

	"sinergi/flows"
)

// TestICSSessions: an invitation carrying sessions holds the workshop's
// event and one per session, parsed back with their times in the
// workshop's zone, titles, rooms and UIDs stable per session and
// registrant.
func TestICSSessions(t *testing.T) {
	w := icsWorkshop()
	now := time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC)
	sessions := []flows.AgendaSession{
		{ID: "s1", Title: "Pleno pembukaan", Start: w.Start, End: w.Start.Add(30 * time.Minute)},
		{ID: "s2", Title: "FGD: air bersih", Room: "Ruang 2", Speaker: "Ibu Sari", Start: w.Start.Add(time.Hour), End: w.Start.Add(2 * time.Hour), Capacity: 20},
	}
	file := func(attendee int64, ss []flows.AgendaSession) []*ical.VEvent {
		cal := parseICS(t, icsFile(w, flows.Invitation{Now: now, Attendee: attendee, Forum: "Forum", Bot: "sinergi_bot", Sessions: ss}))
		return cal.Events()
	}
	evs := file(7, sessions)
	if len(evs) != 3 {
		t.Fatalf("%d events, want the workshop and 2 sessions", len(evs))
	}
	s2 := evs[2]
	if got := s2.GetProperty(ical.ComponentPropertySummary).Value; got != "FGD: air bersih" {
		t.Errorf("session summary %q", got)
	}
	if got := s2.GetProperty(ical.ComponentPropertyDtStart); got.Value != "20251110T100000" || got.ICalParameters["TZID"][0] != "Asia/Jakarta" {
		t.Errorf("session start %q %v, want 10:00 WIB", got.Value, got.ICalParameters)
	}
	if got := s2.GetProperty(ical.ComponentPropertyDtEnd).Value; got != "20251110T110000" {
		t.Errorf("session end %q", got)
	}
	if got := s2.GetProperty(ical.ComponentPropertyLocation).Value; got != "Ruang 2, Gedung Sate, Jl. Diponegoro No.22, Bandung" {
		t.Errorf("session location %q", got)
	}
	uids := func(evs []*ical.VEvent) []string {
		var out []string
		for _, e := range evs {
			out = append(out, e.Id())
		}
		return out
	}
	first := uids(evs)
	if len(slices.Compact(slices.Sorted(slices.Values(first)))) != 3 {
		t.Fatalf("UIDs not distinct: %v", first)
	}
	again := uids(file(7, sessions[1:]))
	if len(again) != 2 || again[0] != first[0] || again[1] != first[2] {
		t.Errorf("UIDs of another file for the same person %v, want %v and %v", again, first[0], first[2])
	}
	if other := uids(file(8, sessions)); other[2] == first[2] {
		t.Errorf("two registrants share a session UID %q", other[2])
	}
	if n := len(file(7, nil)); n != 1 {
		t.Errorf("an invitation without sessions has %d events, want 1", n)
	}
}
