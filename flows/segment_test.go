package flows_test

import (
	"context"
	"errors"
	"testing"

	"sinergi/flows"
)

func TestParseSegment(t *testing.T) {
	for _, c := range []struct {
		text string
		want flows.Segment
	}{
		{"all", flows.Segment{Kind: flows.SegAll}},
		{"ws:abc234:c", flows.Segment{Kind: flows.SegWorkshop, Value: "abc234"}},
		{"ws:abc234:i", flows.Segment{Kind: flows.SegWorkshop, Value: "abc234", CheckedIn: true}},
		{"sector:ngo", flows.Segment{Kind: flows.SegSector, Value: "ngo"}},
		{"prov:JB", flows.Segment{Kind: flows.SegProvince, Value: "JB"}},
		{"theme:health", flows.Segment{Kind: flows.SegTheme, Value: "health"}},
		{"lang:en", flows.Segment{Kind: flows.SegLang, Value: "en"}},
		{"in:jabar2:all", flows.Segment{Kind: flows.SegAll, Chapter: "jabar2"}},
		{"in:jabar2:prov:BA", flows.Segment{Kind: flows.SegProvince, Value: "BA", Chapter: "jabar2"}},
		{"in:jabar2:ws:abc234:i", flows.Segment{Kind: flows.SegWorkshop, Value: "abc234", CheckedIn: true, Chapter: "jabar2"}},
	} {
		got, err := flows.ParseSegment(c.text)
		if err != nil || got != c.want {
			t.Errorf("ParseSegment(%q) = %+v, %v; want %+v", c.text, got, err, c.want)
		}
		if s := got.String(); s != c.text {
			t.Errorf("%+v.String() = %q, want %q", got, s, c.text)
		}
	}
	for _, bad := range []string{"", "everyone", "all:", "all:x", "ws:", "ws:abc234", "ws:abc234:x", "ws::c",
		"sector:", "sector:banks", "prov:XX", "prov:jb", "theme:", "theme:space", "lang:fr", "lang:", "Sector:ngo",
		"in:", "in:jabar2", "in:jabar2:", "in::all", "in:jabar2:everyone", "in:JABAR2:all", "in:jabar:all", "in:bali11:all",
		"in:jabar2:in:bdps22:all"} {
		if got, err := flows.ParseSegment(bad); !errors.Is(err, flows.ErrUnknownSegment) {
			t.Errorf("ParseSegment(%q) = %+v, %v; want ErrUnknownSegment", bad, got, err)
		}
	}
}

// TestRecipientsUnknownSegment: a broadcast whose segment this build cannot
// read goes to nobody (an error), never to everyone.
func TestRecipientsUnknownSegment(t *testing.T) {
	h := newHarness(t)
	if err := h.Store.SaveUser(context.Background(), &flows.User{ID: 1, Lang: "id", Consent: flows.ConsentVersion}); err != nil {
		t.Fatal(err)
	}
	if rs, err := h.E.Recipients(context.Background(), &flows.Broadcast{ID: "b0", MessageID: 1, Segment: "all"}); err != nil || len(rs) != 1 {
		t.Fatalf("segment all: %v, %v", rs, err)
	}
	for _, seg := range []string{"everyone", "sector:banks", "lang:fr", "ws:abc234"} {
		rs, err := h.E.Recipients(context.Background(), &flows.Broadcast{ID: "b1", MessageID: 1, Segment: seg})
		if !errors.Is(err, flows.ErrUnknownSegment) || rs != nil {
			t.Errorf("segment %q: recipients %v, err %v; want ErrUnknownSegment", seg, rs, err)
		}
	}
}
