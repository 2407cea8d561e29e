package flows

// Chart is a workshop's progress as the domain sees it: its commitments
// counted by status and per organisation, and the chart's texts. A reply
// that carries one ([Reply.Chart]) is sent as a picture with the reply's
// text as caption; the transport draws it (bot/chart).
type Chart struct {
	Name   string // file name without extension, e.g. "report-ab12cd"
	Labels ChartLabels
	Tally  Tally
	Orgs   []OrgTally
	// Bars, when set, make the chart a plain bar chart instead: the title
	// (Labels.Title), then one labelled bar per entry (a survey's
	// averages, a funnel); Tally and Orgs are not drawn.
	Bars []ChartBar
}

// ChartBar is one bar of a plain bar chart: its label, its length
// (relative to the longest bar, or to Max when set) and the number written
// beside it.
type ChartBar struct {
	Label string
	Value float64
	Shown string
	Max   float64
}

// Grid is a workshop's meeting grid as the domain sees it: a row per slot,
// a column per table, each cell the meeting there ("" free). A reply that
// carries one ([Reply.Grid]) is sent as a picture with the reply's text as
// caption; the transport draws it (bot/chart).
type Grid struct {
	Name    string    // file name without extension, e.g. "meetings-ab12cd"
	Title   string    // drawn above the grid (plain text)
	Corner  string    // the header of the slot column
	Columns []string  // the tables' names
	Rows    []GridRow // the slots in time order
}

// GridRow is one slot of a grid: its label (the time) and a cell per
// column; Pending marks the cells whose meeting waits for confirmation.
type GridRow struct {
	Label   string
	Cells   []string
	Pending []bool
}

// ChartLabels are the localised texts drawn into the progress chart.
type ChartLabels struct {
	Title    string            // the chart's title: the workshop and the number of commitments
	ByStatus string            // heading of the status rows
	ByOrg    string            // heading of the organisation rows
	Others   string            // the row that sums the organisations beyond the first few
	Status   map[string]string // label of each status of [ChartStatuses], and "overdue"
}

// ChartStatuses are the commitment statuses a progress chart shows, in its
// order; they partition every commitment ([Tally.Count]).
func ChartStatuses() []string {
	return []string{CmDone, CmOnTrack, CmBlocked, CmOpen, CmProposed}
}

// Tally counts commitments by status (Done, OnTrack, Blocked, NoAnswer and
// Proposed add up to Total) and, across those statuses, the ones overdue: an
// overdue commitment is still counted under its status.
type Tally struct {
	Total, Done, OnTrack, Blocked, Overdue, NoAnswer, Proposed int
}

// Completion is done / confirmed commitments, in percent.
func (y Tally) Completion() int {
	if n := y.Total - y.Proposed; n > 0 {
		return 100 * y.Done / n
	}
	return 0
}

// Count is the number of commitments in a status of [ChartStatuses]
// ([CmOpen]: not yet answered), or overdue ("overdue").
func (y Tally) Count(status string) int {
	switch status {
	case CmDone:
		return y.Done
	case CmOnTrack:
		return y.OnTrack
	case CmBlocked:
		return y.Blocked
	case CmOpen:
		return y.NoAnswer
	case CmProposed:
		return y.Proposed
	case "overdue":
		return y.Overdue
	}
	return 0
}

// Add sums two tallies.
func (y Tally) Add(o Tally) Tally {
	return Tally{Total: y.Total + o.Total, Done: y.Done + o.Done, OnTrack: y.OnTrack + o.OnTrack, Blocked: y.Blocked + o.Blocked,
		Overdue: y.Overdue + o.Overdue, NoAnswer: y.NoAnswer + o.NoAnswer, Proposed: y.Proposed + o.Proposed}
}

// OrgTally is one organisation's commitments by status.
type OrgTally struct {
	Name string
	Tally
}
