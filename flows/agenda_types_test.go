package flows_test

import (
	"testing"
	"time"

	"sinergi/flows"
)

// AgendaSession.Check refuses each wrong session with its own message:
// an empty title, an end not after the start, a time outside the
// workshop, a capacity out of range; a session filling the workshop
// exactly is fine.
func TestAgendaSessionCheck(t *testing.T) {
	start := time.Date(2026, 12, 10, 2, 0, 0, 0, time.UTC)
	w := &flows.Workshop{Zone: "Asia/Jakarta", Start: start, End: start.Add(3 * time.Hour)}
	ok := flows.AgendaSession{ID: "s1", Title: "Pleno", Start: w.Start, End: w.End}
	for _, c := range []struct {
		name string
		edit func(*flows.AgendaSession)
		want string
	}{
		{"the whole workshop", func(*flows.AgendaSession) {}, ""},
		{"an empty title", func(s *flows.AgendaSession) { s.Title = "  " }, "agenda.err_no_title"},
		{"an end before the start", func(s *flows.AgendaSession) { s.End = s.Start.Add(-time.Minute) }, "agenda.err_end_before_start"},
		{"an end at the start", func(s *flows.AgendaSession) { s.End = s.Start }, "agenda.err_end_before_start"},
		{"before the workshop", func(s *flows.AgendaSession) { s.Start = w.Start.Add(-time.Minute) }, "agenda.err_outside"},
		{"past the workshop", func(s *flows.AgendaSession) { s.End = w.End.Add(time.Minute) }, "agenda.err_outside"},
		{"a negative capacity", func(s *flows.AgendaSession) { s.Capacity = -1 }, "agenda.err_capacity"},
		{"too many seats", func(s *flows.AgendaSession) { s.Capacity = flows.MaxSessionCapacity + 1 }, "agenda.err_capacity"},
		{"a title too long", func(s *flows.AgendaSession) { s.Title = string(make([]rune, flows.MaxSessionTitle+1)) }, "errors.too_long"},
	} {
		s := ok
		c.edit(&s)
		err := s.Check(w)
		ue, isUser := flows.AsUserError(err)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (!isUser || ue.Msg.ID != c.want):
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
}

// Overlaps: sessions sharing a moment overlap; one ending as the other
// starts does not.
func TestAgendaSessionOverlaps(t *testing.T) {
	at := func(m int) time.Time { return time.Date(2026, 12, 10, 2, m, 0, 0, time.UTC) }
	a := flows.AgendaSession{Start: at(0), End: at(30)}
	for _, c := range []struct {
		b    flows.AgendaSession
		want bool
	}{
		{flows.AgendaSession{Start: at(30), End: at(45)}, false},
		{flows.AgendaSession{Start: at(29), End: at(45)}, true},
		{flows.AgendaSession{Start: at(5), End: at(10)}, true},
		{flows.AgendaSession{Start: at(40), End: at(50)}, false},
	} {
		if a.Overlaps(&c.b) != c.want || c.b.Overlaps(&a) != c.want {
			t.Errorf("%v–%v overlaps %v–%v: want %v", a.Start, a.End, c.b.Start, c.b.End, c.want)
		}
	}
}
