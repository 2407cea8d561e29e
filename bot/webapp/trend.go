package webapp

import (
	"context"
	"time"

	"sinergi/flows"
)

// trendMonths is how many calendar months the overview's trend covers,
// the current one last.
const trendMonths = 12

// trendRow is one month of the overview's trend: registrations made and
// check-ins recorded in the month (by their own time, in the workshop's
// zone), the commitments written down in the month (Created), and the
// commitments due in the month by status, with those of them overdue (not
// done, due date passed).
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

// trend is the last trendMonths months of the workshops ws (the caller's
// scope): read from the store on every call. The window ends with the
// current month in the forum's zone (WIB, the first of flows.Zones).
func (s *Server) trend(ctx context.Context, t *flows.Turn, ws []*flows.Workshop) ([]trendRow, error) {
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
	for _, x := range ws {
		zone := flows.LoadZone(x.Zone)
		month := func(tm time.Time) *trendRow { return at[tm.In(zone).Format("2006-01")] }
		regs, err := s.cfg.Store.Registrations(ctx, x.Code)
		if err != nil {
			return nil, err
		}
		for _, r := range regs {
			if row := month(r.RegisteredAt); row != nil {
				row.Registrations++
			}
			if r.CheckedInAt.IsZero() {
				continue
			}
			if row := month(r.CheckedInAt); row != nil {
				row.Attended++
			}
		}
		cms, err := s.cfg.Store.WorkshopCommitments(ctx, x.Code)
		if err != nil {
			return nil, err
		}
		for _, c := range cms {
			if row := month(c.Created); row != nil {
				row.Created++
			}
			row := month(c.Due)
			if row == nil {
				continue
			}
			row.Due++
			row.ByStatus[c.Status]++
			if c.Status != flows.CmDone && c.Due.Before(t.Now()) {
				row.Overdue++
			}
		}
	}
	return rows, nil
}
