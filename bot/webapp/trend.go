package webapp

import (
	"context"
	"time"

	"sinergi/flows"
)

// trendMonths is how many calendar months the overview's trend covers,
// the current one last.
const trendMonths = 12

// trendRow is one month of the overview's trend, in the workshops' own
// zones:
//   - Registrations and Attended: the registrations standing (confirmed,
//     waiting, awaiting approval or holding an offered seat) and the
//     check-ins of the workshops that start in the month, cancelled ones
//     left out — a workshop's people counted once, in the month it is held,
//     from its counts (flows.Counts), without reading every registration;
//   - Created: the commitments written down in the month;
//   - Due and ByStatus: the commitments due in the month, by status now;
//   - Overdue: those of them not done whose due date has passed.
//
// The commitments are the tallies the writes keep (flows.CommitmentTallies).
type trendRow struct {
	Month         string         `json:"month"` // YYYY-MM
	Label         string         `json:"label"`
	Registrations int            `json:"registrations"`
	Attended      int            `json:"attended"`
	Created       int            `json:"commitments_created"`
	Due           int            `json:"commitments_due"`
	ByStatus      map[string]int `json:"by_status"`
	Overdue       int            `json:"overdue"`
}

// scopeCounts reads the counts of each of the workshops ws (in ws's
// order) from the store, on every call, all in one round trip.
func (s *Server) scopeCounts(ctx context.Context, ws []*flows.Workshop) ([]flows.Counts, error) {
	codes := make([]string, len(ws))
	for i, x := range ws {
		codes[i] = x.Code
	}
	return s.cfg.Store.CountsOf(ctx, codes)
}

// trend is the last trendMonths months of the workshops ws (the caller's
// scope) from their counts (in ws's order) and commitment tallies, both
// read on every call. The window ends with the current month in the
// forum's zone (WIB, the first of flows.Zones).
func (s *Server) trend(t *flows.Turn, ws []*flows.Workshop, counts []flows.Counts, cms map[string]flows.CommitmentTally) []trendRow {
	now := t.Now().In(flows.LoadZone(flows.Zones()[0]))
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1-trendMonths, 0)
	rows := make([]trendRow, trendMonths)
	at := map[string]*trendRow{}
	for i := range rows {
		m := first.AddDate(0, i, 0)
		rows[i] = trendRow{Month: m.Format("2006-01"), ByStatus: map[string]int{},
			Label: s.text(t.Lang, "cm.month", map[string]any{"Month": s.text(t.Lang, "month."+m.Format("1"), nil, nil), "Year": m.Year()}, nil)}
		at[rows[i].Month] = &rows[i]
	}
	zones := map[string]*time.Location{} // each zone read once (LoadZone reads the zone database)
	for i, x := range ws {
		zone := zones[x.Zone]
		if zone == nil {
			zone = flows.LoadZone(x.Zone)
			zones[x.Zone] = zone
		}
		if row := at[x.Start.In(zone).Format("2006-01")]; row != nil && !x.Cancelled {
			c := counts[i]
			row.Registrations += c.Confirmed + c.Waiting + c.Pending + c.Offered
			row.Attended += c.CheckedIn
		}
		tally := cms[x.Code]
		for m, n := range tally.Created {
			if row := at[m]; row != nil {
				row.Created += n
			}
		}
		for m, by := range tally.Due {
			row := at[m]
			if row == nil {
				continue
			}
			for st, n := range by {
				row.Due += n
				row.ByStatus[st] += n
			}
			row.Overdue += tally.Overdue[m]
		}
	}
	return rows
}
