package followup

import "sinergi/flows"

// Internals the external tests (package followup_test) check.
var (
	ChartBarH      = chartBarH
	ChartOrgs      = chartOrgs
	ChartStatuses  = chartStatusList()
	PlanChartTexts = planChartTexts
	FollowUpIDs    = followUpIDs
	JobCm3         = jobCm3
	JobCmCheck     = jobCmCheck
	JobCmDue       = jobCmDue
	JobCmEsc       = jobCmEsc
	JobDigest      = jobDigest
)

// ChartLabelsOf is chartLabels with the message catalogue texts.
func ChartLabelsOf(texts flows.Texts, lang, title string, total int) ChartLabels {
	return (&module{texts: texts}).chartLabels(lang, title, total)
}

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
func planChartTexts(y Tally, orgs []OrgTally, l ChartLabels, fit func(text string, size float64) int) []string {
	var out []string
	for _, lb := range planChart(y, orgs, l, fit).labels {
		out = append(out, lb.text)
	}
	return out
}
