package chart

import "sinergi/flows"

// Internals the external tests (package chart_test) check.
var (
	ChartBarH      = chartBarH
	ChartOrgs      = chartOrgs
	ChartStatuses  = chartStatusList()
	PlanChartTexts = planChartTexts
)

// ChartStatus is a status of the progress chart: its key and colour.
type ChartStatus struct {
	Key     string
	R, G, B uint8
}

func chartStatusList() []ChartStatus {
	var out []ChartStatus
	for _, s := range chartStatuses {
		out = append(out, ChartStatus{Key: s.key, R: s.color.R, G: s.color.G, B: s.color.B})
	}
	return out
}

// planChartTexts is the texts planChart writes.
func planChartTexts(y flows.Tally, orgs []flows.OrgTally, l flows.ChartLabels, fit func(text string, size float64) int) []string {
	var out []string
	for _, lb := range planChart(y, orgs, l, fit).labels {
		out = append(out, lb.text)
	}
	return out
}

// PlanGridTexts is the texts planGrid writes.
func PlanGridTexts(g *flows.Grid, fit func(text string, size float64) int) []string {
	var out []string
	for _, lb := range planGrid(g, fit).labels {
		out = append(out, lb.text)
	}
	return out
}
