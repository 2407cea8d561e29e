package workshops

import (
	"context"
	"strconv"

	"sinergi/flows"
)

// Workshops: the format of a workshop (flows.FormatHybrid). A workshop with
// both a venue and a link is asked whether it is hybrid — participants
// choose on site or online, each mode with its seats (the step capacity is
// then the on-site seats, online_cap the online ones) — or one list for
// everyone, as before formats. Neither capacity may go below the seats of
// its mode taken; a hybrid workshop with people registered online stays
// hybrid.

// formatHybrid and formatSingle are the answers of the step format.
const (
	formatHybrid = flows.FormatHybrid
	formatSingle = "single"
)

// skipFormat: the format is asked only of a workshop with both a venue and
// a link.
func skipFormat(t *flows.Turn) bool {
	d := t.Session.Data
	return d["venue"] == "" || d["link"] == ""
}

// skipOnlineCap: online seats are asked only of a hybrid workshop.
func skipOnlineCap(t *flows.Turn) bool { return !isHybrid(t.Session.Data) }

// isHybrid: the flow's answers make a hybrid workshop.
func isHybrid(d map[string]string) bool {
	return d["format"] == formatHybrid && d["venue"] != "" && d["link"] != ""
}

func formatPrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	return flows.Reply{Text: flows.T("ws.ask_format"), Buttons: [][]flows.Button{
		{t.Choice(flows.T("ws.format_hybrid"), formatHybrid)}, {t.Choice(flows.T("ws.format_single"), formatSingle)}}}, nil
}

// formatAnswer takes hybrid or one list; hybrid only with a venue and a
// link (the Edit menu can reach this step without them).
func formatAnswer(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
	if in.Kind != flows.KindCallback {
		return "", flows.Refuse("errors.use_buttons")
	}
	switch in.Callback {
	case formatHybrid:
		if skipFormat(t) {
			return "", flows.Refuse("ws.hybrid_needs_both")
		}
		return formatHybrid, nil
	case formatSingle:
		return formatSingle, nil
	}
	return "", flows.Refuse("errors.bad_button")
}

func showFormat(_ *flows.Turn, v string) any {
	if v == formatHybrid {
		return flows.T("ws.format_hybrid")
	}
	return flows.T("ws.format_single")
}

// capacityPrompt asks the seats, on site for a hybrid workshop.
func capacityPrompt(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
	if isHybrid(t.Session.Data) {
		return flows.AskWithSkip("ws.ask_capacity_onsite", "ws.unlimited")(ctx, t)
	}
	return flows.AskWithSkip("ws.ask_capacity", "ws.unlimited")(ctx, t)
}

// modeTaken are the seats of a hybrid workshop's mode taken (confirmed
// and offered).
func (e *module) modeTaken(ctx context.Context, code, mode string) (int, error) {
	onsite, online, err := e.store.ModeCounts(ctx, code)
	if err != nil {
		return 0, flows.InternalError("mode counts", err)
	}
	if mode == flows.ModeOnline {
		return online.Confirmed + online.Offered, nil
	}
	return onsite.Confirmed + onsite.Offered, nil
}

// onlineCapacityAnswer takes the online seats; editing, never fewer than
// the online seats taken.
func (e *module) onlineCapacityAnswer(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
	v, err := capacityValue(in)
	if err != nil || v == "0" || t.Session.Data["code"] == "" {
		return v, err
	}
	taken, err := e.modeTaken(ctx, t.Session.Data["code"], flows.ModeOnline)
	if err != nil {
		return "", err
	}
	if n, _ := strconv.Atoi(v); n < taken {
		return "", flows.Refuse("ws.online_capacity_below_taken", "Count", taken)
	}
	return v, nil
}

// formatRefused refuses, saying why, an edit that makes a hybrid workshop
// with people registered online anything else.
func (e *module) formatRefused(ctx context.Context, t *flows.Turn, old, edited *flows.Workshop) (bool, error) {
	if !old.Hybrid() || edited.Hybrid() {
		return false, nil
	}
	_, online, err := e.store.ModeCounts(ctx, old.Code)
	if err != nil {
		return false, flows.InternalError("mode counts", err)
	}
	if n := online.Confirmed + online.Offered + online.Waiting + online.Pending; n > 0 {
		t.Say(flows.T("ws.format_online_registered", "Count", n))
		return true, nil
	}
	return false, nil
}

// formatOf is the Format the flow's answers give: hybrid, or "" (derived
// from the venue and link, one list for everyone).
func formatOf(d map[string]string) string {
	if isHybrid(d) {
		return flows.FormatHybrid
	}
	return ""
}

// formatData is the answer of the step format for w.
func formatData(w *flows.Workshop) string {
	if w.Hybrid() {
		return formatHybrid
	}
	return formatSingle
}
