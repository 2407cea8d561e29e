package flows

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"sinergi/locales"
)

// SegmentKind is a way to choose a broadcast's recipients.
type SegmentKind string

// Segment kinds; the value is also the step answer and locale suffix
// ("bc.seg.<kind>").
const (
	SegAll      SegmentKind = "all"
	SegWorkshop SegmentKind = "ws"     // registered for (or checked in to) a workshop
	SegSector   SegmentKind = "sector" // profile sector
	SegProvince SegmentKind = "prov"   // profile province
	SegTheme    SegmentKind = "theme"  // partner-profile theme
	SegLang     SegmentKind = "lang"   // language
)

// segmentKinds are the kinds in the order the broadcast flow offers them.
var segmentKinds = []string{string(SegAll), string(SegWorkshop), string(SegSector), string(SegProvince), string(SegTheme), string(SegLang)}

// Segment is who a broadcast goes to. Its text form, stored with the
// broadcast ([Broadcast.Segment]), is "all", "ws:<code>:c" (registered),
// "ws:<code>:i" (checked in), "sector:<code>", "prov:<code>",
// "theme:<code>" or "lang:<id|en>"; [ParseSegment] is the one reader of it.
type Segment struct {
	Kind      SegmentKind
	Value     string // workshop code, sector, province, theme or language; "" for SegAll
	CheckedIn bool   // SegWorkshop: only those who checked in
}

// String is the segment's text form.
func (s Segment) String() string {
	switch s.Kind {
	case SegAll:
		return string(SegAll)
	case SegWorkshop:
		which := "c"
		if s.CheckedIn {
			which = "i"
		}
		return string(SegWorkshop) + ":" + s.Value + ":" + which
	}
	return string(s.Kind) + ":" + s.Value
}

// ParseSegment reads a segment's text form. Anything it does not know — a
// kind, a sector, province, theme or language code — is an error: a
// broadcast never falls back to everyone.
func ParseSegment(text string) (Segment, error) {
	kind, v, _ := strings.Cut(text, ":")
	s := Segment{Kind: SegmentKind(kind), Value: v}
	ok := false
	switch s.Kind {
	case SegAll:
		s.Value, ok = "", v == "" && !strings.Contains(text, ":")
	case SegWorkshop:
		code, which, _ := strings.Cut(v, ":")
		s.Value, s.CheckedIn = code, which == "i"
		ok = code != "" && (which == "c" || which == "i")
	case SegSector:
		ok = slices.Contains(sectors, v)
	case SegProvince:
		ok = slices.Contains(provinces, v)
	case SegTheme:
		ok = slices.Contains(themes, v)
	case SegLang:
		ok = locales.IsSupported(v)
	}
	if !ok {
		return Segment{}, fmt.Errorf("segment %q: %w", text, ErrUnknownSegment)
	}
	return s, nil
}

// ErrUnknownSegment: a segment this build cannot read.
var ErrUnknownSegment = errors.New("unknown segment")
