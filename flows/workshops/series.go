package workshops

import (
	"context"
	"strconv"
	"time"

	"sinergi/flows"
)

// A series: the next occurrences of a workshop, weekly or monthly, created
// in one go as similar workshops (clone.go) at the same wall-clock time in
// the workshop's zone, and linked (Workshop.Series, on each).

const (
	routeSeries = "workshops.series" // <code>: repeats the workshop as a series
	seriesFlow  = "wsseries"
	// MaxSeries is the most occurrences of a series, the first included.
	MaxSeries = 12
)

func (e *module) registerSeries(r *flows.Registry) {
	r.Route(&flows.Route{Name: routeSeries, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.startSeries)})
	r.Flow(&flows.Flow{Name: seriesFlow, Done: e.saveSeries, Steps: []*flows.Step{
		{Name: "every", Parse: everyAnswer, Prompt: everyPrompt},
		{Name: "count", Parse: seriesCountAnswer, Prompt: func(context.Context, *flows.Turn) (flows.Reply, error) {
			return flows.Reply{Text: flows.T("series.ask_count", "Max", MaxSeries)}, nil
		}},
	}})
}

func (e *module) startSeries(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if len(w.Series) > 0 {
		t.Answer(flows.T("series.already"), true)
		return nil
	}
	if w.Cancelled {
		t.Answer(flows.T("ws.cancelled_note"), true)
		return nil
	}
	return t.StartFlowAt(ctx, seriesFlow, "every", map[string]string{"code": w.Code, requestKey: flows.NewToken()})
}

func everyPrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	return flows.Reply{Text: flows.T("series.ask_every"), Buttons: [][]flows.Button{{
		t.Choice(flows.T("series.weekly"), "week"), t.Choice(flows.T("series.monthly"), "month")}}}, nil
}

func everyAnswer(_ context.Context, _ *flows.Turn, in flows.Input) (string, error) {
	if in.Kind != flows.KindCallback {
		return "", flows.Refuse("errors.use_buttons")
	}
	if in.Callback != "week" && in.Callback != "month" {
		return "", flows.Refuse("errors.stale_button")
	}
	return in.Callback, nil
}

func seriesCountAnswer(_ context.Context, _ *flows.Turn, in flows.Input) (string, error) {
	v, err := flows.TextBetween(in, 1, 10)
	if err != nil {
		return "", err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 2 || n > MaxSeries {
		return "", flows.Refuse("series.bad_count", "Max", MaxSeries)
	}
	return v, nil
}

// occurrence is the k-th occurrence after t (k weeks or months later), at
// the same wall-clock time in loc.
func occurrence(t time.Time, loc *time.Location, every string, k int) time.Time {
	l := t.In(loc)
	if every == "week" {
		return l.AddDate(0, 0, 7*k).UTC()
	}
	return l.AddDate(0, k, 0).UTC()
}

// saveSeries creates the next occurrences as similar workshops, their
// dates (start, end, deadline) moved by the same weeks or months, and links
// them all.
func (e *module) saveSeries(ctx context.Context, t *flows.Turn) error {
	src, err := e.store.GetWorkshop(ctx, t.Session.Data["code"])
	if err != nil {
		return flows.InternalError("series workshop", err)
	}
	if !t.CanManage(src) {
		t.Say(flows.T("errors.not_allowed"))
		return nil
	}
	n, _ := strconv.Atoi(t.Session.Data["count"]) // checked by its step
	req := request(t)
	if len(src.Series) > 0 && !seriesOf(req, src, n) {
		t.Say(flows.T("series.already"))
		return nil
	}
	every, loc := t.Session.Data["every"], flows.LoadZone(src.Zone)
	made := []*flows.Workshop{src}
	for k := 1; k < n; k++ {
		dated := &flows.Workshop{Start: occurrence(src.Start, loc, every, k), End: occurrence(src.End, loc, every, k),
			Deadline: occurrence(src.Deadline, loc, every, k)}
		w, err := e.similar(ctx, t, src, dated)
		if err != nil {
			return err
		}
		if err := e.createOnce(ctx, t, w, src, req, k); err != nil {
			return err
		}
		made = append(made, w)
	}
	codes := make([]string, len(made))
	for i, w := range made {
		codes[i] = w.Code
	}
	for _, w := range made {
		w.Series = codes
		if _, err := e.store.UpdateWorkshop(ctx, w); err != nil {
			return flows.InternalError("link series", err)
		}
	}
	var lines []flows.Text
	for _, w := range made[1:] {
		lines = append(lines, flows.T("series.line", "Title", w.Title, "Start", flows.When{At: w.Start, Zone: w.Zone}, "Link", t.BotLink("ws_"+w.Code)))
	}
	t.Say(flows.T("series.created", "Title", src.Title, "Count", n-1, "Lines", lines))
	return e.manageCard(ctx, t, src, "")
}

// seriesOf reports whether src's series is the one request req makes, of
// n occurrences: linked by a run of the same save cut short.
func seriesOf(req string, src *flows.Workshop, n int) bool {
	if len(src.Series) != n || src.Series[0] != src.Code {
		return false
	}
	for k, c := range src.Series[1:] {
		if !ofRequest(req, k+1, c) {
			return false
		}
	}
	return true
}

// cloneButtons are "create a similar workshop" and, unless it is in a
// series already, "repeat as a series".
func cloneButtons(w *flows.Workshop) []flows.Button {
	row := []flows.Button{{Label: flows.T("clone.btn"), Data: flows.MustData(routeClone, w.Code)}}
	if len(w.Series) == 0 {
		row = append(row, flows.Button{Label: flows.T("series.btn"), Data: flows.MustData(routeSeries, w.Code)})
	}
	return row
}
