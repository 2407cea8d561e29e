package workshops

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// The workshop flow's title and time-zone steps, and how its Keep buttons
// show stored answers.

func titleAnswer(_ context.Context, _ *flows.Turn, in flows.Input) (string, error) {
	return flows.TextBetween(in, minTitleLen, maxTitleLen)
}

func zonePrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	zones := flows.Zones()
	if d := t.Session.Data["default_zone"]; d != "" {
		i := slices.Index(zones, d)
		zones = append([]string{d}, slices.Delete(zones, i, i+1)...)
	}
	var row []flows.Button
	for _, z := range zones {
		row = append(row, t.Choice(flows.T("ws.zone."+flows.ZoneLabel(z)), flows.ZoneLabel(z)))
	}
	return flows.Reply{Text: flows.T("ws.ask_zone"), Buttons: [][]flows.Button{row}}, nil
}

// zoneAnswer takes a zone button (its label: WIB, WITA, WIT) or the label typed.
func zoneAnswer(_ context.Context, _ *flows.Turn, in flows.Input) (string, error) {
	v := in.Callback
	if in.Kind == flows.KindText {
		v = strings.ToUpper(strings.TrimSpace(in.Text))
	}
	for _, z := range flows.Zones() {
		if flows.ZoneLabel(z) == v {
			return z, nil
		}
	}
	if in.Kind == flows.KindCallback {
		return "", flows.Refuse("errors.bad_button")
	}
	return "", flows.Refuse("errors.use_buttons")
}

// zone is the time zone the workshop flow's answers chose.
func zone(t *flows.Turn) *time.Location { return flows.LoadZone(t.Session.Data["zone"]) }

// showZone, showMoment, showCapacity and showDeadline render a stored
// answer of the workshop flow on its Keep button.
func showZone(_ *flows.Turn, v string) any { return flows.T("ws.zone." + flows.ZoneLabel(v)) }

func showMoment(t *flows.Turn, v string) any {
	sec, _ := strconv.ParseInt(v, 10, 64)
	return flows.When{At: flows.UnixTime(sec), Zone: t.Session.Data["zone"]}
}

func showCapacity(_ *flows.Turn, v string) any {
	n, _ := strconv.Atoi(v)
	return flows.CapacityText(n)
}
