package flows

// Internals the external tests (package flows_test) check.
var (
	ChartBarH      = chartBarH
	ChartOrgs      = chartOrgs
	ChartStatuses  = chartStatusList()
	PlanChartTexts = planChartTexts
	ZoneLabels     = zoneLabels
	SeenEvery      = seenEvery
	FollowUpIDs    = followUpIDs
	JobCm3         = jobCm3
	JobCmCheck     = jobCmCheck
	JobCmDue       = jobCmDue
	JobCmEsc       = jobCmEsc
	JobDigest      = jobDigest
	IcsText        = icsText
	IcsURI         = icsURI
	UTF8BOM        = utf8BOM
	Visible        = visible
	CleanKeep      = cleanKeep
)
var LoadZoneWith = loadZone

// CommandRoles is the minimum role of each command.
func (e *Engine) CommandRoles() map[string]Role {
	out := map[string]Role{}
	for n, c := range e.commands {
		out[n] = c.Role
	}
	return out
}

// RouteRoles is the minimum role of each callback route.
func (e *Engine) RouteRoles() map[string]Role {
	out := map[string]Role{}
	for n, r := range e.routes {
		out[n] = r.Role
	}
	return out
}

// FlowNamed is the registered flow name.
func (e *Engine) FlowNamed(name string) *Flow { return e.flows[name] }

// ChartLabelsOf is chartLabels.
func (e *Engine) ChartLabelsOf(lang, title string, total int) ChartLabels {
	return e.chartLabels(lang, title, total)
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

// TurnFor is a turn of e for input in by u, outside Handle.
func (e *Engine) TurnFor(in Input, u *User) *Turn { return &Turn{In: in, e: e, User: u} }
