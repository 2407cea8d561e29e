package flows

import (
	"context"
	"errors"
	"slices"
)

// DetailsWithSeries is WorkshopDetails, and for a workshop that is part of
// a series a note naming the other occurrences (their date and link), for
// the participant's and the team's cards.
func DetailsWithSeries(ctx context.Context, t *Turn, st WorkshopGetter, w *Workshop) (Text, error) {
	details := WorkshopDetails(w)
	if len(w.Series) == 0 {
		return details, nil
	}
	var lines []Text
	for _, code := range w.Series {
		if code == w.Code {
			continue
		}
		o, err := st.GetWorkshop(ctx, code)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return Text{}, InternalError("series workshop", err)
		}
		id := "series.line"
		if o.Cancelled {
			id = "series.line_cancelled"
		}
		lines = append(lines, T(id, "Title", o.Title, "Start", When{At: o.Start, Zone: o.Zone}, "Link", t.BotLink("ws_"+o.Code)))
	}
	n := slices.Index(w.Series, w.Code) + 1
	return T("series.details", "Details", details, "N", n, "Of", len(w.Series), "Lines", lines), nil
}
